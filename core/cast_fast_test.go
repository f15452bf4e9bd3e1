package core

import (
	"encoding/json"
	"slices"
	"testing"
	"time"
)

// TestSimpleStringArray: the fast path agrees with encoding/json wherever
// it answers, and declines what it cannot read exactly.
func TestSimpleStringArray(t *testing.T) {
	tests := []struct {
		in     string
		wantOK bool
	}{
		{`[]`, true},
		{`[ ]`, true},
		{`["a"]`, true},
		{`["a","b","a"]`, true},
		{`[ "a" , "b" ]`, true},
		{"[\n\"x\",\t\"y\"\r\n]", true},
		{`["héllo","日本"]`, true},
		{`["",""]`, true},
		{`["a\"b"]`, false},
		{`["a\\b"]`, false},
		{`["\u0041"]`, false},
		{`[1,"a"]`, false},
		{`["a",]`, false},
		{`["a" "b"]`, false},
		{`["a"`, false},
		{`[null]`, false},
		{`[["a"]]`, false},
		{`["a"]x`, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, ok := simpleStringArray(tt.in)
			if ok != tt.wantOK {
				t.Fatalf("ok = %v, want %v", ok, tt.wantOK)
			}
			if !ok {
				return
			}
			var want []string
			if err := json.Unmarshal([]byte(tt.in), &want); err != nil {
				t.Fatalf("fast path accepted invalid JSON: %v", err)
			}
			if !slices.Equal(got, want) && !(len(got) == 0 && len(want) == 0) {
				t.Fatalf("got %q, encoding/json %q", got, want)
			}
		})
	}
	// Through ToStringSlice: same result as before (dedupe, drop empty).
	if got := ToStringSlice(`["b","","a","b"]`); !slices.Equal(got, []string{"b", "a"}) {
		t.Fatalf("ToStringSlice = %q", got)
	}
	if got := ToStringSlice(`["a\"q", "a\"q"]`); !slices.Equal(got, []string{`a"q`}) {
		t.Fatalf("ToStringSlice escaped = %q", got)
	}
}

func TestNormalizeDateCanonical(t *testing.T) {
	tests := []struct{ in, want string }{
		{"2024-01-02 10:00:00.000Z", "2024-01-02 10:00:00.000Z"},
		{"2024-02-30 10:00:00.000Z", ""}, // day out of range
		{"2024-01-02 10:00:00Z", "2024-01-02 10:00:00.000Z"},
		{"2024-01-02T10:00:00+02:00", "2024-01-02 08:00:00.000Z"},
		{"nope", ""},
	}
	for _, tt := range tests {
		if got := normalizeDate(tt.in); got != tt.want {
			t.Errorf("normalizeDate(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if got := normalizeDate(time.Date(2024, 1, 2, 10, 0, 0, 0, time.UTC)); got != "2024-01-02 10:00:00.000Z" {
		t.Errorf("normalizeDate(time) = %q", got)
	}
}
