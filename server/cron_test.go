package server

import (
	"context"
	"io"
	"testing"
	"time"

	"github.com/basalthq/basalt/core"
	"github.com/basalthq/basalt/internal/cli"
)

// TestTerminateWaitsForRunningCronJobs: shutdown lets a running job finish
// before the store closes under it, and runs nothing afterwards.
func TestTerminateWaitsForRunningCronJobs(t *testing.T) {
	started := make(chan struct{})
	release := make(chan struct{})
	jobErr := make(chan error, 1)
	app, err := open(context.Background(), cli.Global{Dir: t.TempDir(), QueryTimeout: 30}, io.Discard, func(app *core.App) error {
		return app.Cron().Add("nightly", "0 3 * * *", func(ctx context.Context) error {
			close(started)
			<-release
			_, err := app.FindRecordsByFilter(ctx, core.SuperusersCollectionName, "", "", 1, 0, nil)
			jobErr <- err
			return err
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := app.Cron().Run("nightly"); err != nil {
		t.Fatal(err)
	}
	<-started
	terminated := make(chan error, 1)
	go func() { terminated <- app.Terminate() }()
	select {
	case err := <-terminated:
		t.Fatalf("Terminate returned (%v) while a job was running", err)
	case <-time.After(50 * time.Millisecond): // a chance to return too early
	}
	close(release)
	if err := <-jobErr; err != nil {
		t.Fatalf("the job's read after shutdown began: %v", err)
	}
	if err := <-terminated; err != nil {
		t.Fatal(err)
	}
	if err := app.Cron().Run("nightly"); err == nil {
		t.Fatal("a job ran after Terminate")
	}
}
