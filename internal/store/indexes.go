package store

import (
	"context"
	"errors"
	"regexp"
	"strings"

	"github.com/basalthq/basalt/core"
)

var indexPattern = regexp.MustCompile(`(?is)^\s*CREATE\s+(UNIQUE\s+)?INDEX\s+(?:IF\s+NOT\s+EXISTS\s+)?[` + "`" + `"\[]?(\w+)[` + "`" + `"\]]?\s+ON\s+[` + "`" + `"\[]?(\w+)[` + "`" + `"\]]?\s*\((.+?)\)\s*(?:WHERE\s+(.+?))?\s*;?\s*$`)

// ValidateIndex parses one CREATE [UNIQUE] INDEX statement. The table
// must be collectionName (case-insensitively).
func (s *Store) ValidateIndex(ctx context.Context, collectionName, index string) (core.ParsedIndex, error) {
	m := indexPattern.FindStringSubmatch(index)
	if m == nil {
		return core.ParsedIndex{}, errors.New("invalid CREATE INDEX statement")
	}
	p := core.ParsedIndex{Unique: strings.TrimSpace(m[1]) != "", Name: m[2], Table: m[3], Where: strings.TrimSpace(m[5])}
	if collectionName != "" && !strings.EqualFold(p.Table, collectionName) {
		return p, errors.New("index table does not match the collection")
	}
	if strings.Contains(index, ";") && !strings.HasSuffix(strings.TrimSpace(index), ";") {
		return p, errors.New("multiple statements")
	}
	for _, part := range splitTopLevel(m[4]) {
		part = strings.TrimSpace(part)
		if part == "" {
			return p, errors.New("empty index column")
		}
		col := core.IndexColumn{}
		words := strings.Fields(part)
		col.Name = strings.Trim(words[0], "`\"[]")
		for i := 1; i < len(words); i++ {
			switch strings.ToUpper(words[i]) {
			case "COLLATE":
				if i+1 < len(words) {
					col.Collate = words[i+1]
					i++
				}
			case "ASC", "DESC":
				col.Sort = strings.ToUpper(words[i])
			}
		}
		p.Columns = append(p.Columns, col)
	}
	return p, nil
}

// splitTopLevel splits on commas outside parentheses and quotes.
func splitTopLevel(s string) []string {
	var out []string
	depth := 0
	var quote rune
	start := 0
	for i, r := range s {
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
			}
		case r == '\'' || r == '"' || r == '`':
			quote = r
		case r == '(':
			depth++
		case r == ')':
			depth--
		case r == ',' && depth == 0:
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}
