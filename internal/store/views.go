package store

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/basalthq/basalt/core"
)

var (
	selectHead    = regexp.MustCompile(`(?is)^\s*(?:WITH\b.*?\)\s*)?SELECT\s+(?:DISTINCT\s+)?`)
	selectPattern = regexp.MustCompile(`(?is)^\s*(?:WITH\b.*?\)\s*)?SELECT\s+(?:DISTINCT\s+)?(.+?)\s+FROM\s+(.+)$`)
	fromAlias     = regexp.MustCompile(`(?i)(?:FROM|JOIN)\s+[` + "`" + `"\[]?(\w+)[` + "`" + `"\]]?(?:\s+(?:AS\s+)?[` + "`" + `"\[]?(\w+)[` + "`" + `"\]]?)?`)
	colRef        = regexp.MustCompile(`^[` + "`" + `"\[]?(\w+)[` + "`" + `"\]]?(?:\.[` + "`" + `"\[]?(\w+)[` + "`" + `"\]]?)?$`)
	asAlias       = regexp.MustCompile(`(?is)^(.*?)\s+(?:AS\s+)?[` + "`" + `"\[]?(\w+)[` + "`" + `"\]]?$`)
	castPattern   = regexp.MustCompile(`(?is)^CAST\s*\(.+\s+AS\s+(\w+)\s*\)$`)
	keywordsAfter = map[string]bool{"ON": true, "WHERE": true, "LEFT": true, "INNER": true, "JOIN": true, "GROUP": true, "ORDER": true, "LIMIT": true, "CROSS": true, "OUTER": true, "RIGHT": true, "FULL": true, "USING": true, "UNION": true, "HAVING": true, "NATURAL": true, "WINDOW": true}
)

// ValidateViewQuery checks a view query and infers its columns (spec
// §5.7): one SELECT, no "*" projection, runnable read-only. Writes are
// impossible: it runs on a query-only reader connection.
func (s *Store) ValidateViewQuery(ctx context.Context, query string) ([]core.ViewColumn, error) {
	q := strings.TrimSpace(query)
	q = strings.TrimSuffix(q, ";")
	if strings.Contains(q, ";") {
		return nil, errors.New("multiple statements are not allowed")
	}
	m := selectPattern.FindStringSubmatch(q)
	if m == nil {
		return nil, errors.New("the query must be a single SELECT statement")
	}
	// The pattern's lazy match stops at the first FROM, which may belong
	// to a subquery in the projection: split at the top-level one.
	if proj, rest, ok := splitAtTopLevelFrom(q[selectHead.FindStringIndex(q)[1]:]); ok {
		m[1], m[2] = proj, rest
	}
	rows, err := s.db.Builder(ctx).NewQuery("SELECT * FROM " + s.d.Subquery(q) + " LIMIT 0").WithContext(ctx).Rows()
	if err != nil {
		return nil, fmt.Errorf("%v", err)
	}
	names, err := rows.Columns()
	rows.Close()
	if err != nil {
		return nil, err
	}

	// m[2] starts after the FROM keyword: put it back so the first
	// (main) table and its alias are found like the joined ones. Only the
	// top-level FROM clause names tables (see fromClause).
	from := "FROM " + fromClause(m[2])
	aliases := map[string]string{} // alias (lower) → table name
	for _, am := range fromAlias.FindAllStringSubmatch(from, -1) {
		table := am[1]
		aliases[strings.ToLower(table)] = table
		if am[2] != "" && !keywordsAfter[strings.ToUpper(am[2])] {
			aliases[strings.ToLower(am[2])] = table
		}
	}
	defaultTable := ""
	if first := fromAlias.FindStringSubmatch(from); first != nil {
		defaultTable = first[1]
	}

	exprs := splitTopLevel(m[1])
	out := make([]core.ViewColumn, 0, len(names))
	for i, name := range names {
		col := core.ViewColumn{Name: name, Kind: "json"}
		if i < len(exprs) {
			expr := strings.TrimSpace(exprs[i])
			if expr == "*" || strings.HasSuffix(expr, ".*") {
				return nil, errors.New("the query must not use * projections")
			}
			if am := asAlias.FindStringSubmatch(expr); am != nil && am[2] == name && !strings.HasSuffix(strings.TrimSpace(am[1]), ".") {
				expr = strings.TrimSpace(am[1])
			}
			upper := strings.ToUpper(expr)
			switch {
			case strings.HasPrefix(upper, "COUNT("):
				col.Kind = "numberInt"
			case strings.HasPrefix(upper, "TOTAL("):
				col.Kind = "number"
			case castPattern.MatchString(expr):
				switch strings.ToLower(castPattern.FindStringSubmatch(expr)[1]) {
				case "int", "integer":
					col.Kind = "numberInt"
				case "real", "decimal", "numeric", "float", "double":
					col.Kind = "number"
				case "text":
					col.Kind = "text"
				case "bool", "boolean":
					col.Kind = "bool"
				}
			default:
				if cm := colRef.FindStringSubmatch(expr); cm != nil {
					table, field := defaultTable, cm[1]
					if cm[2] != "" {
						table, field = aliases[strings.ToLower(cm[1])], cm[2]
					}
					if src := s.collection(table); src != nil {
						// SQLite column names are case-insensitive.
						for _, f := range src.Fields {
							if strings.EqualFold(f.GetName(), field) {
								col.SourceCollection = src.Id
								col.SourceField = f.GetName()
								break
							}
						}
						if col.SourceField == "" && strings.EqualFold(field, core.FieldId) {
							col.SourceCollection, col.SourceField = src.Id, core.FieldId
						}
					}
				}
			}
		}
		out = append(out, col)
	}
	return out, nil
}

