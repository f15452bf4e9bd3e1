package api_test

import (
	"context"
	"slices"
	"testing"

	"github.com/basalthq/basalt/core"
	"github.com/basalthq/basalt/internal/testenv"
)

// notesFixture starts a server with a "notes" collection (title, owner).
func notesFixture(t testing.TB) *testenv.Server {
	s := testenv.StartServer(t)
	su := s.Superuser("admin@example.com", "password123")
	st, b := s.Do("POST", "/api/collections", su, map[string]any{"name": "notes",
		"fields": []any{map[string]any{"name": "title", "type": "text"}, map[string]any{"name": "owner", "type": "text"}}})
	if st != 200 {
		t.Fatalf("create notes: %d %v", st, b)
	}
	return s
}

func saveNote(t testing.TB, app *core.App, title, owner string) (string, error) {
	col, err := app.FindCollectionByNameOrId("notes")
	if err != nil {
		t.Fatal(err)
	}
	r := core.NewRecord(col)
	r.Set("title", title)
	r.Set("owner", owner)
	err = app.Save(context.Background(), r)
	return r.Id(), err
}

func findIds(t testing.TB, app *core.App, filter string, params map[string]any) ([]string, error) {
	recs, err := app.FindRecordsByFilter(context.Background(), "notes", filter, "", 0, 0, params)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(recs))
	for i, r := range recs {
		ids[i] = r.Id()
	}
	slices.Sort(ids)
	return ids, nil
}

// TestFindRecordsByFilterBindsValues: {:name} values are compared as
// values whatever they hold (issue #22, defect 3). Pasted into the filter
// text, a value ending in a backslash swallowed its closing quote and the
// next value became filter syntax (an "or id is not empty" matched every
// record).
func TestFindRecordsByFilterBindsValues(t *testing.T) {
	s := notesFixture(t)
	backslash, err := saveNote(t, s.App, `x\`, "u1")
	if err != nil {
		t.Fatal(err)
	}
	quoted, err := saveNote(t, s.App, `say "hi"`, "u2")
	if err != nil {
		t.Fatal(err)
	}
	other, err := saveNote(t, s.App, "other", "u3")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		filter string
		params map[string]any
		want   []string
	}{
		{"backslash then syntax", "title = {:a} && owner = {:b}", map[string]any{"a": `x\`, "b": ` || id != '' //`}, nil},
		{"backslash value", "title = {:a} && owner = {:b}", map[string]any{"a": `x\`, "b": "u1"}, []string{backslash}},
		{"quotes", "title = {:a}", map[string]any{"a": `say "hi"`}, []string{quoted}},
		{"single quote break-out", "title = {:a}", map[string]any{"a": `' || id != '`}, nil},
		{"like keeps wildcards literal", "title ~ {:a}", map[string]any{"a": `\`}, []string{backslash}},
		{"number", "title != {:n} && owner = 'u3'", map[string]any{"n": 5}, []string{other}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := findIds(t, s.App, tc.filter, tc.params)
			if err != nil {
				t.Fatalf("FindRecordsByFilter: %v", err)
			}
			if !slices.Equal(got, tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
}

// FuzzFindRecordsByFilterParam stores a record whose title is the fuzzed
// value, then checks that "title = {:v}" finds exactly the records whose
// title equals the value as Go compares it: the bound value is compared,
// never parsed. Seeds: testdata/fuzz/FuzzFindRecordsByFilterParam.
func FuzzFindRecordsByFilterParam(f *testing.F) {
	for _, v := range []string{`x\`, `\`, `"`, `'`, `\"`, `" || id != "`, "}", "{:v}", "a\nb", "nul\x00", "日本 ✓", "%_"} {
		f.Add(v)
	}
	s := notesFixture(f)
	titles := map[string]string{} // id → title as saved
	f.Fuzz(func(t *testing.T, v string) {
		if id, err := saveNote(t, s.App, v, "o"); err == nil {
			r, err := s.App.FindRecordById(context.Background(), "notes", id)
			if err != nil {
				t.Fatal(err)
			}
			titles[id] = r.GetString("title")
		}
		got, err := findIds(t, s.App, "title = {:v} && owner = {:o}", map[string]any{"v": v, "o": "o"})
		if err != nil {
			t.Fatalf("FindRecordsByFilter(%q): %v", v, err)
		}
		var want []string
		for id, title := range titles {
			if title == v {
				want = append(want, id)
			}
		}
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Fatalf("value %q: got %v, want %v", v, got, want)
		}
	})
}
