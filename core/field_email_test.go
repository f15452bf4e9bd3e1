package core

import (
	"context"
	"testing"
)

func TestEmailField(t *testing.T) {
	t.Parallel()
	t.Run("normalize and db", func(t *testing.T) {
		f := &EmailField{}
		if got := f.Normalize(nil); got != "" {
			t.Fatalf("got %#v", got)
		}
		if got := f.ToDB(f.FromDB("a@b.co")); got != "a@b.co" {
			t.Fatalf("got %#v", got)
		}
	})
	domainErr := NewFieldError("validation_email_domain_not_allowed", "Email domain is not allowed.", nil)
	formatErr := NewFieldError("validation_is_email", "Must be a valid email address.", nil)
	for _, tc := range []struct {
		name  string
		field *EmailField
		value string
		want  *FieldError
	}{
		{"empty optional", &EmailField{}, "", nil},
		{"empty required", &EmailField{Required: true}, "", ErrRequired()},
		{"valid", &EmailField{}, "john.doe+x@example.com", nil},
		{"no at", &EmailField{}, "john.example.com", formatErr},
		{"no local part", &EmailField{}, "@example.com", formatErr},
		{"space", &EmailField{}, "john doe@example.com", formatErr},
		{"bad domain", &EmailField{}, "a@-example.com", formatErr},
		{"except hit", &EmailField{ExceptDomains: []string{"spam.com"}}, "a@spam.com", domainErr},
		{"except case-insensitive", &EmailField{ExceptDomains: []string{"spam.com"}}, "a@SPAM.com", domainErr},
		{"except miss", &EmailField{ExceptDomains: []string{"spam.com"}}, "a@ok.com", nil},
		{"only hit", &EmailField{OnlyDomains: []string{"corp.com"}}, "a@corp.com", nil},
		{"only miss", &EmailField{OnlyDomains: []string{"corp.com"}}, "a@sub.corp.com", domainErr},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.field.Name = "email"
			checkFieldErr(t, tc.field.ValidateValue(context.Background(), nil, newRecordWith(tc.field, tc.value)), tc.want)
		})
	}
	for _, tc := range []struct {
		name  string
		field *EmailField
		want  map[string]string
	}{
		{"none", &EmailField{}, nil},
		{"valid lists", &EmailField{OnlyDomains: []string{"example.com", "sub.example.org"}}, nil},
		{"both lists", &EmailField{OnlyDomains: []string{"a.com"}, ExceptDomains: []string{"b.com"}}, map[string]string{"onlyDomains": "validation_empty", "exceptDomains": "validation_empty"}},
		{"bad domain", &EmailField{ExceptDomains: []string{"ok.com", "not a domain"}}, map[string]string{"exceptDomains": "nested"}},
	} {
		t.Run("settings "+tc.name, func(t *testing.T) {
			checkSettingsErr(t, tc.field.ValidateSettings(context.Background(), nil, nil), tc.want)
		})
	}
	t.Run("json", func(t *testing.T) {
		obj := checkFieldJSON(t, &EmailField{BaseField: BaseField{Id: "e", Name: "email"}, ExceptDomains: []string{}, OnlyDomains: []string{}}, "exceptDomains", "onlyDomains", "required")
		if _, ok := obj["onlyDomains"].([]any); !ok {
			t.Fatalf("got onlyDomains %#v, want []", obj["onlyDomains"])
		}
		checkFieldJSON(t, &EmailField{BaseField: BaseField{Id: "e", Name: "email"}, ExceptDomains: []string{"x.com"}, OnlyDomains: []string{}, Required: true}, "exceptDomains", "onlyDomains", "required")
		// Unset lists are null, as PocketBase writes them (issue 28).
		unset := checkFieldJSON(t, &EmailField{BaseField: BaseField{Id: "e", Name: "email"}}, "exceptDomains", "onlyDomains", "required")
		if unset["exceptDomains"] != nil || unset["onlyDomains"] != nil {
			t.Fatalf("unset lists = %#v, %#v, want null", unset["exceptDomains"], unset["onlyDomains"])
		}
	})
}
