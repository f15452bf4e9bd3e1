package files

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"testing"
)

func TestParseThumbSize(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in      string
		want    ThumbSize
		wantErr bool
	}{
		{"100x100", ThumbSize{100, 100, ThumbCenter}, false},
		{"100x50t", ThumbSize{100, 50, ThumbTop}, false},
		{"100x50b", ThumbSize{100, 50, ThumbBottom}, false},
		{"100x50f", ThumbSize{100, 50, ThumbFit}, false},
		{"0x50", ThumbSize{0, 50, ThumbCenter}, false},
		{"50x0", ThumbSize{50, 0, ThumbCenter}, false},
		{"0x50f", ThumbSize{0, 50, ThumbFit}, false},
		{"10000x10000", ThumbSize{10000, 10000, ThumbCenter}, false},
		{"0x0", ThumbSize{}, true},
		{"0x0t", ThumbSize{}, true},
		{"10001x10", ThumbSize{}, true},
		{"100x100x", ThumbSize{}, true},
		{"100x100c", ThumbSize{}, true},
		{"100X100", ThumbSize{}, true},
		{"-1x100", ThumbSize{}, true},
		{"0100x100", ThumbSize{}, true},
		{"100", ThumbSize{}, true},
		{"", ThumbSize{}, true},
		{"100x100 ", ThumbSize{}, true},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			t.Parallel()
			got, err := ParseThumbSize(tc.in)
			if (err != nil) != tc.wantErr || got != tc.want {
				t.Fatalf("ParseThumbSize(%q) = %+v, %v; want %+v, err=%v", tc.in, got, err, tc.want, tc.wantErr)
			}
			if err == nil && got.String() != tc.in {
				t.Errorf("String() = %q, want %q", got.String(), tc.in)
			}
		})
	}
}

// stripes returns a w×h image split into three bands of red, green and
// blue: horizontal bands (top to bottom) when vertical is true, vertical
// bands (left to right) otherwise. Crops are checked by the band they keep.
func stripes(w, h int, vertical bool) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	bands := []color.RGBA{{255, 0, 0, 255}, {0, 255, 0, 255}, {0, 0, 255, 255}}
	for y := range h {
		for x := range w {
			i := x * 3 / w
			if vertical {
				i = y * 3 / h
			}
			img.SetRGBA(x, y, bands[i])
		}
	}
	return img
}

