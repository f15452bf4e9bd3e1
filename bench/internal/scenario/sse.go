package scenario

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// sseParser turns the bytes of one SSE response body, as they arrive off the
// socket in pieces of any size, into frames. It decodes HTTP/1.1 chunked
// framing itself, so a subscriber can be read straight from its socket: the
// realtime scenario reads thousands of streams on the same two cores as the
// server it measures, and through net/http's body, chunk and buffer layers the
// harness used about as much CPU as the server's whole fan-out, which then
// showed up as delivery latency.
type sseParser struct {
	chunked bool
	state   chunkState
	left    int    // bytes left in the current chunk
	size    []byte // a chunk-size line split across reads
	buf     []byte // body bytes not yet part of a whole line

	// The frame being read.
	id, event, data []byte
	fields          bool
	ended           bool
}

type chunkState uint8

const (
	chunkSize chunkState = iota // reading a chunk-size line
	chunkData                   // copying chunk data
	chunkEnd                    // skipping the CRLF after chunk data
	chunkDone                   // the last chunk was read
)

// errStreamEnded reports the terminating chunk of a chunked stream.
var errStreamEnded = errors.New("sse: stream ended")

// feed parses b and calls fn for every frame it completes; the slices passed
// to fn are valid only during the call.
func (p *sseParser) feed(b []byte, fn func(id, event, data []byte)) error {
	if !p.chunked {
		p.buf = append(p.buf, b...)
		p.frames(fn)
		return nil
	}
	for len(b) > 0 {
		switch p.state {
		case chunkSize:
			i := bytes.IndexByte(b, '\n')
			if i < 0 {
				p.size = append(p.size, b...)
				return nil
			}
			line := b[:i]
			if len(p.size) > 0 {
				line = append(p.size, line...)
				p.size = p.size[:0]
			}
			b = b[i+1:]
			line = bytes.TrimRight(line, "\r")
			if j := bytes.IndexByte(line, ';'); j >= 0 {
				line = line[:j]
			}
			n, err := strconv.ParseUint(string(bytes.TrimSpace(line)), 16, 31)
			if err != nil {
				return fmt.Errorf("sse: bad chunk size %q", line)
			}
			if n == 0 {
				p.state = chunkDone
				return errStreamEnded
			}
			p.left, p.state = int(n), chunkData
		case chunkData:
			n := min(p.left, len(b))
			p.buf = append(p.buf, b[:n]...)
			b, p.left = b[n:], p.left-n
			if p.left == 0 {
				p.state = chunkEnd
				p.frames(fn)
			}
		case chunkEnd:
			i := bytes.IndexByte(b, '\n')
			if i < 0 {
				return nil // the rest of "\r\n" comes with the next read
			}
			b, p.state = b[i+1:], chunkSize
		case chunkDone:
			return errStreamEnded
		}
	}
	return nil
}

// frames consumes the whole lines in p.buf.
func (p *sseParser) frames(fn func(id, event, data []byte)) {
	b, start := p.buf, 0
	for {
		i := bytes.IndexByte(b[start:], '\n')
		if i < 0 {
			break
		}
		line := bytes.TrimSuffix(b[start:start+i], []byte("\r"))
		start += i + 1
		switch {
		case len(line) == 0:
			if p.fields {
				fn(p.id, p.event, p.data)
			}
			p.id, p.event, p.data, p.fields = p.id[:0], p.event[:0], p.data[:0], false
		case bytes.HasPrefix(line, []byte("id:")):
			p.id, p.fields = append(p.id[:0], bytes.TrimSpace(line[3:])...), true
		case bytes.HasPrefix(line, []byte("event:")):
			p.event, p.fields = append(p.event[:0], bytes.TrimSpace(line[6:])...), true
		case bytes.HasPrefix(line, []byte("data:")):
			p.data, p.fields = append(p.data, bytes.TrimSpace(line[5:])...), true
		}
	}
	p.buf = p.buf[:copy(b, b[start:])]
}

// sseConn is one subscriber's stream: a raw connection whose body bytes go
// through its parser.
type sseConn struct {
	conn net.Conn
	p    sseParser
	id   string
	lats []time.Duration // delivery latencies, kept by the stream's reader
}

// Close closes the connection.
func (c *sseConn) Close() error { return c.conn.Close() }

