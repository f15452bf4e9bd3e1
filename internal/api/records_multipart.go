package api

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/textproto"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/basalthq/basalt/core"
)

// Limits of a multipart record body held in memory: values (non-file
// parts) up to maxFormValues in total; files up to maxFormMemory in total,
// past which a file is spooled to a temp file (as mime/multipart's
// ReadForm does).
const (
	maxFormValues = 10 << 20
	maxFormMemory = 16 << 20
)

// multipartForm is a parsed multipart/form-data body.
type multipartForm struct {
	values map[string][]string
	files  map[string][]*core.File
	spool  *spool // where parts over the budget went; nil: none yet
}

// RemoveAll deletes the form's spooled temp files.
func (f *multipartForm) RemoveAll() {
	if f != nil && f.spool != nil {
		f.spool.RemoveAll()
	}
}

// spool holds the temp files one request's multipart parts were spooled
// to (parts past the in-memory budget). Every file is recorded before a
// byte is written to it, and the API removes them all when the request
// ends, whatever the outcome: success, error, panic or a client gone
// mid-body (issue #22, defect 9: batch bodies left theirs behind).
type spool struct {
	dir   string // "" = os.TempDir()
	mu    sync.Mutex
	paths []string
}

// create makes a new temp file in the spool's directory and records it.
func (s *spool) create() (*os.File, error) {
	f, err := os.CreateTemp(s.dir, "basalt-upload-*")
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.paths = append(s.paths, f.Name())
	s.mu.Unlock()
	return f, nil
}

// RemoveAll deletes every file the spool created.
func (s *spool) RemoveAll() {
	s.mu.Lock()
	paths := s.paths
	s.paths = nil
	s.mu.Unlock()
	for _, p := range paths {
		_ = os.Remove(p)
	}
}

// readMultipart parses a multipart body of length bytes (-1: unknown). It
// replaces ReadForm on the record endpoints because an upload is stored
// right after: a file held in one buffer and served back by a bytes.Reader
// is written to disk in one call, where ReadForm's section reader goes
// through 32 KB copies. A body of known length within the in-memory budget
// is read whole and split in place (splitMultipart); mime/multipart scans
// for the boundary a byte at a time through a 4 KB window and copies every
// file again, which was a sixth of a 100 KB upload's CPU.
func readMultipart(sp *spool, body io.Reader, boundary string, length int64) (*multipartForm, error) {
	if length <= 0 || length > maxFormMemory {
		return readMultipartLimits(sp, body, boundary, maxFormValues, maxFormMemory)
	}
	raw := make([]byte, length)
	if _, err := io.ReadFull(body, raw); err != nil {
		return &multipartForm{}, err
	}
	f, err := splitMultipart(raw, boundary, maxFormValues)
	if err == errUnusualMultipart {
		return readMultipartLimits(sp, bytes.NewReader(raw), boundary, maxFormValues, maxFormMemory)
	}
	return f, err
}

// errUnusualMultipart says a body uses something splitMultipart leaves to
// mime/multipart: a preamble, bare LF line ends, folded headers, a
// Content-Transfer-Encoding, transport padding, or anything malformed (so
// the error a client sees is mime/multipart's).
var errUnusualMultipart = errors.New("multipart body needs the full parser")

// errTooManyParts refuses a multipart body of more than maxParts parts.
var errTooManyParts = errors.New("multipart: too many parts")

// mime/multipart's default limits: parts of one form, header lines in all,
// bytes of one part's headers.
const (
	maxParts       = 1000
	maxPartHeaders = 10000
	maxHeaderBytes = 10 << 20
)

// splitMultipart parses a whole multipart/form-data body in memory: files
// are slices of body (no copy), names follow mime/multipart's Part.FormName
// and Part.FileName. Values over valueBudget in total are refused with
// multipart.ErrMessageTooLarge.
func splitMultipart(body []byte, boundary string, valueBudget int64) (*multipartForm, error) {
	// The form is returned on every path: the caller removes its temp files
	// (none here) whatever the outcome.
	f := &multipartForm{values: map[string][]string{}, files: map[string][]*core.File{}}
	if boundary == "" {
		return f, errUnusualMultipart
	}
	dash := "--" + boundary
	delim := []byte("\r\n" + dash)
	if !bytes.HasPrefix(body, []byte(dash)) {
		return f, errUnusualMultipart
	}
	pos, headers := len(dash), 0
	for parts := 0; ; parts++ {
		rest := body[pos:]
		if bytes.HasPrefix(rest, []byte("--")) {
			// The closing delimiter ends its line (after optional blanks,
			// as mime/multipart's isFinalBoundary requires); the lines
			// after it are epilogue. "--B--x" is left to mime/multipart,
			// which refuses it (found by FuzzMultipartSplit).
			if tail := bytes.TrimLeft(rest[2:], " \t"); len(tail) == 0 || bytes.HasPrefix(tail, []byte("\r\n")) {
				return f, nil
			}
			return f, errUnusualMultipart
		}
		if !bytes.HasPrefix(rest, []byte("\r\n")) {
			return f, errUnusualMultipart
		}
		if parts == maxParts {
			return f, errTooManyParts
		}
		rest = rest[2:]
		hdrLen := bytes.Index(rest, []byte("\r\n\r\n"))
		if hdrLen <= 0 || hdrLen > maxHeaderBytes {
			return f, errUnusualMultipart
		}
		disposition, n, ok := partDisposition(rest[:hdrLen])
		if headers += n; !ok || headers > maxPartHeaders {
			return f, errUnusualMultipart
		}
		data := rest[hdrLen+4:]
		end := bytes.Index(data, delim)
		if end < 0 {
			return f, errUnusualMultipart
		}
		// The delimiter is followed by "--" or CRLF; anything else means the
		// boundary text merely starts a longer line, which mime/multipart
		// sorts out.
		if after := data[end+len(delim):]; len(after) < 2 || !(after[0] == '-' && after[1] == '-' || after[0] == '\r' && after[1] == '\n') {
			return f, errUnusualMultipart
		}
		data = data[:end:end]
		pos = len(body) - len(rest) + hdrLen + 4 + end + 2 + len(dash)

		name, filename := formNames(disposition)
		switch {
		case name == "":
		case filename == "":
			if valueBudget -= int64(len(data)); valueBudget < 0 {
				return f, multipart.ErrMessageTooLarge
			}
			f.values[name] = append(f.values[name], string(data))
		default:
			f.files[name] = append(f.files[name], &core.File{OriginalName: filename, Size: int64(len(data)), Open: func() (io.ReadCloser, error) {
				return io.NopCloser(bytes.NewReader(data)), nil
			}})
		}
	}
}

