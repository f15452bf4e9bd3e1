package api

import (
	"encoding/json"
	"html"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/labstack/echo/v5"

	"github.com/basalthq/basalt/core"
)

// respond writes v as JSON, trimmed by the ?fields= parameter (spec §1.0.4).
func respond(c *echo.Context, status int, v any) error {
	buf := bodyBuffers.Get().(*[]byte)
	defer putBodyBuffer(buf)
	raw, err := encodeBody((*buf)[:0], v)
	if err != nil {
		return err
	}
	*buf = raw
	if f := c.QueryParam("fields"); f != "" {
		trimmed, err := pickFields(raw, f)
		if err != nil {
			return badRequest("Invalid fields parameter.", nil)
		}
		raw = trimmed
	}
	h := c.Response().Header()
	h.Set("Content-Type", "application/json")
	// A known length lets net/http send headers and body in one write;
	// without it, a body past its 2 KB chunking buffer goes out chunked, in
	// three writes (a 30-record list: 4,096 + 15,825 + 7 bytes).
	h.Set("Content-Length", strconv.Itoa(len(raw)))
	c.Response().WriteHeader(status)
	_, err = c.Response().Write(raw)
	return err
}

// bodyBuffers recycles the buffers records are encoded into: a page of
// records is tens of kilobytes, allocated per request it was most of a
// list's garbage (and a list with expand grew it once more, copying).
// net/http is done with the bytes when Write returns.
var bodyBuffers = sync.Pool{New: func() any { return new([]byte) }}

// maxPooledBody bounds what bodyBuffers keeps: one huge response (a
// thousand records per page) should not stay resident for good.
const maxPooledBody = 256 << 10

func putBodyBuffer(b *[]byte) {
	if cap(*b) > maxPooledBody {
		return
	}
	bodyBuffers.Put(b)
}

// encodeBody appends the serialised response to b; records and record
// lists take the direct encoder (no reflection, no re-validation of
// MarshalJSON output).
func encodeBody(b []byte, v any) ([]byte, error) {
	switch x := v.(type) {
	case *core.Record:
		return x.AppendJSON(b), nil
	case *core.ListResult:
		items, ok := x.Items.([]*core.Record)
		if !ok {
			break
		}
		b = slices.Grow(b, 256+512*len(items))
		b = append(b, `{"items":`...)
		b = core.AppendJSONValue(b, items)
		b = append(b, `,"page":`...)
		b = strconv.AppendInt(b, int64(x.Page), 10)
		b = append(b, `,"perPage":`...)
		b = strconv.AppendInt(b, int64(x.PerPage), 10)
		b = append(b, `,"totalItems":`...)
		b = strconv.AppendInt(b, int64(x.TotalItems), 10)
		b = append(b, `,"totalPages":`...)
		b = strconv.AppendInt(b, int64(x.TotalPages), 10)
		return append(b, '}'), nil
	}
	return json.Marshal(v)
}

var excerptPattern = regexp.MustCompile(`^(\w+):excerpt\((\d+)(?:,\s*(\w+))?\)$`)

type fieldNode struct {
	children map[string]*fieldNode
	all      bool
	excerpt  *[2]int // max, ellipsis
}

func parseFieldsParam(s string) (*fieldNode, error) {
	root := &fieldNode{children: map[string]*fieldNode{}}
	for _, p := range splitFieldsParam(s) {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		node := root
		segs := strings.Split(p, ".")
		for i, seg := range segs {
			var ex *[2]int
			if strings.Contains(seg, ":") {
				m := excerptPattern.FindStringSubmatch(seg)
				if m == nil || i != len(segs)-1 {
					return nil, errInvalidFields
				}
				max, _ := strconv.Atoi(m[2])
				ell := 0
				if b, _ := strconv.ParseBool(m[3]); b {
					ell = 1
				}
				seg = m[1]
				ex = &[2]int{max, ell}
			}
			if seg == "*" {
				node.all = true
				break
			}
			child := node.children[seg]
			if child == nil {
				child = &fieldNode{children: map[string]*fieldNode{}}
				node.children[seg] = child
			}
			if ex != nil {
				child.excerpt = ex
			}
			node = child
		}
	}
	return root, nil
}

type fieldsErr string

func (e fieldsErr) Error() string { return string(e) }

const errInvalidFields = fieldsErr("invalid fields")

func splitFieldsParam(s string) []string {
	var out []string
	depth, start := 0, 0
	for i, r := range s {
		switch r {
		case '(':
			depth++
		case ')':
			depth--
		case ',':
			if depth == 0 {
				out = append(out, s[start:i])
				start = i + 1
			}
		}
	}
	return append(out, s[start:])
}

func pickFields(raw []byte, param string) ([]byte, error) {
	tree, err := parseFieldsParam(param)
	if err != nil {
		return nil, err
	}
	var v any
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	// List envelopes: apply to items, keep the envelope keys.
	if m, ok := v.(map[string]any); ok {
		if items, ok := m["items"].([]any); ok {
			if _, hasPage := m["page"]; hasPage {
				for i, it := range items {
					items[i] = applyFields(it, tree)
				}
				return json.Marshal(m)
			}
		}
	}
	return json.Marshal(applyFields(v, tree))
}

func applyFields(v any, n *fieldNode) any {
	if n == nil || (n.all && len(n.children) == 0) || (len(n.children) == 0 && !n.all) {
		return v
	}
	switch x := v.(type) {
	case []any:
		for i, it := range x {
			x[i] = applyFields(it, n)
		}
		return x
	case map[string]any:
		out := map[string]any{}
		if n.all {
			for k, val := range x {
				out[k] = val
			}
		}
		pick := func(k string, val any, child *fieldNode) {
			if child.excerpt != nil {
				if s, ok := val.(string); ok {
					val = excerpt(s, child.excerpt[0], child.excerpt[1] == 1)
				}
			}
			out[k] = applyFields(val, child)
		}
		// Walk the smaller side: a record's few keys against a long
		// fields list, or a short list against a large object.
		if len(n.children) <= len(x) {
			for k, child := range n.children {
				if val, ok := x[k]; ok {
					pick(k, val, child)
				}
			}
		} else {
			for k, val := range x {
				if child, ok := n.children[k]; ok {
					pick(k, val, child)
				}
			}
		}
		return out
	}
	return v
}

var (
	skipTags  = regexp.MustCompile(`(?is)<(script|style|iframe|svg|form|select|textarea|noscript|object)\b.*?</\s*(script|style|iframe|svg|form|select|textarea|noscript|object)\s*>|<(img|input|button|embed)\b[^>]*>`)
	blockTags = regexp.MustCompile(`(?i)</?(p|div|br|li|ul|ol|h[1-6]|tr|td|th|table|section|article|header|footer|blockquote|pre)\b[^>]*>`)
	anyTag    = regexp.MustCompile(`<[^>]*>`)
	spaces    = regexp.MustCompile(`\s+`)
)

// excerpt strips HTML, collapses whitespace and truncates to max runes.
func excerpt(s string, max int, ellipsis bool) string {
	s = skipTags.ReplaceAllString(s, " ")
	s = blockTags.ReplaceAllString(s, " ")
	s = anyTag.ReplaceAllString(s, "")
	s = html.UnescapeString(s)
	s = strings.TrimSpace(spaces.ReplaceAllString(s, " "))
	r := []rune(s)
	if len(r) <= max {
		return s
	}
	out := strings.TrimSpace(string(r[:max]))
	if ellipsis {
		out += "..."
	}
	return out
}
