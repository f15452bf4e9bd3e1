package realtime_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/basalthq/basalt/core"
	"github.com/basalthq/basalt/internal/realtime"
)

// panickyRenderer panics on records titled "boom".
type panickyRenderer struct{}

func (panickyRenderer) RenderRecord(ctx context.Context, rec *core.Record, o realtime.RenderOptions) ([]byte, error) {
	if rec.GetString("title") == "boom" {
		panic("renderer boom")
	}
	return realtime.JSONRenderer{}.RenderRecord(ctx, rec, o)
}

// TestBrokerSurvivesPanics: a panic on the broker's goroutines (here in
// the renderer, for one change, delivered to enough subscribers to be
// split across delivery goroutines) is recovered: the process goes on,
// and the next change reaches every subscriber.
func TestBrokerSurvivesPanics(t *testing.T) {
	app := newApp(t, "", "")
	b := brokerOf(t, app)
	b.SetRenderer(panickyRenderer{})
	clients := make([]*realtime.Client, 2000)
	for i := range clients {
		clients[i] = b.NewClient()
		if err := b.SetSubscriptions(clients[i], []string{"posts/*"}); err != nil {
			t.Fatal(err)
		}
	}
	createPost(t, app, map[string]any{"title": "boom"})
	createPost(t, app, map[string]any{"title": "fine"})
	expect := func(title string) {
		t.Helper()
		for i, c := range clients {
			msgs := waitMessages(t, c, 1, 5*time.Second)
			if len(msgs) != 1 || !bytes.Contains(msgs[0].Data, []byte(`"`+title+`"`)) {
				t.Fatalf("client %d: got %d messages %q, want the %s change", i, len(msgs), msgs, title)
			}
		}
	}
	expect("fine")
	// Writers that panic, called on the delivery goroutines.
	for _, c := range clients {
		c.SetDirect(func(core.RealtimeMessage) (bool, bool) { panic("writer boom") })
	}
	createPost(t, app, map[string]any{"title": "direct boom"})
	time.Sleep(100 * time.Millisecond) // let the broker run into the panics
	for _, c := range clients {
		c.SetDirect(nil)
		c.Take() // whatever was queued before a panic
	}
	createPost(t, app, map[string]any{"title": "after"})
	expect("after")
}
