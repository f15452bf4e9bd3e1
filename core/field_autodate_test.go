package core

import (
	"context"
	"testing"
)

func TestAutodateFieldNormalizeIgnoresInput(t *testing.T) {
	t.Parallel()
	f := NewAutodateField("created", true, false)
	for _, in := range []any{nil, "2024-01-01 00:00:00.000Z", 123} {
		if got := f.Normalize(in); got != "" {
			t.Fatalf("Normalize(%#v) = %#v, want \"\"", in, got)
		}
	}
	if got := f.FromDB("2024-01-01 00:00:00.000Z"); got != "2024-01-01 00:00:00.000Z" || f.ToDB(got) != got {
		t.Fatalf("db round trip: got %#v", got)
	}
	if f.ColumnType() != ColumnText {
		t.Fatal("wrong column type")
	}
}

func TestAutodateFieldBeforeSave(t *testing.T) {
	t.Parallel()
	const stored = "2020-01-01 00:00:00.000Z"
	const now = "2024-05-06 10:20:30.123Z"
	const custom = "2021-06-06 06:06:06.000Z"
	for _, tc := range []struct {
		name               string
		onCreate, onUpdate bool
		isNew              bool
		current            string // canonical value before save
		want               string
	}{
		{"create onCreate", true, false, true, "", now},
		{"create onCreate+onUpdate", true, true, true, "", now},
		{"create onUpdate only", false, true, true, "", ""},
		{"create keeps Go-set value", true, false, true, custom, custom},
		{"update onCreate keeps original", true, false, false, stored, stored},
		{"update onCreate restores cleared", true, false, false, "", stored},
		{"update onUpdate stamps", true, true, false, stored, now},
		{"update onUpdate after client clear", true, true, false, "", now},
		{"update keeps Go-set value", true, true, false, custom, custom},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := NewAutodateField("ts", tc.onCreate, tc.onUpdate)
			var r *Record
			if tc.isNew {
				r = newRecordWith(f, tc.current)
			} else {
				r = loadedRecordWith(f, stored, tc.current)
			}
			if err := f.BeforeSave(r, tc.isNew, fixedNow); err != nil {
				t.Fatal(err)
			}
			if got := r.GetString("ts"); got != tc.want {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestAutodateFieldClientSetIsIgnored(t *testing.T) {
	t.Parallel()
	f := NewAutodateField("created", true, false)
	r := NewRecordFromDB(testCollection("base", f), map[string]any{"created": "2020-01-01 00:00:00.000Z"})
	r.Set("created", "1999-01-01 00:00:00.000Z")
	_ = f.BeforeSave(r, false, fixedNow)
	if got := r.GetString("created"); got != "2020-01-01 00:00:00.000Z" {
		t.Fatalf("got %q, want the stored value", got)
	}
}

func TestAutodateFieldSettings(t *testing.T) {
	t.Parallel()
	checkSettingsErr(t, NewAutodateField("x", false, false).ValidateSettings(context.Background(), nil, nil), map[string]string{"onCreate": "validation_required", "onUpdate": "validation_required"})
	checkSettingsErr(t, NewAutodateField("x", false, true).ValidateSettings(context.Background(), nil, nil), nil)
	if err := NewAutodateField("x", true, false).ValidateValue(context.Background(), nil, newRecordWith(NewAutodateField("x", true, false), "")); err != nil {
		t.Fatal(err)
	}
}

func TestAutodateFieldJSON(t *testing.T) {
	t.Parallel()
	f := NewAutodateField("updated", true, true)
	if f.Id != "autodate3332085495" {
		t.Fatalf("got id %q", f.Id)
	}
	checkFieldJSON(t, f, "onCreate", "onUpdate")
}
