package core

import (
	"encoding/json"
	"math"
	"sort"
	"strconv"
	"unicode/utf8"
)

// AppendJSON appends the record as the API serialises it (spec §5.8) to
// b. It writes straight from the canonical values, without building a map
// or reflecting, because record output is the hottest path of the API.
// Keys: collectionId, collectionName, the visible fields in schema order,
// then expand.
func (r *Record) AppendJSON(b []byte) []byte {
	c := r.collection
	b = append(b, `{"collectionId":`...)
	b = appendJSONString(b, c.Id)
	b = append(b, `,"collectionName":`...)
	b = appendJSONString(b, c.Name)
	isAuth := c.IsAuth()
	for _, f := range c.Fields {
		v, ok := r.outputValue(f, isAuth)
		if !ok {
			continue
		}
		name := f.GetName()
		b = append(b, ',')
		b = appendJSONString(b, name)
		b = append(b, ':')
		b = AppendJSONValue(b, v)
	}
	if r.enrich != nil {
		for _, kv := range r.enrich.custom {
			b = append(b, ',')
			b = appendJSONString(b, kv.name)
			b = append(b, ':')
			b = AppendJSONValue(b, kv.val)
		}
	}
	if r.one.name != "" {
		b = append(b, `,"expand":{`...)
		b = appendJSONString(b, r.one.name)
		b = append(b, ':')
		b = AppendJSONValue(b, r.one.val)
		b = append(b, '}')
	} else if r.expand != nil {
		b = append(b, `,"expand":`...)
		b = AppendJSONValue(b, r.expand)
	}
	return append(b, '}')
}

// AppendJSONValue appends v as JSON; the canonical record value types
// are written directly, anything else goes through encoding/json.
func AppendJSONValue(b []byte, v any) []byte {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...)
	case string:
		return appendJSONString(b, x)
	case float64:
		return appendJSONFloat(b, x)
	case bool:
		if x {
			return append(b, "true"...)
		}
		return append(b, "false"...)
	case []string:
		b = append(b, '[')
		for i, s := range x {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, s)
		}
		return append(b, ']')
	case JSONRaw:
		if len(x) == 0 {
			return append(b, "null"...)
		}
		if !json.Valid(x) {
			return appendJSONString(b, string(x))
		}
		return append(b, x...)
	case GeoPoint:
		b = append(b, `{"lon":`...)
		b = appendJSONFloat(b, x.Lon)
		b = append(b, `,"lat":`...)
		b = appendJSONFloat(b, x.Lat)
		return append(b, '}')
	case *Record:
		return x.AppendJSON(b)
	case []*Record:
		b = append(b, '[')
		for i, r := range x {
			if i > 0 {
				b = append(b, ',')
			}
			b = r.AppendJSON(b)
		}
		return append(b, ']')
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		b = append(b, '{')
		for i, k := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, k)
			b = append(b, ':')
			b = AppendJSONValue(b, x[k])
		}
		return append(b, '}')
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return append(b, "null"...)
	}
	return append(b, raw...)
}

// appendJSONFloat formats like encoding/json (which the SDKs and
// PocketBase agree with); NaN and ±Inf, which JSON cannot carry, become null.
func appendJSONFloat(b []byte, f float64) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return append(b, "null"...)
	}
	abs := math.Abs(f)
	fmtc := byte('f')
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		fmtc = 'e'
	}
	b = strconv.AppendFloat(b, f, fmtc, -1, 64)
	if fmtc == 'e' {
		// clean up e-09 to e-9, as encoding/json does
		n := len(b)
		if n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}

const hexDigits = "0123456789abcdef"

// appendJSONString writes s as a JSON string with encoding/json's
// escaping (HTML-safe, invalid UTF-8 replaced, U+2028/9 escaped).
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
