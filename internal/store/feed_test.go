package store

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/basalthq/basalt/internal/store/dialect/postgres"
	"github.com/basalthq/basalt/internal/store/dialect/postgres/pgtest"
)

// TestFeedCommitOrder: a change whose transaction took its id first but
// commits last is still delivered (a cursor on the row id would have
// passed it), a rolled-back one never is, and each arrives once.
func TestFeedCommitOrder(t *testing.T) {
	dsn := pgtest.DSN(t)
	s, err := Open(t.Context(), postgres.Dialect{}, t.TempDir(), Options{DSN: dsn})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	raw, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	got := make(chan string, 16)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	if err := s.FollowChanges(ctx, func(c Change) { got <- c.Record }); err != nil {
		t.Fatal(err)
	}
	insert := func(tx *sql.Tx, record string) {
		t.Helper()
		if _, err := tx.ExecContext(ctx, `INSERT INTO "_changes" ("node", "kind", "record") VALUES ('other', 'record', $1)`, record); err != nil {
			t.Fatal(err)
		}
	}
	begin := func() *sql.Tx {
		t.Helper()
		tx, err := raw.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		return tx
	}
	slow, fast, undone := begin(), begin(), begin()
	insert(slow, "slow") // the lower id
	insert(fast, "fast")
	insert(undone, "undone")
	if err := fast.Commit(); err != nil {
		t.Fatal(err)
	}
	// The follower wakes on fast's commit and reads now; a cursor on ids
	// would pass slow's lower id here. (The pause only gives a wrong
	// cursor its chance; the correct one passes whatever the timing.)
	time.Sleep(100 * time.Millisecond)
	if err := undone.Rollback(); err != nil {
		t.Fatal(err)
	}
	if err := slow.Commit(); err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{"fast": true, "slow": true}
	for len(want) > 0 {
		select {
		case c := <-got:
			if !want[c] {
				t.Fatalf("unexpected or repeated change %q", c)
			}
			delete(want, c)
		case <-time.After(10 * time.Second):
			t.Fatalf("changes never delivered: %v", want)
		}
	}
	select {
	case c := <-got:
		t.Fatalf("extra change %q", c)
	case <-time.After(200 * time.Millisecond):
	}
}
