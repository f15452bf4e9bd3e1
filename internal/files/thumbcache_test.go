package files

import (
	"bytes"
	"context"
	"errors"
	"image"
	"io"
	"sync"
	"testing"
)

func TestThumbKey(t *testing.T) {
	t.Parallel()
	cases := []struct{ key, size, want, prefix string }{
		{"col/rec/pic_abc.png", "100x100", "col/rec/thumbs_pic_abc.png/100x100_pic_abc.png", "col/rec/thumbs_pic_abc.png/"},
		{"col/rec/pic.png", "0x50f", "col/rec/thumbs_pic.png/0x50f_pic.png", "col/rec/thumbs_pic.png/"},
		{"pic.png", "10x10t", "thumbs_pic.png/10x10t_pic.png", "thumbs_pic.png/"},
	}
	for _, tc := range cases {
		t.Run(tc.key+"/"+tc.size, func(t *testing.T) {
			size, err := ParseThumbSize(tc.size)
			if err != nil {
				t.Fatal(err)
			}
			if got := ThumbKey(tc.key, size); got != tc.want {
				t.Errorf("ThumbKey = %q, want %q", got, tc.want)
			}
			if got := ThumbsPrefix(tc.key); got != tc.prefix {
				t.Errorf("ThumbsPrefix = %q, want %q", got, tc.prefix)
			}
		})
	}
}

// testThumbsService checks Thumbs.Get on st: lazy generation, caching,
// errors, and that 20 concurrent first requests generate once.
func testThumbsService(t *testing.T, st Storage, ns string) {
	ctx := context.Background()
	orig := ns + "/rec/pic_abcdefghij.png"
	data := encodeImage(t, stripes(900, 600, false), "png")
	if err := st.Put(ctx, orig, bytes.NewReader(data), int64(len(data)), "image/png"); err != nil {
		t.Fatal(err)
	}
	txt := ns + "/rec/notes.txt"
	if err := st.Put(ctx, txt, bytes.NewReader([]byte("hello")), 5, ""); err != nil {
		t.Fatal(err)
	}

	t.Run("concurrent first requests generate once", func(t *testing.T) {
		var th Thumbs
		size := ThumbSize{Width: 120, Height: 80, Mode: ThumbFit}
		const n = 20
		var wg sync.WaitGroup
		start := make(chan struct{})
		errs := make([]error, n)
		dims := make([]image.Point, n)
		for i := range n {
			wg.Go(func() {
				<-start
				obj, err := th.Get(ctx, st, orig, size)
				if err != nil {
					errs[i] = err
					return
				}
				defer obj.Close()
				img, _, err := image.Decode(obj)
				if err != nil {
					errs[i] = err
					return
				}
				dims[i] = img.Bounds().Size()
			})
		}
		close(start)
		wg.Wait()
		for i := range n {
			if errs[i] != nil {
				t.Fatalf("request %d: %v", i, errs[i])
			}
			if dims[i] != (image.Point{120, 80}) {
				t.Errorf("request %d got a %v thumb, want 120x80", i, dims[i])
			}
		}
		if got := th.Generated(); got != 1 {
			t.Errorf("generated %d times, want 1", got)
		}
		if ok, err := st.Exists(ctx, ThumbKey(orig, size)); !ok || err != nil {
			t.Errorf("thumb not cached at %s: %v", ThumbKey(orig, size), err)
		}

		// Later requests, even from a fresh service, use the cache.
		var again Thumbs
		obj, err := again.Get(ctx, st, orig, size)
		if err != nil {
			t.Fatal(err)
		}
		obj.Close()
		if again.Generated() != 0 || th.Generated() != 1 {
			t.Errorf("cached thumb regenerated")
		}
	})

	t.Run("distinct sizes are distinct thumbs", func(t *testing.T) {
		var th Thumbs
		for _, s := range []string{"100x100", "100x100t", "0x30"} {
			size, _ := ParseThumbSize(s)
			obj, err := th.Get(ctx, st, orig, size)
			if err != nil {
				t.Fatalf("%s: %v", s, err)
			}
			obj.Close()
		}
		if got := th.Generated(); got != 3 {
			t.Errorf("generated %d, want 3", got)
		}
	})

	cases := []struct {
		name    string
		th      *Thumbs
		key     string
		wantErr error
	}{
		{"missing original", &Thumbs{}, ns + "/rec/missing.png", ErrNotFound},
		{"not an image", &Thumbs{}, txt, ErrUnsupportedImage},
		{"over the pixel limit", &Thumbs{MaxPixels: 1000}, orig, ErrImageTooLarge},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			size := ThumbSize{Width: 7, Height: 7}
			if _, err := tc.th.Get(ctx, st, tc.key, size); !errors.Is(err, tc.wantErr) {
				t.Fatalf("Get = %v, want %v", err, tc.wantErr)
			}
			if ok, _ := st.Exists(ctx, ThumbKey(tc.key, size)); ok {
				t.Error("a failed generation left a thumb behind")
			}
		})
	}

	t.Run("cancelled waiter does not break generation", func(t *testing.T) {
		var th Thumbs
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		size := ThumbSize{Width: 33, Height: 33}
		if _, err := th.Get(cctx, st, orig, size); err == nil {
			// A cancelled ctx may lose the race to a fast generation; both
			// outcomes are fine as long as the thumb is usable afterwards.
			t.Log("generation finished before cancellation was seen")
		}
		obj, err := th.Get(ctx, st, orig, size)
		if err != nil {
			t.Fatal(err)
		}
		defer obj.Close()
		b, _ := io.ReadAll(obj)
		if _, _, err := image.Decode(bytes.NewReader(b)); err != nil {
			t.Errorf("thumb unreadable: %v", err)
		}
	})

	t.Run("thumbs are removed with the original's prefix", func(t *testing.T) {
		if err := st.DeletePrefix(ctx, ThumbsPrefix(orig)); err != nil {
			t.Fatal(err)
		}
		left, err := st.List(ctx, ThumbsPrefix(orig))
		if err != nil || len(left) != 0 {
			t.Errorf("left after DeletePrefix: %v, %v", left, err)
		}
		if ok, _ := st.Exists(ctx, orig); !ok {
			t.Error("the original was deleted with its thumbs")
		}
	})
}

func TestThumbsLocal(t *testing.T) {
	t.Parallel()
	st, err := NewLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	testThumbsService(t, st, "col")
}

func TestThumbsS3(t *testing.T) {
	testThumbsService(t, requireS3(t), "thumbcol")
}
