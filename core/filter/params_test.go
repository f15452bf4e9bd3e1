package filter

import (
	"strings"
	"testing"
)

// hostileValues are strings that would end a quote, open a new one or add
// syntax if they were pasted into filter text.
var hostileValues = []string{
	``, `x`, `x\`, `\`, `\\`, `"`, `'`, `\"`, `\'`, `x\" || id != "`, `" || 1=1 || "`,
	`' || 1=1 || '`, `}`, `{:b}`, `{:a}`, "line\nbreak", "nul\x00byte", "tab\tand\r",
	"ünïcødé ✓ 日本", "// comment", "a && b = 1", `)`, `(`, "\xff\xfe invalid utf-8",
}

// TestParseParamsBindsLiterals checks that every bound value becomes one
// literal node holding exactly that value, whatever its characters: the
// comparison keeps its shape (issue #22, defect 3).
func TestParseParamsBindsLiterals(t *testing.T) {
	t.Parallel()
	for _, v := range hostileValues {
		t.Run(v, func(t *testing.T) {
			t.Parallel()
			e, err := ParseParams(`title = {:a} && owner = {:b}`, map[string]any{"a": v, "b": "u1"})
			if err != nil {
				t.Fatalf("ParseParams: %v", err)
			}
			l, ok := e.(*Logical)
			if !ok || l.Op != JoinAnd || len(l.Exprs) != 2 {
				t.Fatalf("tree %s, want two comparisons joined by &&", tree(e))
			}
			c := l.Exprs[0].(*Comparison)
			txt, ok := c.Right.(*Text)
			if !ok || txt.Value != v {
				t.Fatalf("right operand %#v, want text %q", c.Right, v)
			}
			if txt.Offset != strings.Index(`title = {:a} && owner = {:b}`, "{:a}") {
				t.Fatalf("offset %d, want the placeholder's", txt.Offset)
			}
			if got := l.Exprs[1].(*Comparison).Right.(*Text).Value; got != "u1" {
				t.Fatalf("second value %q, want u1", got)
			}
		})
	}
}

func TestParseParamsTypes(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		v    any
		want string // tree of the right operand
	}{
		{"nil", nil, "literal(null)"},
		{"true", true, "literal(true)"},
		{"false", false, "literal(false)"},
		{"int", 42, "num(42)"},
		{"int64", int64(-7), "num(-7)"},
		{"uint8", uint8(5), "num(5)"},
		{"float", 1.5, "num(1.5)"},
		{"string", "null", `text("null")`},
		{"numeric string", "12", `text("12")`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e, err := ParseParams("a = {:v}", map[string]any{"v": tc.v})
			if err != nil {
				t.Fatalf("ParseParams: %v", err)
			}
			if got := operandTree(e.(*Comparison).Right); got != tc.want {
				t.Fatalf("got %s, want %s", got, tc.want)
			}
		})
	}
}

func operandTree(o Operand) string {
	switch o := o.(type) {
	case *Text:
		return "text(" + quote(o.Value) + ")"
	case *Number:
		return "num(" + o.String() + ")"
	case *Identifier:
		return o.Kind.String() + "(" + o.Raw + ")"
	}
	return o.String()
}

func TestParseParamsErrors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		src    string
		params map[string]any
		pos    int
		msg    string
	}{
		{"unbound", "a = {:x}", map[string]any{"y": 1}, 4, "no value bound to placeholder {:x}"},
		{"no params", "a = {:x}", nil, 4, "no value bound"},
		{"empty name", "a = {:}", map[string]any{"": 1}, 4, "invalid placeholder"},
		{"unclosed", "a = {:x", map[string]any{"x": 1}, 4, "invalid placeholder"},
		{"bad name", "a = {:x-y}", map[string]any{"x-y": 1}, 4, "invalid placeholder"},
		{"bad type", "a = {:x}", map[string]any{"x": []string{"a"}}, 4, "unsupported value of type []string"},
		{"lone brace", "a = {x}", nil, 4, "unexpected character"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := ParseParams(tc.src, tc.params)
			se, ok := err.(*SyntaxError)
			if !ok {
				t.Fatalf("error %v (%T), want *SyntaxError", err, err)
			}
			if se.Pos != tc.pos || !strings.Contains(se.Msg, tc.msg) {
				t.Fatalf("got %v, want position %d and %q", se, tc.pos, tc.msg)
			}
		})
	}
}

// TestPlaceholderInTextStaysText: a placeholder written inside quotes is
// part of the text, never replaced (PocketBase's string replacement
// replaced it and broke the quotes).
func TestPlaceholderInTextStaysText(t *testing.T) {
	t.Parallel()
	e, err := ParseParams(`a = "{:x}"`, map[string]any{"x": `"`})
	if err != nil {
		t.Fatal(err)
	}
	if got := e.(*Comparison).Right.(*Text).Value; got != "{:x}" {
		t.Fatalf("got %q, want the text {:x}", got)
	}
}
