package store

import (
	"context"
	"testing"
)

// TestReadSnapshot: every read through a ReadSnapshot ctx sees the
// database as it was at the snapshot's first read, while a write
// committed meanwhile is visible outside it (portable backups of a
// PostgreSQL database rely on it: one point in time per archive).
func TestReadSnapshot(t *testing.T) {
	forEngines(t, func(t *testing.T) {
		s := openTestStore(t)
		ctx := context.Background()
		if err := s.SetParam(ctx, "k", []byte("before")); err != nil {
			t.Fatal(err)
		}
		read := func(ctx context.Context) string {
			t.Helper()
			v, _, err := s.GetParam(ctx, "k")
			if err != nil {
				t.Fatal(err)
			}
			return string(v)
		}
		err := s.ReadSnapshot(ctx, func(snap context.Context) error {
			if got := read(snap); got != "before" {
				t.Fatalf("first read in the snapshot = %q", got)
			}
			if err := s.SetParam(ctx, "k", []byte("after")); err != nil {
				t.Fatal(err)
			}
			if got := read(ctx); got != "after" {
				t.Fatalf("read outside the snapshot = %q, want the committed write", got)
			}
			if got := read(snap); got != "before" {
				t.Fatalf("second read in the snapshot = %q, want the value at its start", got)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}
