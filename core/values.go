package core

import (
	"encoding/json"
	"strings"
	"time"
)

// DateTimeLayout is the one datetime format of the API (spec §5.9).
const DateTimeLayout = "2006-01-02 15:04:05.000Z"

// FormatTime formats t in UTC with millisecond precision; the zero time is "".
func FormatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(DateTimeLayout)
}

var dateLayouts = []string{
	DateTimeLayout,
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05Z07:00",
	time.RFC3339Nano,
	time.RFC3339,
	"2006-01-02 15:04:05.999999999",
	"2006-01-02 15:04:05",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02T15:04:05",
	"2006-01-02 15:04",
	"2006-01-02T15:04",
	"2006-01-02",
}

// ParseTime parses the API format and other common layouts leniently
// (spec §5.3 date). ok is false for anything unparsable.
func ParseTime(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, false
	}
	for _, layout := range dateLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// JSONRaw is the canonical value of a json field: raw JSON text, nil for
// JSON null.
type JSONRaw []byte

// MarshalJSON writes the raw value (null when empty).
func (j JSONRaw) MarshalJSON() ([]byte, error) {
	if len(j) == 0 {
		return []byte("null"), nil
	}
	return j, nil
}

// UnmarshalJSON keeps the raw bytes.
func (j *JSONRaw) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*j = nil
		return nil
	}
	*j = append((*j)[:0], b...)
	return nil
}

// String returns the JSON text ("" for null).
func (j JSONRaw) String() string { return string(j) }

// GeoPoint is the canonical value of a geoPoint field.
type GeoPoint struct {
	Lon float64 `json:"lon"`
	Lat float64 `json:"lat"`
}

// PasswordValue is the canonical value of a password field: the stored
// bcrypt hash and, until the record is saved, the plain text to hash.
type PasswordValue struct {
	Hash  string
	Plain string
}

// MarshalJSON never reveals the hash or the plain text.
func (PasswordValue) MarshalJSON() ([]byte, error) { return []byte(`""`), nil }

// toString converts a scalar input to a string the way PocketBase's cast
// does: numbers without trailing zeros, booleans as true/false, nil as "".
func toString(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case []byte:
		return string(x)
	case json.Number:
		return x.String()
	case float64:
		return formatFloat(x)
	case float32:
		return formatFloat(float64(x))
	case int:
		return formatFloat(float64(x))
	case int64:
		return formatFloat(float64(x))
	case bool:
		if x {
			return "true"
		}
		return "false"
	case JSONRaw:
		return string(x)
	default:
		b, err := json.Marshal(x)
		if err != nil {
			return ""
		}
		return string(b)
	}
}

// inputString casts a client value for a string field: a JSON object or
// array is no string and becomes "" (PocketBase's cast fails on them and
// keeps the zero value), so `{}` is blank, not the text "{}".
func inputString(v any) string {
	switch v.(type) {
	case map[string]any, []any:
		return ""
	}
	return toString(v)
}

// ToString is the exported form of the package's string cast, used by
// other layers that must agree with field normalisation.
func ToString(v any) string { return toString(v) }
