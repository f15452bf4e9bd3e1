package filter

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

type tokenKind uint8

const (
	tokEOF    tokenKind = iota
	tokIdent            // field, @request..., literal
	tokFunc             // identifier immediately followed by '('; the '(' is consumed
	tokNumber           // -?[0-9]+(\.[0-9]+)?
	tokText             // quoted string
	tokOp               // comparison operator
	tokAnd              // &&
	tokOr               // ||
	tokLParen           // (
	tokRParen           // )
	tokComma            // ,
	tokParam            // {:name} placeholder; raw is the name
)

// token is one lexeme. raw is the source text (for a tokFunc just the name);
// op, num and str carry the decoded value of operator, number and text tokens.
type token struct {
	kind tokenKind
	pos  int
	raw  string
	op   Op
	num  float64
	str  string
}

// describe names the token for error messages.
func (t token) describe() string {
	switch t.kind {
	case tokEOF:
		return "end of input"
	case tokFunc:
		return strconv.Quote(t.raw + "(")
	case tokText:
		return "text " + truncate(t.raw)
	case tokNumber:
		return "number " + t.raw
	case tokIdent:
		return "identifier " + strconv.Quote(t.raw)
	case tokParam:
		return "placeholder {:" + t.raw + "}"
	}
	return strconv.Quote(t.raw)
}

// truncate keeps long literals from flooding error messages.
func truncate(s string) string {
	const max = 40
	if len(s) <= max {
		return s
	}
	return s[:max] + "..."
}

// lexer produces tokens on demand so that the first error by position is the
// one reported, whether it is lexical or grammatical.
type lexer struct {
	src string
	pos int
}

func isIdentStart(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '@' || c == '_' || c == '#'
}

func isWordChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
}

func isIdentChar(c byte) bool { return isWordChar(c) || c == '.' || c == ':' }

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// skipSpace skips whitespace and // comments. CR is accepted as whitespace
// so that rules edited on Windows parse.
func (l *lexer) skipSpace() {
	for l.pos < len(l.src) {
		switch c := l.src[l.pos]; {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			l.pos++
		case c == '/' && l.pos+1 < len(l.src) && l.src[l.pos+1] == '/':
			if i := strings.IndexByte(l.src[l.pos:], '\n'); i >= 0 {
				l.pos += i + 1
			} else {
				l.pos = len(l.src)
			}
		default:
			return
		}
	}
}

// next returns the next token or a *SyntaxError.
func (l *lexer) next() (token, error) {
	l.skipSpace()
	start := l.pos
	if start >= len(l.src) {
		return token{kind: tokEOF, pos: start}, nil
	}
	c := l.src[start]
	switch {
	case isIdentStart(c):
		return l.ident()
	case isDigit(c) || c == '-':
		return l.number()
	case c == '"' || c == '\'':
		return l.text()
	case c == '(':
		l.pos++
		return token{kind: tokLParen, pos: start, raw: "("}, nil
	case c == ')':
		l.pos++
		return token{kind: tokRParen, pos: start, raw: ")"}, nil
	case c == ',':
		l.pos++
		return token{kind: tokComma, pos: start, raw: ","}, nil
	case c == '&' || c == '|':
		if l.pos+1 < len(l.src) && l.src[l.pos+1] == c {
			l.pos += 2
			if c == '&' {
				return token{kind: tokAnd, pos: start, raw: "&&"}, nil
			}
			return token{kind: tokOr, pos: start, raw: "||"}, nil
		}
		return token{}, errorf(start, "unexpected %q, did you mean %q?", string(c), string(c)+string(c))
	case c == '=' || c == '!' || c == '>' || c == '<' || c == '~' || c == '?':
		return l.operator()
	case c == '{' && start+1 < len(l.src) && l.src[start+1] == ':':
		return l.param()
	case c == '.' && start+1 < len(l.src) && isDigit(l.src[start+1]):
		return token{}, errorf(start, "invalid number: a number must start with a digit (write 0.5, not .5)")
	}
	r, _ := utf8.DecodeRuneInString(l.src[start:])
	return token{}, errorf(start, "unexpected character %q", r)
}

// ident scans an identifier, or a function name when '(' follows directly.
func (l *lexer) ident() (token, error) {
	start := l.pos
	l.pos++
	for l.pos < len(l.src) && isIdentChar(l.src[l.pos]) {
		l.pos++
	}
	raw := l.src[start:l.pos]
	if err := checkIdentLexeme(raw, start); err != nil {
		return token{}, err
	}
	if l.pos < len(l.src) && l.src[l.pos] == '(' {
		l.pos++
		return token{kind: tokFunc, pos: start, raw: raw}, nil
	}
	return token{kind: tokIdent, pos: start, raw: raw}, nil
}

