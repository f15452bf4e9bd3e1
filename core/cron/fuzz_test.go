package cron

import (
	"testing"
	"time"
)

// FuzzParse feeds arbitrary expressions (clients send them through
// settings.backups.cron): Parse must never panic, and whatever it accepts
// must behave as a schedule — Next moves forward to a whole minute that
// Due accepts, and the expression re-parses to the same schedule.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		"* * * * *", "0 */6 * * *", "@daily", "@every 1h", "TZ=UTC", "TZ=UTC * * * *",
		"1-5/2,10,*/7 0-23/3 1,15 jan-dec/2 mon-fri", "0 0 30 2 *", ",", "1,,2 * * * *",
		"*/0 * * * *", "60 * * * *", "? ? ? ? ?", "*-5 * * * *", "",
	} {
		f.Add(seed)
	}
	from := time.Date(2026, 3, 1, 10, 17, 33, 0, time.UTC)
	f.Fuzz(func(t *testing.T, expr string) {
		s, err := Parse(expr)
		if err != nil {
			return
		}
		next := s.Next(from)
		if next.IsZero() {
			return // a date that never comes (February 30)
		}
		if !next.After(from) || next.Second() != 0 || next.Nanosecond() != 0 {
			t.Fatalf("Parse(%q).Next(%s) = %s", expr, from, next)
		}
		if !s.Due(next) {
			t.Fatalf("Parse(%q): Due(Next) is false at %s", expr, next)
		}
		again, err := Parse(s.String())
		if err != nil {
			t.Fatalf("Parse(%q).String() = %q does not parse: %v", expr, s.String(), err)
		}
		if got := again.Next(from); !got.Equal(next) {
			t.Fatalf("re-parsed %q: Next = %s, want %s", s.String(), got, next)
		}
	})
}
