package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/basalthq/basalt/core"
)

func TestExistingIds(t *testing.T) { forEngines(t, testExistingIds) }

func testExistingIds(t *testing.T) {
	s, cols := execStore(t)
	tests := []struct {
		name string
		ids  []string
		want []string
	}{
		{"none asked", nil, nil},
		{"one present", []string{"p1"}, []string{"p1"}},
		{"missing dropped", []string{"p1", "nope", "p3"}, []string{"p1", "p3"}},
		{"all missing", []string{"x", "y"}, []string{}},
		{"case-sensitive", []string{"P1"}, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.ExistingIds(context.Background(), cols["posts"], tt.ids)
			if err != nil {
				t.Fatal(err)
			}
			slices.Sort(got)
			if !slices.Equal(got, tt.want) || (tt.want == nil) != (got == nil) {
				t.Fatalf("ExistingIds(%v) = %#v, want %#v", tt.ids, got, tt.want)
			}
		})
	}
}

// TestQueryOneId: a query for one id with nothing to check takes a
// statement built once per collection; it reads the committed row
// outside a write and the write's own rows inside one.
func TestQueryOneId(t *testing.T) { forEngines(t, testQueryOneId) }

func testQueryOneId(t *testing.T) {
	s, cols := execStore(t)
	ctx := context.Background()
	posts := cols["posts"]
	tests := []struct {
		name string
		id   string
		want int
	}{
		{"present", "p1", 1},
		{"missing", "nope", 0},
		{"case-sensitive", "P1", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := s.Query(ctx, &core.RecordQuery{Collection: posts, Ids: []string{tt.id}})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Records) != tt.want || res.Total != -1 {
				t.Fatalf("got %d records (total %d), want %d", len(res.Records), res.Total, tt.want)
			}
			if tt.want == 1 && (res.Records[0].Id() != tt.id || res.Records[0].GetString("title") != "Hello world") {
				t.Fatalf("record %s %q", res.Records[0].Id(), res.Records[0].GetString("title"))
			}
		})
	}
	t.Run("inside a write", func(t *testing.T) {
		err := s.db.Write(ctx, func(ctx context.Context) error {
			if err := s.db.Exec(ctx, "INSERT INTO "+s.q("posts")+" ("+s.q("id")+", "+s.q("title")+") VALUES ('pnew', 'Fresh')", nil); err != nil {
				return err
			}
			res, err := s.Query(ctx, &core.RecordQuery{Collection: posts, Ids: []string{"pnew"}})
			if err != nil {
				return err
			}
			if len(res.Records) != 1 || res.Records[0].GetString("title") != "Fresh" {
				return fmt.Errorf("inside the write: %d records", len(res.Records))
			}
			return errors.New("roll back")
		})
		if err == nil || err.Error() != "roll back" {
			t.Fatal(err)
		}
		if res, err := s.Query(ctx, &core.RecordQuery{Collection: posts, Ids: []string{"pnew"}}); err != nil || len(res.Records) != 0 {
			t.Fatalf("rolled-back row visible: %v %v", res, err)
		}
	})
}

// TestRecordWritesInsideAWrite: record statements inside a larger write
// run without savepoints of their own; one that fails (a duplicate id)
// leaves nothing behind and the write goes on to commit the others.
func TestRecordWritesInsideAWrite(t *testing.T) { forEngines(t, testRecordWritesInsideAWrite) }

func testRecordWritesInsideAWrite(t *testing.T) {
	s, cols := execStore(t)
	ctx := context.Background()
	posts := cols["posts"]
	newPost := func(id, title string) *core.Record {
		r := core.NewRecord(posts)
		r.Set("id", id)
		r.Set("title", title)
		return r
	}
	var dupErr error
	err := s.RunInTx(ctx, func(ctx context.Context) error {
		if err := s.InsertRecord(ctx, newPost("pa", "A")); err != nil {
			return err
		}
		dupErr = s.InsertRecord(ctx, newPost("p1", "Duplicate"))
		changed := newPost("pa", "A changed")
		if err := s.UpdateRecord(ctx, changed); err != nil {
			return err
		}
		return s.InsertRecord(ctx, newPost("pb", "B"))
	})
	if err != nil {
		t.Fatal(err)
	}
	if dupErr == nil {
		t.Fatal("duplicate id accepted")
	}
	for id, want := range map[string]string{"p1": "Hello world", "pa": "A changed", "pb": "B"} {
		res, err := s.Query(ctx, &core.RecordQuery{Collection: posts, Ids: []string{id}})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Records) != 1 || res.Records[0].GetString("title") != want {
			t.Fatalf("%s: %d records, want title %q", id, len(res.Records), want)
		}
	}
}
