package core

import (
	"encoding/json"
	"math"
	"reflect"
	"testing"
)

// TestAppendJSONMatchesEncodingJSON checks the fast encoder against
// encoding/json on tricky values.
func TestAppendJSONMatchesEncodingJSON(t *testing.T) {
	cases := []struct {
		name string
		v    any
	}{
		{"plain string", "hello"},
		{"escapes", "quote\" back\\ nl\n tab\t cr\r ctrl\x01"},
		{"html", "<script>&</script>"},
		{"unicode", "héllo — 日本 \u2028 \u2029 😀"},
		{"invalid utf8", "a\xffb"},
		{"integer", 42.0},
		{"negative float", -3.25},
		{"tiny", 1e-7},
		{"huge", 1e21},
		{"zero", 0.0},
		{"max int", float64(1 << 53)},
		{"bools", true},
		{"string list", []string{"a", "b\"c"}},
		{"empty list", []string{}},
		{"geo", GeoPoint{Lon: 23.32, Lat: -42.5}},
		{"map", map[string]any{"b": 1.0, "a": []string{"x"}}},
		{"nil", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			want, err := json.Marshal(tc.v)
			if err != nil {
				t.Fatal(err)
			}
			got := AppendJSONValue(nil, tc.v)
			if string(got) != string(want) {
				t.Fatalf("got  %s\nwant %s", got, want)
			}
		})
	}
	if got := string(AppendJSONValue(nil, math.NaN())); got != "null" {
		t.Fatalf("NaN = %s", got)
	}
	if got := string(AppendJSONValue(nil, JSONRaw(`{"a":[1,2]}`))); got != `{"a":[1,2]}` {
		t.Fatalf("raw = %s", got)
	}
	if got := string(AppendJSONValue(nil, JSONRaw(`{broken`))); got != `"{broken"` {
		t.Fatalf("invalid raw = %s", got)
	}
}

func TestRecordJSONEqualsPublicData(t *testing.T) {
	c := &Collection{Id: "pbc_1", Name: "people", Type: CollectionTypeAuth, Fields: append(FieldsList{NewIdField()}, NewAuthSystemFields()...)}
	c.Fields = append(c.Fields, &TextField{BaseField: BaseField{Name: "secret", Hidden: true}}, &JSONField{BaseField: BaseField{Name: "meta"}})
	r := NewRecord(c)
	r.Set("id", "abcdefghijklmno")
	r.Set("email", "a@example.com")
	r.Set("secret", "s")
	r.Set("meta", map[string]any{"k": []any{1, "two"}})
	for _, flags := range [][2]bool{{false, false}, {true, false}, {false, true}} {
		r.Unhide(flags[0])
		r.ShowEmail(flags[1])
		var got, want map[string]any
		raw, _ := r.MarshalJSON()
		if err := json.Unmarshal(raw, &got); err != nil {
			t.Fatalf("invalid JSON %s: %v", raw, err)
		}
		pd, _ := json.Marshal(r.PublicData())
		_ = json.Unmarshal(pd, &want)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("flags %v:\n got  %s\n want %s", flags, raw, pd)
		}
	}
}

func TestRandomIdShapeAndSpread(t *testing.T) {
	seen := map[byte]bool{}
	for i := 0; i < 2000; i++ {
		id := RandomId()
		if len(id) != 15 {
			t.Fatalf("len %d", len(id))
		}
		for j := 0; j < len(id); j++ {
			c := id[j]
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
				t.Fatalf("bad char %q in %s", c, id)
			}
			seen[c] = true
		}
	}
	if len(seen) != 36 {
		t.Fatalf("only %d of 36 characters ever drawn", len(seen))
	}
}

// TestExpandRelation: relations set one by one serialise, export and read
// back exactly as the same map set at once, whatever is asked in between;
// the map Expand returns is the record's.
func TestExpandRelation(t *testing.T) {
	c := &Collection{Id: "pbc_2", Name: "posts", Fields: FieldsList{NewIdField(), &TextField{BaseField: BaseField{Name: "title"}}}}
	rel := func(id string) *Record {
		r := NewRecord(c)
		r.Set("id", id)
		return r
	}
	a, b := rel("aaaaaaaaaaaaaaa"), rel("bbbbbbbbbbbbbbb")
	cases := []struct {
		name  string
		build func(r *Record)
		want  map[string]any // nil: no expand key
	}{
		{"nothing", func(r *Record) {}, nil},
		{"ensured, empty", func(r *Record) { r.EnsureExpand() }, map[string]any{}},
		{"one", func(r *Record) { r.ExpandRelation("author", a) }, map[string]any{"author": a}},
		{"one, then ensured", func(r *Record) { r.ExpandRelation("author", a); r.EnsureExpand() }, map[string]any{"author": a}},
		{"one replaced", func(r *Record) { r.ExpandRelation("author", a); r.ExpandRelation("author", b) }, map[string]any{"author": b}},
		{"two", func(r *Record) { r.ExpandRelation("author", a); r.ExpandRelation("tags", []*Record{a, b}) }, map[string]any{"author": a, "tags": []*Record{a, b}}},
		{"ensured, then one", func(r *Record) { r.EnsureExpand(); r.ExpandRelation("author", a) }, map[string]any{"author": a}},
		{"one, changed through Expand", func(r *Record) { r.ExpandRelation("author", a); r.Expand()["editor"] = b }, map[string]any{"author": a, "editor": b}},
		{"one, then SetExpand", func(r *Record) { r.ExpandRelation("author", a); r.SetExpand(map[string]any{"editor": b}) }, map[string]any{"editor": b}},
		{"one, then SetExpand(nil)", func(r *Record) { r.ExpandRelation("author", a); r.SetExpand(nil) }, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := rel("rrrrrrrrrrrrrrr")
			tc.build(r)
			ref := rel("rrrrrrrrrrrrrrr")
			ref.SetExpand(tc.want)
			if got, want := string(r.AppendJSON(nil)), string(ref.AppendJSON(nil)); got != want {
				t.Errorf("JSON\n got  %s\n want %s", got, want)
			}
			if got, want := r.PublicData()["expand"], ref.PublicData()["expand"]; !reflect.DeepEqual(got, want) {
				t.Errorf("PublicData expand = %v, want %v", got, want)
			}
			if got := r.Clone().Expand(); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Clone().Expand() = %v, want %v", got, tc.want)
			}
			if got := r.Expand(); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Expand() = %v, want %v", got, tc.want)
			}
		})
	}
}
