package core

import (
	"context"
	"testing"
)

func TestBoolFieldNormalize(t *testing.T) {
	t.Parallel()
	f := &BoolField{BaseField: BaseField{Name: "b"}}
	for _, tc := range []struct {
		name string
		in   any
		want bool
	}{
		{"true", true, true},
		{"false", false, false},
		{"nil", nil, false},
		{"one", 1, true},
		{"float one", 1.0, true},
		{"two", 2, true}, // any non-zero number, as PocketBase's cast (issue 28)
		{`"1"`, "1", true},
		{`"t"`, "t", true},
		{`"true"`, "true", true},
		{`"TRUE"`, "TRUE", true},
		{`"yes"`, "yes", false},
		{`"0"`, "0", false},
		{"unknown", "whatever", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := f.Normalize(tc.in); got != tc.want {
				t.Fatalf("got %#v, want %v", got, tc.want)
			}
		})
	}
}

func TestBoolFieldDB(t *testing.T) {
	t.Parallel()
	f := &BoolField{BaseField: BaseField{Name: "b"}}
	for _, tc := range []struct {
		name string
		in   any
		want bool
	}{
		{"int64 1", int64(1), true},
		{"int64 0", int64(0), false},
		{"bool", true, true},
		{"text", "true", true},
		{"null", nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := f.FromDB(tc.in)
			if got != tc.want || f.ToDB(got) != tc.want {
				t.Fatalf("got %#v / %#v, want %v", got, f.ToDB(got), tc.want)
			}
		})
	}
	if f.ColumnType() != ColumnBool {
		t.Fatal("wrong column type")
	}
}

func TestBoolFieldValidate(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		required bool
		value    bool
		want     *FieldError
	}{
		{"optional false", false, false, nil},
		{"required false", true, false, ErrRequired()},
		{"required true", true, true, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := &BoolField{BaseField: BaseField{Name: "b"}, Required: tc.required}
			checkFieldErr(t, f.ValidateValue(context.Background(), nil, newRecordWith(f, tc.value)), tc.want)
		})
	}
	if err := (&BoolField{}).ValidateSettings(context.Background(), nil, nil); err != nil {
		t.Fatal(err)
	}
}

func TestBoolFieldJSON(t *testing.T) {
	t.Parallel()
	checkFieldJSON(t, &BoolField{BaseField: BaseField{Id: "b1", Name: "b", Presentable: true}, Required: true}, "required")
}
