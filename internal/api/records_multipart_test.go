package api

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"os"
	"slices"
	"strings"
	"testing"
)

func TestReadMultipart(t *testing.T) {
	type part struct{ name, filename, content string }
	build := func(parts ...part) (*bytes.Buffer, string) {
		var buf bytes.Buffer
		w := multipart.NewWriter(&buf)
		for _, p := range parts {
			var dst io.Writer
			if p.filename != "" {
				dst, _ = w.CreateFormFile(p.name, p.filename)
			} else {
				dst, _ = w.CreateFormField(p.name)
			}
			_, _ = io.WriteString(dst, p.content)
		}
		_ = w.Close()
		return &buf, w.Boundary()
	}
	big := strings.Repeat("x", 300)
	tests := []struct {
		name      string
		parts     []part
		valueMax  int64
		memMax    int64
		wantErr   error
		wantVals  map[string][]string
		wantFiles map[string][]string // field → contents
		spooled   int
	}{
		{name: "values and files in memory", valueMax: 1000, memMax: 1000,
			parts:     []part{{"title", "", "hi"}, {"tags", "", "a"}, {"tags", "", "b"}, {"doc", "a.txt", "one"}, {"doc", "b.txt", "two"}},
			wantVals:  map[string][]string{"title": {"hi"}, "tags": {"a", "b"}},
			wantFiles: map[string][]string{"doc": {"one", "two"}}},
		{name: "file over the memory budget is spooled", valueMax: 1000, memMax: 100,
			parts:     []part{{"doc", "small.txt", "tiny"}, {"doc", "big.txt", big}},
			wantVals:  map[string][]string{},
			wantFiles: map[string][]string{"doc": {"tiny", big}}, spooled: 1},
		{name: "values over their budget", valueMax: 10, memMax: 1000,
			parts: []part{{"title", "", "0123456789abc"}}, wantErr: multipart.ErrMessageTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body, boundary := build(tt.parts...)
			f, err := readMultipartLimits(&spool{}, body, boundary, tt.valueMax, tt.memMax)
			defer f.RemoveAll()
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(f.values) != len(tt.wantVals) {
				t.Fatalf("values = %v, want %v", f.values, tt.wantVals)
			}
			for k, want := range tt.wantVals {
				if strings.Join(f.values[k], ",") != strings.Join(want, ",") {
					t.Errorf("values[%s] = %v, want %v", k, f.values[k], want)
				}
			}
			for k, want := range tt.wantFiles {
				if len(f.files[k]) != len(want) {
					t.Fatalf("files[%s]: %d, want %d", k, len(f.files[k]), len(want))
				}
				for i, file := range f.files[k] {
					// Open twice: validation sniffs, storage reads it all.
					for range 2 {
						rc, err := file.Open()
						if err != nil {
							t.Fatal(err)
						}
						got, _ := io.ReadAll(rc)
						rc.Close()
						if string(got) != want[i] || file.Size != int64(len(want[i])) {
							t.Fatalf("file %s[%d] = %d bytes %q…, size %d; want %d bytes", k, i, len(got), got[:min(len(got), 10)], file.Size, len(want[i]))
						}
					}
				}
			}
			temps := append([]string(nil), f.spool.paths...)
			if len(temps) != tt.spooled {
				t.Fatalf("spooled %d files, want %d", len(temps), tt.spooled)
			}
			f.RemoveAll()
			for _, p := range temps {
				if _, err := os.Stat(p); !os.IsNotExist(err) {
					t.Errorf("temp file %s not removed", p)
				}
			}
		})
	}
}

