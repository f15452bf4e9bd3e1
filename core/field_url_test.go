package core

import (
	"context"
	"encoding/json"
	"testing"
)

func TestURLField(t *testing.T) {
	t.Parallel()
	t.Run("normalize and db", func(t *testing.T) {
		f := &URLField{}
		if got := f.Normalize("https://x.y"); got != "https://x.y" {
			t.Fatalf("got %#v", got)
		}
		if got := f.ToDB(f.FromDB("https://x.y")); got != "https://x.y" {
			t.Fatalf("got %#v", got)
		}
	})
	urlErr := NewFieldError("validation_invalid_url", "Must be a valid url.", nil)
	domainErr := NewFieldError("validation_url_domain_not_allowed", "Url domain is not allowed.", nil)
	for _, tc := range []struct {
		name  string
		field *URLField
		value string
		want  *FieldError
	}{
		{"empty optional", &URLField{}, "", nil},
		{"empty required", &URLField{Required: true}, "", ErrRequired()},
		{"https", &URLField{}, "https://example.com/a?b=c#d", nil},
		{"with port", &URLField{}, "http://example.com:8080", nil},
		{"ip", &URLField{}, "http://127.0.0.1/x", nil},
		{"localhost", &URLField{}, "http://localhost:8090", nil},
		{"no scheme", &URLField{}, "example.com", urlErr},
		{"no dot host", &URLField{}, "http://example", urlErr},
		{"spaces", &URLField{}, "http://exa mple.com", urlErr},
		{"mailto", &URLField{}, "mailto:a@b.com", urlErr},
		{"javascript with a host", &URLField{}, "javascript://example.com/%0Aalert(1)", urlErr},
		{"data with a host", &URLField{}, "data://example.com/x", urlErr},
		{"ws", &URLField{}, "wss://example.com/socket", nil},
		{"ftp upper case", &URLField{}, "FTP://example.com/file", nil},
		{"only hit", &URLField{OnlyDomains: []string{"example.com"}}, "https://example.com/x", nil},
		{"only miss", &URLField{OnlyDomains: []string{"example.com"}}, "https://www.example.com/x", domainErr},
		{"except hit", &URLField{ExceptDomains: []string{"bad.io"}}, "https://bad.io", domainErr},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.field.Name = "site"
			checkFieldErr(t, tc.field.ValidateValue(context.Background(), nil, newRecordWith(tc.field, tc.value)), tc.want)
		})
	}
	t.Run("settings", func(t *testing.T) {
		checkSettingsErr(t, (&URLField{OnlyDomains: []string{"a.com"}, ExceptDomains: []string{"b.com"}}).ValidateSettings(context.Background(), nil, nil),
			map[string]string{"onlyDomains": "validation_empty", "exceptDomains": "validation_empty"})
	})
	t.Run("json", func(t *testing.T) {
		checkFieldJSON(t, &URLField{BaseField: BaseField{Id: "u", Name: "site"}, ExceptDomains: []string{}, OnlyDomains: []string{"a.com"}}, "exceptDomains", "onlyDomains", "required")
		raw, _ := json.Marshal(&URLField{})
		var m map[string]any
		_ = json.Unmarshal(raw, &m)
		// An unset list is null, as PocketBase writes it (issue 28:
		// the differential harness saw [] where PocketBase has null).
		if v, ok := m["exceptDomains"]; !ok || v != nil {
			t.Fatalf("nil list marshalled as %s, want null", raw)
		}
	})
}
