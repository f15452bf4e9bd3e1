package api

import (
	"bytes"
	"errors"
	"io"
	"mime/multipart"
	"os"

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
	temps  []string // spooled files, removed by RemoveAll
}

// RemoveAll deletes the spooled temp files.
func (f *multipartForm) RemoveAll() {
	for _, p := range f.temps {
		_ = os.Remove(p)
	}
	f.temps = nil
}

// readMultipart parses a multipart body. It replaces ReadForm on the
// record endpoints because an upload is stored right after: a file read
// into one buffer and served back by a bytes.Reader is written to disk in
// one call, where ReadForm's section reader goes through 32 KB copies.
func readMultipart(body io.Reader, boundary string) (*multipartForm, error) {
	return readMultipartLimits(body, boundary, maxFormValues, maxFormMemory)
}

func readMultipartLimits(body io.Reader, boundary string, valueBudget, fileBudget int64) (*multipartForm, error) {
	mr := multipart.NewReader(body, boundary)
	f := &multipartForm{values: map[string][]string{}, files: map[string][]*core.File{}}
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			return f, nil
		}
		if err != nil {
			return f, err
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
	tmp, err := os.CreateTemp("", "basalt-upload-*")
	if err != nil {
		return nil, err
	}
	f.temps = append(f.temps, tmp.Name())
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
