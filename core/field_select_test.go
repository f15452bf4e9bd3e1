package core

import (
	"context"
	"errors"
	"reflect"
	"testing"
)

func TestSelectFieldNormalize(t *testing.T) {
	t.Parallel()
	single := &SelectField{BaseField: BaseField{Name: "s"}, Values: []string{"a", "b", "c"}}
	multi := &SelectField{BaseField: BaseField{Name: "s"}, Values: []string{"a", "b", "c"}, MaxSelect: 3}
	for _, tc := range []struct {
		name       string
		in         any
		wantSingle string
		wantMulti  []string
	}{
		{"nil", nil, "", []string{}},
		{"empty string", "", "", []string{}},
		{"string", "a", "a", []string{"a"}},
		{"list", []any{"a", "b"}, "b", []string{"a", "b"}},
		{"list dedup", []any{"b", "a", "b"}, "a", []string{"b", "a"}},
		{"string slice", []string{"c", "a"}, "a", []string{"c", "a"}},
		{"json array text", `["a","c"]`, "c", []string{"a", "c"}},
		{"empty list", []any{}, "", []string{}},
		{"drops empty items", []any{"", "a"}, "a", []string{"a"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := single.Normalize(tc.in); got != tc.wantSingle {
				t.Fatalf("single: got %#v, want %q", got, tc.wantSingle)
			}
			if got := multi.Normalize(tc.in); !reflect.DeepEqual(got, tc.wantMulti) {
				t.Fatalf("multi: got %#v, want %#v", got, tc.wantMulti)
			}
		})
	}
}

func TestSelectFieldDB(t *testing.T) {
	t.Parallel()
	single := &SelectField{BaseField: BaseField{Name: "s"}}
	multi := &SelectField{BaseField: BaseField{Name: "s"}, MaxSelect: 2}
	if single.ColumnType() != ColumnText || multi.ColumnType() != ColumnJSONArray {
		t.Fatal("wrong column types")
	}
	for _, tc := range []struct {
		name   string
		field  *SelectField
		in     any
		want   any
		wantDB any
	}{
		{"single text", single, "a", "a", "a"},
		{"single empty", single, "", "", ""},
		{"multi json text", multi, `["a","b"]`, []string{"a", "b"}, `["a","b"]`},
		{"multi json bytes", multi, []byte(`["a"]`), []string{"a"}, `["a"]`},
		{"multi empty", multi, "[]", []string{}, "[]"},
		{"multi null", multi, nil, []string{}, "[]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.field.FromDB(tc.in)
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("FromDB: got %#v, want %#v", got, tc.want)
			}
			if db := tc.field.ToDB(got); db != tc.wantDB {
				t.Fatalf("ToDB: got %#v, want %#v", db, tc.wantDB)
			}
		})
	}
}

func TestSelectFieldValidate(t *testing.T) {
	t.Parallel()
	vals := []string{"a", "b", "c"}
	for _, tc := range []struct {
		name  string
		field *SelectField
		value any
		want  *FieldError
	}{
		{"empty optional", &SelectField{Values: vals}, "", nil},
		{"empty required", &SelectField{Values: vals, Required: true}, "", ErrRequired()},
		{"empty list required", &SelectField{Values: vals, MaxSelect: 2, Required: true}, []string{}, ErrRequired()},
		{"valid single", &SelectField{Values: vals}, "b", nil},
		{"invalid single", &SelectField{Values: vals}, "z", NewFieldError("validation_invalid_value", "Invalid value z.", map[string]any{"value": "z"})},
		{"valid multi", &SelectField{Values: vals, MaxSelect: 2}, []string{"a", "c"}, nil},
		{"invalid multi", &SelectField{Values: vals, MaxSelect: 2}, []string{"a", "x"}, NewFieldError("validation_invalid_value", "Invalid value x.", map[string]any{"value": "x"})},
		{"too many", &SelectField{Values: vals, MaxSelect: 2}, []string{"a", "b", "c"}, NewFieldError("validation_too_many_values", "Select no more than 2.", map[string]any{"maxSelect": 2})},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.field.Name = "s"
			checkFieldErr(t, tc.field.ValidateValue(context.Background(), nil, newRecordWith(tc.field, tc.value)), tc.want)
		})
	}
}

