package store

import (
	"context"
	"database/sql"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/basalthq/basalt/core"
)

// TestSaveCollectionRebuildsOnlyChangedIndexes: a change that leaves the
// columns alone (a rule, an added index) keeps the indexes it does not
// touch (rebuilding them sorts the whole table inside the single write);
// a change to the columns rebuilds them all.
func TestSaveCollectionRebuildsOnlyChangedIndexes(t *testing.T) {
	forEngines(t, testSaveCollectionRebuildsOnlyChangedIndexes)
}

func testSaveCollectionRebuildsOnlyChangedIndexes(t *testing.T) {
	ctx := context.Background()
	s := openTestStore(t)
	var mu sync.Mutex
	var ddl []string
	s.db.wx.ExecLogFunc = func(_ context.Context, _ time.Duration, q string, _ sql.Result, _ error) {
		if (strings.HasPrefix(q, "CREATE ") || strings.HasPrefix(q, "DROP ")) && strings.Contains(q, " INDEX ") {
			mu.Lock()
			ddl = append(ddl, q)
			mu.Unlock()
		}
	}
	idxTitle := "CREATE INDEX idx_things_title ON things (title)"
	idxViews := "CREATE INDEX idx_things_views ON things (views)"
	v1 := core.NewBaseCollection("things")
	v1.Id = "pbc_things"
	v1.Fields = append(v1.Fields, &core.TextField{BaseField: core.BaseField{Id: "f_title", Name: "title"}},
		&core.NumberField{BaseField: core.BaseField{Id: "f_views", Name: "views"}})
	v1.Indexes = []string{idxTitle}
	if err := s.SaveCollection(ctx, nil, v1); err != nil {
		t.Fatal(err)
	}

	steps := []struct {
		name    string
		change  func(c *core.Collection)
		wantDDL []string
	}{
		{"rule only", func(c *core.Collection) { c.ListRule = strp("") }, nil},
		{"index added", func(c *core.Collection) { c.Indexes = append(c.Indexes, idxViews) }, []string{idxViews}},
		{"index removed", func(c *core.Collection) { c.Indexes = []string{idxViews} }, []string{`DROP INDEX IF EXISTS "idx_things_title"`}},
		{"column added", func(c *core.Collection) {
			c.Fields = append(c.Fields, &core.BoolField{BaseField: core.BaseField{Id: "f_done", Name: "done"}})
		}, []string{`DROP INDEX IF EXISTS "idx_things_views"`, idxViews}},
	}
	cur := v1
	for _, st := range steps {
		next := cur.Clone()
		st.change(next)
		mu.Lock()
		ddl = nil
		mu.Unlock()
		if err := s.SaveCollection(ctx, cur, next); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		mu.Lock()
		got := slices.Clone(ddl)
		mu.Unlock()
		for i, w := range st.wantDDL {
			if strings.HasPrefix(w, "CREATE ") {
				st.wantDDL[i] = s.d.IndexSQL(w) // the engine's syntax
			}
		}
		if !slices.Equal(got, st.wantDDL) {
			t.Fatalf("%s: index statements %q, want %q", st.name, got, st.wantDDL)
		}
		names, err := s.d.IndexNames(ctx, s.db.conns.Reader, "things")
		if err != nil {
			t.Fatal(err)
		}
		var want []string
		for _, idx := range next.Indexes {
			want = append(want, indexName(idx))
		}
		slices.Sort(names)
		slices.Sort(want)
		if !slices.Equal(names, want) {
			t.Fatalf("%s: indexes %v in the database, want %v", st.name, names, want)
		}
		cur = next
	}
}