// splitAtTopLevelFrom splits the text after "SELECT [DISTINCT]" at the
// FROM keyword outside parentheses and quotes: the projection and the rest
// after FROM.
func splitAtTopLevelFrom(s string) (proj, rest string, ok bool) {
	depth := 0
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"' || c == '`':
			quote = c
		case c == '[':
			quote = ']'
		case c == '(':
			depth++
		case c == ')':
			depth--
		case depth == 0 && (c == 'f' || c == 'F') && i+4 <= len(s) && strings.EqualFold(s[i:i+4], "FROM") &&
			(i == 0 || !isIdentByte(s[i-1])) && (i+4 == len(s) || !isIdentByte(s[i+4])):
			return strings.TrimSpace(s[:i]), strings.TrimSpace(s[i+4:]), true
		}
	}
	return "", "", false
}

func isIdentByte(c byte) bool {
	return c == '_' || c == '$' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

// clauseEnd matches the keywords that end a FROM clause.
var clauseEnd = regexp.MustCompile(`(?i)\b(?:WHERE|GROUP|HAVING|ORDER|LIMIT|WINDOW|UNION|EXCEPT|INTERSECT)\b`)

// fromClause returns the tables part of the text after the top-level
// FROM, as PocketBase's parser reads it: parenthesised text (subqueries,
// ON conditions' calls) blanked so their tables and aliases do not
// shadow the outer ones, cut at WHERE/GROUP/..., and comma joins written
// as JOIN so every table is found the same way.
func fromClause(rest string) string {
	b := []byte(rest)
	depth := 0
	var quote byte
	for i := 0; i < len(b); i++ {
		c := b[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"' || c == '`':
			quote = c
		case c == '[':
			quote = ']'
		case c == '(':
			depth++
			if depth == 1 {
				continue
			}
		case c == ')':
			depth--
			if depth == 0 {
				continue
			}
		}
		if depth > 0 {
			b[i] = ' '
		} else if c == ',' && quote == 0 {
			b[i] = ' '
			b = append(b[:i], append([]byte(" JOIN"), b[i:]...)...)
			i += len(" JOIN")
		}
	}
	out := string(b)
	if loc := clauseEnd.FindStringIndex(out); loc != nil {
		out = out[:loc[0]]
	}
	return out
}
