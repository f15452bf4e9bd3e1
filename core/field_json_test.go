package core

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
)

func TestJSONFieldNormalize(t *testing.T) {
	t.Parallel()
	f := &JSONField{BaseField: BaseField{Name: "meta"}}
	for _, tc := range []struct {
		name string
		in   any
		want string // JSON text; "" means nil (null)
	}{
		{"nil", nil, ""},
		{"object", map[string]any{"k": 1.0}, `{"k":1}`},
		{"array", []any{1.0, "a"}, `[1,"a"]`},
		{"number", 1.5, `1.5`},
		{"json.Number", json.Number("12"), `12`},
		{"bool", true, `true`},
		{"raw message", json.RawMessage(` {"a":1} `), `{"a":1}`},
		{"empty string", "", `""`},
		{"string null", "null", ""},
		{"string true", "true", `true`},
		{"string false", "false", `false`},
		{"string number", "123", `123`},
		{"string negative", "-1.5", `-1.5`},
		{"string json object", `{"a":[1]}`, `{"a":[1]}`},
		{"string json array", `[1,2]`, `[1,2]`},
		{"string quoted", `"hi"`, `"hi"`},
		{"string invalid json object", `{oops`, `"{oops"`},
		{"string number with text", "12abc", `"12abc"`},
		{"plain string", "hello", `"hello"`},
		{"string TRUE is a string", "TRUE", `"TRUE"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := f.Normalize(tc.in).(JSONRaw)
			if !ok {
				t.Fatalf("got %T, want JSONRaw", f.Normalize(tc.in))
			}
			if tc.want == "" {
				if got != nil {
					t.Fatalf("got %q, want nil", got)
				}
				return
			}
			if string(got) != tc.want {
				t.Fatalf("got %s, want %s", got, tc.want)
			}
		})
	}
}

func TestJSONFieldDB(t *testing.T) {
	t.Parallel()
	f := &JSONField{BaseField: BaseField{Name: "meta"}}
	for _, tc := range []struct {
		name   string
		in     any
		wantDB any
	}{
		{"null", nil, nil},
		{"text", `{"a":1}`, `{"a":1}`},
		{"bytes", []byte(`[1]`), `[1]`},
		{"null text", "null", nil},
		{"string value", `""`, `""`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := f.FromDB(tc.in)
			if _, ok := v.(JSONRaw); !ok {
				t.Fatalf("got %T, want JSONRaw", v)
			}
			if got := f.ToDB(v); got != tc.wantDB {
				t.Fatalf("got %#v, want %#v", got, tc.wantDB)
			}
		})
	}
	if f.ColumnType() != ColumnJSON {
		t.Fatal("wrong column type")
	}
}

func TestJSONFieldValidate(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		field *JSONField
		value JSONRaw
		want  *FieldError
	}{
		{"null optional", &JSONField{}, nil, nil},
		{"null required", &JSONField{Required: true}, nil, ErrRequired()},
		{"empty string required", &JSONField{Required: true}, JSONRaw(`""`), ErrRequired()},
		{"empty array required", &JSONField{Required: true}, JSONRaw(`[ ]`), ErrRequired()},
		{"empty object required", &JSONField{Required: true}, JSONRaw(`{}`), ErrRequired()},
		{"zero is a value", &JSONField{Required: true}, JSONRaw(`0`), nil},
		{"false is a value", &JSONField{Required: true}, JSONRaw(`false`), nil},
		{"invalid", &JSONField{}, JSONRaw(`{x`), NewFieldError("validation_invalid_json", "Must be a valid json value.", nil)},
		{"too big", &JSONField{MaxSize: 5}, JSONRaw(`"abcdef"`), NewFieldError("validation_json_size_limit", "The maximum allowed JSON size is 5 bytes.", map[string]any{"maxSize": int64(5)})},
		{"default max", &JSONField{}, JSONRaw(`"` + strings.Repeat("a", 1<<20) + `"`), NewFieldError("validation_json_size_limit", "The maximum allowed JSON size is 1048576 bytes.", map[string]any{"maxSize": int64(1 << 20)})},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.field.Name = "meta"
			checkFieldErr(t, tc.field.ValidateValue(context.Background(), nil, newRecordWith(tc.field, tc.value)), tc.want)
		})
	}
	checkSettingsErr(t, (&JSONField{MaxSize: -1}).ValidateSettings(context.Background(), nil, nil), map[string]string{"maxSize": "validation_min_greater_equal_than_required"})
	checkSettingsErr(t, (&JSONField{MaxSize: 1}).ValidateSettings(context.Background(), nil, nil), nil)
}

func TestJSONFieldRecordOutput(t *testing.T) {
	t.Parallel()
	f := &JSONField{BaseField: BaseField{Name: "meta"}}
	r := NewRecord(testCollection("base", f))
	r.Set("meta", map[string]any{"a": []any{1.0}})
	raw, _ := json.Marshal(r)
	if !strings.Contains(string(raw), `"meta":{"a":[1]}`) {
		t.Fatalf("got %s", raw)
	}
	r.Set("meta", nil)
	raw, _ = json.Marshal(r)
	if !strings.Contains(string(raw), `"meta":null`) {
		t.Fatalf("got %s", raw)
	}
}

func TestJSONFieldJSON(t *testing.T) {
	t.Parallel()
	checkFieldJSON(t, &JSONField{BaseField: BaseField{Id: "j", Name: "meta", Hidden: true}, MaxSize: 10, Required: true}, "maxSize", "required")
}
