package files

import (
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"
)

// inlineContentTypes are served with "Content-Disposition: inline"
// (spec §1.6 F2); anything else is an attachment so that a browser never
// renders uploaded HTML, SVG or script in our origin.
var inlineContentTypes = []string{
	// images
	"image/png", "image/jpg", "image/jpeg", "image/gif", "image/webp", "image/x-icon", "image/bmp",
	// video
	"video/webm", "video/mp4", "video/3gpp", "video/quicktime", "video/x-ms-wmv",
	// audio
	"audio/basic", "audio/aiff", "audio/mpeg", "audio/midi", "audio/mp3", "audio/wave",
	"audio/wav", "audio/x-wav", "audio/x-mpeg", "audio/x-m4a", "audio/aac",
	// documents
	"application/pdf", "application/x-pdf",
}

// ContentSecurityPolicy is the CSP sent with every served file: even if a
// file is rendered, it gets no scripts, no origin and no network access.
const ContentSecurityPolicy = "default-src 'none'; media-src 'self'; style-src 'unsafe-inline'; sandbox"

// CacheControl is the Cache-Control sent with every served file. Stored
// names are random and never rewritten, so long caching is safe.
const CacheControl = "max-age=2592000, stale-while-revalidate=86400"

// IsInline reports whether contentType is one of the spec's inline-safe
// types (parameters ignored).
func IsInline(contentType string) bool {
	return slices.Contains(inlineContentTypes, baseType(contentType))
}

// ServeHeaders sets the file-serving headers of spec §1.6 F2 on h:
// Content-Disposition (inline for inline-safe types unless download is set,
// attachment otherwise, with name quoted or RFC 2231-encoded as needed),
// Content-Type, X-Content-Type-Options, Content-Security-Policy and
// Cache-Control (unless the caller set one: a backup archive must not be
// kept by any cache). It deletes X-Frame-Options, which a global middleware may
// have set: files such as PDFs are meant to be embeddable.
func ServeHeaders(h http.Header, contentType, name string, download bool) {
	disposition := "attachment"
	if !download && IsInline(contentType) {
		disposition = "inline"
	}
	if v := mime.FormatMediaType(disposition, map[string]string{"filename": name}); v != "" {
		h.Set("Content-Disposition", v)
	} else {
		// FormatMediaType refuses names it cannot encode; the bare
		// disposition still makes the browser behave safely.
		h.Set("Content-Disposition", disposition)
	}
	h.Set("Content-Type", contentType)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", ContentSecurityPolicy)
	if h.Get("Cache-Control") == "" {
		h.Set("Cache-Control", CacheControl)
	}
	h.Del("X-Frame-Options")
}

// ETag returns a strong entity tag derived from an object's size and
// modification time; a rewrite changes the time and so the tag. It returns
// "" when the time is unknown.
func ETag(obj Object) string {
	if obj.ModTime().IsZero() {
		return ""
	}
	return fmt.Sprintf(`"%x-%x"`, obj.Size(), obj.ModTime().UnixNano())
}

// Serve writes obj as the response to r, named name (the served file name:
// the stored name, or "<size>_<name>" for a thumb). The content type is
// detected from the first bytes (see DetectContentType), never taken from
// stored metadata, so a mislabelled object cannot turn into HTML.
// Ranges (206), Last-Modified/If-Modified-Since and ETag/If-None-Match
// (304) and HEAD come from http.ServeContent. Serve returns an error only
// when it failed before writing anything, so the caller can still answer
// with an error response; it does not close obj.
func Serve(w http.ResponseWriter, r *http.Request, obj Object, name string, download bool) error {
	head := make([]byte, SniffLen)
	n, err := io.ReadFull(obj, head)
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		return fmt.Errorf("serve %s: %w", name, err)
	}
	if _, err := obj.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("serve %s: %w", name, err)
	}
	h := w.Header()
	ServeHeaders(h, DetectContentType(head[:n], name), name, download)
	if tag := ETag(obj); tag != "" {
		h.Set("ETag", tag)
	}
	http.ServeContent(w, r, name, obj.ModTime(), obj)
	return nil
}
