package cron

import (
	"errors"
	"testing"
	"time"
)

func utc(s string) time.Time {
	t, err := time.Parse("2006-01-02 15:04", s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestParseRejects(t *testing.T) {
	t.Parallel()
	long := "0 0 * * *"
	for len(long) <= MaxExpressionLength {
		long += " "
	}
	long += "x"
	cases := []struct{ name, expr string }{
		{"empty", ""},
		{"blank", "   "},
		{"four fields", "* * * *"},
		{"six fields (seconds)", "0 * * * * *"},
		{"minute too big", "60 * * * *"},
		{"hour too big", "0 24 * * *"},
		{"day of month zero", "0 0 0 * *"},
		{"day of month too big", "0 0 32 * *"},
		{"month zero", "0 0 * 0 *"},
		{"month too big", "0 0 * 13 *"},
		{"day of week too big", "0 0 * * 7"},
		{"negative", "-1 * * * *"},
		{"reversed range", "30-10 * * * *"},
		{"open range", "5- * * * *"},
		{"two hyphens", "1-2-3 * * * *"},
		{"zero step", "*/0 * * * *"},
		{"two slashes", "*/2/3 * * * *"},
		{"letters", "a * * * *"},
		{"unknown name", "0 0 * foo *"},
		{"empty list item", "1,,2 * * * *"},
		{"only a comma", ", * * * *"},
		{"trailing comma", "1, * * * *"},
		{"unknown macro", "@fortnightly"},
		{"every is not a macro here", "@every 1h"},
		{"macro with extra", "@daily 5"},
		{"time zone prefix", "TZ=UTC 0 * * *"},
		{"time zone without space", "TZ=UTC"},
		{"cron tz prefix", "CRON_TZ=Europe/Paris 0 0 * *"},
		{"huge number", "99999999999999999999 * * * *"},
		{"too long", long},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, err := Parse(c.expr)
			if err == nil {
				t.Fatalf("Parse(%q) = %v, want an error", c.expr, s)
			}
			if !errors.Is(err, ErrInvalidExpression) {
				t.Fatalf("Parse(%q) error %v does not wrap ErrInvalidExpression", c.expr, err)
			}
		})
	}
}

func TestParseNext(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, expr, from string
		want             []string // successive Next results
	}{
		{"every minute", "* * * * *", "2026-03-01 10:00", []string{"2026-03-01 10:01", "2026-03-01 10:02"}},
		{"hourly macro", "@hourly", "2026-03-01 10:15", []string{"2026-03-01 11:00", "2026-03-01 12:00"}},
		{"daily macro", "@daily", "2026-03-01 10:15", []string{"2026-03-02 00:00", "2026-03-03 00:00"}},
		{"midnight macro", "@midnight", "2026-03-01 00:00", []string{"2026-03-02 00:00"}},
		{"weekly macro is sunday", "@weekly", "2026-03-04 10:00", []string{"2026-03-08 00:00", "2026-03-15 00:00"}},
		{"monthly macro", "@monthly", "2026-01-31 10:00", []string{"2026-02-01 00:00", "2026-03-01 00:00"}},
		{"yearly macro", "@yearly", "2026-03-01 00:00", []string{"2027-01-01 00:00"}},
		{"annually macro", "@annually", "2026-12-31 23:59", []string{"2027-01-01 00:00"}},
		{"step", "*/15 * * * *", "2026-03-01 10:01", []string{"2026-03-01 10:15", "2026-03-01 10:30", "2026-03-01 10:45", "2026-03-01 11:00"}},
		{"range with step", "10-20/5 * * * *", "2026-03-01 10:12", []string{"2026-03-01 10:15", "2026-03-01 10:20", "2026-03-01 11:10"}},
		{"number with step runs to max", "50/5 * * * *", "2026-03-01 10:00", []string{"2026-03-01 10:50", "2026-03-01 10:55", "2026-03-01 11:50"}},
		{"list", "0 6,18 * * *", "2026-03-01 07:00", []string{"2026-03-01 18:00", "2026-03-02 06:00"}},
		{"list of ranges", "0 1-2,22-23 * * *", "2026-03-01 02:30", []string{"2026-03-01 22:00", "2026-03-01 23:00", "2026-03-02 01:00"}},
		{"every six hours", "0 */6 * * *", "2026-03-01 07:00", []string{"2026-03-01 12:00", "2026-03-01 18:00", "2026-03-02 00:00"}},
		{"names", "0 9 * mar mon", "2026-03-01 00:00", []string{"2026-03-02 09:00", "2026-03-09 09:00"}},
		{"sunday is 0", "0 0 * * 0", "2026-03-01 00:00", []string{"2026-03-08 00:00"}},
		{"leap day", "0 0 29 2 *", "2026-03-01 00:00", []string{"2028-02-29 00:00"}},
		{"restricted day fields match either", "0 0 13 * 5", "2026-03-01 00:00", []string{"2026-03-06 00:00", "2026-03-13 00:00", "2026-03-20 00:00"}},
		{"surrounding spaces", "  5 4 * * *\t", "2026-03-01 00:00", []string{"2026-03-01 04:05"}},
		{"never (february 30)", "0 0 30 2 *", "2026-03-01 00:00", []string{"0001-01-01 00:00"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, err := Parse(c.expr)
			if err != nil {
				t.Fatalf("Parse(%q): %v", c.expr, err)
			}
			at := utc(c.from)
			for i, w := range c.want {
				got := s.Next(at)
				if !got.Equal(utc(w)) {
					t.Fatalf("Next #%d after %s = %s, want %s", i+1, at, got, w)
				}
				if !got.IsZero() && !s.Due(got) {
					t.Fatalf("Due(%s) = false for a time Next returned", got)
				}
				at = got
			}
		})
	}
}

func TestDue(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, expr, at string
		want           bool
	}{
		{"matching minute", "30 10 * * *", "2026-03-01 10:30", true},
		{"other minute", "30 10 * * *", "2026-03-01 10:31", false},
		{"other hour", "30 10 * * *", "2026-03-01 11:30", false},
		{"hourly on the hour", "@hourly", "2026-03-01 11:00", true},
		{"hourly off the hour", "@hourly", "2026-03-01 11:01", false},
		{"day of week", "0 0 * * 1", "2026-03-02 00:00", true},
		{"wrong day of week", "0 0 * * 1", "2026-03-03 00:00", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, err := Parse(c.expr)
			if err != nil {
				t.Fatal(err)
			}
			// Seconds within the minute do not matter, nor the zone.
			at := utc(c.at).Add(42 * time.Second).In(time.FixedZone("X", 5*3600))
			if got := s.Due(at); got != c.want {
				t.Fatalf("Due(%s) = %v, want %v", at, got, c.want)
			}
		})
	}
}

func TestScheduleString(t *testing.T) {
	t.Parallel()
	s, err := Parse("  */5 * * * *  ")
	if err != nil {
		t.Fatal(err)
	}
	if got := s.String(); got != "*/5 * * * *" {
		t.Fatalf("String() = %q", got)
	}
}
