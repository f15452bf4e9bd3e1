package filter

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestParseIdentifier(t *testing.T) {
	t.Parallel()
	tests := []struct {
		raw  string
		want Identifier // Raw and Offset are filled in by the test
	}{
		{"title", Identifier{Kind: KindField, Path: []string{"title"}}},
		{"id", Identifier{Kind: KindField, Path: []string{"id"}}},
		{"author.name", Identifier{Kind: KindField, Path: []string{"author", "name"}}},
		{"a.b.c.d.e.f.g", Identifier{Kind: KindField, Path: []string{"a", "b", "c", "d", "e", "f", "g"}}},
		{"comments_via_post.author.name", Identifier{Kind: KindField, Path: []string{"comments_via_post", "author", "name"}}},
		{"meta.arr.0.c", Identifier{Kind: KindField, Path: []string{"meta", "arr", "0", "c"}}},
		{"_private", Identifier{Kind: KindField, Path: []string{"_private"}}},
		{"__", Identifier{Kind: KindField, Path: []string{"__"}}},
		{"tags:each", Identifier{Kind: KindField, Path: []string{"tags"}, Modifier: ModEach}},
		{"tags:length", Identifier{Kind: KindField, Path: []string{"tags"}, Modifier: ModLength}},
		{"cats.name:lower", Identifier{Kind: KindField, Path: []string{"cats", "name"}, Modifier: ModLower}},
		{"title:isset", Identifier{Kind: KindField, Path: []string{"title"}, Modifier: ModIsset}},
		{"title:changed", Identifier{Kind: KindField, Path: []string{"title"}, Modifier: ModChanged}},

		{"null", Identifier{Kind: KindLiteral, Path: []string{"null"}}},
		{"NULL", Identifier{Kind: KindLiteral, Path: []string{"NULL"}}},
		{"true", Identifier{Kind: KindLiteral, Path: []string{"true"}}},
		{"False", Identifier{Kind: KindLiteral, Path: []string{"False"}}},
		{"null:isset", Identifier{Kind: KindField, Path: []string{"null"}, Modifier: ModIsset}},
		{"null.x", Identifier{Kind: KindField, Path: []string{"null", "x"}}},
		{"nullable", Identifier{Kind: KindField, Path: []string{"nullable"}}},

		{"@request.auth.id", Identifier{Kind: KindRequestAuth, Path: []string{"id"}}},
		{"@request.auth.rel.name", Identifier{Kind: KindRequestAuth, Path: []string{"rel", "name"}}},
		{"@request.auth.id:isset", Identifier{Kind: KindRequestAuth, Path: []string{"id"}, Modifier: ModIsset}},
		{"@request.body.owner", Identifier{Kind: KindRequestBody, Path: []string{"owner"}}},
		{"@request.body.owner:changed", Identifier{Kind: KindRequestBody, Path: []string{"owner"}, Modifier: ModChanged}},
		{"@request.body.tags:length", Identifier{Kind: KindRequestBody, Path: []string{"tags"}, Modifier: ModLength}},
		{"@request.body.tags:each", Identifier{Kind: KindRequestBody, Path: []string{"tags"}, Modifier: ModEach}},
		{"@request.body.rel.name", Identifier{Kind: KindRequestBody, Path: []string{"rel", "name"}}},
		{"@request.query.q", Identifier{Kind: KindRequestQuery, Path: []string{"q"}}},
		{"@request.query.q:lower", Identifier{Kind: KindRequestQuery, Path: []string{"q"}, Modifier: ModLower}},
		{"@request.headers.x_token", Identifier{Kind: KindRequestHeaders, Path: []string{"x_token"}}},
		{"@request.method", Identifier{Kind: KindRequestMethod}},
		{"@request.method:lower", Identifier{Kind: KindRequestMethod, Modifier: ModLower}},
		{"@request.context", Identifier{Kind: KindRequestContext}},

		{"@collection.posts.title", Identifier{Kind: KindCollection, Collection: "posts", Path: []string{"title"}}},
		{"@collection.posts:p.author.name", Identifier{Kind: KindCollection, Collection: "posts", Alias: "p", Path: []string{"author", "name"}}},
		{"@collection.memberships.user:lower", Identifier{Kind: KindCollection, Collection: "memberships", Path: []string{"user"}, Modifier: ModLower}},
		{"@collection.posts:p.tags:each", Identifier{Kind: KindCollection, Collection: "posts", Alias: "p", Path: []string{"tags"}, Modifier: ModEach}},

		{"@now", Identifier{Kind: KindMacro}},
		{"@yesterday", Identifier{Kind: KindMacro}},
		{"@tomorrow", Identifier{Kind: KindMacro}},
		{"@todayStart", Identifier{Kind: KindMacro}},
		{"@todayEnd", Identifier{Kind: KindMacro}},
		{"@monthStart", Identifier{Kind: KindMacro}},
		{"@monthEnd", Identifier{Kind: KindMacro}},
		{"@yearStart", Identifier{Kind: KindMacro}},
		{"@yearEnd", Identifier{Kind: KindMacro}},
		{"@second", Identifier{Kind: KindMacro}},
		{"@minute", Identifier{Kind: KindMacro}},
		{"@hour", Identifier{Kind: KindMacro}},
		{"@day", Identifier{Kind: KindMacro}},
		{"@month", Identifier{Kind: KindMacro}},
		{"@weekday", Identifier{Kind: KindMacro}},
		{"@year", Identifier{Kind: KindMacro}},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			t.Parallel()
			got, err := ParseIdentifier(tt.raw)
			if err != nil {
				t.Fatalf("ParseIdentifier(%q) error: %v", tt.raw, err)
			}
			want := tt.want
			want.Raw = tt.raw
			if !reflect.DeepEqual(*got, want) {
				t.Errorf("ParseIdentifier(%q)\n got %+v\nwant %+v", tt.raw, *got, want)
			}
			if got.String() != tt.raw {
				t.Errorf("String() = %q, want %q", got.String(), tt.raw)
			}
		})
	}
}

func TestParseIdentifierErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		raw string
		pos int
		msg string
	}{
		{"", 0, "empty identifier"},
		{"1abc", 0, "must start with a letter"},
		{"a-b", 1, "invalid character '-'"},
		{"a b", 1, "invalid character ' '"},
		{"@", 0, `invalid identifier "@"`},
		{"_", 0, `invalid identifier "_"`},
		{"#", 0, `invalid identifier "#"`},
		{"#tag", 0, `failed to resolve field "#tag"`},
		{"a.", 1, `must not end with "."`},
		{"a:", 1, `must not end with ":"`},
		{".a", 0, "must start with"},
		{"a..b", 2, "empty path segment"},
		{"a.:isset", 2, "empty path segment"},
		{"a:isset.b", 1, "only allowed on the last path segment"},
		{"a.b:lower.c", 3, "only allowed on the last path segment"},
		{"a:foo", 1, `unknown modifier ":foo"`},
		{"a:ISSET", 1, `unknown modifier ":ISSET"`},
		{"a:isset:lower", 1, `unknown modifier ":isset:lower"`},
		{"a@b", 1, "invalid character '@'"},
		{"@foo", 0, `failed to resolve field "@foo"`},
		{"@foo.bar", 0, `failed to resolve field "@foo.bar"`},
		{"@random", 0, `failed to resolve field "@random"`},
		{"@rowid", 0, `failed to resolve field "@rowid"`},
		{"@now.x", 0, `failed to resolve field "@now.x"`},
		{"@NOW", 0, `failed to resolve field "@NOW"`},
		{"@now:lower", 4, `modifier ":lower" is not allowed on macro @now`},
		{"@request", 0, "expected @request.auth, body, query, headers, method or context"},
		{"@request.foo", 9, "unknown @request.foo"},
		{"@request.data", 9, "@request.data.* is not supported"},
		{"@request.data.title", 9, "@request.data.* is not supported"},
		{"@request.auth", 9, "@request.auth needs a field path"},
		{"@request.body:isset", 9, "@request.body needs a field path"},
		{"@request.method.x", 16, "@request.method has no sub-fields"},
		{"@request.context.x", 17, "@request.context has no sub-fields"},
		{"@request.auth:x.id", 13, "only allowed on the last path segment"},
		{"@collection", 0, "expected @collection.<name>[:alias].<field>"},
		{"@collection.posts", 0, "expected @collection.<name>[:alias].<field>"},
		{"@collection.posts:p", 0, "expected @collection.<name>[:alias].<field>"},
		{"@collection.posts:p:q.id", 18, `invalid collection alias "p:q"`},
		{"@collection.:p.id", 12, `invalid collection name ""`},
		{"@collection.posts.a:each.b", 19, "only allowed on the last path segment"},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			t.Parallel()
			got, err := ParseIdentifier(tt.raw)
			if err == nil {
				t.Fatalf("ParseIdentifier(%q) = %+v, want error", tt.raw, got)
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

func TestIdentifierLiteral(t *testing.T) {
	t.Parallel()
	tests := []struct {
		raw    string
		want   any
		wantOK bool
	}{
		{"null", nil, true},
		{"Null", nil, true},
		{"true", true, true},
		{"TRUE", true, true},
		{"false", false, true},
		{"fAlSe", false, true},
		{"title", nil, false},
		{"@now", nil, false},
		{"true:isset", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			t.Parallel()
			id, err := ParseIdentifier(tt.raw)
			if err != nil {
				t.Fatal(err)
			}
			got, ok := id.Literal()
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("Literal() = %v, %v; want %v, %v", got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestIdentifierOffsetInExpression(t *testing.T) {
	t.Parallel()
	e := MustParse(`a = 1 && @request.body.tags:length > 2`)
	ids := Identifiers(e)
	if len(ids) != 2 {
		t.Fatalf("Identifiers() = %d items, want 2", len(ids))
	}
	if got := ids[1].Offset; got != 9 {
		t.Errorf("Offset = %d, want 9", got)
	}
	if got := ids[1].Kind; got != KindRequestBody {
		t.Errorf("Kind = %v, want %v", got, KindRequestBody)
	}
}

func TestKindAndModifierStrings(t *testing.T) {
	t.Parallel()
	kinds := map[IdentKind]string{
		KindField: "field", KindLiteral: "literal", KindMacro: "macro", KindRequestAuth: "@request.auth",
		KindRequestBody: "@request.body", KindRequestQuery: "@request.query", KindRequestHeaders: "@request.headers",
		KindRequestMethod: "@request.method", KindRequestContext: "@request.context", KindCollection: "@collection",
		KindRandom: "@random", KindRowID: "@rowid", IdentKind(0): "IdentKind(0)", IdentKind(99): "IdentKind(99)",
	}
	for k, want := range kinds {
		if got := k.String(); got != want {
			t.Errorf("IdentKind(%d).String() = %q, want %q", k, got, want)
		}
	}
	for k := KindField; k <= KindRowID; k++ {
		want := strings.HasPrefix(k.String(), "@request.")
		if got := k.IsRequest(); got != want {
			t.Errorf("%v.IsRequest() = %v, want %v", k, got, want)
		}
	}
	mods := map[Modifier]string{ModNone: "", ModIsset: "isset", ModChanged: "changed", ModLength: "length", ModEach: "each", ModLower: "lower", Modifier(42): "Modifier(42)"}
	for m, want := range mods {
		if got := m.String(); got != want {
			t.Errorf("Modifier(%d).String() = %q, want %q", m, got, want)
		}
	}
}
