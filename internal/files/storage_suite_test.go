package files

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"
)

// testStorage runs the behaviour every Storage must share against st. The
// keys are namespaced by ns so that one backend can host several runs.
func testStorage(t *testing.T, st Storage, ns string) {
	ctx := context.Background()
	k := func(s string) string { return ns + "/" + s }

	put := func(t *testing.T, key, content string) {
		t.Helper()
		if err := st.Put(ctx, key, strings.NewReader(content), int64(len(content)), "text/plain"); err != nil {
			t.Fatalf("Put(%q): %v", key, err)
		}
	}
	keys := func(infos []ObjectInfo) []string {
		out := []string{}
		for _, i := range infos {
			out = append(out, strings.TrimPrefix(i.Key, ns+"/"))
		}
		return out
	}

	t.Run("put open read seek stat", func(t *testing.T) {
		content := "hello, basalt storage"
		before := time.Now().Add(-2 * time.Second)
		put(t, k("c1/r1/hello.txt"), content)

		obj, err := st.Open(ctx, k("c1/r1/hello.txt"))
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		defer obj.Close()
		if got := obj.Size(); got != int64(len(content)) {
			t.Errorf("Size = %d, want %d", got, len(content))
		}
		if mt := obj.ModTime(); mt.Before(before) || mt.After(time.Now().Add(2*time.Second)) {
			t.Errorf("ModTime = %v, want about now", mt)
		}
		all, err := io.ReadAll(obj)
		if err != nil || string(all) != content {
			t.Fatalf("ReadAll = %q, %v; want %q", all, err, content)
		}
		// Range read: seek into the middle, read a part.
		if pos, err := obj.Seek(7, io.SeekStart); err != nil || pos != 7 {
			t.Fatalf("Seek = %d, %v", pos, err)
		}
		part := make([]byte, 6)
		if _, err := io.ReadFull(obj, part); err != nil || string(part) != "basalt" {
			t.Errorf("range read = %q, %v; want %q", part, err, "basalt")
		}
		if end, err := obj.Seek(0, io.SeekEnd); err != nil || end != int64(len(content)) {
			t.Errorf("Seek(End) = %d, %v", end, err)
		}
		if pos, err := obj.Seek(-7, io.SeekEnd); err != nil || pos != int64(len(content)-7) {
			t.Errorf("Seek(-7, End) = %d, %v", pos, err)
		}
		rest, _ := io.ReadAll(obj)
		if string(rest) != "storage" {
			t.Errorf("tail read = %q, want %q", rest, "storage")
		}

		info, err := st.Stat(ctx, k("c1/r1/hello.txt"))
		if err != nil || info.Size != int64(len(content)) || info.Key != k("c1/r1/hello.txt") {
			t.Errorf("Stat = %+v, %v", info, err)
		}
		if ok, err := st.Exists(ctx, k("c1/r1/hello.txt")); !ok || err != nil {
			t.Errorf("Exists = %v, %v; want true", ok, err)
		}
	})

	t.Run("overwrite replaces content", func(t *testing.T) {
		put(t, k("c1/r1/over.txt"), "first version, longer")
		put(t, k("c1/r1/over.txt"), "second")
		obj, err := st.Open(ctx, k("c1/r1/over.txt"))
		if err != nil {
			t.Fatal(err)
		}
		defer obj.Close()
		got, _ := io.ReadAll(obj)
		if string(got) != "second" {
			t.Errorf("content = %q, want %q", got, "second")
		}
	})

	t.Run("unknown size and empty object", func(t *testing.T) {
		if err := st.Put(ctx, k("c1/r1/unknown.bin"), bytes.NewReader(bytes.Repeat([]byte{7}, 70000)), -1, ""); err != nil {
			t.Fatalf("Put(-1): %v", err)
		}
		if info, err := st.Stat(ctx, k("c1/r1/unknown.bin")); err != nil || info.Size != 70000 {
			t.Errorf("Stat = %+v, %v; want size 70000", info, err)
		}
		put(t, k("c1/r1/empty.txt"), "")
		obj, err := st.Open(ctx, k("c1/r1/empty.txt"))
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(obj)
		obj.Close()
		if err != nil || len(got) != 0 {
			t.Errorf("empty read = %q, %v", got, err)
		}
	})

	t.Run("size mismatch stores nothing", func(t *testing.T) {
		put(t, k("c1/r1/kept.txt"), "kept")
		cases := []struct {
			name, key, content string
			size               int64
		}{
			{"too few bytes", "c1/r1/short.txt", "abc", 10},
			{"too many bytes", "c1/r1/long.txt", "abcdefghijklmnop", 10},
			{"bytes for an empty object", "c1/r1/zero.txt", "x", 0},
			{"too many bytes over an existing key", "c1/r1/kept.txt", "abcdefghijklmnop", 10},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				err := st.Put(ctx, k(tc.key), strings.NewReader(tc.content), tc.size, "")
				if !errors.Is(err, ErrSizeMismatch) {
					t.Errorf("Put = %v, want ErrSizeMismatch", err)
				}
			})
		}
		for _, key := range []string{"c1/r1/short.txt", "c1/r1/long.txt", "c1/r1/zero.txt"} {
			if ok, _ := st.Exists(ctx, k(key)); ok {
				t.Errorf("a failed Put left %s behind", key)
			}
		}
		obj, err := st.Open(ctx, k("c1/r1/kept.txt"))
		if err != nil {
			t.Fatal(err)
		}
		defer obj.Close()
		if got, _ := io.ReadAll(obj); string(got) != "kept" {
			t.Errorf("failed Put changed an existing object to %q", got)
		}
	})

	t.Run("missing keys", func(t *testing.T) {
		if _, err := st.Open(ctx, k("c1/r1/nope.txt")); !errors.Is(err, ErrNotFound) {
			t.Errorf("Open missing = %v, want ErrNotFound", err)
		}
		if _, err := st.Stat(ctx, k("c1/r1/nope.txt")); !errors.Is(err, ErrNotFound) {
			t.Errorf("Stat missing = %v, want ErrNotFound", err)
		}
		if ok, err := st.Exists(ctx, k("c1/r1/nope.txt")); ok || err != nil {
			t.Errorf("Exists missing = %v, %v", ok, err)
		}
		if err := st.Delete(ctx, k("c1/r1/nope.txt")); err != nil {
			t.Errorf("Delete missing = %v, want nil", err)
		}
	})

	t.Run("invalid keys", func(t *testing.T) {
		for _, key := range []string{"", "/abs/x", "a/../b", "../x", "a/./b", "a//b", "a\\b", "a/b\x00c", "a/", strings.Repeat("x", 1025)} {
			if err := st.Put(ctx, key, strings.NewReader("x"), 1, ""); !errors.Is(err, ErrInvalidKey) {
				t.Errorf("Put(%q) = %v, want ErrInvalidKey", key, err)
			}
			if _, err := st.Open(ctx, key); !errors.Is(err, ErrInvalidKey) {
				t.Errorf("Open(%q) = %v, want ErrInvalidKey", key, err)
			}
		}
		if err := st.DeletePrefix(ctx, ""); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("DeletePrefix(\"\") = %v, want ErrInvalidKey", err)
		}
	})

	t.Run("copy", func(t *testing.T) {
		put(t, k("c2/r1/src.txt"), "copy me")
		if err := st.Copy(ctx, k("c2/r1/src.txt"), k("c2/r2/dst.txt")); err != nil {
			t.Fatalf("Copy: %v", err)
		}
		obj, err := st.Open(ctx, k("c2/r2/dst.txt"))
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(obj)
		obj.Close()
		if string(got) != "copy me" {
			t.Errorf("copied content = %q", got)
		}
		if err := st.Copy(ctx, k("c2/r1/missing.txt"), k("c2/r2/x.txt")); !errors.Is(err, ErrNotFound) {
			t.Errorf("Copy missing = %v, want ErrNotFound", err)
		}
	})

	t.Run("list delete deleteprefix", func(t *testing.T) {
		for _, key := range []string{"c3/r1/a.txt", "c3/r1/b.txt", "c3/r1/thumbs_a.txt/100x100_a.txt", "c3/r10/c.txt", "c3/r2/d.txt"} {
			put(t, k(key), key)
		}
		cases := []struct {
			name   string
			prefix string
			want   string
		}{
			{"directory prefix", "c3/r1/", "c3/r1/a.txt c3/r1/b.txt c3/r1/thumbs_a.txt/100x100_a.txt"},
			{"string prefix spans dirs", "c3/r1", "c3/r1/a.txt c3/r1/b.txt c3/r1/thumbs_a.txt/100x100_a.txt c3/r10/c.txt"},
			{"partial file name", "c3/r1/a", "c3/r1/a.txt"},
			{"whole collection", "c3/", "c3/r1/a.txt c3/r1/b.txt c3/r1/thumbs_a.txt/100x100_a.txt c3/r10/c.txt c3/r2/d.txt"},
			{"no match", "c3/zz", ""},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				got, err := st.List(ctx, k(tc.prefix))
				if err != nil {
					t.Fatal(err)
				}
				if g := strings.Join(keys(got), " "); g != tc.want {
					t.Errorf("List(%q) = %q, want %q", tc.prefix, g, tc.want)
				}
			})
		}

		if err := st.Delete(ctx, k("c3/r2/d.txt")); err != nil {
			t.Fatal(err)
		}
		if err := st.DeletePrefix(ctx, k("c3/r1/")); err != nil {
			t.Fatalf("DeletePrefix: %v", err)
		}
		got, err := st.List(ctx, k("c3/"))
		if err != nil {
			t.Fatal(err)
		}
		if g := strings.Join(keys(got), " "); g != "c3/r10/c.txt" {
			t.Errorf("after deletes List = %q, want %q", g, "c3/r10/c.txt")
		}
	})
}
