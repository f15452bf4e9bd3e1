package files

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"math"
	"regexp"
	"strconv"

	"golang.org/x/image/draw"
	"golang.org/x/image/webp"
)

// DefaultMaxPixels is the default decompression-bomb limit: images whose
// width×height exceeds it are not decoded (50 MP ≈ 200 MB as RGBA).
const DefaultMaxPixels = 50_000_000

// maxThumbSide bounds each requested thumb dimension so that a configured
// size cannot itself allocate a huge output image.
const maxThumbSide = 10_000

// ErrUnsupportedImage is returned by Thumb for content types it cannot
// thumbnail and for undecodable data; the caller serves the original.
var ErrUnsupportedImage = errors.New("files: unsupported image")

// ErrImageTooLarge is matched (errors.Is) by *ImageTooLargeError.
var ErrImageTooLarge = errors.New("files: image too large to thumbnail")

// ImageTooLargeError is returned by Thumb when the source image's declared
// dimensions exceed the pixel limit; the caller serves the original.
type ImageTooLargeError struct {
	Width, Height int
	MaxPixels     int64
}

// Error states the declared dimensions and the limit.
func (e *ImageTooLargeError) Error() string {
	return fmt.Sprintf("files: image %dx%d exceeds the %d pixel thumbnail limit", e.Width, e.Height, e.MaxPixels)
}

// Is makes errors.Is(err, ErrImageTooLarge) true.
func (e *ImageTooLargeError) Is(target error) bool { return target == ErrImageTooLarge }

// ThumbMode is how an image is fitted into a thumb size.
type ThumbMode byte

// Thumb modes, named after the size suffix (spec §1.6 F2).
const (
	ThumbCenter ThumbMode = 0   // "WxH": crop to fill, centred
	ThumbTop    ThumbMode = 't' // "WxHt": crop to fill, keep the top
	ThumbBottom ThumbMode = 'b' // "WxHb": crop to fill, keep the bottom
	ThumbFit    ThumbMode = 'f' // "WxHf": fit inside, no crop, no upscale
)

// ThumbSize is a parsed thumb size. A zero Width or Height (never both)
// means "keep the aspect ratio", whatever the mode.
type ThumbSize struct {
	Width, Height int
	Mode          ThumbMode
}

// String returns the size in its "WxH[t|b|f]" form, used in thumb names.
func (s ThumbSize) String() string {
	out := strconv.Itoa(s.Width) + "x" + strconv.Itoa(s.Height)
	if s.Mode != ThumbCenter {
		out += string(rune(s.Mode))
	}
	return out
}

var thumbSizeRe = regexp.MustCompile(`^(\d{1,5})x(\d{1,5})([tbf]?)$`)

// ParseThumbSize parses "WxH", "WxHt", "WxHb", "WxHf", "0xH" or "Wx0".
// "0x0" (with any suffix) and sides above 10000 are refused.
func ParseThumbSize(s string) (ThumbSize, error) {
	m := thumbSizeRe.FindStringSubmatch(s)
	if m == nil {
		return ThumbSize{}, fmt.Errorf("invalid thumb size %q", s)
	}
	w, _ := strconv.Atoi(m[1])
	h, _ := strconv.Atoi(m[2])
	if (w == 0 && h == 0) || w > maxThumbSide || h > maxThumbSide {
		return ThumbSize{}, fmt.Errorf("invalid thumb size %q", s)
	}
	size := ThumbSize{Width: w, Height: h}
	if m[3] != "" {
		size.Mode = ThumbMode(m[3][0])
	}
	// Canonical form only, so "0100x100" cannot create a second cache entry.
	if size.String() != s {
		return ThumbSize{}, fmt.Errorf("invalid thumb size %q", s)
	}
	return size, nil
}

// CanThumb reports whether Thumb supports contentType (spec §1.6 F2:
// png, jpg/jpeg, gif, webp; parameters ignored).
func CanThumb(contentType string) bool {
	switch baseType(contentType) {
	case "image/png", "image/jpeg", "image/jpg", "image/gif", "image/webp":
		return true
	}
	return false
}

// Thumb is ThumbWithLimit with DefaultMaxPixels.
func Thumb(ctx context.Context, src io.Reader, contentType string, size ThumbSize) (data []byte, outContentType string, err error) {
	return ThumbWithLimit(ctx, src, contentType, size, DefaultMaxPixels)
}

