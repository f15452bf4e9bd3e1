package filter

import (
	"errors"
	"strconv"
	"strings"
	"testing"
)

func TestOpMethods(t *testing.T) {
	t.Parallel()
	tests := []struct {
		op   Op
		str  string
		any  bool
		base Op
	}{
		{OpEq, "=", false, OpEq}, {OpNeq, "!=", false, OpNeq}, {OpGt, ">", false, OpGt}, {OpGte, ">=", false, OpGte},
		{OpLt, "<", false, OpLt}, {OpLte, "<=", false, OpLte}, {OpLike, "~", false, OpLike}, {OpNotLike, "!~", false, OpNotLike},
		{OpAnyEq, "?=", true, OpEq}, {OpAnyNeq, "?!=", true, OpNeq}, {OpAnyGt, "?>", true, OpGt}, {OpAnyGte, "?>=", true, OpGte},
		{OpAnyLt, "?<", true, OpLt}, {OpAnyLte, "?<=", true, OpLte}, {OpAnyLike, "?~", true, OpLike}, {OpAnyNotLike, "?!~", true, OpNotLike},
		{Op(0), "Op(0)", false, Op(0)},
		{Op(200), "Op(200)", false, Op(200)},
	}
	for _, tt := range tests {
		t.Run(tt.str, func(t *testing.T) {
			t.Parallel()
			if got := tt.op.String(); got != tt.str {
				t.Errorf("String() = %q, want %q", got, tt.str)
			}
			if got := tt.op.IsAny(); got != tt.any {
				t.Errorf("IsAny() = %v, want %v", got, tt.any)
			}
			if got := tt.op.Base(); got != tt.base {
				t.Errorf("Base() = %v, want %v", got, tt.base)
			}
			if tt.op >= OpEq && tt.op <= OpAnyNotLike {
				e := MustParse("a " + tt.str + " 1").(*Comparison)
				if e.Op != tt.op {
					t.Errorf("parsed op = %v, want %v", e.Op, tt.op)
				}
			}
		})
	}
	if got := JoinAnd.String() + JoinOr.String() + JoinOp(9).String(); got != "&&||JoinOp(9)" {
		t.Errorf("JoinOp strings = %q", got)
	}
}

func TestWalk(t *testing.T) {
	t.Parallel()
	src := `a = 1 && (b ?= "x" || geoDistance(l.lon, l.lat, 2, 3) < 5)`
	e := MustParse(src)
	var visited []string
	Walk(e, func(n Node) bool {
		visited = append(visited, typeName(n)+"@"+strconv.Itoa(n.Pos()))
		return true
	})
	want := "Logical@0 Comparison@0 Identifier@0 Number@4 Logical@10 Comparison@10 Identifier@10 Text@15 " +
		"Comparison@22 Func@22 Identifier@34 Identifier@41 Number@48 Number@51 Number@56"
	if got := strings.Join(visited, " "); got != want {
		t.Errorf("Walk order\n got %s\nwant %s", got, want)
	}

	// Returning false skips children: only the two top-level children and
	// the root are seen when comparisons are not entered.
	n := 0
	Walk(e, func(n2 Node) bool {
		n++
		_, isCmp := n2.(*Comparison)
		_, isOr := n2.(*Logical)
		return !isCmp && !(isOr && n > 1)
	})
	if n != 3 {
		t.Errorf("Walk with pruning visited %d nodes, want 3", n)
	}

	Walk(nil, func(Node) bool { t.Error("fn called for nil node"); return true })
}

func typeName(n Node) string {
	switch n.(type) {
	case *Logical:
		return "Logical"
	case *Comparison:
		return "Comparison"
	case *Identifier:
		return "Identifier"
	case *Number:
		return "Number"
	case *Text:
		return "Text"
	case *Func:
		return "Func"
	}
	return "?"
}

func TestIdentifiers(t *testing.T) {
	t.Parallel()
	e := MustParse(`owner = @request.auth.id || strftime('%Y', created) = @year`)
	var got []string
	for _, id := range Identifiers(e) {
		got = append(got, id.Raw)
	}
	if want := "owner @request.auth.id created @year"; strings.Join(got, " ") != want {
		t.Errorf("Identifiers = %q, want %q", strings.Join(got, " "), want)
	}
}

