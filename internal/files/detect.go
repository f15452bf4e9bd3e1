package files

import (
	"errors"
	"fmt"
	"mime"
	"path/filepath"
	"strings"

	"github.com/gabriel-vasile/mimetype"
)

// SniffLen is how many leading bytes DetectContentType looks at; it matches
// mimetype's default read limit.
const SniffLen = 3072

// ErrMimeNotAllowed is returned by ValidateMime; the record layer reports it
// as validation_invalid_mime_type.
var ErrMimeNotAllowed = errors.New("files: mime type not allowed")

// ErrContentMismatch is returned by CheckImageClaim when a file named like an
// image is not one (e.g. "evil.png" holding HTML).
var ErrContentMismatch = errors.New("files: content does not match the file extension")

// extensionContentTypes are the serve-time overrides of spec §1.6 F2:
// content sniffing reports these as text/plain or text/xml, which browsers
// would not apply as styles, scripts or images.
var extensionContentTypes = map[string]string{
	".svg": "image/svg+xml",
	".css": "text/css",
	".js":  "text/javascript",
	".mjs": "text/javascript",
}

// DetectContentType returns the content type of a file from its first bytes
// (at least SniffLen of them when available) using mimetype, e.g.
// "image/png" or "text/plain; charset=utf-8", then applies the spec's
// overrides by filename extension (.svg, .css, .js, .mjs).
func DetectContentType(head []byte, filename string) string {
	ct := mimetype.Detect(head).String()
	if v, ok := extensionContentTypes[strings.ToLower(filepath.Ext(filename))]; ok {
		return v
	}
	return ct
}

// ValidateMime checks a detected content type (as from mimetype, without the
// extension overrides) against a file field's mimeTypes option. An empty
// allowed list accepts anything. Parameters such as charset are ignored, and
// as in PocketBase the detected type's aliases count: a detected
// "application/zip" is allowed by "application/x-zip-compressed". It returns
// an error wrapping ErrMimeNotAllowed on mismatch.
func ValidateMime(detected string, allowed []string) error {
	if len(allowed) == 0 {
		return nil
	}
	base := baseType(detected)
	m := mimetype.Lookup(base)
	for _, a := range allowed {
		if m != nil && m.Is(a) {
			return nil
		}
		if strings.EqualFold(baseType(a), base) {
			return nil
		}
	}
	return fmt.Errorf("%w: %q must be one of: %s", ErrMimeNotAllowed, base, strings.Join(allowed, ", "))
}

// baseType strips parameters and lower-cases a media type.
func baseType(ct string) string {
	if mt, _, err := mime.ParseMediaType(ct); err == nil {
		return mt
	}
	if i := strings.IndexByte(ct, ';'); i >= 0 {
		ct = ct[:i]
	}
	return strings.ToLower(strings.TrimSpace(ct))
}

// imageExtensions are the extensions a browser or a thumbnailer would take
// at their word as images.
var imageExtensions = map[string]bool{
	".png": true, ".apng": true, ".jpg": true, ".jpeg": true, ".jfif": true, ".gif": true,
	".webp": true, ".bmp": true, ".ico": true, ".avif": true, ".heic": true, ".heif": true,
	".tif": true, ".tiff": true, ".svg": true,
}

// CheckImageClaim returns an error wrapping ErrContentMismatch when filename
// has an image extension but head (the first bytes of the content) is not
// detected as an image. It lets the record layer refuse e.g. "evil.png"
// carrying HTML, which would otherwise be stored under an image name.
// Names without an image extension always pass.
func CheckImageClaim(head []byte, filename string) error {
	ext := strings.ToLower(filepath.Ext(filename))
	if !imageExtensions[ext] {
		return nil
	}
	detected := baseType(mimetype.Detect(head).String())
	if strings.HasPrefix(detected, "image/") {
		return nil
	}
	return fmt.Errorf("%w: %q is %s", ErrContentMismatch, filename, detected)
}