// partDisposition returns the Content-Disposition of a part's header block
// (CRLF-separated lines) and its number of lines; ok is false for a block
// splitMultipart leaves to mime/multipart.
func partDisposition(block []byte) (disposition string, lines int, ok bool) {
	for ; len(block) > 0; lines++ {
		line := block
		if i := bytes.Index(block, []byte("\r\n")); i >= 0 {
			line, block = block[:i], block[i+2:]
		} else {
			block = nil
		}
		colon := bytes.IndexByte(line, ':')
		if colon <= 0 || !plainHeaderLine(line, colon) {
			return "", lines, false
		}
		switch textproto.CanonicalMIMEHeaderKey(string(line[:colon])) {
		case "Content-Disposition":
			if disposition != "" {
				return "", lines, false
			}
			disposition = string(bytes.TrimSpace(line[colon+1:]))
		case "Content-Transfer-Encoding":
			return "", lines, false
		}
	}
	return disposition, lines, true
}

// plainHeaderLine reports whether a part's header line is one that
// net/textproto accepts as is: a name of token characters, no control
// bytes but tabs in the value. Anything else is left to mime/multipart so
// that its verdict (and error) stays the one clients get (a bare CR in a
// value was accepted here and refused there, found by FuzzMultipartSplit).
func plainHeaderLine(line []byte, colon int) bool {
	for _, c := range line[:colon] {
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`"(),/:;<=>?@[\]{}`, c) >= 0 {
			return false
		}
	}
	for _, c := range line[colon+1:] {
		if c < ' ' && c != '\t' || c == 0x7f {
			return false
		}
	}
	return true
}

// formNames reads a part's form name and file name from its
// Content-Disposition as mime/multipart's Part.FormName and Part.FileName
// do: no name unless the disposition is form-data; the file name without
// any directory (RFC 7578 §4.2).
func formNames(disposition string) (name, filename string) {
	d, params, err := mime.ParseMediaType(disposition)
	if err != nil {
		return "", ""
	}
	if d == "form-data" {
		name = params["name"]
	}
	if fn := params["filename"]; fn != "" {
		filename = filepath.Base(fn)
	}
	return name, filename
}

// readMultipartLimits parses a multipart body with mime/multipart: values
// up to valueBudget bytes in total, files held in memory up to fileBudget
// bytes in total and spooled to sp past it, at most maxParts parts (as
// mime/multipart's ReadForm; NextPart alone has no such limit).
func readMultipartLimits(sp *spool, body io.Reader, boundary string, valueBudget, fileBudget int64) (*multipartForm, error) {
	mr := multipart.NewReader(body, boundary)
	f := &multipartForm{values: map[string][]string{}, files: map[string][]*core.File{}, spool: sp}
	for parts := 0; ; parts++ {
		p, err := mr.NextPart()
		if err == io.EOF {
			return f, nil
		}
		if err != nil {
			return f, err
		}
		if parts == maxParts {
			return f, errTooManyParts
		}
		name := p.FormName()
		if name == "" {
			continue
		}
		filename := p.FileName()
		if filename == "" {
			var b bytes.Buffer
			n, err := io.CopyN(&b, p, valueBudget+1)
			if err != nil && err != io.EOF {
				return f, err
			}
			if valueBudget -= n; valueBudget < 0 {
				return f, multipart.ErrMessageTooLarge
			}
			f.values[name] = append(f.values[name], b.String())
			continue
		}
		file, err := f.readFile(p, filename, &fileBudget)
		if err != nil {
			return f, err
		}
		f.files[name] = append(f.files[name], file)
	}
}

// readFile reads one file part into memory while the budget lasts, else
// into a temp file.
func (f *multipartForm) readFile(p io.Reader, filename string, budget *int64) (*core.File, error) {
	var b bytes.Buffer
	b.Grow(int(min(*budget+1, 64<<10)))
	n, err := io.CopyN(&b, p, *budget+1)
	if err != nil && err != io.EOF {
		return nil, err
	}
	if n <= *budget {
		*budget -= n
		data := b.Bytes()
		return &core.File{OriginalName: filename, Size: n, Open: func() (io.ReadCloser, error) {
			return io.NopCloser(bytes.NewReader(data)), nil
		}}, nil
	}
	if f.spool == nil {
		f.spool = &spool{}
	}
	tmp, err := f.spool.create()
	if err != nil {
		return nil, err
	}
	size, err := io.Copy(tmp, io.MultiReader(&b, p))
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, err
	}
	path := tmp.Name()
	return &core.File{OriginalName: filename, Size: size, Open: func() (io.ReadCloser, error) {
		return os.Open(path)
	}}, nil
}

// isTooLarge reports whether err says the body went over its limit.
func isTooLarge(err error) bool {
	return errors.Is(err, errBodyTooLarge) || errors.Is(err, multipart.ErrMessageTooLarge)
}