// checkIdentLexeme enforces the shape rules of IDENT that the scan loop
// cannot: no trailing '.' or ':' and no lone '@', '_' or '#'. It is shared
// with ParseIdentifier so both report the same errors.
func checkIdentLexeme(raw string, pos int) error {
	if raw == "" {
		return errorf(pos, "empty identifier")
	}
	if !isIdentStart(raw[0]) {
		return errorf(pos, "invalid identifier %q: must start with a letter, '@', '_' or '#'", truncate(raw))
	}
	for i := 1; i < len(raw); i++ {
		if !isIdentChar(raw[i]) {
			return errorf(pos+i, "invalid character %q in identifier %q", raw[i], truncate(raw))
		}
	}
	if len(raw) == 1 && (raw == "@" || raw == "_" || raw == "#") {
		return errorf(pos, "invalid identifier %q", raw)
	}
	if last := raw[len(raw)-1]; last == '.' || last == ':' {
		return errorf(pos+len(raw)-1, "identifier %q must not end with %q", truncate(raw), string(last))
	}
	return nil
}

// number scans -?[0-9]+(\.[0-9]+)? and rejects anything glued to it, so
// "5.", "1.2.3", "1e5" and "5abc" are errors rather than two tokens.
func (l *lexer) number() (token, error) {
	start := l.pos
	if l.src[l.pos] == '-' {
		l.pos++
	}
	digits := l.pos
	for l.pos < len(l.src) && isDigit(l.src[l.pos]) {
		l.pos++
	}
	if l.pos == digits {
		return token{}, errorf(start, "invalid number %q: expected a digit after '-'", l.src[start:l.pos])
	}
	if l.pos < len(l.src) && l.src[l.pos] == '.' {
		l.pos++
		frac := l.pos
		for l.pos < len(l.src) && isDigit(l.src[l.pos]) {
			l.pos++
		}
		if l.pos == frac {
			return token{}, errorf(start, "invalid number %q: expected a digit after '.'", l.src[start:l.pos])
		}
	}
	if l.pos < len(l.src) && (isIdentChar(l.src[l.pos]) || l.src[l.pos] == '@' || l.src[l.pos] == '#') {
		end := l.pos
		for end < len(l.src) && (isIdentChar(l.src[end]) || l.src[end] == '@' || l.src[end] == '#' || l.src[end] == '-') {
			end++
		}
		return token{}, errorf(start, "invalid number %q", truncate(l.src[start:end]))
	}
	raw := l.src[start:l.pos]
	v, err := strconv.ParseFloat(raw, 64)
	if err != nil {
		// Only range errors are possible here: the syntax was checked above.
		return token{}, errorf(start, "number %s is out of range", truncate(raw))
	}
	return token{kind: tokNumber, pos: start, raw: raw, num: v}, nil
}

// text scans a quoted string. A quote preceded by a backslash does not end
// the string, and only that pair (\" or \') is unescaped: other backslashes
// are kept as written (spec §3.1).
func (l *lexer) text() (token, error) {
	start := l.pos
	q := l.src[start]
	for i := start + 1; i < len(l.src); i++ {
		if l.src[i] == q && l.src[i-1] != '\\' {
			l.pos = i + 1
			raw := l.src[start:l.pos]
			body := raw[1 : len(raw)-1]
			val := body
			if strings.IndexByte(body, '\\') >= 0 {
				val = strings.ReplaceAll(body, `\`+string(q), string(q))
			}
			return token{kind: tokText, pos: start, raw: raw, str: val}, nil
		}
	}
	return token{}, errorf(start, "unterminated text: missing closing %c", q)
}

// param scans a {:name} placeholder (name: [A-Za-z0-9_]+, as in dbx). Only
// its name is read here: the parser puts the bound value into the tree as a
// literal node, so a value is never lexed.
func (l *lexer) param() (token, error) {
	start := l.pos
	i := start + 2
	for i < len(l.src) && isWordChar(l.src[i]) {
		i++
	}
	if i == start+2 || i >= len(l.src) || l.src[i] != '}' {
		return token{}, errorf(start, "invalid placeholder: want {:name} with a name of letters, digits and '_'")
	}
	l.pos = i + 1
	return token{kind: tokParam, pos: start, raw: l.src[start+2 : i]}, nil
}

// operator scans one of the comparison signs, longest match first.
func (l *lexer) operator() (token, error) {
	start := l.pos
	rest := l.src[start:]
	any := false
	if rest[0] == '?' {
		any = true
		rest = rest[1:]
	}
	var op Op
	var n int
	switch {
	case strings.HasPrefix(rest, "!="):
		op, n = OpNeq, 2
	case strings.HasPrefix(rest, "!~"):
		op, n = OpNotLike, 2
	case strings.HasPrefix(rest, ">="):
		op, n = OpGte, 2
	case strings.HasPrefix(rest, "<="):
		op, n = OpLte, 2
	case strings.HasPrefix(rest, "="):
		op, n = OpEq, 1
	case strings.HasPrefix(rest, ">"):
		op, n = OpGt, 1
	case strings.HasPrefix(rest, "<"):
		op, n = OpLt, 1
	case strings.HasPrefix(rest, "~"):
		op, n = OpLike, 1
	default:
		if any {
			return token{}, errorf(start, "invalid operator: '?' must be followed by =, !=, >, >=, <, <=, ~ or !~")
		}
		return token{}, errorf(start, "invalid operator '!': did you mean != or !~?")
	}
	if any {
		op += anyOffset
		n++
	}
	l.pos = start + n
	return token{kind: tokOp, pos: start, raw: l.src[start:l.pos], op: op}, nil
}
