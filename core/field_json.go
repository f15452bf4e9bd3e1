package core

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
)

func init() {
	RegisterFieldType("json", func() Field { return &JSONField{} })
}

// defaultJSONMaxSize is the size limit of a json field whose maxSize is 0
// (spec §5.3 json).
const defaultJSONMaxSize = 1 << 20

// JSONField holds any JSON value; its canonical value is JSONRaw (nil for
// null).
type JSONField struct {
	BaseField
	// MaxSize is the maximum encoded size in bytes (0: 1 MiB).
	MaxSize  int64 `json:"maxSize"`
	Required bool  `json:"required"`
}

var _ Field = (*JSONField)(nil)

// Type returns "json".
func (f *JSONField) Type() string { return "json" }

// ColumnType is ColumnJSON (the only nullable column).
func (f *JSONField) ColumnType() ColumnType { return ColumnJSON }

// Normalize stores decoded JSON body values as they are. Strings follow
// PocketBase's form-friendly rules (spec §5.3 json): "" stays the JSON
// string "", "null"/"true"/"false" are the literals, text starting with a
// digit, '-', '"', '[' or '{' that is valid JSON is parsed, and anything
// else is kept as a JSON string.
func (f *JSONField) Normalize(raw any) any {
	switch x := raw.(type) {
	case nil:
		return JSONRaw(nil)
	case JSONRaw:
		return x
	case json.RawMessage:
		return normalizeJSONText(x)
	case []byte:
		return normalizeJSONText(x)
	case string:
		return jsonFromString(x)
	}
	b, err := json.Marshal(raw)
	if err != nil {
		// Not encodable (channels, funcs…): keep it observable as a string
		// rather than dropping it silently.
		b, _ = json.Marshal(fmt.Sprint(raw))
	}
	return JSONRaw(b)
}

func jsonFromString(s string) JSONRaw {
	switch s {
	case "":
		return JSONRaw(`""`)
	case "null":
		return nil
	case "true", "false":
		return JSONRaw(s)
	}
	if c := s[0]; (c >= '0' && c <= '9') || c == '-' || c == '"' || c == '[' || c == '{' {
		if json.Valid([]byte(s)) {
			return JSONRaw(s)
		}
	}
	b, _ := json.Marshal(s) // a string always marshals
	return JSONRaw(b)
}

// normalizeJSONText keeps raw JSON bytes (a copy), null as nil.
func normalizeJSONText(b []byte) JSONRaw {
	t := bytes.TrimSpace(b)
	if len(t) == 0 || string(t) == "null" {
		return nil
	}
	return JSONRaw(bytes.Clone(t))
}

// FromDB reads the JSON text column; NULL is nil.
func (f *JSONField) FromDB(v any) any {
	switch x := v.(type) {
	case nil:
		return JSONRaw(nil)
	case string:
		if x == "" {
			// Empty text is no JSON: it is the empty string, as PocketBase
			// reads it (a view column such as upper('') holds it; stored
			// json columns hold NULL or JSON text).
			return JSONRaw(`""`)
		}
		return normalizeJSONText([]byte(x))
	case []byte:
		return normalizeJSONText(x)
	}
	// Engines that decode JSON columns themselves hand over Go values.
	return f.Normalize(v)
}

// ToDB returns the JSON text, or nil (SQL NULL) for null.
func (f *JSONField) ToDB(v any) any {
	raw, ok := v.(JSONRaw)
	if !ok {
		raw, _ = f.Normalize(v).(JSONRaw)
	}
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	return string(raw)
}

// ValidateValue checks that the value is valid JSON within maxSize and,
// when required, not null, "", [] or {}.
func (f *JSONField) ValidateValue(ctx context.Context, app *App, r *Record) error {
	raw, ok := r.Get(f.Name).(JSONRaw)
	if !ok {
		raw, _ = f.Normalize(r.Get(f.Name)).(JSONRaw)
	}
	if len(raw) > 0 && !json.Valid(raw) {
		return NewFieldError("validation_invalid_json", "Must be a valid json value.", nil)
	}
	if f.Required && isEmptyJSON(raw) {
		return ErrRequired()
	}
	max := f.MaxSize
	if max <= 0 {
		max = defaultJSONMaxSize
	}
	if int64(len(raw)) > max {
		return NewFieldError("validation_json_size_limit",
			fmt.Sprintf("The maximum allowed JSON size is %d bytes.", max), map[string]any{"maxSize": max})
	}
	return nil
}

func isEmptyJSON(raw JSONRaw) bool {
	var b bytes.Buffer
	if len(raw) == 0 || json.Compact(&b, raw) != nil {
		return len(raw) == 0
	}
	switch b.String() {
	case "null", `""`, "[]", "{}":
		return true
	}
	return false
}

// ValidateSettings requires a non-negative maxSize.
func (f *JSONField) ValidateSettings(ctx context.Context, app *App, c *Collection) error {
	if err := sizeRange(int64(f.MaxSize)); err != nil {
		return ValidationErrors{"maxSize": err}
	}
	return nil
}
