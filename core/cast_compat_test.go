package core

import (
	"reflect"
	"testing"
)

// TestObjectsAreNoStrings: a JSON object or array sent for a string field
// is blank, and an object is no list, as in PocketBase (issue 28: the
// compat harness saw `{}` stored as the text "{}" where PocketBase answers
// "Cannot be blank." for a required field).
func TestObjectsAreNoStrings(t *testing.T) {
	fields := []Field{&TextField{}, &EditorField{}, &EmailField{}, &URLField{}}
	for _, f := range fields {
		for _, in := range []any{map[string]any{}, map[string]any{"a": 1.0}, []any{}, []any{"a"}} {
			if got := f.Normalize(in); got != "" {
				t.Errorf("%s.Normalize(%#v) = %#v, want \"\"", f.Type(), in, got)
			}
		}
		if got := f.Normalize(12.0); got != "12" {
			t.Errorf("%s.Normalize(12) = %#v, want \"12\"", f.Type(), got)
		}
	}
	for _, tc := range []struct {
		name string
		in   any
		want []string
	}{
		{"object", map[string]any{"a": "b"}, []string{}},
		{"objects in a list", []any{"x", map[string]any{}, []any{"y"}}, []string{"x"}},
		{"plain list", []any{"x", 1.0, "x"}, []string{"x", "1"}},
	} {
		if got := ToStringSlice(tc.in); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: ToStringSlice = %#v, want %#v", tc.name, got, tc.want)
		}
	}
}
