package api

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"runtime/debug"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/labstack/echo/v5"
)

// sseWriteTimeout is the default bound of one write to a stream
// (Config.RealtimeWriteTimeout): a client that stops reading while
// keeping its connection open is cut off after it.
const sseWriteTimeout = 60 * time.Second

// sseOut writes the frames of one SSE stream. Over HTTP/1.1 it owns the
// hijacked connection and writes the chunked framing itself, one write
// per batch of frames: a broadcast to thousands of subscribers is one
// write per subscriber, and net/http's per-write layers (response
// writer, chunk writer, two buffers) were a third of that cost. The
// bytes on the wire are what net/http would send. Where hijacking is not
// possible (HTTP/2), it writes through the ResponseWriter.
//
// Frames written directly by a broadcasting goroutine (see tryDirect) go
// through the same connection; the realtime client's write lock keeps the
// two paths apart, so sseOut itself needs no lock.
//
// Write deadline: every write, direct or not, first makes sure the
// connection's deadline lies at least half a timeout ahead (see arm). A
// deadline set once and left to expire fails the next write after a
// quiet period, and with it the stream and the event it carried (#22).
type sseOut struct {
	conn      net.Conn
	raw       syscall.RawConn // set when non-blocking direct writes are possible
	pending   []byte          // the unwritten rest of a direct write
	timeout   time.Duration   // bound of one write
	deadline  time.Time       // the write deadline last set (see arm)
	aborted   atomic.Bool     // see abort
	lastWrite atomic.Int64    // UnixNano of the last direct write
	broken    error
	w         http.ResponseWriter
	rc        *http.ResponseController
	cancelCtx context.CancelFunc
}

// startSSE sends the response head and returns the writer and a context
// that ends when the client goes away.
func (s *Server) startSSE(c *echo.Context, timeout time.Duration) (*sseOut, context.Context, error) {
	req := c.Request()
	w := c.Response()
	rc := http.NewResponseController(w)
	// Chunked framing is HTTP/1.1's; HTTP/1.0 and HTTP/2 go through the
	// ResponseWriter.
	if req.ProtoMajor == 1 && req.ProtoMinor >= 1 {
		if conn, brw, err := rc.Hijack(); err == nil {
			return s.startHijacked(req, w.Header(), conn, brw, timeout)
		}
	}
	// The stream outlives the server's read timeout; writes get their own
	// deadline each (arm).
	_ = rc.SetReadDeadline(time.Time{})
	out := &sseOut{w: w, rc: rc, timeout: timeout}
	w.WriteHeader(http.StatusOK)
	if err := out.writeResponse(nil); err != nil {
		return nil, nil, err
	}
	return out, req.Context(), nil
}

func (s *Server) startHijacked(req *http.Request, h http.Header, conn net.Conn, brw *bufio.ReadWriter, timeout time.Duration) (*sseOut, context.Context, error) {
	_ = conn.SetReadDeadline(time.Time{})
	_ = conn.SetWriteDeadline(time.Now().Add(timeout))
	var head bytes.Buffer
	head.WriteString("HTTP/1.1 200 OK\r\n")
	h.Set("Date", time.Now().UTC().Format(http.TimeFormat))
	h.Set("Transfer-Encoding", "chunked")
	_ = h.Write(&head)
	head.WriteString("\r\n")
	if _, err := conn.Write(head.Bytes()); err != nil {
		_ = conn.Close()
		return nil, nil, err
	}
	// net/http no longer watches a hijacked connection: a reader sees the
	// client close it (a GET stream sends nothing after its request). It
	// reads the socket itself through a small buffer, so neither
	// net/http's 4 KB buffers (the writer Hijack made is never used) nor
	// io.Discard's 8 KB one stay with every idle stream.
	var rd io.Reader = conn
	if brw.Reader.Buffered() > 0 {
		rd = brw.Reader // bytes already read past the request
	}
	ctx, cancel := context.WithCancel(req.Context())
	go func() {
		defer func() {
			if r := recover(); r != nil {
				s.logger.Error("realtime: stream reader panic", "panic", r, "stack", string(debug.Stack()))
			}
		}()
		defer cancel()
		var buf [64]byte
		for {
			if _, err := rd.Read(buf[:]); err != nil {
				return
			}
		}
	}()
	out := &sseOut{conn: conn, cancelCtx: cancel, timeout: timeout}
	if tc, ok := conn.(*net.TCPConn); ok && directWrites {
		out.raw, _ = tc.SyscallConn()
	}
	return out, ctx, nil
}

// appendChunk appends p as one chunk of the chunked encoding.
func appendChunk(dst, p []byte) []byte {
	dst = strconv.AppendInt(dst, int64(len(p)), 16)
	dst = append(dst, '\r', '\n')
	dst = append(dst, p...)
	return append(dst, '\r', '\n')
}

