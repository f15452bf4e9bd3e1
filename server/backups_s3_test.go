package server

import (
	"context"
	"github.com/basalthq/basalt/internal/testenv/s3server"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/basalthq/basalt/core"
	"github.com/basalthq/basalt/internal/files"
)

// startS3 starts the real S3 server of internal/testenv/s3server for one
// test.
func startS3(t *testing.T, access, secret, bucket string) (string, string) {
	t.Helper()
	return s3server.Start(t, access, secret, bucket)
}

// runCronJob runs the job id through the scheduler (as POST
// /api/crons/{id} does) and waits, bounded, for that run to finish;
// it fails the test on the run's error.
func runCronJob(t *testing.T, app *core.App, id string) {
	t.Helper()
	before, _, _ := app.Cron().LastRun(id)
	must(t, app.Cron().Run(id))
	for deadline := time.Now().Add(time.Minute); ; {
		info, running, _ := app.Cron().LastRun(id)
		if info != nil && info != before && !running {
			if info.Error != "" {
				t.Fatalf("%s failed: %s", id, info.Error)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not finish within a minute", id)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestAutoBackupCronS3: with settings.backups.s3 on, every run of
// __pbAutoBackup__ writes its archive into the bucket and rotates the
// bucket's automatic backups down to cronMaxKeep (oldest first), never
// touching manual backups or other objects of the bucket, and nothing is
// written to pb_data/backups.
func TestAutoBackupCronS3(t *testing.T) {
	const access, secret, bucket = "basaltaccess", "basalt/secret+key", "backups"
	endpoint, bucketDir := startS3(t, access, secret, bucket)
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "pb_data")
	app := openBackupApp(t, dir)
	defer app.Terminate()
	s := app.Settings().Clone()
	s.Backups.S3 = core.S3Settings{Enabled: true, Bucket: bucket, Region: "us-east-1", Endpoint: endpoint,
		AccessKey: access, Secret: secret, ForcePathStyle: true}
	s.Backups.Cron = "0 3 * * *"
	s.Backups.CronMaxKeep = 2
	must(t, app.SaveSettings(ctx, s))

	// Older automatic backups, a manual one and another tool's object,
	// aged through the posix backend's modification times.
	bucketClient, err := files.NewS3(files.S3Config{Endpoint: endpoint, Bucket: bucket, Region: "us-east-1",
		AccessKey: access, Secret: secret, ForcePathStyle: true})
	must(t, err)
	old := map[string]time.Duration{
		"@auto_pb_backup_acme_20200101000000.zip": 72 * time.Hour,
		"@auto_pb_backup_acme_20200102000000.zip": 48 * time.Hour,
		"@auto_pb_backup_acme_20200103000000.zip": 24 * time.Hour,
		"manual.zip":                    96 * time.Hour,
		"other/@auto_pb_backup_x_1.zip": 120 * time.Hour,
	}
	for key, age := range old {
		must(t, bucketClient.Put(ctx, key, strings.NewReader("PK\x03\x04"), 4, "application/zip"))
		at := time.Now().Add(-age)
		must(t, os.Chtimes(filepath.Join(bucketDir, filepath.FromSlash(key)), at, at))
	}

	objects := func() (autos, others []string) {
		t.Helper()
		list, err := bucketClient.List(ctx, "")
		must(t, err)
		for _, o := range list {
			if strings.HasPrefix(o.Key, "@auto_pb_backup_") {
				autos = append(autos, o.Key)
			} else {
				others = append(others, o.Key)
			}
		}
		sort.Strings(autos)
		return autos, others
	}
	var created []string
	for run := 1; run <= 3; run++ {
		// Auto backup names carry the second: let it tick between runs.
		for len(created) > 0 && strings.Contains(created[len(created)-1], app.Now().Format("20060102150405")) {
			time.Sleep(50 * time.Millisecond)
		}
		prev, _ := objects()
		runCronJob(t, app, core.CronAutoBackup)
		autos, others := objects()
		var added []string
		for _, k := range autos {
			if !slices.Contains(prev, k) {
				added = append(added, k)
			}
		}
		if len(added) != 1 || strings.HasPrefix(added[0], "@auto_pb_backup_acme_2020") {
			t.Fatalf("run %d: new auto backups %v, want one", run, added)
		}
		created = append(created, added[0])
		want := []string{"@auto_pb_backup_acme_20200103000000.zip", created[0]}
		if run > 1 {
			want = created[run-2:]
		}
		sort.Strings(want)
		if !slices.Equal(autos, want) {
			t.Fatalf("run %d: auto backups in the bucket = %v, want %v", run, autos, want)
		}
		if !slices.Equal(others, []string{"manual.zip", "other/@auto_pb_backup_x_1.zip"}) {
			t.Fatalf("run %d: rotation touched other objects: %v", run, others)
		}
	}
	if entries, _ := os.ReadDir(filepath.Join(dir, core.BackupsDirName)); len(entries) != 0 {
		t.Fatalf("local backups written while S3 is enabled: %v", entries)
	}
	assertNoScratch(t, dir)
}
