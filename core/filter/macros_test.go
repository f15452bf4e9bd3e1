package filter

import (
	"testing"
	"time"
)

func TestMacro(t *testing.T) {
	t.Parallel()
	// A Tuesday in a leap year, given in a non-UTC zone to check conversion:
	// 2024-02-27 23:30:45.123 -05:00 is 2024-02-28 04:30:45.123 UTC, a Wednesday.
	zone := time.FixedZone("EST", -5*3600)
	now := time.Date(2024, 2, 27, 23, 30, 45, 123456789, zone)
	tests := []struct {
		name string
		want any
	}{
		{"@now", "2024-02-28 04:30:45.123Z"},
		{"@yesterday", "2024-02-27 04:30:45.123Z"},
		{"@tomorrow", "2024-02-29 04:30:45.123Z"},
		{"@todayStart", "2024-02-28 00:00:00.000Z"},
		{"@todayEnd", "2024-02-28 23:59:59.999Z"},
		{"@monthStart", "2024-02-01 00:00:00.000Z"},
		{"@monthEnd", "2024-02-29 23:59:59.999Z"},
		{"@yearStart", "2024-01-01 00:00:00.000Z"},
		{"@yearEnd", "2024-12-31 23:59:59.999Z"},
		{"@second", 45},
		{"@minute", 30},
		{"@hour", 4},
		{"@day", 28},
		{"@month", 2},
		{"@weekday", 3},
		{"@year", 2024},
		{"now", "2024-02-28 04:30:45.123Z"}, // the '@' is optional
		{"weekday", 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, ok := Macro(tt.name, now)
			if !ok {
				t.Fatalf("Macro(%q) not found", tt.name)
			}
			if got != tt.want {
				t.Errorf("Macro(%q) = %#v, want %#v", tt.name, got, tt.want)
			}
		})
	}
}

func TestMacroEdges(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		now  time.Time
		want any
	}{
		{"@monthEnd", time.Date(2023, 2, 10, 0, 0, 0, 0, time.UTC), "2023-02-28 23:59:59.999Z"},
		{"@monthEnd", time.Date(2023, 12, 31, 23, 59, 59, 0, time.UTC), "2023-12-31 23:59:59.999Z"},
		{"@monthEnd", time.Date(2023, 4, 1, 0, 0, 0, 0, time.UTC), "2023-04-30 23:59:59.999Z"},
		{"@tomorrow", time.Date(2023, 12, 31, 12, 0, 0, 0, time.UTC), "2024-01-01 12:00:00.000Z"},
		{"@yesterday", time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC), "2024-02-29 00:00:00.000Z"},
		{"@weekday", time.Date(2024, 3, 3, 0, 0, 0, 0, time.UTC), 0}, // Sunday
		{"@weekday", time.Date(2024, 3, 9, 0, 0, 0, 0, time.UTC), 6}, // Saturday
	}
	for _, tt := range tests {
		t.Run(tt.name+"/"+tt.now.Format(time.DateOnly), func(t *testing.T) {
			t.Parallel()
			if got, _ := Macro(tt.name, tt.now); got != tt.want {
				t.Errorf("Macro(%q, %v) = %#v, want %#v", tt.name, tt.now, got, tt.want)
			}
		})
	}
}

func TestMacroUnknown(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"", "@", "@NOW", "@random", "@request", "today"} {
		if v, ok := Macro(name, time.Unix(0, 0)); ok {
			t.Errorf("Macro(%q) = %v, true; want not found", name, v)
		}
	}
}

// Every macro ParseIdentifier accepts must evaluate, and the reverse.
func TestMacroMatchesIdentifier(t *testing.T) {
	t.Parallel()
	for name := range macros {
		id, err := ParseIdentifier(name)
		if err != nil || id.Kind != KindMacro {
			t.Errorf("ParseIdentifier(%q) = %v, %v; want a macro", name, id, err)
			continue
		}
		if _, ok := Macro(id.Raw, time.Unix(0, 0)); !ok {
			t.Errorf("Macro(%q) not found", id.Raw)
		}
	}
}