func TestSelectFieldValidateSettings(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		field *SelectField
		want  map[string]string
	}{
		{"ok", &SelectField{Values: []string{"a", "b"}, MaxSelect: 2}, nil},
		{"no values", &SelectField{}, map[string]string{"values": "validation_required"}},
		{"empty and duplicate values", &SelectField{Values: []string{"a", "", "a"}}, map[string]string{"values": "nested"}},
		{"maxSelect over values", &SelectField{Values: []string{"a"}, MaxSelect: 2}, map[string]string{"maxSelect": "validation_max_less_equal_than_required"}},
		{"negative maxSelect", &SelectField{Values: []string{"a"}, MaxSelect: -1}, map[string]string{"maxSelect": "validation_min_greater_equal_than_required"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkSettingsErr(t, tc.field.ValidateSettings(context.Background(), nil, nil), tc.want)
		})
	}
}

// testListModifiers is shared by the select, relation and file tests:
// the three kinds apply modifiers identically. A single-value field
// computes on a one-item list and keeps the last item.
func testListModifiers(t *testing.T, single, multi ModifierApplier) {
	t.Helper()
	for _, tc := range []struct {
		name          string
		current       []string
		singleCurrent string
		mod           Modifier
		value         any
		wantMulti     []string
		wantSingle    string
	}{
		{"append", []string{"a"}, "a", ModAppend, []any{"b", "c"}, []string{"a", "b", "c"}, "c"},
		{"append dedup", []string{"a", "b"}, "b", ModAppend, "a", []string{"a", "b"}, "a"},
		{"append existing single", []string{"a"}, "a", ModAppend, "a", []string{"a"}, "a"},
		{"append to empty", []string{}, "", ModAppend, "x", []string{"x"}, "x"},
		{"prepend", []string{"a"}, "a", ModPrepend, []any{"b", "c"}, []string{"b", "c", "a"}, "a"},
		{"prepend to empty", []string{}, "", ModPrepend, []any{"b", "c"}, []string{"b", "c"}, "c"},
		{"subtract", []string{"a", "b", "c"}, "c", ModSubtract, []any{"b", "z"}, []string{"a", "c"}, "c"},
		{"subtract all", []string{"a"}, "a", ModSubtract, "a", []string{}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := multi.ApplyModifier(tc.current, tc.mod, tc.value)
			if err != nil || !reflect.DeepEqual(got, tc.wantMulti) {
				t.Fatalf("multi: got %#v, %v; want %#v", got, err, tc.wantMulti)
			}
			got, err = single.ApplyModifier(tc.singleCurrent, tc.mod, tc.value)
			if err != nil || got != tc.wantSingle {
				t.Fatalf("single: got %#v, %v; want %q", got, err, tc.wantSingle)
			}
		})
	}
	if _, err := multi.ApplyModifier([]string{}, ModAutogenerate, "x"); !errors.Is(err, ErrUnsupportedModifier) {
		t.Fatalf("autogenerate: got %v, want ErrUnsupportedModifier", err)
	}
}

func TestSelectFieldModifiers(t *testing.T) {
	t.Parallel()
	testListModifiers(t, &SelectField{}, &SelectField{MaxSelect: 5})
}

func TestSelectFieldJSON(t *testing.T) {
	t.Parallel()
	obj := checkFieldJSON(t, &SelectField{BaseField: BaseField{Id: "s", Name: "s"}, Values: []string{"a", "b"}, MaxSelect: 2, Required: true}, "values", "maxSelect", "required")
	if !reflect.DeepEqual(obj["values"], []any{"a", "b"}) {
		t.Fatalf("got values %#v", obj["values"])
	}
	obj = checkFieldJSON(t, &SelectField{BaseField: BaseField{Id: "s", Name: "s"}, Values: []string{}}, "values", "maxSelect", "required")
	if _, ok := obj["values"].([]any); !ok {
		t.Fatalf("got values %#v, want []", obj["values"])
	}
}
