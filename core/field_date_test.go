package core

import (
	"context"
	"encoding/json"
	"testing"
	"time"
)

func TestDateFieldNormalize(t *testing.T) {
	t.Parallel()
	f := &DateField{BaseField: BaseField{Name: "when"}}
	for _, tc := range []struct {
		name string
		in   any
		want string
	}{
		{"api format", "2024-01-02 03:04:05.678Z", "2024-01-02 03:04:05.678Z"},
		{"rfc3339 offset to utc", "2024-05-06T10:20:30+02:00", "2024-05-06 08:20:30.000Z"},
		{"rfc3339 nano", "2024-05-06T10:20:30.123456Z", "2024-05-06 10:20:30.123Z"},
		{"date only", "2024-05-06", "2024-05-06 00:00:00.000Z"},
		{"no zone", "2024-05-06 10:20:30", "2024-05-06 10:20:30.000Z"},
		{"time.Time", time.Date(2024, 1, 1, 1, 0, 0, 0, time.FixedZone("x", 3600)), "2024-01-01 00:00:00.000Z"},
		{"json number", 1714990830.0, ""},
		{"json.Number", json.Number("1714990830"), ""},
		{"garbage", "not a date", ""},
		{"empty", "", ""},
		{"nil", nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := f.Normalize(tc.in); got != tc.want {
				t.Fatalf("got %#v, want %q", got, tc.want)
			}
		})
	}
}

func TestDateFieldDB(t *testing.T) {
	t.Parallel()
	f := &DateField{BaseField: BaseField{Name: "when"}}
	for _, in := range []any{"2024-01-02 03:04:05.678Z", []byte("2024-01-02 03:04:05.678Z")} {
		if got := f.FromDB(in); got != "2024-01-02 03:04:05.678Z" || f.ToDB(got) != got {
			t.Fatalf("FromDB(%#v) = %#v", in, got)
		}
	}
	if got := f.FromDB(""); got != "" {
		t.Fatalf("empty: got %#v", got)
	}
}

func TestDateFieldValidate(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		field *DateField
		value string
		want  *FieldError
	}{
		{"empty optional", &DateField{}, "", nil},
		{"empty required", &DateField{Required: true}, "", ErrRequired()},
		{"set required", &DateField{Required: true}, "2024-01-01 00:00:00.000Z", nil},
		{"below min", &DateField{Min: "2024-01-01 00:00:00.000Z"}, "2023-12-31 23:59:59.999Z",
			NewFieldError("validation_min_greater_equal_than_required", "Must be no less than 2024-01-01 00:00:00 +0000 UTC.", map[string]any{"threshold": time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)})},
		{"at min", &DateField{Min: "2024-01-01 00:00:00.000Z"}, "2024-01-01 00:00:00.000Z", nil},
		{"above max", &DateField{Max: "2024-01-01 00:00:00.000Z"}, "2024-01-01 00:00:00.001Z",
			NewFieldError("validation_max_less_equal_than_required", "Must be no greater than 2024-01-01 00:00:00 +0000 UTC.", map[string]any{"threshold": time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)})},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.field.Name = "when"
			checkFieldErr(t, tc.field.ValidateValue(context.Background(), nil, newRecordWith(tc.field, tc.value)), tc.want)
		})
	}
	for _, tc := range []struct {
		name  string
		field *DateField
		want  map[string]string
	}{
		{"none", &DateField{}, nil},
		{"ordered", &DateField{Min: "2024-01-01", Max: "2024-02-01"}, nil},
		{"bad min", &DateField{Min: "soon"}, map[string]string{"min": "validation_date_invalid"}},
		{"max before min", &DateField{Min: "2024-02-01", Max: "2024-01-01"}, map[string]string{"max": "validation_min_greater_equal_than_required"}},
	} {
		t.Run("settings "+tc.name, func(t *testing.T) {
			checkSettingsErr(t, tc.field.ValidateSettings(context.Background(), nil, nil), tc.want)
		})
	}
}

func TestDateFieldJSON(t *testing.T) {
	t.Parallel()
	checkFieldJSON(t, &DateField{BaseField: BaseField{Id: "d", Name: "when"}, Min: "2024-01-01 00:00:00.000Z"}, "min", "max", "required")
	var l FieldsList
	if err := json.Unmarshal([]byte(`[{"type":"date","name":"when","min":"2024-05-06","max":""}]`), &l); err != nil {
		t.Fatal(err)
	}
	if got := l[0].(*DateField).Min; got != "2024-05-06 00:00:00.000Z" {
		t.Fatalf("got min %q, want canonical", got)
	}
}
