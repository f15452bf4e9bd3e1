package core

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"
)

func TestPasswordFieldNormalizeAndDB(t *testing.T) {
	t.Parallel()
	f := &PasswordField{BaseField: BaseField{Name: "password"}}
	for _, tc := range []struct {
		name string
		in   any
		want PasswordValue
	}{
		{"nil", nil, PasswordValue{}},
		{"plain", "secret123", PasswordValue{Plain: "secret123"}},
		{"empty", "", PasswordValue{}},
		{"number", 12345678, PasswordValue{Plain: "12345678"}},
		{"value", PasswordValue{Hash: "h"}, PasswordValue{Hash: "h"}},
		{"pointer", &PasswordValue{Hash: "h"}, PasswordValue{Hash: "h"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := f.Normalize(tc.in); got != tc.want {
				t.Fatalf("got %#v, want %#v", got, tc.want)
			}
		})
	}
	if got := f.FromDB("$2a$hash"); got != (PasswordValue{Hash: "$2a$hash"}) || f.ToDB(got) != "$2a$hash" {
		t.Fatalf("db round trip: got %#v", got)
	}
	if got := f.ToDB(PasswordValue{Plain: "x"}); got != "" {
		t.Fatalf("unhashed plain must not reach the db: got %#v", got)
	}
	if f.ColumnType() != ColumnText || !f.IsPassword() {
		t.Fatal("wrong column type or marker")
	}
}

func TestPasswordFieldValidate(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		field *PasswordField
		value PasswordValue
		want  *FieldError
	}{
		{"empty optional", &PasswordField{}, PasswordValue{}, nil},
		{"empty required", &PasswordField{Required: true}, PasswordValue{}, ErrRequired()},
		{"stored hash required", &PasswordField{Required: true, Min: 8}, PasswordValue{Hash: "$2a$10$x"}, nil},
		{"too short", &PasswordField{Min: 8}, PasswordValue{Plain: "short"}, NewFieldError("validation_min_text_constraint", "Must be at least 8 character(s).", nil)},
		{"min ok", &PasswordField{Min: 8}, PasswordValue{Plain: "12345678"}, nil},
		{"max", &PasswordField{Max: 10}, PasswordValue{Plain: strings.Repeat("a", 11)}, NewFieldError("validation_max_text_constraint", "Must be less than 10 character(s).", nil)},
		{"default max", &PasswordField{}, PasswordValue{Plain: strings.Repeat("a", 72)}, NewFieldError("validation_max_text_constraint", "Must be less than 71 character(s).", nil)},
		{"default max ok", &PasswordField{}, PasswordValue{Plain: strings.Repeat("a", 71)}, nil},
		{"multibyte over bcrypt limit", &PasswordField{}, PasswordValue{Plain: strings.Repeat("é", 40)}, NewFieldError("validation_max_text_constraint", "Must be less than 71 character(s).", nil)},
		{"pattern fail", &PasswordField{Pattern: `\d`}, PasswordValue{Plain: "nodigits"}, NewFieldError("validation_invalid_format", "Invalid value format.", nil)},
		{"pattern ok", &PasswordField{Pattern: `\d`}, PasswordValue{Plain: "digit1"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.field.Name = "password"
			checkFieldErr(t, tc.field.ValidateValue(context.Background(), nil, newRecordWith(tc.field, tc.value)), tc.want)
		})
	}
}

func TestPasswordFieldValidateSettings(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		field *PasswordField
		want  map[string]string
	}{
		{"defaults", &PasswordField{}, nil},
		{"full", &PasswordField{Min: 8, Max: 71, Cost: 12, Pattern: `^\S+$`}, nil},
		{"max over 71", &PasswordField{Max: 72}, map[string]string{"max": "validation_max_less_equal_than_required"}},
		{"max below min", &PasswordField{Min: 10, Max: 9}, map[string]string{"max": "validation_min_greater_equal_than_required"}},
		{"negative min", &PasswordField{Min: -1}, map[string]string{"min": "validation_min_greater_equal_than_required"}},
		{"cost low", &PasswordField{Cost: 3}, map[string]string{"cost": "validation_min_greater_equal_than_required"}},
		{"cost high", &PasswordField{Cost: 32}, map[string]string{"cost": "validation_max_less_equal_than_required"}},
		{"bad pattern", &PasswordField{Pattern: "["}, map[string]string{"pattern": "validation_invalid_regex"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkSettingsErr(t, tc.field.ValidateSettings(context.Background(), nil, nil), tc.want)
		})
	}
}

func TestPasswordFieldBeforeSave(t *testing.T) {
	t.Parallel()
	f := &PasswordField{BaseField: BaseField{Name: "password"}, Cost: bcrypt.MinCost}
	r := NewRecord(testCollection("auth", f))
	r.Set("password", "secret123")
	if err := f.BeforeSave(r, true, fixedNow); err != nil {
		t.Fatal(err)
	}
	pv := r.Get("password").(PasswordValue)
	if pv.Plain != "" {
		t.Fatal("plain text kept after hashing")
	}
	if cost, err := bcrypt.Cost([]byte(pv.Hash)); err != nil || cost != bcrypt.MinCost {
		t.Fatalf("got cost %d, %v", cost, err)
	}
	if bcrypt.CompareHashAndPassword([]byte(pv.Hash), []byte("secret123")) != nil {
		t.Fatal("hash does not match the password")
	}
	// A stored hash is left alone.
	if err := f.BeforeSave(r, false, fixedNow); err != nil || r.Get("password").(PasswordValue).Hash != pv.Hash {
		t.Fatalf("rehashed a stored hash: %v", err)
	}
}

func TestPasswordFieldDefaultCost(t *testing.T) {
	t.Parallel()
	f := &PasswordField{BaseField: BaseField{Name: "password"}}
	r := newRecordWith(f, PasswordValue{Plain: "secret123"})
	if err := f.BeforeSave(r, true, fixedNow); err != nil {
		t.Fatal(err)
	}
	if cost, _ := bcrypt.Cost([]byte(r.Get("password").(PasswordValue).Hash)); cost != 10 {
		t.Fatalf("got cost %d, want 10", cost)
	}
}

func TestPasswordFieldOutput(t *testing.T) {
	t.Parallel()
	f := &PasswordField{BaseField: BaseField{Name: "pin"}}
	for _, tc := range []struct {
		typ      string
		wantShow bool
	}{
		{CollectionTypeAuth, false},
		{CollectionTypeBase, true},
	} {
		t.Run(tc.typ, func(t *testing.T) {
			r := NewRecord(testCollection(tc.typ, f))
			r.SetCanonical("pin", PasswordValue{Hash: "$2a$secret"})
			v, ok := f.Output(r)
			if ok != tc.wantShow || (ok && v != "") {
				t.Fatalf("got %#v, %v", v, ok)
			}
			raw, _ := json.Marshal(r)
			if strings.Contains(string(raw), "secret") {
				t.Fatalf("hash leaked: %s", raw)
			}
		})
	}
}

func TestPasswordFieldJSON(t *testing.T) {
	t.Parallel()
	checkFieldJSON(t, &PasswordField{BaseField: BaseField{Id: "p", Name: "password", Hidden: true, System: true}, Min: 8, Max: 71, Cost: 12, Pattern: ".*", Required: true},
		"min", "max", "pattern", "cost", "required")
}
