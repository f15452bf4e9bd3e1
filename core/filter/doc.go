// Package filter parses PocketBase's filter and API-rule language into a
// typed AST. It is pure: it knows nothing about SQL, schemas or requests, so
// core can validate rules when a collection is saved and internal/store can
// translate the same tree to SQL (spec: pocketbase-api.md §3 and §4).
//
// # Grammar
//
//	expr       := group (JOIN group)*
//	group      := '(' expr ')' | comparison
//	comparison := operand SIGN operand
//	operand    := IDENT | FUNCTION | NUMBER | TEXT | PARAM
//	JOIN       := '&&' | '||'                    ('&&' binds tighter than '||')
//	SIGN       := '=' | '!=' | '>' | '>=' | '<' | '<=' | '~' | '!~'
//	            | '?=' | '?!=' | '?>' | '?>=' | '?<' | '?<=' | '?~' | '?!~'
//	IDENT      := [A-Za-z@_#] [A-Za-z0-9_.:]*   (not ending in '.' or ':')
//	FUNCTION   := IDENT '(' [arg (',' arg)* [',']] ')'   (no space before '(')
//	NUMBER     := '-'? [0-9]+ ('.' [0-9]+)?
//	TEXT       := '"' ... '"' | "'" ... "'"     (\" or \' escapes the quote)
//	PARAM      := '{:' [A-Za-z0-9_]+ '}'         (ParseParams: a bound value)
//	COMMENT    := '//' to end of line
//
// Whitespace is space, tab, CR and LF. An expression made only of whitespace
// and comments is an error ("empty expression"); callers that treat an empty
// rule or filter as "allow"/"no filter" must check for "" before calling Parse.
//
// # AST
//
// Parse returns an Expr, which is either a *Comparison or a *Logical. A
// *Logical holds two or more children joined by the same operator (JoinAnd or
// JoinOr); the parser flattens nested groups of the same operator, so
// "a=1 && (b=2 && c=3)" and "a=1 && b=2 && c=3" give the same tree, and it
// drops redundant parentheses. Precedence is explicit in the tree: an Or's
// children are comparisons or Ands, never Ors.
//
// Both sides of a Comparison are Operands: *Identifier, *Number (float64),
// *Text or *Func. Identifiers are classified syntactically by ParseIdentifier
// into kinds (field path, @request.*, @collection.*, macro, literal) with
// their path segments and optional modifier; resolving them against a schema
// is the caller's job. Functions are checked for their name, arity and
// argument kinds at parse time.
//
// Every node reports its byte offset in the source (Pos) and prints itself
// in a canonical form (String): single spaces around operators, double-quoted
// text, normalised numbers, no comments and only the parentheses that the
// precedence rules require. Parsing the canonical form yields the same
// canonical form again, so it is suitable as a cache key. Walk visits every
// node depth-first in source order.
//
// The parser never mutates a tree after returning it and nodes hold no
// lazily computed state, so a parsed Expr may be cached and read from many
// goroutines at once (core caches rules this way).
//
// Errors are *SyntaxError values carrying the byte offset of the problem.
package filter
