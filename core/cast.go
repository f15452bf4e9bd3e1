package core

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"
)

func formatFloat(f float64) string {
	if f == math.Trunc(f) && math.Abs(f) < 1e21 {
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

// ToFloat casts an input to a number: numeric strings parse, true is 1,
// anything else is 0 (spec §5.3 number).
func ToFloat(v any) float64 {
	switch x := v.(type) {
	case float64:
		return x
	case float32:
		return float64(x)
	case int:
		return float64(x)
	case int64:
		return float64(x)
	case int32:
		return float64(x)
	case json.Number:
		f, _ := x.Float64()
		return f
	case bool:
		if x {
			return 1
		}
		return 0
	case string:
		f, err := strconv.ParseFloat(strings.TrimSpace(x), 64)
		if err != nil {
			return 0
		}
		return f
	case []byte:
		return ToFloat(string(x))
	default:
		return 0
	}
}

// ToBool casts an input to a boolean: true, 1, "1", "t", "true", "TRUE"
// (and Go's ParseBool forms) are true; anything else is false.
func ToBool(v any) bool {
	switch x := v.(type) {
	case bool:
		return x
	case string:
		b, err := strconv.ParseBool(strings.TrimSpace(x))
		return err == nil && b
	case []byte:
		return ToBool(string(x))
	case nil:
		return false
	default:
		// Any non-zero number is true, as PocketBase's cast has it.
		return ToFloat(v) != 0
	}
}

// ToStringSlice casts an input to a list of strings: a list keeps its
// items, a JSON array string is decoded, an empty value is an empty list
// and any other scalar becomes a one-item list. Duplicates are removed,
// first occurrence wins, and empty strings are dropped.
func ToStringSlice(v any) []string {
	var items []string
	switch x := v.(type) {
	case nil:
		return []string{}
	case []string:
		items = x
	case []any:
		items = make([]string, 0, len(x))
		for _, it := range x {
			items = append(items, inputString(it))
		}
	case map[string]any:
		// An object is no list (PocketBase's cast fails and keeps none).
		return []string{}
	case JSONRaw:
		return ToStringSlice(string(x))
	case []byte:
		return ToStringSlice(string(x))
	case string:
		s := strings.TrimSpace(x)
		if s == "" {
			return []string{}
		}
		if strings.HasPrefix(s, "[") {
			if items, ok := simpleStringArray(s); ok {
				return dedupeNonEmpty(items)
			}
			var arr []any
			if err := json.Unmarshal([]byte(s), &arr); err == nil {
				return ToStringSlice(arr)
			}
		}
		items = []string{x}
	default:
		items = []string{toString(x)}
	}
	return dedupeNonEmpty(items)
}

// dedupeNonEmpty drops empty and repeated items, keeping the first order.
func dedupeNonEmpty(items []string) []string {
	out := make([]string, 0, len(items))
	seen := make(map[string]struct{}, len(items))
	for _, it := range items {
		if it == "" {
			continue
		}
		if _, dup := seen[it]; dup {
			continue
		}
		seen[it] = struct{}{}
		out = append(out, it)
	}
	return out
}

// simpleStringArray parses a JSON array of plain strings (no escapes, no
// other element types) without encoding/json: list columns (select,
// relation, file) hold such arrays and are decoded for every row read.
// ok is false for anything else, which the caller hands to encoding/json.
func simpleStringArray(s string) (items []string, ok bool) {
	if len(s) < 2 || s[0] != '[' || s[len(s)-1] != ']' {
		return nil, false
	}
	i, n := 1, len(s)-1
	skip := func() {
		for i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
			i++
		}
	}
	skip()
	if i == n {
		return []string{}, true
	}
	for {
		if i >= n || s[i] != '"' {
			return nil, false
		}
		j := i + 1
		for j < n && s[j] != '"' {
			if s[j] == '\\' || s[j] < 0x20 {
				return nil, false
			}
			j++
		}
		if j >= n {
			return nil, false
		}
		items = append(items, s[i+1:j])
		i = j + 1
		skip()
		if i == n {
			return items, true
		}
		if s[i] != ',' {
			return nil, false
		}
		i++
		skip()
	}
}
