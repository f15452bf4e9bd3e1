package api_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/basalthq/basalt/core"
	"github.com/basalthq/basalt/internal/testenv"
)

// rtTimeouts is a register func that gives every stream short write and
// idle timeouts, and, with queued set, binds a message hook, which sends
// every message through the stream goroutine instead of writing it
// directly from the broadcaster.
func rtTimeouts(write, idle time.Duration, queued bool) func(app *core.App) error {
	return func(app *core.App) error {
		app.OnRealtimeConnectRequest().BindFunc(func(e *core.RealtimeConnectRequestEvent) error {
			e.WriteTimeout = write
			e.IdleTimeout = idle
			return e.Next()
		})
		if queued {
			app.OnRealtimeMessageSend().BindFunc(func(e *core.RealtimeMessageEvent) error { return e.Next() })
		}
		return nil
	}
}

// TestRealtimeQuietLongerThanWriteTimeout: a stream that stays quiet for
// several write timeouts (but less than its idle timeout) still delivers
// the next event, on the same connection, whichever path writes it:
// directly from the broadcaster, through the stream goroutine, over
// HTTP/2 and over HTTP/1.0. Issue #22 (4): the write deadline was set
// once, so the first direct write after ~60 s failed, ended the stream
// and lost the event.
func TestRealtimeQuietLongerThanWriteTimeout(t *testing.T) {
	t.Parallel()
	const (
		write = 150 * time.Millisecond
		idle  = 30 * time.Second
		quiet = 4 * write
	)
	cases := []struct {
		name   string
		h2     bool
		queued bool
		open   func(t *testing.T, s *testenv.Server) sseStream
	}{
		{name: "HTTP/1.1 direct writes", open: openHTTP11},
		{name: "HTTP/1.1 queued writes", queued: true, open: openHTTP11},
		{name: "HTTP/2", h2: true, open: func(t *testing.T, s *testenv.Server) sseStream {
			c := openSSEWith(t, s.Client, s.URL)
			return sseStream{c.ClientId, c.Next}
		}},
		{name: "HTTP/1.0", open: func(t *testing.T, s *testenv.Server) sseStream {
			c := openHTTP10SSE(t, s)
			return sseStream{c.clientId, c.next}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			reg := rtTimeouts(write, idle, tc.queued)
			var s *testenv.Server
			if tc.h2 {
				s = testenv.StartServerHTTP2(t, reg)
			} else {
				s = testenv.StartServer(t, reg)
			}
			st := tc.open(t, s)
			body, _ := json.Marshal(map[string]any{"clientId": st.clientId, "subscriptions": []string{"news"}})
			resp, err := s.Client.Post(s.URL+"/api/realtime", "application/json", bytes.NewReader(body))
			if err != nil || resp.StatusCode != 204 {
				t.Fatalf("subscribe: %v %v", resp, err)
			}
			resp.Body.Close()
			for i := range 3 {
				time.Sleep(quiet)
				if err := s.App.Realtime().Send("news", map[string]int{"n": i}); err != nil {
					t.Fatalf("send %d: %v", i, err)
				}
				ev, ok := st.next(5 * time.Second)
				want := `{"n":` + string(rune('0'+i)) + `}`
				if !ok || ev.Event != "news" || ev.Data != want || ev.ID != st.clientId {
					t.Fatalf("event %d after %v quiet (write timeout %v): got %+v, ok=%v; want news %s on the same stream",
						i, quiet, write, ev, ok, want)
				}
			}
		})
	}
}

// sseStream is an open stream, whatever reads it.
type sseStream struct {
	clientId string
	next     func(time.Duration) (sseEvent, bool)
}

func openHTTP11(t *testing.T, s *testenv.Server) sseStream {
	c := openSSE(t, s)
	return sseStream{c.ClientId, c.Next}
}

// http10SSE reads a stream requested over HTTP/1.0 (no chunked framing:
// the body is the SSE text itself).
type http10SSE struct {
	clientId string
	events   chan sseEvent
}

