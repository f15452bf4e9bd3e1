package filter

import (
	"fmt"
	"math"
)

// MaxFuncDepth is how deeply function calls may nest: f(g(h(x))) is the
// deepest allowed (spec §3.1).
const MaxFuncDepth = 3

// MaxGroupDepth bounds parenthesis nesting. The spec sets no limit, but
// without one a hostile filter of a million '(' would recurse a million
// frames deep; no real filter comes close to this.
const MaxGroupDepth = 128

// Parse parses a filter or rule expression. It returns a *SyntaxError for
// any lexical or grammatical problem, an unknown or malformed identifier
// (see ParseIdentifier), an unknown function or invalid function arguments,
// and for an empty expression. Parse does not apply MaxLength or
// MaxComparisons; see CheckLimits.
func Parse(src string) (Expr, error) {
	return ParseParams(src, nil)
}

// ParseParams is Parse with {:name} placeholders bound to params. Each
// placeholder becomes a literal node holding its value — a *Text for a
// string, a *Number for any Go integer or float, a null/true/false
// literal *Identifier for nil and bools — positioned at the placeholder.
// The value itself is never lexed or parsed, so no value can change the
// expression's shape (issue #22, defect 3). A placeholder without a value
// in params, a value of another type and a non-finite float are
// *SyntaxErrors; names are [A-Za-z0-9_]+. Placeholders inside quoted text
// are text, not placeholders.
func ParseParams(src string, params map[string]any) (Expr, error) {
	p := &parser{lex: lexer{src: src}, params: params}
	if err := p.advance(); err != nil {
		return nil, err
	}
	if p.tok.kind == tokEOF {
		return nil, errorf(0, "empty expression")
	}
	e, err := p.parseExpr(0)
	if err != nil {
		return nil, err
	}
	switch p.tok.kind {
	case tokEOF:
		return e, nil
	case tokRParen:
		return nil, errorf(p.tok.pos, "unexpected ')' without a matching '('")
	}
	return nil, errorf(p.tok.pos, "expected && or || after %q, got %s", truncate(lastString(e)), p.tok.describe())
}

// lastString names the expression just parsed in "after ..." messages: the
// last comparison is what the reader will recognise.
func lastString(e Expr) string {
	for {
		l, ok := e.(*Logical)
		if !ok || len(l.Exprs) == 0 {
			return e.String()
		}
		e = l.Exprs[len(l.Exprs)-1]
	}
}

// MustParse is like Parse but panics on error; for tests and for rules that
// are constants in Go code.
func MustParse(src string) Expr {
	e, err := Parse(src)
	if err != nil {
		panic(fmt.Sprintf("filter.MustParse(%q): %v", src, err))
	}
	return e
}

type parser struct {
	lex    lexer
	tok    token          // current token
	params map[string]any // values of {:name} placeholders
}

// bound returns the literal node for the placeholder token t.
func (p *parser) bound(t token) (Operand, error) {
	v, ok := p.params[t.raw]
	if !ok {
		return nil, errorf(t.pos, "no value bound to placeholder {:%s}", truncate(t.raw))
	}
	switch x := v.(type) {
	case nil:
		return boundLiteral("null", t.pos), nil
	case bool:
		if x {
			return boundLiteral("true", t.pos), nil
		}
		return boundLiteral("false", t.pos), nil
	case string:
		return &Text{Value: x, Offset: t.pos}, nil
	}
	f, ok := toFloat(v)
	if !ok {
		return nil, errorf(t.pos, "unsupported value of type %T bound to {:%s}", v, truncate(t.raw))
	}
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return nil, errorf(t.pos, "non-finite number bound to {:%s}", truncate(t.raw))
	}
	return &Number{Value: f, Offset: t.pos}, nil
}

// boundLiteral is the null/true/false literal a bound nil or bool becomes.
// Collections cannot have fields of these names, so it always resolves to
// the value.
func boundLiteral(word string, pos int) *Identifier {
	return &Identifier{Raw: word, Kind: KindLiteral, Path: []string{word}, Offset: pos}
}

func toFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case int:
		return float64(x), true
	case int8:
		return float64(x), true
	case int16:
		return float64(x), true
	case int32:
		return float64(x), true
	case int64:
		return float64(x), true
	case uint:
		return float64(x), true
	case uint8:
		return float64(x), true
	case uint16:
		return float64(x), true
	case uint32:
		return float64(x), true
	case uint64:
		return float64(x), true
	case float32:
		return float64(x), true
	case float64:
		return x, true
	}
	return 0, false
}

func (p *parser) advance() error {
	t, err := p.lex.next()
	if err != nil {
		return err
	}
	p.tok = t
	return nil
}

// parseExpr parses group (JOIN group)* and builds the precedence tree:
// runs of && become And nodes, which are then joined by ||.
func (p *parser) parseExpr(depth int) (Expr, error) {
	var ors []Expr  // finished && runs
	var ands []Expr // current && run
	for {
		g, err := p.parseGroup(depth)
		if err != nil {
			return nil, err
		}
		ands = append(ands, g)
		switch p.tok.kind {
		case tokAnd:
		case tokOr:
			ors = append(ors, join(JoinAnd, ands))
			ands = nil
		default:
			ors = append(ors, join(JoinAnd, ands))
			return join(JoinOr, ors), nil
		}
		if err := p.advance(); err != nil {
			return nil, err
		}
	}
}

