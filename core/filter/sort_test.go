package filter

import (
	"errors"
	"strings"
	"testing"
)

func TestParseSort(t *testing.T) {
	t.Parallel()
	type item struct {
		raw  string
		kind IdentKind
		desc bool
		pos  int
	}
	tests := []struct {
		name string
		src  string
		want []item
	}{
		{"empty", "", nil},
		{"spaces only", "   ", nil},
		{"single asc", "created", []item{{"created", KindField, false, 0}}},
		{"single desc", "-created", []item{{"created", KindField, true, 1}}},
		{"plus prefix", "+created", []item{{"created", KindField, false, 1}}},
		{"list", "-created,title,+id", []item{
			{"created", KindField, true, 1}, {"title", KindField, false, 9}, {"id", KindField, false, 16}}},
		{"spaces trimmed", " -created , title ", []item{{"created", KindField, true, 2}, {"title", KindField, false, 12}}},
		{"relation path", "author.name", []item{{"author.name", KindField, false, 0}}},
		{"json path", "-meta.k", []item{{"meta.k", KindField, true, 1}}},
		{"back-relation", "comments_via_post.created", []item{{"comments_via_post.created", KindField, false, 0}}},
		{"random", "@random", []item{{"@random", KindRandom, false, 0}}},
		{"random desc", "-@random", []item{{"@random", KindRandom, true, 1}}},
		{"rowid desc", "-@rowid", []item{{"@rowid", KindRowID, true, 1}}},
		{"request", "@request.query.order", []item{{"@request.query.order", KindRequestQuery, false, 0}}},
		{"collection", "@collection.posts.title", []item{{"@collection.posts.title", KindCollection, false, 0}}},
		{"modifier", "title:lower", []item{{"title:lower", KindField, false, 0}}},
		{"eight items", "a,b,c,d,e,f,g,h", []item{
			{"a", KindField, false, 0}, {"b", KindField, false, 2}, {"c", KindField, false, 4}, {"d", KindField, false, 6},
			{"e", KindField, false, 8}, {"f", KindField, false, 10}, {"g", KindField, false, 12}, {"h", KindField, false, 14}}},
		{"max length item", strings.Repeat("a", MaxSortItemLength), []item{{strings.Repeat("a", MaxSortItemLength), KindField, false, 0}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseSort(tt.src)
			if err != nil {
				t.Fatalf("ParseSort(%q) error: %v", tt.src, err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("ParseSort(%q) = %d items, want %d", tt.src, len(got), len(tt.want))
			}
			for i, w := range tt.want {
				g := got[i]
				if g.Ident.Raw != w.raw || g.Ident.Kind != w.kind || g.Desc != w.desc || g.Ident.Offset != w.pos {
					t.Errorf("item %d = {%q %v desc=%v pos=%d}, want {%q %v desc=%v pos=%d}",
						i, g.Ident.Raw, g.Ident.Kind, g.Desc, g.Ident.Offset, w.raw, w.kind, w.desc, w.pos)
				}
			}
		})
	}
}

func TestSortItemString(t *testing.T) {
	t.Parallel()
	items, err := ParseSort("-created, +title ,@random")
	if err != nil {
		t.Fatal(err)
	}
	var parts []string
	for _, it := range items {
		parts = append(parts, it.String())
	}
	if got, want := strings.Join(parts, ","), "-created,title,@random"; got != want {
		t.Errorf("items = %q, want %q", got, want)
	}
}

func TestParseSortErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		src  string
		pos  int
		msg  string
	}{
		{"nine items", "a,b,c,d,e,f,g,h,i", 0, "too many sort fields: 9, max 8"},
		{"empty item", "a,,b", 2, "empty sort field"},
		{"trailing comma", "a,", 2, "empty sort field"},
		{"leading comma", ",a", 0, "empty sort field"},
		{"prefix only", "a, -", 4, "empty sort field"},
		{"double prefix", "--a", 1, "must start with"},
		{"space after prefix", "- a", 1, "must start with"},
		{"too long", "-" + strings.Repeat("a", MaxSortItemLength+1), 1, "longer than 255 bytes"},
		{"invalid char", "a,b-c", 3, "invalid character '-'"},
		{"unknown at form", "@foo", 0, `failed to resolve field "@foo"`},
		{"bad modifier", "a,title:desc", 7, `unknown modifier ":desc"`},
		{"inner space", "a b", 1, "invalid character ' '"},
		{"random with modifier", "@random:lower", 0, `failed to resolve field "@random:lower"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseSort(tt.src)
			if err == nil {
				t.Fatalf("ParseSort(%q) = %v, want error", tt.src, got)
			}
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("error %v (%T) is not a *SyntaxError", err, err)
			}
			if se.Pos != tt.pos {
				t.Errorf("Pos = %d, want %d (%v)", se.Pos, tt.pos, err)
			}
			if !strings.Contains(se.Msg, tt.msg) {
				t.Errorf("Msg = %q, want it to contain %q", se.Msg, tt.msg)
			}
		})
	}
}
