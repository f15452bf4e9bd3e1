package core

import (
	"compress/gzip"
	"errors"
	"io/fs"
	"net/http"
	"path"
	"slices"
	"strings"
)

// The ids of the built-in middlewares, for Unbind.
const (
	RequireAuthMiddlewareId          = "basaltRequireAuth"
	RequireSuperuserAuthMiddlewareId = "basaltRequireSuperuserAuth"
	RequireGuestOnlyMiddlewareId     = "basaltRequireGuestOnly"
	BodyLimitMiddlewareId            = "basaltBodyLimit"
	GzipMiddlewareId                 = "basaltGzip"
)

// Priorities of the built-in middlewares: the body limit and gzip wrap the
// request and response before anything else reads or writes them.
const (
	BodyLimitMiddlewarePriority = -1000
	GzipMiddlewarePriority      = -900
)

// RequireAuth answers 401 unless the request carries a valid auth token
// of a record; given collection names or ids, a record of another
// collection gets 403.
func RequireAuth(collections ...string) *Middleware {
	return &Middleware{Id: RequireAuthMiddlewareId, Func: func(e *RequestEvent) error {
		if e.Auth == nil {
			return e.UnauthorizedError("The request requires valid record authorization token.", nil)
		}
		if len(collections) > 0 {
			c := e.Auth.Collection()
			if !slices.Contains(collections, c.Name) && !slices.Contains(collections, c.Id) {
				return e.ForbiddenError("The authorized record is not allowed to perform this action.", nil)
			}
		}
		return e.Next()
	}}
}

// RequireSuperuserAuth answers 401 unless the request is authenticated as
// a superuser.
func RequireSuperuserAuth() *Middleware {
	return &Middleware{Id: RequireSuperuserAuthMiddlewareId, Func: func(e *RequestEvent) error {
		if !e.HasSuperuserAuth() {
			return e.UnauthorizedError("The request requires valid superuser authorization token.", nil)
		}
		return e.Next()
	}}
}

// RequireGuestOnly answers 400 when the request carries a valid auth token.
func RequireGuestOnly() *Middleware {
	return &Middleware{Id: RequireGuestOnlyMiddlewareId, Func: func(e *RequestEvent) error {
		if e.Auth != nil {
			return e.BadRequestError("The request can be accessed only by guests.", nil)
		}
		return e.Next()
	}}
}

// BodyLimit caps the request body at limit bytes: a larger Content-Length
// is refused up front with 413, a body that grows past it while read fails
// the read (BindBody then answers 413). It lowers, never raises, the
// server's own limit of 32 MiB.
func BodyLimit(limit int64) *Middleware {
	return &Middleware{Id: BodyLimitMiddlewareId, Priority: BodyLimitMiddlewarePriority, Func: func(e *RequestEvent) error {
		if e.Request.ContentLength > limit {
			return NewError(CodeTooLarge, "Request entity too large.", nil)
		}
		if e.Request.Body != nil && e.Request.Body != http.NoBody {
			e.Request.Body = http.MaxBytesReader(e.Response, e.Request.Body, limit)
		}
		return e.Next()
	}}
}

// ErrBodyTooLarge is the read error of a request body past the server's
// limit.
var ErrBodyTooLarge = errors.New("request body too large")

// isTooLarge reports whether err is a body-limit failure.
func isTooLarge(err error) bool {
	var mbe *http.MaxBytesError
	return errors.As(err, &mbe) || errors.Is(err, ErrBodyTooLarge)
}

// Gzip compresses the response with compress/gzip when the client accepts
// it. The encoding header is set on the first write, so an error answered
// by the server after the chain returns is sent uncompressed and intact.
func Gzip() *Middleware {
	return &Middleware{Id: GzipMiddlewareId, Priority: GzipMiddlewarePriority, Func: func(e *RequestEvent) error {
		if !acceptsGzip(e.Request) {
			return e.Next()
		}
		orig := e.Response
		gw := &gzipWriter{ResponseWriter: orig}
		e.Response = gw
		e.Response.Header().Add("Vary", "Accept-Encoding")
		err := e.Next()
		e.Response = orig
		if cerr := gw.close(); err == nil {
			err = cerr
		}
		return err
	}}
}

func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		enc, q, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.TrimSpace(enc) == "gzip" && strings.ReplaceAll(q, " ", "") != "q=0" {
			return true
		}
	}
	return false
}

// gzipWriter compresses what is written to it; bodiless statuses pass
// through untouched.
type gzipWriter struct {
	http.ResponseWriter
	gz          *gzip.Writer
	wroteHeader bool
}

func (w *gzipWriter) WriteHeader(status int) {
	if w.wroteHeader {
		return
	}
	w.wroteHeader = true
	if status != http.StatusNoContent && status != http.StatusNotModified && status >= 200 &&
		w.Header().Get("Content-Encoding") == "" {
		w.Header().Set("Content-Encoding", "gzip")
		w.Header().Del("Content-Length")
		w.gz = gzip.NewWriter(w.ResponseWriter)
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *gzipWriter) Write(p []byte) (int, error) {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	if w.gz == nil {
		return w.ResponseWriter.Write(p)
	}
	return w.gz.Write(p)
}

// Flush flushes compressed data so streamed responses keep streaming.
func (w *gzipWriter) Flush() {
	if w.gz != nil {
		_ = w.gz.Flush()
	}
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *gzipWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *gzipWriter) close() error {
	if w.gz == nil {
		return nil
	}
	return w.gz.Close()
}

// StaticWildcardParam is the path parameter Static serves from: mount it
// on a route ending in {path...}.
const StaticWildcardParam = "path"

// Static serves the files of fsys (e.g. os.DirFS("./pb_public")) from the
// route's {path...} parameter. A directory serves its index.html; with
// indexFallback, a missing file serves the root index.html (single-page
// apps), otherwise it answers 404 in the error shape.
func Static(fsys fs.FS, indexFallback bool) func(e *RequestEvent) error {
	return func(e *RequestEvent) error {
		name := strings.TrimPrefix(path.Clean("/"+e.Request.PathValue(StaticWildcardParam)), "/")
		if name == "" {
			name = "."
		}
		st, err := fs.Stat(fsys, name)
		if err == nil && st.IsDir() {
			name = path.Join(name, "index.html")
			st, err = fs.Stat(fsys, name)
		}
		if err != nil || st.IsDir() {
			if !indexFallback {
				return e.NotFoundError("", nil)
			}
			name = "index.html"
			if _, err := fs.Stat(fsys, name); err != nil {
				return e.NotFoundError("", nil)
			}
		}
		e.MarkWritten()
		http.ServeFileFS(e.Response, e.Request, fsys, name)
		return nil
	}
}