// join combines exprs with op, flattening children that already use op so
// the tree has a single canonical shape.
func join(op JoinOp, exprs []Expr) Expr {
	if len(exprs) == 1 {
		return exprs[0]
	}
	flat := make([]Expr, 0, len(exprs))
	for _, e := range exprs {
		if l, ok := e.(*Logical); ok && l.Op == op {
			flat = append(flat, l.Exprs...)
			continue
		}
		flat = append(flat, e)
	}
	return &Logical{Op: op, Exprs: flat}
}

// parseGroup parses '(' expr ')' or a comparison.
func (p *parser) parseGroup(depth int) (Expr, error) {
	if p.tok.kind != tokLParen {
		return p.parseComparison()
	}
	open := p.tok.pos
	if depth >= MaxGroupDepth {
		return nil, errorf(open, "parentheses nested deeper than %d levels", MaxGroupDepth)
	}
	if err := p.advance(); err != nil {
		return nil, err
	}
	if p.tok.kind == tokRParen {
		return nil, errorf(p.tok.pos, "empty parentheses")
	}
	if p.tok.kind == tokEOF {
		return nil, errorf(open, "unclosed '(': expected an expression and ')'")
	}
	e, err := p.parseExpr(depth + 1)
	if err != nil {
		return nil, err
	}
	switch p.tok.kind {
	case tokRParen:
		return e, p.advance()
	case tokEOF:
		return nil, errorf(open, "unclosed '(': missing ')'")
	}
	return nil, errorf(p.tok.pos, "expected &&, || or ')' after %q, got %s", truncate(lastString(e)), p.tok.describe())
}

// parseComparison parses operand SIGN operand.
func (p *parser) parseComparison() (Expr, error) {
	left, err := p.parseOperand(0, "expected a comparison or '('")
	if err != nil {
		return nil, err
	}
	if p.tok.kind != tokOp {
		return nil, errorf(p.tok.pos, "expected a comparison operator after %q, got %s", truncate(left.String()), p.tok.describe())
	}
	op := p.tok.op
	if err := p.advance(); err != nil {
		return nil, err
	}
	right, err := p.parseOperand(0, fmt.Sprintf("expected an operand after %q", op))
	if err != nil {
		return nil, err
	}
	return &Comparison{Left: left, Op: op, Right: right}, nil
}

// parseOperand parses an identifier, number, text or function call.
// fdepth is the number of enclosing function calls; what describes the
// expectation for the error message.
func (p *parser) parseOperand(fdepth int, what string) (Operand, error) {
	t := p.tok
	var o Operand
	switch t.kind {
	case tokIdent:
		id, err := parseIdentifier(t.raw, t.pos)
		if err != nil {
			return nil, err
		}
		o = id
	case tokNumber:
		o = &Number{Value: t.num, Offset: t.pos}
	case tokText:
		o = &Text{Value: t.str, Offset: t.pos}
	case tokParam:
		b, err := p.bound(t)
		if err != nil {
			return nil, err
		}
		o = b
	case tokFunc:
		return p.parseFunc(fdepth + 1)
	default:
		return nil, errorf(t.pos, "%s, got %s", what, t.describe())
	}
	return o, p.advance()
}

// parseFunc parses the arguments of the call whose name is the current
// token (the '(' was consumed by the lexer) and validates the call.
func (p *parser) parseFunc(fdepth int) (Operand, error) {
	name, pos := p.tok.raw, p.tok.pos
	spec, ok := functions[name]
	if !ok {
		return nil, errorf(pos, "unknown function %q (want geoDistance or strftime)", truncate(name))
	}
	if fdepth > MaxFuncDepth {
		return nil, errorf(pos, "functions nested deeper than %d levels", MaxFuncDepth)
	}
	if err := p.advance(); err != nil {
		return nil, err
	}
	f := &Func{Name: name, Offset: pos}
	for p.tok.kind != tokRParen {
		if p.tok.kind == tokEOF {
			return nil, errorf(pos, "unclosed call %s(: missing ')'", name)
		}
		arg, err := p.parseOperand(fdepth, fmt.Sprintf("expected an argument of %s or ')'", name))
		if err != nil {
			return nil, err
		}
		f.Args = append(f.Args, arg)
		switch p.tok.kind {
		case tokComma:
			if err := p.advance(); err != nil {
				return nil, err
			}
		case tokRParen:
		case tokEOF:
			return nil, errorf(pos, "unclosed call %s(: missing ')'", name)
		default:
			return nil, errorf(p.tok.pos, "expected ',' or ')' in %s(...), got %s", name, p.tok.describe())
		}
	}
	if err := spec.validate(f); err != nil {
		return nil, err
	}
	return f, p.advance()
}
