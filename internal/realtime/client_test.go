package realtime_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/basalthq/basalt/core"
	"github.com/basalthq/basalt/internal/realtime"
)

// wire is a DirectWriter double: it records what it "wrote" and refuses
// while blocked, as a full socket would.
type wire struct {
	mu      sync.Mutex
	blocked bool
	partial bool // take the next message but ask for a wake-up
	written []string
}

func (w *wire) write(m core.RealtimeMessage) (bool, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.blocked {
		return false, false
	}
	w.written = append(w.written, m.Name)
	if w.partial {
		w.partial = false
		return true, true
	}
	return true, false
}

func (w *wire) set(blocked, partial bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.blocked, w.partial = blocked, partial
}

func TestClientDirectWrites(t *testing.T) {
	app := newApp(t, "", "")
	b := realtime.NewBroker(app, realtime.Config{QueueSize: 3})
	t.Cleanup(b.Close)
	c := b.NewClient()
	w := &wire{}
	c.SetDirect(w.write)
	drain := func() {
		t.Helper()
		if err := c.Drain(func(ms []core.RealtimeMessage) error {
			w.mu.Lock()
			defer w.mu.Unlock()
			for _, m := range ms {
				w.written = append(w.written, m.Name)
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	send := func(names ...string) {
		t.Helper()
		for _, n := range names {
			if err := c.Send(core.RealtimeMessage{Name: n}); err != nil {
				t.Fatalf("send %s: %v", n, err)
			}
		}
	}
	ready := func() bool {
		select {
		case <-c.Ready():
			return true
		default:
			return false
		}
	}

	send("1", "2")
	if got := c.Take(); len(got) != 0 {
		t.Fatalf("queued %d messages while the writer took them", len(got))
	}
	if ready() {
		t.Fatal("stream woken for messages written directly")
	}

	// A full socket queues; later messages queue behind it even when the
	// socket has room again, so nothing overtakes what waits.
	w.set(true, false)
	send("3")
	w.set(false, false)
	send("4")
	if !ready() {
		t.Fatal("stream not woken for queued messages")
	}
	drain()
	send("5")

	// A partly written message asks for the stream goroutine.
	w.set(false, true)
	send("6")
	if !ready() {
		t.Fatal("stream not woken to finish a partial write")
	}
	if want := []string{"1", "2", "3", "4", "5", "6"}; !slices.Equal(w.written, want) {
		t.Fatalf("written %v, want %v", w.written, want)
	}

	// While blocked the queue fills and the client is dropped at its limit.
	w.set(true, false)
	send("7", "8", "9")
	if err := c.Send(core.RealtimeMessage{Name: "10"}); !errors.Is(err, realtime.ErrSlowClient) {
		t.Fatalf("send past the limit = %v", err)
	}
	if !errors.Is(c.Err(), realtime.ErrSlowClient) {
		t.Fatalf("client err = %v", c.Err())
	}

	// Without a direct writer every message is queued.
	c2 := b.NewClient()
	c2.SetDirect(w.write)
	c2.SetDirect(nil)
	if err := c2.Send(core.RealtimeMessage{Name: "q"}); err != nil {
		t.Fatal(err)
	}
	if got := c2.Take(); len(got) != 1 {
		t.Fatalf("queued %d, want 1", len(got))
	}
}

// TestClientDirectWritesConcurrent: senders racing the stream goroutine
// never write two messages at once and lose none.
func TestClientDirectWritesConcurrent(t *testing.T) {
	app := newApp(t, "", "")
	b := realtime.NewBroker(app, realtime.Config{QueueSize: 100000})
	t.Cleanup(b.Close)
	c := b.NewClient()
	var (
		mu      sync.Mutex
		inWrite bool
		n       int
	)
	enter := func(k int) {
		mu.Lock()
		defer mu.Unlock()
		if inWrite {
			t.Error("two writes at once")
		}
		inWrite = true
		n += k
	}
	leave := func() {
		mu.Lock()
		inWrite = false
		mu.Unlock()
	}
	var calls int
	c.SetDirect(func(core.RealtimeMessage) (bool, bool) {
		calls++
		take := calls%3 != 0 // refuse every third: the stream takes it
		written := 0
		if take {
			written = 1
		}
		enter(written)
		defer leave()
		return take, false
	})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range c.Ready() {
			_ = c.Drain(func(ms []core.RealtimeMessage) error {
				enter(len(ms))
				defer leave()
				return nil
			})
			if c.Gone() {
				return
			}
		}
	}()
	const senders, each = 4, 2000
	var wg sync.WaitGroup
	for range senders {
		wg.Go(func() {
			for range each {
				if err := c.Send(core.RealtimeMessage{Name: "m"}); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	c.Wake()
	for i := 0; i < 1000; i++ {
		mu.Lock()
		got := n
		mu.Unlock()
		if got == senders*each {
			break
		}
		c.Wake()
		time.Sleep(time.Millisecond)
	}
	b.Disconnect(c)
	<-done
	if n != senders*each {
		t.Fatalf("written %d, want %d", n, senders*each)
	}
}

// TestBrokerLargeFanOut: a change with more subscribers than one
// goroutine serves is split across goroutines; every subscriber, written
// to directly or through its queue (the broker queues while another
// change waits), gets each event once and in order.
func TestBrokerLargeFanOut(t *testing.T) {
	app := newApp(t, "", "")
	b := brokerOf(t, app)
	const n = 1000 // well past the split threshold
	clients := make([]*realtime.Client, n)
	wires := make([]*wire, n)
	for i := range clients {
		clients[i] = b.NewClient()
		if i%2 == 0 {
			wires[i] = &wire{}
			w := wires[i]
			clients[i].SetDirect(func(m core.RealtimeMessage) (bool, bool) {
				// Record the action, as the queued clients' check does.
				w.mu.Lock()
				defer w.mu.Unlock()
				w.written = append(w.written, actionOf(m))
				return true, false
			})
		}
		if err := b.SetSubscriptions(clients[i], []string{"posts/*"}); err != nil {
			t.Fatal(err)
		}
	}
	rec := createPost(t, app, map[string]any{"title": "one"})
	rec.Set("title", "two")
	if err := app.Save(context.Background(), rec); err != nil {
		t.Fatal(err)
	}
	for i, c := range clients {
		var got []string
		if w := wires[i]; w != nil {
			// As the stream does: queued messages go to the same wire.
			for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
				_ = c.Drain(func(ms []core.RealtimeMessage) error {
					w.mu.Lock()
					defer w.mu.Unlock()
					for _, m := range ms {
						w.written = append(w.written, actionOf(m))
					}
					return nil
				})
				w.mu.Lock()
				got = slices.Clone(w.written)
				w.mu.Unlock()
				if len(got) >= 2 {
					break
				}
			}
		} else {
			for _, m := range waitMessages(t, c, 2, 5*time.Second) {
				got = append(got, actionOf(m))
			}
		}
		if !slices.Equal(got, []string{"create", "update"}) {
			t.Fatalf("client %d got %v", i, got)
		}
	}
	if !quiet(clients[1], 50*time.Millisecond) {
		t.Fatal("extra message")
	}
}

func actionOf(m core.RealtimeMessage) string {
	var v struct{ Action string }
	_ = json.Unmarshal(m.Data, &v)
	return v.Action
}
