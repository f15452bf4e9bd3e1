package api

import (
	"strings"

	"github.com/labstack/echo/v5"
)

// Bounds of the request-controlled sizes that PocketBase leaves unbounded
// (issue #22: every client-controlled size is bounded and costs linear
// time). PocketBase's own bounds live where they apply: filter length and
// comparisons (filter.MaxLength, filter.MaxComparisons), sort items
// (filter.MaxSortItems), expand depth (maxExpandDepth), batch requests
// (settings.batch.maxRequests), body sizes (bodyLimitFor) and multipart
// parts (maxParts).
const (
	// maxExpandPaths is the largest number of distinct expand paths (after
	// merging duplicates and prefixes). Each costs up to maxExpandDepth
	// queries.
	maxExpandPaths = 100
	// maxExpandDepth is how many relation levels an expand path follows;
	// deeper segments are ignored (spec §2.4).
	maxExpandDepth = 6
	// maxFieldsEntries is the largest number of comma-separated entries
	// of the fields parameter; each is looked up in every record sent.
	maxFieldsEntries = 1000
	// MaxHeaderBytes bounds a request's header block (request line
	// included, so the query string too); net/http answers 431 past it.
	// It is net/http's default, stated so the server and tests agree.
	MaxHeaderBytes = 1 << 20
)

// expandPaths normalises an expand parameter (spec §2.4): spaces removed,
// dots trimmed, paths cut to maxExpandDepth segments, duplicates dropped
// and a path that is a prefix of another merged into it ("a,a.b" → "a.b").
// ok is false when more than maxExpandPaths distinct paths remain. Linear
// in the parameter's length: each path marks its at most maxExpandDepth-1
// proper prefixes in a set.
func expandPaths(param string) (paths [][]string, ok bool) {
	param = strings.ReplaceAll(param, " ", "")
	if param == "" {
		return nil, true
	}
	if !strings.Contains(param, ",") {
		// The common case: one path, nothing to merge.
		p := strings.Trim(param, ".")
		if p == "" {
			return nil, true
		}
		segs := strings.Split(p, ".")
		return [][]string{segs[:min(len(segs), maxExpandDepth)]}, true
	}
	var order []string
	seen := map[string]bool{}     // distinct paths
	prefixes := map[string]bool{} // proper prefixes of some path
	for _, p := range strings.Split(param, ",") {
		p = strings.Trim(p, ".")
		if p == "" {
			continue
		}
		// Cut to maxExpandDepth segments.
		dots := 0
		for i := 0; i < len(p); i++ {
			if p[i] == '.' {
				if dots++; dots == maxExpandDepth {
					p = p[:i]
					break
				}
				prefixes[p[:i]] = true
			}
		}
		if seen[p] {
			continue
		}
		if seen[p] = true; len(seen) > maxExpandPaths {
			return nil, false
		}
		order = append(order, p)
	}
	for _, p := range order {
		if !prefixes[p] {
			paths = append(paths, strings.Split(p, "."))
		}
	}
	return paths, true
}

// countFieldsEntries counts the top-level comma-separated entries of a
// fields parameter (commas inside an excerpt's parentheses do not count).
func countFieldsEntries(s string) int {
	n, depth := 1, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '(':
			depth++
		case ')':
			depth--
		case ',':
			if depth == 0 {
				n++
			}
		}
	}
	return n
}

// queryLimits refuses expand and fields parameters over their bounds with
// a 400 before any handler runs, so such a request changes nothing (expand
// and fields are applied after a create or update is saved).
func queryLimits(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c *echo.Context) error {
		raw := c.Request().URL.RawQuery
		if raw == "" || !strings.Contains(raw, "expand") && !strings.Contains(raw, "fields") {
			return next(c)
		}
		if e := c.QueryParam("expand"); e != "" {
			if _, ok := expandPaths(e); !ok {
				return badRequest("Invalid expand parameter.", nil)
			}
		}
		if f := c.QueryParam("fields"); f != "" && countFieldsEntries(f) > maxFieldsEntries {
			return badRequest("Invalid fields parameter.", nil)
		}
		return next(c)
	}
}