func encodeImage(t testing.TB, img image.Image, format string) []byte {
	t.Helper()
	var buf bytes.Buffer
	var err error
	switch format {
	case "png":
		err = png.Encode(&buf, img)
	case "jpeg":
		err = jpeg.Encode(&buf, img, &jpeg.Options{Quality: 95})
	case "gif":
		// Two frames: the thumb must come from the first.
		first := image.NewPaletted(img.Bounds(), []color.Color{color.RGBA{255, 0, 0, 255}, color.RGBA{0, 255, 0, 255}, color.RGBA{0, 0, 255, 255}})
		second := image.NewPaletted(img.Bounds(), first.Palette)
		for y := img.Bounds().Min.Y; y < img.Bounds().Max.Y; y++ {
			for x := img.Bounds().Min.X; x < img.Bounds().Max.X; x++ {
				first.Set(x, y, img.At(x, y))
				second.SetColorIndex(x, y, 2)
			}
		}
		err = gif.EncodeAll(&buf, &gif.GIF{Image: []*image.Paletted{first, second}, Delay: []int{10, 10}})
	default:
		t.Fatalf("unknown format %s", format)
	}
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func mustB64(t testing.TB, s string) []byte {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// dominant names the band colour of a pixel, tolerating resampling and
// lossy compression.
func dominant(c color.Color) string {
	r, g, b, _ := c.RGBA()
	switch {
	case r > 0xa000 && g < 0x6000 && b < 0x6000:
		return "red"
	case g > 0xa000 && r < 0x6000 && b < 0x6000:
		return "green"
	case b > 0xa000 && r < 0x6000 && g < 0x6000:
		return "blue"
	}
	return "mixed"
}

func TestThumbDimensions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	type source struct {
		name, contentType string
		data              []byte
		w, h              int
		outType           string
	}
	wide := stripes(300, 200, false)
	sources := []source{
		{"png", "image/png", encodeImage(t, wide, "png"), 300, 200, "image/png"},
		{"jpeg", "image/jpeg", encodeImage(t, wide, "jpeg"), 300, 200, "image/jpeg"},
		{"jpg alias", "image/jpg", encodeImage(t, wide, "jpeg"), 300, 200, "image/jpeg"},
		{"gif", "image/gif", encodeImage(t, wide, "gif"), 300, 200, "image/gif"},
		{"webp lossy", "image/webp", mustB64(t, webpLossy150x100), 150, 100, "image/png"},
		{"webp lossless", "image/webp", mustB64(t, webpLossless75x100), 75, 100, "image/png"},
	}
	sizes := []struct {
		size string
		want func(w, h int) (int, int)
	}{
		{"100x100", func(int, int) (int, int) { return 100, 100 }},
		{"100x100t", func(int, int) (int, int) { return 100, 100 }},
		{"100x100b", func(int, int) (int, int) { return 100, 100 }},
		{"40x60", func(int, int) (int, int) { return 40, 60 }},
		{"500x400", func(int, int) (int, int) { return 500, 400 }}, // crop modes upscale
		{"100x100f", func(w, h int) (int, int) {
			if w >= h {
				return 100, roundDiv(h*100, w)
			}
			return roundDiv(w*100, h), 100
		}},
		{"1000x1000f", func(w, h int) (int, int) { return w, h }}, // fit never upscales
		{"0x50", func(w, h int) (int, int) { return roundDiv(w*50, h), 50 }},
		{"60x0", func(w, h int) (int, int) { return 60, roundDiv(h*60, w) }},
		{"600x0", func(w, h int) (int, int) { return 600, roundDiv(h*600, w) }},
	}
	for _, src := range sources {
		for _, sz := range sizes {
			t.Run(src.name+"/"+sz.size, func(t *testing.T) {
				t.Parallel()
				size, err := ParseThumbSize(sz.size)
				if err != nil {
					t.Fatal(err)
				}
				data, outType, err := Thumb(ctx, bytes.NewReader(src.data), src.contentType, size)
				if err != nil {
					t.Fatalf("Thumb: %v", err)
				}
				if outType != src.outType {
					t.Errorf("out content type = %q, want %q", outType, src.outType)
				}
				if detected := DetectContentType(data, ""); detected != src.outType {
					t.Errorf("thumb bytes detected as %q, want %q", detected, src.outType)
				}
				img, _, err := image.Decode(bytes.NewReader(data))
				if err != nil {
					t.Fatalf("decode thumb: %v", err)
				}
				ww, wh := sz.want(src.w, src.h)
				if b := img.Bounds(); b.Dx() != ww || b.Dy() != wh {
					t.Errorf("thumb is %dx%d, want %dx%d", b.Dx(), b.Dy(), ww, wh)
				}
			})
		}
	}
}

func roundDiv(a, b int) int { return (2*a + b) / (2 * b) }

func TestThumbCropAnchors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tall := encodeImage(t, stripes(200, 600, true), "png")  // red top, green middle, blue bottom
	wide := encodeImage(t, stripes(600, 200, false), "png") // red left, green middle, blue right
	cases := []struct {
		name string
		src  []byte
		size string
		want string // colour at the thumb's centre and corners
	}{
		{"tall centre crop keeps middle", tall, "100x100", "green"},
		{"tall top crop keeps top", tall, "100x100t", "red"},
		{"tall bottom crop keeps bottom", tall, "100x100b", "blue"},
		{"wide centre crop keeps middle", wide, "100x100", "green"},
		{"wide top crop is centred horizontally", wide, "100x100t", "green"},
		{"wide bottom crop is centred horizontally", wide, "100x100b", "green"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			size, _ := ParseThumbSize(tc.size)
			data, _, err := Thumb(ctx, bytes.NewReader(tc.src), "image/png", size)
			if err != nil {
				t.Fatal(err)
			}
			img, err := png.Decode(bytes.NewReader(data))
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range []image.Point{{50, 50}, {3, 3}, {96, 3}, {3, 96}, {96, 96}} {
				if got := dominant(img.At(p.X, p.Y)); got != tc.want {
					t.Errorf("pixel %v is %s, want %s", p, got, tc.want)
				}
			}
		})
	}
}