// formSummary renders a parsed form for comparison: values, then each
// file's field, name, size and content.
func formSummary(t *testing.T, f *multipartForm) string {
	t.Helper()
	var b strings.Builder
	keys := make([]string, 0, len(f.values)+len(f.files))
	for k := range f.values {
		keys = append(keys, "v:"+k)
	}
	for k := range f.files {
		keys = append(keys, "f:"+k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if strings.HasPrefix(k, "v:") {
			fmt.Fprintf(&b, "%s=%q\n", k, f.values[k[2:]])
			continue
		}
		for _, file := range f.files[k[2:]] {
			rc, err := file.Open()
			if err != nil {
				t.Fatal(err)
			}
			data, _ := io.ReadAll(rc)
			rc.Close()
			fmt.Fprintf(&b, "%s %q %d %q\n", k, file.OriginalName, file.Size, data)
		}
	}
	return b.String()
}

func TestSplitMultipartMatchesMimeMultipart(t *testing.T) {
	const B = "XyZ123"
	part := func(disposition, body string) string {
		return "--" + B + "\r\nContent-Disposition: " + disposition + "\r\n\r\n" + body + "\r\n"
	}
	end := "--" + B + "--\r\n"
	var many strings.Builder
	for i := range maxParts {
		many.WriteString(part(fmt.Sprintf(`form-data; name="f%d"`, i), "v"))
	}
	limit := many.String()
	many.WriteString(part(`form-data; name="one-more"`, "v"))
	tests := []struct {
		name string
		body string
		fast bool // splitMultipart answers itself (no fallback)
	}{
		{"values and files", part(`form-data; name="title"`, "hello") + part(`form-data; name="tags"`, "a") + part(`form-data; name="tags"`, "b") +
			part(`form-data; name="doc"; filename="a.txt"`, "one") + part(`form-data; name="doc"; filename="b.bin"`, "\x00\r\n\r\ntwo") + end, true},
		{"empty value and empty file", part(`form-data; name="title"`, "") + part(`form-data; name="doc"; filename="e.txt"`, "") + end, true},
		{"directory in the file name", part(`form-data; name="doc"; filename="../../etc/passwd"`, "x") + end, true},
		{"RFC 2231 file name", part(`form-data; name="doc"; filename*=UTF-8''%C3%A9t%C3%A9.txt`, "x") + end, true},
		{"not form-data", part(`attachment; name="doc"; filename="a.txt"`, "x") + part(`form-data; name="t"`, "y") + end, true},
		{"no name", part(`form-data; filename="a.txt"`, "x") + end, true},
		{"bad disposition", part(`form-data; name=`, "x") + end, true},
		{"boundary text inside the data", part(`form-data; name="doc"; filename="a.txt"`, "a\r\n--"+B+"X b\r\n--"+B+"\tc") + end, false},
		{"extra headers", "--" + B + "\r\ncontent-disposition: form-data; name=\"doc\"; filename=\"a.txt\"\r\nContent-Type: text/plain\r\nX-Other: 1\r\n\r\nabc\r\n" + end, true},
		{"epilogue", part(`form-data; name="t"`, "x") + end + "trailing words\r\n", true},
		{"preamble", "preamble\r\n" + part(`form-data; name="t"`, "x") + end, false},
		{"bare LF line ends", "--" + B + "\nContent-Disposition: form-data; name=\"t\"\n\nx\n--" + B + "--\n", false},
		{"folded header", "--" + B + "\r\nContent-Disposition: form-data;\r\n name=\"t\"\r\n\r\nx\r\n" + end, false},
		{"space before colon", "--" + B + "\r\nContent-Disposition : form-data; name=\"t\"\r\n\r\nx\r\n" + end, false},
		{"quoted-printable", "--" + B + "\r\nContent-Disposition: form-data; name=\"t\"\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\na=3Db\r\n" + end, false},
		{"two dispositions", "--" + B + "\r\nContent-Disposition: form-data; name=\"a\"\r\nContent-Disposition: form-data; name=\"b\"\r\n\r\nx\r\n" + end, false},
		{"truncated", part(`form-data; name="doc"; filename="a.txt"`, "abc"), false},
		{"no headers", "--" + B + "\r\n\r\nx\r\n" + end, false},
		{"as many parts as allowed", limit + end, true},
		{"too many parts", many.String() + end, true},
		{"values over the budget", part(`form-data; name="t"`, strings.Repeat("v", 600)) + part(`form-data; name="u"`, strings.Repeat("v", 600)) + end, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			const valueBudget = 1000
			want, wantErr := readMultipartLimits(&spool{}, strings.NewReader(tt.body), B, valueBudget, maxFormMemory)
			got, err := splitMultipart([]byte(tt.body), B, valueBudget)
			if (err != errUnusualMultipart) != tt.fast {
				t.Fatalf("splitMultipart err = %v, fast path expected: %v", err, tt.fast)
			}
			if err == errUnusualMultipart {
				return // readMultipart re-parses it with mime/multipart
			}
			if (err != nil) != (wantErr != nil) || err != nil && !errors.Is(err, multipart.ErrMessageTooLarge) && err != wantErr {
				t.Fatalf("err = %v, mime/multipart's = %v", err, wantErr)
			}
			if err == nil {
				if g, w := formSummary(t, got), formSummary(t, want); g != w {
					t.Fatalf("parsed\n%s\nmime/multipart parsed\n%s", g, w)
				}
			}
		})
	}
}

func TestReadMultipartWholeBody(t *testing.T) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	_ = w.WriteField("title", "x")
	fw, _ := w.CreateFormFile("doc", "a.txt")
	_, _ = fw.Write(bytes.Repeat([]byte("0123456789abcdef"), 1<<10))
	_ = w.Close()
	body := buf.Bytes()
	var many bytes.Buffer
	mw := multipart.NewWriter(&many)
	for i := range maxParts + 1 {
		_ = mw.WriteField(fmt.Sprint("f", i), "v")
	}
	_ = mw.Close()
	tooMany := bytes.ReplaceAll(many.Bytes(), []byte(mw.Boundary()), []byte(w.Boundary()))
	tests := []struct {
		name    string
		length  int64
		body    []byte
		wantErr bool
	}{
		{"known length", int64(len(body)), body, false},
		{"unknown length streams", -1, body, false},
		{"over the memory budget streams", maxFormMemory + 1, body, false},
		{"shorter than announced", int64(len(body)) + 10, body, true},
		{"fallback on a preamble", int64(len(body)) + 4, append([]byte("hi\r\n"), body...), false},
		{"too many parts", int64(len(tooMany)), tooMany, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := readMultipart(&spool{}, bytes.NewReader(tt.body), w.Boundary(), tt.length)
			// The caller defers f.RemoveAll whatever the outcome.
			f.RemoveAll()
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if err == nil && (len(f.values["title"]) != 1 || len(f.files["doc"]) != 1 || f.files["doc"][0].Size != 16<<10) {
				t.Fatalf("parsed %+v", f)
			}
		})
	}
}