// connectSSE opens GET /api/realtime on its own connection, reads PB_CONNECT
// (the clientId is in the id: line and in the data) and subscribes to
// posts/*. Bytes read past PB_CONNECT stay in the parser.
func connectSSE(ctx context.Context, env *Env) (*sseConn, error) {
	u, err := url.Parse(env.Anon.BaseURL)
	if err != nil {
		return nil, err
	}
	d := net.Dialer{Timeout: 15 * time.Second}
	conn, err := d.DialContext(ctx, "tcp", u.Host)
	if err != nil {
		return nil, err
	}
	c := &sseConn{conn: conn}
	if err := c.open(ctx, u); err != nil {
		conn.Close()
		return nil, err
	}
	sub := map[string]any{"clientId": c.id, "subscriptions": []string{"posts/*"}}
	if err := env.Anon.Do(ctx, http.MethodPost, "/api/realtime", sub, nil); err != nil {
		conn.Close()
		return nil, fmt.Errorf("subscribe: %w", err)
	}
	return c, nil
}

// open sends the request and reads up to the end of PB_CONNECT.
func (c *sseConn) open(ctx context.Context, u *url.URL) error {
	deadline := time.Now().Add(30 * time.Second)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	c.conn.SetDeadline(deadline)
	defer c.conn.SetDeadline(time.Time{})
	req := "GET " + strings.TrimRight(u.Path, "/") + "/api/realtime HTTP/1.1\r\nHost: " + u.Host +
		"\r\nAccept: text/event-stream\r\nCache-Control: no-cache\r\nUser-Agent: basalt-loadgen\r\n\r\n"
	if _, err := c.conn.Write([]byte(req)); err != nil {
		return err
	}
	br := bufio.NewReaderSize(c.conn, 4096)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		return fmt.Errorf("GET /api/realtime: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET /api/realtime: status %d", resp.StatusCode)
	}
	c.p.chunked = len(resp.TransferEncoding) > 0 && resp.TransferEncoding[0] == "chunked"
	var id, event, data []byte
	got := false
	onFrame := func(i, e, d []byte) {
		if !got {
			id, event, data, got = bytes.Clone(i), bytes.Clone(e), bytes.Clone(d), true
		}
	}
	// The connect frame must come alone: frames after it would be lost here.
	buf := make([]byte, 4096)
	for !got {
		n, err := br.Read(buf)
		if n > 0 {
			if ferr := c.p.feed(buf[:n], onFrame); ferr != nil && !got {
				return fmt.Errorf("read PB_CONNECT: %w", ferr)
			}
		}
		if err != nil && !got {
			return fmt.Errorf("read PB_CONNECT: %w", err)
		}
	}
	if br.Buffered() > 0 {
		return fmt.Errorf("read PB_CONNECT: %d unexpected bytes after it", br.Buffered())
	}
	var payload struct {
		ClientID string `json:"clientId"`
	}
	_ = json.Unmarshal(data, &payload)
	if string(event) != "PB_CONNECT" || len(id) == 0 || payload.ClientID != string(id) {
		return fmt.Errorf("bad PB_CONNECT frame: id=%q event=%q data=%.100s", id, event, data)
	}
	c.id = string(id)
	return nil
}

// readStreams reads every stream until ctx is done or every stream ended,
// calling fn for each frame, and returns when all reading stopped; only then
// may the caller close the connections. Each stream has its own goroutine
// reading straight from the socket (Go's netpoller batches the wake-ups; a
// hand-written epoll loop measured slower).
func readStreams(ctx context.Context, conns []*sseConn, fn frameFunc) error {
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs error
	)
	// Ending ctx puts every read's deadline in the past, which wakes them.
	stop := context.AfterFunc(ctx, func() {
		for _, c := range conns {
			c.conn.SetReadDeadline(time.Unix(1, 0))
		}
	})
	defer stop()
	for _, c := range conns {
		wg.Go(func() {
			defer func() {
				if r := recover(); r != nil {
					mu.Lock()
					errs = errors.Join(errs, panicError(r))
					mu.Unlock()
				}
			}()
			buf := make([]byte, 4<<10)
			for {
				n, err := c.conn.Read(buf)
				if n > 0 {
					now := time.Now().UnixNano()
					if c.p.feed(buf[:n], func(_, event, data []byte) { fn(c, now, event, data) }) != nil {
						return
					}
				}
				if err != nil {
					return
				}
			}
		})
	}
	wg.Wait()
	return errs
}

// frameFunc receives a frame read at now (UnixNano); calls for one
// connection never overlap.
type frameFunc func(c *sseConn, now int64, event, data []byte)

// panicError turns a reader loop's panic into an error, so one bad frame
// ends that loop's measurement instead of the whole run.
func panicError(r any) error { return fmt.Errorf("sse reader panicked: %v", r) }
