package api

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"runtime/debug"
	"strconv"
	"time"

	"github.com/labstack/echo/v5"
)

// sseWriteTimeout bounds one write to a stream: a client that stops
// reading while keeping its connection open is cut off after it.
const sseWriteTimeout = 60 * time.Second

// sseOut writes the frames of one SSE stream. Over HTTP/1.1 it owns the
// hijacked connection and writes the chunked framing itself, one write
// per batch of frames: a broadcast to thousands of subscribers is one
// write per subscriber, and net/http's per-write layers (response
// writer, chunk writer, two buffers) were a third of that cost. The
// bytes on the wire are what net/http would send. Where hijacking is not
// possible (HTTP/2), it writes through the ResponseWriter.
type sseOut struct {
	conn      net.Conn
	frame     []byte
	deadline  time.Time
	w         http.ResponseWriter
	rc        *http.ResponseController
	cancelCtx context.CancelFunc
}

// startSSE sends the response head and returns the writer and a context
// that ends when the client goes away.
func (s *Server) startSSE(c *echo.Context) (*sseOut, context.Context, error) {
	req := c.Request()
	w := c.Response()
	rc := http.NewResponseController(w)
	// Chunked framing is HTTP/1.1's; HTTP/1.0 and HTTP/2 go through the
	// ResponseWriter.
	if req.ProtoMajor == 1 && req.ProtoMinor >= 1 {
		if conn, brw, err := rc.Hijack(); err == nil {
			return s.startHijacked(req, w.Header(), conn, brw)
		}
	}
	// The stream outlives the server's read/write timeouts.
	_ = rc.SetWriteDeadline(time.Time{})
	_ = rc.SetReadDeadline(time.Time{})
	w.WriteHeader(http.StatusOK)
	if err := rc.Flush(); err != nil {
		return nil, nil, err
	}
	return &sseOut{w: w, rc: rc}, req.Context(), nil
}

func (s *Server) startHijacked(req *http.Request, h http.Header, conn net.Conn, brw io.Reader) (*sseOut, context.Context, error) {
	_ = conn.SetDeadline(time.Time{})
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
	// client close it (a GET stream sends nothing after its request).
	ctx, cancel := context.WithCancel(req.Context())
	go func() {
		defer func() {
			if r := recover(); r != nil {
				s.logger.Error("realtime: stream reader panic", "panic", r, "stack", string(debug.Stack()))
			}
		}()
		defer cancel()
		_, _ = io.Copy(io.Discard, brw)
	}()
	return &sseOut{conn: conn, cancelCtx: cancel}, ctx, nil
}

// Write sends p (whole SSE frames) at once.
func (o *sseOut) Write(p []byte) error {
	if o.conn == nil {
		if _, err := o.w.Write(p); err != nil {
			return err
		}
		return o.rc.Flush()
	}
	// Moving the deadline costs a timer update; do it only when less than
	// half of the timeout is left.
	if now := time.Now(); o.deadline.Sub(now) < sseWriteTimeout/2 {
		o.deadline = now.Add(sseWriteTimeout)
		_ = o.conn.SetWriteDeadline(o.deadline)
	}
	o.frame = strconv.AppendInt(o.frame[:0], int64(len(p)), 16)
	o.frame = append(o.frame, '\r', '\n')
	o.frame = append(o.frame, p...)
	o.frame = append(o.frame, '\r', '\n')
	_, err := o.conn.Write(o.frame)
	return err
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