// ThumbWithLimit decodes the image in src (of the given content type, as detected
// from its bytes) and returns a thumbnail of the requested size, encoded in
// the source format, except WebP which is encoded as PNG (there is no
// well-kept pure-Go WebP encoder); outContentType tells which. GIFs yield
// their first frame. maxPixels bounds the source's declared width×height
// (0 means DefaultMaxPixels) and is checked before any pixel is decoded,
// returning *ImageTooLargeError. Unsupported or corrupt input returns an
// error wrapping ErrUnsupportedImage.
func ThumbWithLimit(ctx context.Context, src io.Reader, contentType string, size ThumbSize, maxPixels int64) (data []byte, outContentType string, err error) {
	if maxPixels <= 0 {
		maxPixels = DefaultMaxPixels
	}
	if size.Width < 0 || size.Height < 0 || (size.Width == 0 && size.Height == 0) ||
		size.Width > maxThumbSide || size.Height > maxThumbSide {
		return nil, "", fmt.Errorf("thumb: invalid size %v", size)
	}
	var decodeConfig func(io.Reader) (image.Config, error)
	var decode func(io.Reader) (image.Image, error)
	outContentType = baseType(contentType)
	switch outContentType {
	case "image/png":
		decodeConfig, decode = png.DecodeConfig, png.Decode
	case "image/jpeg", "image/jpg":
		decodeConfig, decode = jpeg.DecodeConfig, jpeg.Decode
		outContentType = "image/jpeg"
	case "image/gif":
		decodeConfig, decode = gif.DecodeConfig, gif.Decode
	case "image/webp":
		decodeConfig, decode = webp.DecodeConfig, webp.Decode
		outContentType = "image/png"
	default:
		return nil, "", fmt.Errorf("thumb: %w: %s", ErrUnsupportedImage, contentType)
	}

	// Read the header through a tee so that the full decode can replay it
	// without buffering the whole source first.
	var header bytes.Buffer
	cfg, err := decodeConfig(io.TeeReader(src, &header))
	if err != nil {
		return nil, "", fmt.Errorf("thumb: %w: %v", ErrUnsupportedImage, err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || int64(cfg.Width)*int64(cfg.Height) > maxPixels {
		return nil, "", &ImageTooLargeError{Width: cfg.Width, Height: cfg.Height, MaxPixels: maxPixels}
	}
	if err := ctx.Err(); err != nil {
		return nil, "", err
	}
	img, err := decode(io.MultiReader(&header, src))
	if err != nil {
		return nil, "", fmt.Errorf("thumb: %w: %v", ErrUnsupportedImage, err)
	}
	if err := ctx.Err(); err != nil {
		return nil, "", err
	}

	out := resize(img, size)

	var buf bytes.Buffer
	switch outContentType {
	case "image/png":
		err = png.Encode(&buf, out)
	case "image/jpeg":
		err = jpeg.Encode(&buf, out, &jpeg.Options{Quality: 90})
	case "image/gif":
		err = gif.Encode(&buf, out, nil)
	}
	if err != nil {
		return nil, "", fmt.Errorf("thumb: encode: %w", err)
	}
	return buf.Bytes(), outContentType, nil
}

// resize scales img to size with Catmull-Rom resampling. Crop modes pick
// the source rectangle with the target's aspect ratio (anchored per mode)
// and scale only that, which is cheaper than scaling then cropping.
func resize(img image.Image, size ThumbSize) image.Image {
	b := img.Bounds()
	sw, sh := b.Dx(), b.Dy()
	w, h := size.Width, size.Height
	srcRect := b

	switch {
	case w == 0:
		w = max(1, int(math.Round(float64(sw)*float64(h)/float64(sh))))
	case h == 0:
		h = max(1, int(math.Round(float64(sh)*float64(w)/float64(sw))))
	case size.Mode == ThumbFit:
		if sw <= w && sh <= h {
			w, h = sw, sh // never upscale in fit mode
		} else {
			scale := math.Min(float64(w)/float64(sw), float64(h)/float64(sh))
			w = max(1, int(math.Round(float64(sw)*scale)))
			h = max(1, int(math.Round(float64(sh)*scale)))
		}
	default:
		// Crop: the largest source rectangle with aspect w:h.
		cw, ch := sw, sh
		if int64(sw)*int64(h) > int64(sh)*int64(w) {
			cw = max(1, int(math.Round(float64(sh)*float64(w)/float64(h)))) // wider: crop sides
		} else {
			ch = max(1, int(math.Round(float64(sw)*float64(h)/float64(w)))) // taller: crop top/bottom
		}
		x := b.Min.X + (sw-cw)/2
		y := b.Min.Y + (sh-ch)/2
		switch size.Mode {
		case ThumbTop:
			y = b.Min.Y
		case ThumbBottom:
			y = b.Max.Y - ch
		}
		srcRect = image.Rect(x, y, x+cw, y+ch)
	}

	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.CatmullRom.Scale(dst, dst.Bounds(), img, srcRect, draw.Src, nil)
	return dst
}
