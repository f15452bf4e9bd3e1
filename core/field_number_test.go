package core

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"testing"
)

func ptr[T any](v T) *T { return &v }

func TestNumberFieldNormalize(t *testing.T) {
	t.Parallel()
	f := &NumberField{BaseField: BaseField{Name: "n"}}
	for _, tc := range []struct {
		name string
		in   any
		want float64
	}{
		{"nil", nil, 0},
		{"float", 1.5, 1.5},
		{"int", 3, 3},
		{"numeric string", "12.5", 12.5},
		{"padded string", " 7 ", 7},
		{"non-numeric string", "abc", 0},
		{"true", true, 1},
		{"false", false, 0},
		{"json number", json.Number("-4"), -4},
		{"object", map[string]any{}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := f.Normalize(tc.in); got != tc.want {
				t.Fatalf("got %#v, want %v", got, tc.want)
			}
		})
	}
}

func TestNumberFieldDB(t *testing.T) {
	t.Parallel()
	f := &NumberField{BaseField: BaseField{Name: "n"}}
	for _, tc := range []struct {
		name string
		in   any
		want float64
	}{
		{"int64", int64(5), 5},
		{"float64", 2.25, 2.25},
		{"text", "3", 3},
		{"bytes", []byte("4.5"), 4.5},
		{"null", nil, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := f.FromDB(tc.in)
			if got != tc.want || f.ToDB(got) != tc.want {
				t.Fatalf("got %#v / %#v, want %v", got, f.ToDB(got), tc.want)
			}
		})
	}
	if f.ColumnType() != ColumnNumber {
		t.Fatal("wrong column type")
	}
}

func TestNumberFieldValidateValue(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		field *NumberField
		value float64
		want  *FieldError
	}{
		{"zero optional", &NumberField{}, 0, nil},
		{"zero required", &NumberField{Required: true}, 0, ErrRequired()},
		{"zero skips min and onlyInt", &NumberField{Min: ptr(5.0), OnlyInt: true}, 0, nil},
		{"only int fail", &NumberField{OnlyInt: true}, 1.5, NewFieldError("validation_only_int_constraint", "Decimal numbers are not allowed.", nil)},
		{"only int ok", &NumberField{OnlyInt: true}, -3, nil},
		{"min fail", &NumberField{Min: ptr(2.0)}, 1, NewFieldError("validation_min_number_constraint", "Must be larger than 2.000000.", nil)},
		{"min equal ok", &NumberField{Min: ptr(2.0)}, 2, nil},
		{"max fail", &NumberField{Max: ptr(10.0)}, 10.5, NewFieldError("validation_max_number_constraint", "Must be less than 10.000000.", nil)},
		{"negative min zero", &NumberField{Min: ptr(0.0)}, -1, NewFieldError("validation_min_number_constraint", "Must be larger than 0.000000.", nil)},
		{"nan", &NumberField{}, math.NaN(), NewFieldError("validation_not_a_number", "The submitted number is not properly formatted.", nil)},
		{"inf", &NumberField{}, math.Inf(1), NewFieldError("validation_not_a_number", "The submitted number is not properly formatted.", nil)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.field.Name = "n"
			checkFieldErr(t, tc.field.ValidateValue(context.Background(), nil, newRecordWith(tc.field, tc.value)), tc.want)
		})
	}
}

func TestNumberFieldNaNString(t *testing.T) {
	t.Parallel()
	// "NaN" parses as a float, so it must be caught by validation.
	f := &NumberField{BaseField: BaseField{Name: "n"}}
	r := NewRecord(testCollection("base", f))
	r.Set("n", "NaN")
	if err := f.ValidateValue(context.Background(), nil, r); err == nil {
		t.Fatal("got nil, want validation_not_a_number")
	}
}

func TestNumberFieldValidateSettings(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		field *NumberField
		want  map[string]string
	}{
		{"none", &NumberField{}, nil},
		{"ordered", &NumberField{Min: ptr(1.0), Max: ptr(2.0)}, nil},
		{"max below min", &NumberField{Min: ptr(3.0), Max: ptr(2.0)}, map[string]string{"max": "validation_min_greater_equal_than_required"}},
		{"onlyInt decimal bound", &NumberField{Min: ptr(1.5), OnlyInt: true}, map[string]string{"min": "validation_only_int_constraint"}},
		{"inf bound", &NumberField{Max: ptr(math.Inf(1))}, map[string]string{"max": "validation_not_a_number"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkSettingsErr(t, tc.field.ValidateSettings(context.Background(), nil, nil), tc.want)
		})
	}
}

func TestNumberFieldModifiers(t *testing.T) {
	t.Parallel()
	f := &NumberField{BaseField: BaseField{Name: "n"}}
	for _, tc := range []struct {
		name    string
		current any
		mod     Modifier
		value   any
		want    float64
	}{
		{"add", 10.0, ModAppend, 5, 15},
		{"add string", 10.0, ModAppend, "2.5", 12.5},
		{"subtract", 10.0, ModSubtract, 3, 7},
		{"subtract below zero", 1.0, ModSubtract, 3, -2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := f.ApplyModifier(tc.current, tc.mod, tc.value)
			if err != nil || got != tc.want {
				t.Fatalf("got %v, %v; want %v", got, err, tc.want)
			}
		})
	}
	if _, err := f.ApplyModifier(1.0, ModPrepend, 1); !errors.Is(err, ErrUnsupportedModifier) {
		t.Fatalf("prepend: got %v, want ErrUnsupportedModifier", err)
	}
}

func TestNumberFieldJSON(t *testing.T) {
	t.Parallel()
	obj := checkFieldJSON(t, &NumberField{BaseField: BaseField{Id: "n1", Name: "n"}}, "min", "max", "onlyInt", "required")
	if obj["min"] != nil || obj["max"] != nil {
		t.Fatalf("got min %v max %v, want null", obj["min"], obj["max"])
	}
	checkFieldJSON(t, &NumberField{BaseField: BaseField{Id: "n1", Name: "n"}, Min: ptr(-1.5), Max: ptr(0.0), OnlyInt: true}, "min", "max", "onlyInt", "required")
}
