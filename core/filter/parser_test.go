package filter

import (
	"errors"
	"strings"
	"testing"
)

// tree renders e with explicit structure so tests pin the shape, not just
// the canonical text: (and a = 1 (or b = 2 c = 3)).
func tree(e Expr) string {
	switch e := e.(type) {
	case *Logical:
		parts := make([]string, len(e.Exprs))
		for i, c := range e.Exprs {
			parts[i] = tree(c)
		}
		name := "and"
		if e.Op == JoinOr {
			name = "or"
		}
		return "(" + name + " " + strings.Join(parts, " ") + ")"
	case *Comparison:
		return "[" + e.String() + "]"
	}
	return "?"
}

func TestParseValid(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		src  string
		want string // canonical String()
		tree string // optional structure check
	}{
		// operators
		{"eq", `a = 1`, `a = 1`, `[a = 1]`},
		{"neq", `a != 1`, `a != 1`, ""},
		{"gt", `a > 1`, `a > 1`, ""},
		{"gte", `a >= 1`, `a >= 1`, ""},
		{"lt", `a < 1`, `a < 1`, ""},
		{"lte", `a <= 1`, `a <= 1`, ""},
		{"like", `a ~ "x"`, `a ~ "x"`, ""},
		{"not like", `a !~ "x"`, `a !~ "x"`, ""},
		{"any eq", `a ?= 1`, `a ?= 1`, ""},
		{"any neq", `a ?!= 1`, `a ?!= 1`, ""},
		{"any gt", `a ?> 1`, `a ?> 1`, ""},
		{"any gte", `a ?>= 1`, `a ?>= 1`, ""},
		{"any lt", `a ?< 1`, `a ?< 1`, ""},
		{"any lte", `a ?<= 1`, `a ?<= 1`, ""},
		{"any like", `a ?~ "x"`, `a ?~ "x"`, ""},
		{"any not like", `a ?!~ "x"`, `a ?!~ "x"`, ""},
		{"no spaces", `a>=1&&b!~'x'||c?!=d`, `a >= 1 && b !~ "x" || c ?!= d`, ""},
		{"operator then negative number", `a>=-1`, `a >= -1`, ""},

		// operands
		{"literal both sides", `'a' = 'a'`, `"a" = "a"`, ""},
		{"numbers both sides", `1 = 1`, `1 = 1`, ""},
		{"fields both sides", `title = status`, `title = status`, ""},
		{"number normalised", `a = 1.50`, `a = 1.5`, ""},
		{"leading zeros", `a = 007`, `a = 7`, ""},
		{"negative zero", `a = -0`, `a = -0`, ""},
		{"negative decimal", `a = -12.25`, `a = -12.25`, ""},
		{"double quoted", `a = "x y"`, `a = "x y"`, ""},
		{"single quoted", `a = 'x y'`, `a = "x y"`, ""},
		{"empty text", `a = ""`, `a = ""`, ""},
		{"escaped double quote", `a = "say \"hi\""`, `a = "say \"hi\""`, ""},
		{"escaped single quote", `a = 'it\'s'`, `a = "it's"`, ""},
		{"double quote inside single", `a = 'say "hi"'`, `a = "say \"hi\""`, ""},
		{"other escapes kept", `a = "c:\dir\n"`, `a = "c:\dir\n"`, ""},
		{"comment markers in text", `a = "http://x"`, `a = "http://x"`, ""},
		{"newline in text", "a = \"x\ny\"", "a = \"x\ny\"", ""},
		{"literals", `a = null && b = TRUE && c != False`, `a = null && b = TRUE && c != False`, ""},
		{"macro", `created >= @todayStart`, `created >= @todayStart`, ""},
		{"request identifiers", `@request.auth.id != "" && @request.method = "GET"`, `@request.auth.id != "" && @request.method = "GET"`, ""},
		{"modifier", `@request.body.tags:length <= 2`, `@request.body.tags:length <= 2`, ""},
		{"collection alias", `@collection.users:u.id ?= author`, `@collection.users:u.id ?= author`, ""},

		// functions
		{"geoDistance", `geoDistance(loc.lon, loc.lat, 23.32, 42.69) < 5`, `geoDistance(loc.lon, loc.lat, 23.32, 42.69) < 5`, ""},
		{"strftime one arg", `strftime('%Y') = "2026"`, `strftime("%Y") = "2026"`, ""},
		{"strftime trailing comma", `strftime('%Y-%m', created,) = '2026-01'`, `strftime("%Y-%m", created) = "2026-01"`, ""},
		{"strftime ten args", `strftime('%Y', created, 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h') = 1`, `strftime("%Y", created, "a", "b", "c", "d", "e", "f", "g", "h") = 1`, ""},
		{"functions both sides", `strftime('%Y') = strftime('%Y', created)`, `strftime("%Y") = strftime("%Y", created)`, ""},
		{"nested three levels", `strftime('%Y', strftime('%s', strftime('%Y'))) = 1`, `strftime("%Y", strftime("%s", strftime("%Y"))) = 1`, ""},
		{"spaces and comments in args", "strftime( '%Y' , // c\n created ) = 1", `strftime("%Y", created) = 1`, ""},
		{"geoDistance with request identifiers", `geoDistance(loc.lon, loc.lat, @request.query.lon, @request.query.lat) <= 10`, `geoDistance(loc.lon, loc.lat, @request.query.lon, @request.query.lat) <= 10`, ""},

		// precedence and grouping
		{"and binds tighter", `a = 1 && b = 2 || c = 3`, `a = 1 && b = 2 || c = 3`, `(or (and [a = 1] [b = 2]) [c = 3])`},
		{"and binds tighter on the right", `a = 1 || b = 2 && c = 3`, `a = 1 || b = 2 && c = 3`, `(or [a = 1] (and [b = 2] [c = 3]))`},
		{"parens override", `a = 1 && (b = 2 || c = 3)`, `a = 1 && (b = 2 || c = 3)`, `(and [a = 1] (or [b = 2] [c = 3]))`},
		{"flat and chain", `a=1 && b=2 && c=3`, `a = 1 && b = 2 && c = 3`, `(and [a = 1] [b = 2] [c = 3])`},
		{"flat or chain", `a=1 || b=2 || c=3`, `a = 1 || b = 2 || c = 3`, `(or [a = 1] [b = 2] [c = 3])`},
		{"redundant parens dropped", `((a = 1))`, `a = 1`, `[a = 1]`},
		{"nested and flattened", `a=1 && (b=2 && c=3)`, `a = 1 && b = 2 && c = 3`, `(and [a = 1] [b = 2] [c = 3])`},
		{"nested or flattened", `(a=1 || b=2) || c=3`, `a = 1 || b = 2 || c = 3`, `(or [a = 1] [b = 2] [c = 3])`},
		{"and group in or", `(a=1 && b=2) || c=3`, `a = 1 && b = 2 || c = 3`, `(or (and [a = 1] [b = 2]) [c = 3])`},
		{"mixed", `a=1 || b=2 && (c=3 || d=4) && e=5 || f=6`, `a = 1 || b = 2 && (c = 3 || d = 4) && e = 5 || f = 6`,
			`(or [a = 1] (and [b = 2] (or [c = 3] [d = 4]) [e = 5]) [f = 6])`},

		// whitespace and comments
		{"comments and newlines", "// leading\na = 1 // trailing\r\n\t&& b = 2 // end", `a = 1 && b = 2`, ""},
		{"comment without newline at end", `a = 1 //`, `a = 1`, ""},
		{"spec example 3.9", `title~"hello" && status != ""`, `title ~ "hello" && status != ""`, ""},
		{"spec example back-relation", `comments_via_post.msg ?= "nice"`, `comments_via_post.msg ?= "nice"`, ""},
		{"spec example json path", `meta.arr.1 = 2`, `meta.arr.1 = 2`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e, err := Parse(tt.src)
			if err != nil {
				t.Fatalf("Parse(%q) error: %v", tt.src, err)
			}
			if got := e.String(); got != tt.want {
				t.Errorf("String() = %q, want %q", got, tt.want)
			}
			if tt.tree != "" {
				if got := tree(e); got != tt.tree {
					t.Errorf("tree = %s, want %s", got, tt.tree)
				}
			}
			again, err := Parse(e.String())
			if err != nil {
				t.Fatalf("re-parse of %q: %v", e.String(), err)
			}
			if again.String() != e.String() {
				t.Errorf("re-parse String() = %q, want %q", again.String(), e.String())
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		src  string
		pos  int
		msg  string // substring of the message
	}{
		{"empty", ``, 0, "empty expression"},
		{"whitespace only", " \t\n ", 0, "empty expression"},
		{"comment only", "// nothing here", 0, "empty expression"},
		{"lone operand", `a`, 1, `expected a comparison operator after "a", got end of input`},
		{"missing right operand", `a =`, 3, `expected an operand after "=", got end of input`},
		{"missing left operand", `= 1`, 0, `expected a comparison or '(', got "="`},
		{"double operator", `a = = 1`, 4, `expected an operand after "=", got "="`},
		{"double equals", `a == 1`, 3, `expected an operand after "="`},
		{"missing join", `a = 1 b = 2`, 6, `expected && or || after "a = 1", got identifier "b"`},
		{"dangling and", `a = 1 &&`, 8, `expected a comparison or '(', got end of input`},
		{"leading or", `|| a = 1`, 0, `expected a comparison or '(', got "||"`},
		{"single ampersand", `a = 1 & b = 2`, 6, `unexpected "&", did you mean "&&"?`},
		{"single pipe", `a = 1 | b = 2`, 6, `unexpected "|", did you mean "||"?`},
		{"bang alone", `a ! 1`, 2, "invalid operator '!'"},
		{"question alone", `a ? 1`, 2, "'?' must be followed by"},
		{"question bad", `a ?? 1`, 2, "'?' must be followed by"},
		{"unexpected char", `a = 1 ; b = 2`, 6, `unexpected character ';'`},
		{"unexpected unicode", `a = 1 && é = 2`, 9, `unexpected character 'é'`},
		{"unexpected slash", `a / 1`, 2, `unexpected character '/'`},
		{"unclosed paren", `(a = 1`, 0, "unclosed '(': missing ')'"},
		{"unclosed paren nested", `a = 1 && (b = 2 || (c = 3)`, 9, "unclosed '('"},
		{"unclosed empty paren", `(`, 0, "unclosed '('"},
		{"empty parens", `()`, 1, "empty parentheses"},
		{"extra close paren", `a = 1)`, 5, "unexpected ')' without a matching '('"},
		{"junk in parens", `(a = 1 b)`, 7, `expected &&, || or ')' after "a = 1", got identifier "b"`},
		{"paren as operand", `a = (1)`, 4, `expected an operand after "=", got "("`},
		{"comparison of groups", `(a = 1) = 1`, 8, `expected && or ||`},

		// numbers
		{"minus alone", `a = -`, 4, `invalid number "-"`},
		{"minus space", `a = - 1`, 4, `invalid number "-"`},
		{"leading dot", `a = .5`, 4, "must start with a digit"},
		{"trailing dot", `a = 5.`, 4, `invalid number "5."`},
		{"exponent", `a = 1e5`, 4, `invalid number "1e5"`},
		{"two dots", `a = 1.2.3`, 4, `invalid number "1.2.3"`},
		{"digits then letters", `a = 5abc`, 4, `invalid number "5abc"`},
		{"out of range", `a = 1` + strings.Repeat("0", 400), 4, "out of range"},

		// text
		{"unterminated double", `a = "abc`, 4, "unterminated text"},
		{"unterminated single", `a = 'abc`, 4, "unterminated text"},
		{"escaped closing quote", `a = "abc\"`, 4, "unterminated text"},
		{"mismatched quotes", `a = "abc'`, 4, "unterminated text"},

		// identifiers
		{"lone at", `@ = 1`, 0, `invalid identifier "@"`},
		{"lone underscore", `_ = 1`, 0, `invalid identifier "_"`},
		{"lone hash", `# = 1`, 0, `invalid identifier "#"`},
		{"hash identifier", `#abc = 1`, 0, `failed to resolve field "#abc"`},
		{"trailing dot", `a. = 1`, 1, `must not end with "."`},
		{"trailing colon", `a: = 1`, 1, `must not end with ":"`},
		{"empty segment", `a..b = 1`, 2, "empty path segment"},
		{"unknown at form", `x = 1 && @foo = 1`, 9, `failed to resolve field "@foo"`},
		{"request data", `@request.data.x = 1`, 9, "@request.data.* is not supported"},
		{"unknown modifier", `tags:first = 1`, 4, `unknown modifier ":first"`},
		{"modifier not last", `a:each.b = 1`, 1, "only allowed on the last path segment"},

		// functions
		{"unknown function", `a = 1 && count(x) > 1`, 9, `unknown function "count"`},
		{"function name is case-sensitive", `STRFTIME('%Y') = 1`, 0, `unknown function "STRFTIME"`},
		{"space before call paren", `strftime ('%Y') = 1`, 9, `expected a comparison operator after "strftime", got "("`},
		{"geoDistance too few", `geoDistance(1, 2, 3) < 1`, 0, "geoDistance expects exactly 4 arguments, got 3"},
		{"geoDistance too many", `geoDistance(1, 2, 3, 4, 5) < 1`, 0, "geoDistance expects exactly 4 arguments, got 5"},
		{"geoDistance text arg", `geoDistance(1, "2", 3, 4) < 1`, 15, "argument 2 of geoDistance must be a number or an identifier"},
		{"geoDistance nested call", `geoDistance(1, 2, 3, strftime('%s')) < 1`, 21, "argument 4 of geoDistance"},
		{"strftime no args", `strftime() = 1`, 0, "strftime expects 1 to 10 arguments, got 0"},
		{"strftime eleven args", `strftime('%Y', 1, 2, 3, 4, 5, 6, 7, 8, 9, 10) = 1`, 0, "got 11"},
		{"strftime format not text", `strftime(created) = 1`, 9, "format (argument 1) of strftime must be a text literal, got identifier created"},
		{"nested four levels", `strftime('%Y', strftime('%Y', strftime('%Y', strftime('%Y')))) = 1`, 45, "functions nested deeper than 3 levels"},
		{"unclosed call", `strftime('%Y'`, 0, "unclosed call strftime(: missing ')'"},
		{"unclosed call after comma", `strftime('%Y',`, 0, "unclosed call"},
		{"leading comma", `strftime(,'%Y') = 1`, 9, `expected an argument of strftime or ')', got ","`},
		{"double comma", `strftime('%Y',,) = 1`, 14, `expected an argument of strftime or ')', got ","`},
		{"missing comma", `strftime('%Y' created) = 1`, 14, `expected ',' or ')' in strftime(...), got identifier "created"`},
		{"group in args", `strftime(('%Y')) = 1`, 9, `got "("`},
		{"function alone", `strftime('%Y')`, 14, "expected a comparison operator"},
		{"bad identifier in args", `strftime('%Y', @foo) = 1`, 15, `failed to resolve field "@foo"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e, err := Parse(tt.src)
			if err == nil {
				t.Fatalf("Parse(%q) = %q, want error", tt.src, e)
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

func TestParseDepthLimit(t *testing.T) {
	t.Parallel()
	ok := strings.Repeat("(", MaxGroupDepth) + "a = 1" + strings.Repeat(")", MaxGroupDepth)
	if _, err := Parse(ok); err != nil {
		t.Fatalf("Parse with %d nested groups: %v", MaxGroupDepth, err)
	}
	deep := strings.Repeat("(", MaxGroupDepth+1) + "a = 1" + strings.Repeat(")", MaxGroupDepth+1)
	_, err := Parse(deep)
	var se *SyntaxError
	if !errors.As(err, &se) || se.Pos != MaxGroupDepth || !strings.Contains(se.Msg, "nested deeper") {
		t.Fatalf("Parse with %d nested groups: got %v, want nesting error at %d", MaxGroupDepth+1, err, MaxGroupDepth)
	}
}

func TestSyntaxErrorString(t *testing.T) {
	t.Parallel()
	err := (&SyntaxError{Pos: 7, Msg: "boom"}).Error()
	if want := "syntax error at position 7: boom"; err != want {
		t.Errorf("Error() = %q, want %q", err, want)
	}
}

func TestMustParsePanics(t *testing.T) {
	t.Parallel()
	defer func() {
		if recover() == nil {
			t.Error("MustParse of an invalid filter did not panic")
		}
	}()
	MustParse("a =")
}