func TestHandBuiltString(t *testing.T) {
	t.Parallel()
	cmp := func(f string) Expr {
		return &Comparison{Left: &Identifier{Raw: f, Kind: KindField, Path: []string{f}}, Op: OpEq, Right: &Number{Value: 1}}
	}
	tests := []struct {
		name string
		e    Expr
		want string
	}{
		{"and of or", &Logical{Op: JoinAnd, Exprs: []Expr{cmp("a"), &Logical{Op: JoinOr, Exprs: []Expr{cmp("b"), cmp("c")}}}}, "a = 1 && (b = 1 || c = 1)"},
		{"and of and keeps grouping", &Logical{Op: JoinAnd, Exprs: []Expr{cmp("a"), &Logical{Op: JoinAnd, Exprs: []Expr{cmp("b"), cmp("c")}}}}, "a = 1 && (b = 1 && c = 1)"},
		{"or of and", &Logical{Op: JoinOr, Exprs: []Expr{&Logical{Op: JoinAnd, Exprs: []Expr{cmp("a"), cmp("b")}}, cmp("c")}}, "a = 1 && b = 1 || c = 1"},
		{"or of or", &Logical{Op: JoinOr, Exprs: []Expr{&Logical{Op: JoinOr, Exprs: []Expr{cmp("a"), cmp("b")}}, cmp("c")}}, "a = 1 || b = 1 || c = 1"},
		{"text with quotes", &Comparison{Left: &Text{Value: `a"b\"c'`}, Op: OpLike, Right: &Text{Value: ""}}, `"a\"b\\"c'" ~ ""`},
		{"func no args", &Comparison{Left: &Func{Name: "strftime"}, Op: OpEq, Right: &Number{Value: -2.5}}, `strftime() = -2.5`},
		{"big number", &Comparison{Left: &Number{Value: 1e21}, Op: OpEq, Right: &Number{Value: 0.000001}}, `1000000000000000000000 = 0.000001`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := tt.e.String(); got != tt.want {
				t.Errorf("String() = %q, want %q", got, tt.want)
			}
		})
	}
	if got := (&Logical{}).Pos(); got != 0 {
		t.Errorf("empty Logical Pos() = %d, want 0", got)
	}
}

// Text values survive a String/Parse round trip, including quotes and
// backslashes in every position the lexer can produce.
func TestTextRoundTrip(t *testing.T) {
	t.Parallel()
	for _, src := range []string{
		`a = "plain"`, `a = 'it\'s'`, `a = '\"'`, `a = '\\"'`, `a = 'x\\\"y'`, `a = "a\b"`,
		`a = "\\\""`, `a = '"'`, `a = '""'`, `a = "'"`, `a = "\'"`, `a = 'é ✓ 日本'`,
	} {
		t.Run(src, func(t *testing.T) {
			t.Parallel()
			e := MustParse(src).(*Comparison)
			want := e.Right.(*Text).Value
			again := MustParse(e.String()).(*Comparison)
			if got := again.Right.(*Text).Value; got != want {
				t.Errorf("value after round trip = %q, want %q (printed %s)", got, want, e.String())
			}
		})
	}
}

func TestCountComparisonsAndLimits(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		src  string
		want int
	}{
		{"one", `a = 1`, 1},
		{"three", `a = 1 && (b = 2 || c = 3)`, 3},
		{"functions do not count", `strftime('%Y', created) = strftime('%Y')`, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := CountComparisons(MustParse(tt.src)); got != tt.want {
				t.Errorf("CountComparisons = %d, want %d", got, tt.want)
			}
		})
	}

	build := func(n int) string {
		parts := make([]string, n)
		for i := range parts {
			parts[i] = "a=1"
		}
		return strings.Join(parts, "||")
	}
	okSrc := build(MaxComparisons)
	if err := CheckLimits(okSrc, MustParse(okSrc)); err != nil {
		t.Errorf("CheckLimits(%d comparisons) = %v, want nil", MaxComparisons, err)
	}
	bad := build(MaxComparisons + 1)
	if err := CheckLimits(bad, MustParse(bad)); !errors.Is(err, ErrTooManyComparisons) {
		t.Errorf("CheckLimits(%d comparisons) = %v, want ErrTooManyComparisons", MaxComparisons+1, err)
	}
	long := "a = '" + strings.Repeat("x", MaxLength) + "'"
	if err := CheckLimits(long, nil); !errors.Is(err, ErrTooLong) {
		t.Errorf("CheckLimits(%d bytes) = %v, want ErrTooLong", len(long), err)
	}
	exact := strings.Repeat(" ", MaxLength-5) + "a = 1"
	if err := CheckLimits(exact, MustParse(exact)); err != nil {
		t.Errorf("CheckLimits(%d bytes) = %v, want nil", len(exact), err)
	}
}