func TestThumbGIFUsesFirstFrame(t *testing.T) {
	t.Parallel()
	src := encodeImage(t, stripes(90, 90, false), "gif") // frame 2 is all blue
	data, _, err := Thumb(context.Background(), bytes.NewReader(src), "image/gif", ThumbSize{Width: 30, Height: 30})
	if err != nil {
		t.Fatal(err)
	}
	g, err := gif.DecodeAll(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if len(g.Image) != 1 {
		t.Errorf("thumb has %d frames, want 1", len(g.Image))
	}
	if got := dominant(g.Image[0].At(2, 15)); got != "red" {
		t.Errorf("left edge is %s, want red (first frame)", got)
	}
}

// pngHeaderOnly returns a PNG signature and a valid IHDR chunk declaring
// w×h pixels, with no image data: a decompression bomb's calling card.
func pngHeaderOnly(w, h uint32) []byte {
	var ihdr bytes.Buffer
	ihdr.WriteString("IHDR")
	binary.Write(&ihdr, binary.BigEndian, w)
	binary.Write(&ihdr, binary.BigEndian, h)
	ihdr.Write([]byte{8, 6, 0, 0, 0}) // 8-bit RGBA
	var out bytes.Buffer
	out.WriteString("\x89PNG\r\n\x1a\n")
	binary.Write(&out, binary.BigEndian, uint32(ihdr.Len()-4))
	out.Write(ihdr.Bytes())
	binary.Write(&out, binary.BigEndian, crc32.ChecksumIEEE(ihdr.Bytes()))
	return out.Bytes()
}

func TestThumbRefusesBombsAndJunk(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	gifBomb := []byte("GIF89a\xff\xff\xff\xff\x00\x00\x00") // 65535×65535 logical screen
	small := encodeImage(t, stripes(300, 200, false), "png")
	cases := []struct {
		name        string
		data        []byte
		contentType string
		maxPixels   int64
		wantErr     error
	}{
		{"png declaring 20000x20000", pngHeaderOnly(20000, 20000), "image/png", 0, ErrImageTooLarge},
		{"gif declaring 65535x65535", gifBomb, "image/gif", 0, ErrImageTooLarge},
		{"limit is configurable", small, "image/png", 300*200 - 1, ErrImageTooLarge},
		{"limit is inclusive", small, "image/png", 300 * 200, nil},
		{"truncated png", small[:len(small)/2], "image/png", 0, ErrUnsupportedImage},
		{"html claiming png", htmlHead, "image/png", 0, ErrUnsupportedImage},
		{"png bytes claiming jpeg", small, "image/jpeg", 0, ErrUnsupportedImage},
		{"svg is not thumbable", svgHead, "image/svg+xml", 0, ErrUnsupportedImage},
		{"bmp is not thumbable", []byte("BM"), "image/bmp", 0, ErrUnsupportedImage},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, _, err := ThumbWithLimit(ctx, bytes.NewReader(tc.data), tc.contentType, ThumbSize{Width: 10, Height: 10}, tc.maxPixels)
			if !errors.Is(err, tc.wantErr) || (tc.wantErr == nil) != (err == nil) {
				t.Fatalf("Thumb = %v, want %v", err, tc.wantErr)
			}
			var tooLarge *ImageTooLargeError
			if errors.Is(tc.wantErr, ErrImageTooLarge) && !errors.As(err, &tooLarge) {
				t.Errorf("error %T is not *ImageTooLargeError", err)
			}
		})
	}
}
