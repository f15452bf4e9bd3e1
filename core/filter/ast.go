package filter

import (
	"strconv"
	"strings"
)

// Node is anything in the AST: an Expr or an Operand.
type Node interface {
	// Pos returns the byte offset in the parsed source where the node starts.
	Pos() int
	// String returns the node in canonical source form.
	String() string
}

// Expr is a boolean expression: a *Comparison or a *Logical.
type Expr interface {
	Node
	exprNode()
}

// Operand is one side of a comparison or a function argument: an
// *Identifier, *Number, *Text or *Func.
type Operand interface {
	Node
	operandNode()
}

// JoinOp is the operator of a Logical node.
type JoinOp uint8

// The logical operators. JoinAnd binds tighter than JoinOr (spec §3.1).
const (
	JoinAnd JoinOp = iota + 1 // &&
	JoinOr                    // ||
)

// String returns "&&" or "||".
func (j JoinOp) String() string {
	switch j {
	case JoinAnd:
		return "&&"
	case JoinOr:
		return "||"
	}
	return "JoinOp(" + strconv.Itoa(int(j)) + ")"
}

// Logical is two or more expressions joined by one operator. The parser
// never nests a Logical directly inside another with the same Op (those are
// flattened), so a translator can emit "(e1 AND e2 AND ...)" without caring
// about associativity.
type Logical struct {
	Op    JoinOp
	Exprs []Expr // len >= 2
}

// Pos returns the position of the first child.
func (l *Logical) Pos() int {
	if len(l.Exprs) == 0 {
		return 0
	}
	return l.Exprs[0].Pos()
}

// String prints the children joined by " && " or " || ". Only a Logical
// inside an And is parenthesised: an Or there needs it for precedence, and an
// And there (never produced by the parser, only by hand-built trees) keeps
// its grouping visible. Children of an Or never need parentheses.
func (l *Logical) String() string {
	var b strings.Builder
	for i, e := range l.Exprs {
		if i > 0 {
			b.WriteByte(' ')
			b.WriteString(l.Op.String())
			b.WriteByte(' ')
		}
		if c, ok := e.(*Logical); ok && l.Op == JoinAnd {
			b.WriteByte('(')
			b.WriteString(c.String())
			b.WriteByte(')')
			continue
		}
		b.WriteString(e.String())
	}
	return b.String()
}

func (*Logical) exprNode() {}

// Op is a comparison operator.
type Op uint8

// The comparison operators. Each Any variant ('?'-prefixed) is the base
// operator plus anyOffset, so Base and IsAny are arithmetic.
const (
	OpEq      Op = iota + 1 // =
	OpNeq                   // !=
	OpGt                    // >
	OpGte                   // >=
	OpLt                    // <
	OpLte                   // <=
	OpLike                  // ~
	OpNotLike               // !~

	OpAnyEq      // ?=
	OpAnyNeq     // ?!=
	OpAnyGt      // ?>
	OpAnyGte     // ?>=
	OpAnyLt      // ?<
	OpAnyLte     // ?<=
	OpAnyLike    // ?~
	OpAnyNotLike // ?!~
)

const anyOffset = OpAnyEq - OpEq

var opNames = [...]string{
	OpEq: "=", OpNeq: "!=", OpGt: ">", OpGte: ">=", OpLt: "<", OpLte: "<=", OpLike: "~", OpNotLike: "!~",
	OpAnyEq: "?=", OpAnyNeq: "?!=", OpAnyGt: "?>", OpAnyGte: "?>=", OpAnyLt: "?<", OpAnyLte: "?<=",
	OpAnyLike: "?~", OpAnyNotLike: "?!~",
}

// String returns the operator as written in the source, e.g. "?!=".
func (o Op) String() string {
	if o >= OpEq && o <= OpAnyNotLike {
		return opNames[o]
	}
	return "Op(" + strconv.Itoa(int(o)) + ")"
}

