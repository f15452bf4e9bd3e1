package api_test

import (
	"bufio"
	"encoding/json"
	"net"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/basalthq/basalt/core"
	"github.com/basalthq/basalt/internal/realtime"
	"github.com/basalthq/basalt/internal/testenv"
)

// openStalledSSE opens a stream over a raw socket with a small receive
// buffer, reads up to PB_CONNECT and returns the client id. Nothing reads
// the socket after that, as with a stalled client; it is closed when the
// test ends.
func openStalledSSE(t *testing.T, s *testenv.Server) string {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(s.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	_ = conn.(*net.TCPConn).SetReadBuffer(4096)
	if _, err := conn.Write([]byte("GET /api/realtime HTTP/1.1\r\nHost: test\r\n\r\n")); err != nil {
		t.Fatal(err)
	}
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	rd := bufio.NewReader(conn)
	idLine := regexp.MustCompile(`^id:(\w+)\n$`)
	for {
		line, err := rd.ReadString('\n')
		if err != nil {
			t.Fatalf("reading PB_CONNECT: %v", err)
		}
		if m := idLine.FindStringSubmatch(line); m != nil {
			return m[1]
		}
	}
}

// TestRealtimeStalledSocket: broadcasts write straight into the sockets
// of clients that keep up and queue for the others. A client whose socket
// is full falls behind past its queue and is disconnected (its stream
// ends at once, not at the write timeout), while a client
// reading at the same time receives every message, in order.
func TestRealtimeStalledSocket(t *testing.T) {
	ended := make(chan string, 2)
	s := testenv.StartServer(t, func(app *core.App) error {
		app.OnRealtimeConnectRequest().BindFunc(func(e *core.RealtimeConnectRequestEvent) error {
			err := e.Next() // returns when the stream ends
			ended <- e.Client.Id()
			return err
		})
		return nil
	})
	br := s.App.Realtime().(*realtime.Broker)
	fast := openSSE(t, s)
	stalledId := openStalledSSE(t, s)
	for _, id := range []string{fast.ClientId, stalledId} {
		if st, body := subscribe(s, id, "", "load"); st != 204 {
			t.Fatalf("subscribe: %d %v", st, body)
		}
	}

	// Far more than the stalled client's socket buffers and queue hold,
	// sent at the pace of the fast client (at most 64 ahead of it).
	const n = 3000
	pad := strings.Repeat("x", 16<<10)
	sendErr := make(chan error, 1)
	credit := make(chan struct{}, 64)
	for range cap(credit) {
		credit <- struct{}{}
	}
	go func() {
		defer close(sendErr)
		for i := range n {
			select {
			case <-credit:
			case <-time.After(10 * time.Second):
				return
			}
			if err := br.Send("load", map[string]any{"n": i, "pad": pad}); err != nil {
				sendErr <- err
				return
			}
		}
	}()
	for i := range n {
		ev, ok := fast.Next(10 * time.Second)
		if !ok {
			t.Fatalf("fast client: message %d missing", i)
		}
		var m struct{ N int }
		if err := json.Unmarshal([]byte(ev.Data), &m); err != nil || ev.Event != "load" || m.N != i {
			t.Fatalf("fast client: message %d is %s n=%d (%v)", i, ev.Event, m.N, err)
		}
		credit <- struct{}{}
	}
	if err := <-sendErr; err != nil {
		t.Fatal(err)
	}

	if got := br.Stats().SlowDisconnects; got != 1 {
		t.Fatalf("slow disconnects = %d, want 1", got)
	}
	if _, ok := br.Lookup(stalledId); ok {
		t.Fatal("stalled client still registered")
	}
	if _, ok := br.Lookup(fast.ClientId); !ok {
		t.Fatal("fast client was disconnected")
	}
	// Its stream ends at once, even though it was blocked writing into
	// the full socket (the kernel then still owns what it buffered).
	select {
	case id := <-ended:
		if id != stalledId {
			t.Fatalf("stream %s ended, want the stalled one", id)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("stalled client's stream still running")
	}
}