// tryDirect writes the frame of one event without blocking, from the
// broadcasting goroutine (realtime.DirectWriter); the caller holds the
// client's write lock. It refuses (and the event is queued, bounded)
// while an earlier write is unfinished; the unwritten rest of a partial
// write is kept for the stream goroutine, which it wakes.
func (o *sseOut) tryDirect(idLine []byte, name string, data []byte) (taken, wake bool) {
	if o.raw == nil || len(o.pending) > 0 || o.broken != nil {
		return false, o.broken != nil
	}
	// The write does not block, but the runtime refuses any write past
	// the connection's deadline: a deadline left over from a write long
	// ago would fail this one (and end the stream) after a quiet minute.
	now := time.Now()
	o.arm(now)
	bp := getFrameBuf()
	defer putFrameBuf(bp)
	ev := appendEvent((*bp)[:0], idLine, name, data)
	// The chunk header goes in front of the event, built after it so one
	// buffer serves both.
	start := len(ev)
	*bp = appendChunk(ev, ev)
	p := (*bp)[start:]
	n, err := writeNonBlocking(o.raw, p)
	switch {
	case err != nil:
		o.broken = err
		return false, true
	case n == 0:
		return false, false
	}
	o.lastWrite.Store(now.UnixNano())
	if n < len(p) {
		o.pending = append([]byte(nil), p[n:]...)
		return true, true
	}
	return true, false
}

// frameBufs lends the buffers frames are built in: only the streams
// writing at the moment need one, so 10,000 subscribers do not each keep
// a buffer as large as their largest batch.
var frameBufs = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

func getFrameBuf() *[]byte { return frameBufs.Get().(*[]byte) }

func putFrameBuf(bp *[]byte) {
	if cap(*bp) > 64<<10 {
		return // a burst's buffer: let it go
	}
	*bp = (*bp)[:0]
	frameBufs.Put(bp)
}

// lastDirect returns when a frame was last written directly (zero when
// never).
func (o *sseOut) lastDirect() time.Time {
	if ns := o.lastWrite.Load(); ns > 0 {
		return time.Unix(0, ns)
	}
	return time.Time{}
}

// Write sends p (whole SSE frames, possibly none) at once, after the
// rest of an unfinished direct write.
func (o *sseOut) Write(p []byte) error {
	if o.broken != nil {
		return o.broken
	}
	if len(o.pending) == 0 && len(p) == 0 {
		return nil
	}
	if o.conn == nil {
		return o.writeResponse(p)
	}
	o.arm(time.Now())
	bp := getFrameBuf()
	defer putFrameBuf(bp)
	frame := append((*bp)[:0], o.pending...)
	o.pending = nil
	if len(p) > 0 {
		frame = appendChunk(frame, p)
	}
	*bp = frame
	_, err := o.conn.Write(frame)
	return err
}

// writeResponse writes p through the ResponseWriter (HTTP/2, HTTP/1.0)
// under a deadline of its own, cleared afterwards: HTTP/2 resets a
// stream whose write deadline passes even while nothing is being
// written, so a deadline left in place would end a quiet stream.
func (o *sseOut) writeResponse(p []byte) error {
	o.setWriteDeadline(time.Now().Add(o.timeout))
	_, err := o.w.Write(p)
	if err == nil {
		err = o.rc.Flush()
	}
	o.setWriteDeadline(time.Time{})
	if o.aborted.Load() { // see arm
		o.setWriteDeadline(time.Unix(1, 0))
	}
	return err
}

// arm gives the write about to start a full timeout: the deadline moves
// to now+timeout whenever less than half of it is left (moving it costs a
// timer update, so not on every write). A hijacked connection only
// checks its deadline when a write is attempted, so the deadline may stay
// in place between writes. The caller holds the client's write lock
// (o.deadline is the writers' own).
func (o *sseOut) arm(now time.Time) {
	if o.deadline.Sub(now) >= o.timeout/2 {
		return
	}
	o.deadline = now.Add(o.timeout)
	o.setWriteDeadline(o.deadline)
	// abort may have run between the check of its flag and our deadline:
	// it sets the flag before its own deadline, so either it wins the
	// deadline or we see the flag here.
	if o.aborted.Load() {
		o.setWriteDeadline(time.Unix(1, 0))
	}
}

func (o *sseOut) setWriteDeadline(t time.Time) {
	if o.conn != nil {
		_ = o.conn.SetWriteDeadline(t)
		return
	}
	_ = o.rc.SetWriteDeadline(t)
}

// abort makes a write in progress, and every later one, fail at once. It
// runs on the goroutine that disconnects the client.
func (o *sseOut) abort() {
	o.aborted.Store(true)
	o.setWriteDeadline(time.Unix(1, 0))
}

// Close ends the stream: the last chunk, then the connection (a hijacked
// connection is not reused).
func (o *sseOut) Close() {
	if o.conn == nil {
		return
	}
	_ = o.conn.SetWriteDeadline(time.Now().Add(time.Second))
	_, _ = o.conn.Write([]byte("0\r\n\r\n"))
	_ = o.conn.Close()
	o.cancelCtx()
}
