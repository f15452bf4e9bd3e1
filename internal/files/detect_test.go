package files

import (
	"errors"
	"testing"
)

var (
	htmlHead = []byte("<!DOCTYPE html><html><body><script>alert(1)</script></body></html>")
	svgHead  = []byte(`<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"></svg>`)
	jpegHead = []byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00")
	gifHead  = []byte("GIF89a\x01\x00\x01\x00")
	pdfHead  = []byte("%PDF-1.7\n")
)

func TestDetectContentType(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		head     []byte
		filename string
		want     string
	}{
		{"png", pngHead, "a.png", "image/png"},
		{"jpeg", jpegHead, "a.jpg", "image/jpeg"},
		{"gif", gifHead, "a.gif", "image/gif"},
		{"pdf", pdfHead, "a.pdf", "application/pdf"},
		{"html", htmlHead, "a.html", "text/html; charset=utf-8"},
		{"content wins over a lying extension", htmlHead, "evil.png", "text/html; charset=utf-8"},
		{"plain text", []byte("hello\n"), "a.txt", "text/plain; charset=utf-8"},
		{"empty", nil, "a", "text/plain"},
		{"unknown binary", []byte{0, 1, 2, 3, 0xff}, "a.bin", "application/octet-stream"},
		{"svg override", svgHead, "a.svg", "image/svg+xml"},
		{"svg override by extension case", []byte("<svg></svg>"), "A.SVG", "image/svg+xml"},
		{"css override", []byte("body { color: red }"), "site.css", "text/css"},
		{"js override", []byte("export const a = 1;"), "app.js", "text/javascript"},
		{"mjs override", []byte("export const a = 1;"), "app.mjs", "text/javascript"},
		{"override by extension only", htmlHead, "x.css", "text/css"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := DetectContentType(tc.head, tc.filename); got != tc.want {
				t.Errorf("DetectContentType(%q) = %q, want %q", tc.filename, got, tc.want)
			}
		})
	}
}

func TestValidateMime(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		detected string
		allowed  []string
		ok       bool
	}{
		{"empty list allows all", "application/x-msdownload", nil, true},
		{"exact", "image/png", []string{"image/jpeg", "image/png"}, true},
		{"parameters ignored", "text/plain; charset=utf-8", []string{"text/plain"}, true},
		{"case insensitive", "image/PNG", []string{"image/png"}, true},
		{"alias of detected type", "application/zip", []string{"application/x-zip-compressed"}, true},
		{"not listed", "text/html; charset=utf-8", []string{"image/png"}, false},
		{"parent type does not count", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", []string{"application/zip"}, false},
		{"unknown detected type", "application/x-custom", []string{"application/x-custom"}, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := ValidateMime(tc.detected, tc.allowed)
			if (err == nil) != tc.ok {
				t.Fatalf("ValidateMime(%q, %v) = %v, want ok=%v", tc.detected, tc.allowed, err, tc.ok)
			}
			if err != nil && !errors.Is(err, ErrMimeNotAllowed) {
				t.Errorf("error %v does not wrap ErrMimeNotAllowed", err)
			}
		})
	}
}

func TestCheckImageClaim(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		head     []byte
		filename string
		ok       bool
	}{
		{"real png", pngHead, "a.png", true},
		{"jpeg named png is still an image", jpegHead, "a.png", true},
		{"html named png", htmlHead, "evil.png", false},
		{"html named JPG", htmlHead, "evil.JPG", false},
		{"text named gif", []byte("GIF? no"), "x.gif", false},
		{"svg named svg", svgHead, "a.svg", true},
		{"html named svg", htmlHead, "a.svg", false},
		{"html named html is not an image claim", htmlHead, "page.html", true},
		{"no extension", htmlHead, "page", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := CheckImageClaim(tc.head, tc.filename)
			if (err == nil) != tc.ok {
				t.Fatalf("CheckImageClaim(%q) = %v, want ok=%v", tc.filename, err, tc.ok)
			}
			if err != nil && !errors.Is(err, ErrContentMismatch) {
				t.Errorf("error %v does not wrap ErrContentMismatch", err)
			}
		})
	}
}