// IsAny reports whether o is a '?'-prefixed "at least one value" operator
// (spec §3.6).
func (o Op) IsAny() bool { return o >= OpAnyEq && o <= OpAnyNotLike }

// Base returns the operator without its "any" flag: OpAnyEq.Base() == OpEq.
// Base operators are returned unchanged.
func (o Op) Base() Op {
	if o.IsAny() {
		return o - anyOffset
	}
	return o
}

// Comparison is "Left Op Right".
type Comparison struct {
	Left  Operand
	Op    Op
	Right Operand
}

// Pos returns the position of the left operand.
func (c *Comparison) Pos() int { return c.Left.Pos() }

// String returns "left op right".
func (c *Comparison) String() string {
	return c.Left.String() + " " + c.Op.String() + " " + c.Right.String()
}

func (*Comparison) exprNode() {}

// Number is a numeric literal. Numbers are float64 because the store binds
// them as float64 parameters (spec §3.1).
type Number struct {
	Value  float64
	Offset int // byte offset in the source
}

// Pos returns the byte offset of the literal.
func (n *Number) Pos() int { return n.Offset }

// String returns the shortest decimal form without exponent, e.g. "1.5"
// for "1.50", so equal numbers print equally.
func (n *Number) String() string { return strconv.FormatFloat(n.Value, 'f', -1, 64) }

func (*Number) operandNode() {}

// Text is a quoted string literal with its escapes resolved.
type Text struct {
	Value  string
	Offset int // byte offset of the opening quote
}

// Pos returns the byte offset of the opening quote.
func (t *Text) Pos() int { return t.Offset }

// String returns the value in double quotes with '"' escaped as \". Values
// produced by the lexer never end in a backslash, so this always re-lexes to
// the same value; a value bound to a {:name} placeholder may (the language
// has no way to write one), so a tree with such a value prints a form that
// is still unique but does not parse.
func (t *Text) String() string { return quote(t.Value) }

func (*Text) operandNode() {}

func quote(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `\"`) + `"`
}

// Func is a function call such as geoDistance(a, b, 1, 2). The parser only
// produces calls to known functions with valid arguments (see Parse).
type Func struct {
	Name   string
	Args   []Operand
	Offset int // byte offset of the name
}

// Pos returns the byte offset of the function name.
func (f *Func) Pos() int { return f.Offset }

// String returns "name(arg1, arg2)".
func (f *Func) String() string {
	var b strings.Builder
	b.WriteString(f.Name)
	b.WriteByte('(')
	for i, a := range f.Args {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(a.String())
	}
	b.WriteByte(')')
	return b.String()
}

func (*Func) operandNode() {}

// Compile-time checks that every node implements its interface.
var (
	_ Expr    = (*Logical)(nil)
	_ Expr    = (*Comparison)(nil)
	_ Operand = (*Number)(nil)
	_ Operand = (*Text)(nil)
	_ Operand = (*Func)(nil)
)

// Walk traverses the tree rooted at n depth-first in source order, calling
// fn for every node (expressions, operands and function arguments). When fn
// returns false the children of that node are skipped. Nil nodes are
// ignored.
func Walk(n Node, fn func(Node) bool) {
	if n == nil || !fn(n) {
		return
	}
	switch n := n.(type) {
	case *Logical:
		for _, e := range n.Exprs {
			Walk(e, fn)
		}
	case *Comparison:
		Walk(n.Left, fn)
		Walk(n.Right, fn)
	case *Func:
		for _, a := range n.Args {
			Walk(a, fn)
		}
	}
}

// Identifiers returns every identifier in n (including function arguments)
// in source order; handy for resolvers and for rule validation.
func Identifiers(n Node) []*Identifier {
	var ids []*Identifier
	Walk(n, func(n Node) bool {
		if id, ok := n.(*Identifier); ok {
			ids = append(ids, id)
		}
		return true
	})
	return ids
}