func (c *http10SSE) next(timeout time.Duration) (sseEvent, bool) {
	select {
	case ev, ok := <-c.events:
		return ev, ok
	case <-time.After(timeout):
		return sseEvent{}, false
	}
}

func openHTTP10SSE(t *testing.T, s *testenv.Server) *http10SSE {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(s.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	if _, err := io.WriteString(conn, "GET /api/realtime HTTP/1.0\r\nHost: x\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	rd := bufio.NewReader(conn)
	for {
		line, err := rd.ReadString('\n')
		if err != nil {
			t.Fatalf("read head: %v", err)
		}
		if line == "\r\n" {
			break
		}
	}
	c := &http10SSE{events: make(chan sseEvent, 64)}
	go func() {
		defer close(c.events)
		testenv.ReadSSE(rd, func(ev testenv.SSEEvent) { c.events <- sseEvent(ev) })
	}()
	first, ok := c.next(5 * time.Second)
	if !ok || first.Event != "PB_CONNECT" {
		t.Fatalf("first event %+v %v", first, ok)
	}
	c.clientId = first.ID
	return c
}

// TestRealtimeStalledClientCutOffAtWriteTimeout: the write timeout still
// bounds a write the client does not read: a stream blocked on a socket
// nobody reads ends about one write timeout later, on every write path,
// while the client stays registered until then (its queue is not full).
func TestRealtimeStalledClientCutOffAtWriteTimeout(t *testing.T) {
	t.Parallel()
	for _, queued := range []bool{false, true} {
		name := "direct"
		if queued {
			name = "queued"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ended := make(chan struct{}, 1)
			reg := rtTimeouts(200*time.Millisecond, 30*time.Second, queued)
			s := testenv.StartServer(t, func(app *core.App) error {
				app.OnRealtimeConnectRequest().BindFunc(func(e *core.RealtimeConnectRequestEvent) error {
					err := e.Next() // returns when the stream ends
					ended <- struct{}{}
					return err
				})
				return reg(app)
			})
			id := openStalledSSE(t, s)
			if st, _ := subscribe(s, id, "", "big"); st != 204 {
				t.Fatalf("subscribe: %d", st)
			}
			// One message larger than any socket buffer: the write blocks.
			if err := s.App.Realtime().Send("big", strings.Repeat("x", 32<<20)); err != nil {
				t.Fatal(err)
			}
			select {
			case <-ended:
			case <-time.After(10 * time.Second):
				t.Fatal("a stream blocked on a client that reads nothing was still open 10 s later (write timeout 200 ms)")
			}
		})
	}
}

// TestRealtimeMaxLifetime: with a maximum lifetime set, a stream ends
// after it even while messages keep flowing (the SDK reconnects); every
// message sent before then arrives.
func TestRealtimeMaxLifetime(t *testing.T) {
	t.Parallel()
	const lifetime = 400 * time.Millisecond
	s := testenv.StartServer(t, func(app *core.App) error {
		app.OnRealtimeConnectRequest().BindFunc(func(e *core.RealtimeConnectRequestEvent) error {
			e.MaxLifetime = lifetime
			return e.Next()
		})
		return nil
	})
	c := openSSE(t, s)
	if st, _ := subscribe(s, c.ClientId, "", "tick"); st != 204 {
		t.Fatal("subscribe")
	}
	start := time.Now()
	for i := 0; time.Since(start) < 10*time.Second; i++ {
		if err := s.App.Realtime().Send("tick", i); err != nil {
			break // the client is gone: the stream ended
		}
		ev, ok := c.Next(5 * time.Second)
		if !ok {
			if time.Since(start) < lifetime/2 {
				t.Fatalf("stream ended after %v, before its lifetime %v", time.Since(start), lifetime)
			}
			return
		}
		if ev.Event != "tick" {
			t.Fatalf("event %+v", ev)
		}
		time.Sleep(lifetime / 8)
	}
	if !c.Ended(5 * time.Second) {
		t.Fatalf("stream with traffic still open %v after its lifetime %v", time.Since(start), lifetime)
	}
}
