package scenario

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/basalthq/basalt/bench/internal/client"
)

type frame struct{ id, event, data string }

// chunk frames s as HTTP/1.1 chunked pieces of at most n bytes.
func chunk(s string, n int) string {
	var b strings.Builder
	for len(s) > 0 {
		m := min(n, len(s))
		fmt.Fprintf(&b, "%x\r\n%s\r\n", m, s[:m])
		s = s[m:]
	}
	return b.String()
}

// parseSplit feeds in to a parser in pieces of step bytes.
func parseSplit(t *testing.T, chunked bool, in string, step int) ([]frame, error) {
	t.Helper()
	p := sseParser{chunked: chunked}
	var got []frame
	for len(in) > 0 {
		n := min(step, len(in))
		err := p.feed([]byte(in[:n]), func(id, ev, data []byte) {
			got = append(got, frame{string(id), string(ev), string(data)})
		})
		in = in[n:]
		if err != nil {
			return got, err
		}
	}
	return got, nil
}

func TestSSEParser(t *testing.T) {
	t.Parallel()
	body := "id:abc\nevent:PB_CONNECT\ndata:{\"clientId\":\"abc\"}\n\n" +
		"id: x\r\nevent: posts/*\r\ndata: {\"title\":\"rt-1\"}\r\n\r\n" +
		": comment\n\n\nevent:e\ndata:1\ndata:2\n\n" +
		"event:partial\ndata:never ended\n"
	want := []frame{
		{"abc", "PB_CONNECT", `{"clientId":"abc"}`},
		{"x", "posts/*", `{"title":"rt-1"}`},
		{"", "e", "12"},
	}
	tests := []struct {
		name    string
		chunked bool
		in      string
		wantErr error
	}{
		{"plain body", false, body, nil},
		{"one chunk", true, chunk(body, len(body)), nil},
		{"7-byte chunks", true, chunk(body, 7), nil},
		{"1-byte chunks", true, chunk(body, 1), nil},
		{"chunk extension", true, "2f;ext=1\r\n" + body[:0x2f] + "\r\n" + chunk(body[0x2f:], 5), nil},
		{"terminating chunk", true, chunk(body, 16) + "0\r\n\r\n", errStreamEnded},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			for step := 1; step <= len(tc.in); step += max(1, step/2) {
				got, err := parseSplit(t, tc.chunked, tc.in, step)
				if err != tc.wantErr {
					t.Fatalf("step %d: err = %v, want %v", step, err, tc.wantErr)
				}
				if fmt.Sprint(got) != fmt.Sprint(want) {
					t.Fatalf("step %d: frames\n got %q\nwant %q", step, got, want)
				}
			}
		})
	}
	if _, err := parseSplit(t, true, "zz\r\nabc", 3); err == nil || err == errStreamEnded {
		t.Errorf("bad chunk size: err = %v, want a parse error", err)
	}
}

// sseServer is a PocketBase-shaped realtime endpoint: PB_CONNECT on GET, a
// subscription on POST, then whatever is sent on its channel, to every
// subscribed client.
type sseServer struct {
	mu      sync.Mutex
	clients map[string]chan string
	seq     atomic.Int64
}

func (s *sseServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet:
		id := fmt.Sprintf("c%d", s.seq.Add(1))
		ch := make(chan string, 16)
		s.mu.Lock()
		s.clients[id] = ch
		s.mu.Unlock()
		w.Header().Set("Content-Type", "text/event-stream")
		fmt.Fprintf(w, "id:%s\nevent:PB_CONNECT\ndata:{\"clientId\":%q}\n\n", id, id)
		w.(http.Flusher).Flush()
		for {
			select {
			case msg := <-ch:
				fmt.Fprint(w, msg)
				w.(http.Flusher).Flush()
			case <-r.Context().Done():
				return
			}
		}
	case http.MethodPost:
		w.WriteHeader(http.StatusNoContent)
	}
}

func (s *sseServer) broadcast(msg string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, ch := range s.clients {
		ch <- msg
	}
}

// connectAll connects k subscribers to env's server; they close with the test.
func connectAll(t *testing.T, ctx context.Context, env *Env, k int) []*sseConn {
	t.Helper()
	conns := make([]*sseConn, k)
	for i := range conns {
		c, err := connectSSE(ctx, env)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		conns[i] = c
	}
	return conns
}

// waitDone fails the test unless readStreams' result arrives in time, and
// unless it is nil.
func waitDone(t *testing.T, done <-chan error, timeout time.Duration, what string) {
	t.Helper()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(timeout):
		t.Fatal(what)
	}
}

func TestReadStreams(t *testing.T) {
	t.Parallel()
	srv := &sseServer{clients: map[string]chan string{}}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close) // after the subscribers close (cleanups run last first)
	env := &Env{Anon: client.New(ts.URL)}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	const k = 20
	conns := connectAll(t, ctx, env, k)
	for _, c := range conns {
		if !c.p.chunked {
			t.Fatal("net/http's stream not recognised as chunked")
		}
	}

	var (
		mu  sync.Mutex
		got = map[*sseConn][]string{}
	)
	readCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		done <- readStreams(readCtx, conns, func(c *sseConn, now int64, event, data []byte) {
			if now <= 0 {
				t.Errorf("read time %d", now)
			}
			mu.Lock()
			got[c] = append(got[c], string(event)+"="+string(data))
			mu.Unlock()
		})
	}()
	const events = 50
	for i := range events {
		// A frame split across two flushes must still arrive whole.
		srv.broadcast(fmt.Sprintf("event:posts/*\ndata:{\"title\":\"rt-%d\"}\n", i))
		srv.broadcast("\n")
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		mu.Lock()
		n := 0
		for _, l := range got {
			n += len(l)
		}
		mu.Unlock()
		if n == k*events || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	stop()
	waitDone(t, done, 5*time.Second, "readStreams did not return after its context ended")
	for i, c := range conns {
		l := got[c]
		if len(l) != events {
			t.Fatalf("subscriber %d got %d frames, want %d", i, len(l), events)
		}
		for j, f := range l {
			if want := fmt.Sprintf(`posts/*={"title":"rt-%d"}`, j); f != want {
				t.Fatalf("subscriber %d frame %d = %q, want %q", i, j, f, want)
			}
		}
	}
}

func TestReadStreamsEnd(t *testing.T) {
	t.Parallel()
	// Streams the server ends are dropped; readStreams returns once none is
	// left, without waiting for its context.
	srv := &sseServer{clients: map[string]chan string{}}
	ts := httptest.NewServer(srv)
	env := &Env{Anon: client.New(ts.URL)}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conns := connectAll(t, ctx, env, 3)
	done := make(chan error, 1)
	go func() { done <- readStreams(ctx, conns, func(*sseConn, int64, []byte, []byte) {}) }()
	ts.CloseClientConnections()
	ts.Close()
	waitDone(t, done, 10*time.Second, "readStreams still running after every stream ended")
}
