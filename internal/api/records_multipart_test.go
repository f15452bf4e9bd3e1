package api

import (
	"bytes"
	"errors"
	"io"
	"mime/multipart"
	"os"
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
			f, err := readMultipartLimits(body, boundary, tt.valueMax, tt.memMax)
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
			if len(f.temps) != tt.spooled {
				t.Fatalf("spooled %d files, want %d", len(f.temps), tt.spooled)
			}
			temps := append([]string(nil), f.temps...)
			f.RemoveAll()
			for _, p := range temps {
				if _, err := os.Stat(p); !os.IsNotExist(err) {
					t.Errorf("temp file %s not removed", p)
				}
			}
		})
	}
}
