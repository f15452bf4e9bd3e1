// Package cron provides Basalt's job scheduler: standard 5-field cron
// expressions and macros, evaluated in UTC at minute boundaries, with jobs
// that never overlap themselves, recover their panics, log every run and
// stop on shutdown. core.App.Cron returns the app's Scheduler.
package cron

import (
	"errors"
	"fmt"
	"strings"
	"time"

	robfig "github.com/robfig/cron/v3"
)

// ErrInvalidExpression is wrapped by every error Parse returns.
var ErrInvalidExpression = errors.New("invalid cron expression")

// MaxExpressionLength bounds an expression: it comes from clients through
// settings (backups.cron), and no valid schedule needs more.
const MaxExpressionLength = 256

// macros are the named schedules PocketBase accepts (its tools/cron), all
// of them aliases of 5-field expressions.
var macros = map[string]string{
	"@yearly":   "0 0 1 1 *",
	"@annually": "0 0 1 1 *",
	"@monthly":  "0 0 1 * *",
	"@weekly":   "0 0 * * 0",
	"@daily":    "0 0 * * *",
	"@midnight": "0 0 * * *",
	"@hourly":   "0 * * * *",
}

// parser reads exactly five fields: minute, hour, day of month, month,
// day of week. Descriptors are not enabled: macros are expanded above, so
// robfig's "@every <duration>" is never accepted.
var parser = robfig.NewParser(robfig.Minute | robfig.Hour | robfig.Dom | robfig.Month | robfig.Dow)

// Schedule is a parsed cron expression.
type Schedule struct {
	expr string
	spec robfig.Schedule
}

// Parse reads a cron expression: five whitespace-separated fields
// (minute 0-59, hour 0-23, day of month 1-31, month 1-12 or jan-dec, day of
// week 0-6 or sun-sat), each a comma list of `*`, `N`, `N-M`, with an
// optional `/step`; or one of the macros @yearly, @annually, @monthly,
// @weekly, @daily, @midnight, @hourly. When both day fields are
// restricted, a day matches either (Vixie cron). Every error wraps
// ErrInvalidExpression.
func Parse(expr string) (*Schedule, error) {
	e := strings.TrimSpace(expr)
	if len(e) > MaxExpressionLength {
		return nil, fmt.Errorf("%w: longer than %d characters", ErrInvalidExpression, MaxExpressionLength)
	}
	spec := e
	if strings.HasPrefix(e, "@") {
		m, ok := macros[e]
		if !ok {
			return nil, fmt.Errorf("%w: unknown macro %q", ErrInvalidExpression, e)
		}
		spec = m
	}
	fields := strings.Fields(spec)
	if len(fields) != 5 {
		return nil, fmt.Errorf("%w: want 5 fields, got %d", ErrInvalidExpression, len(fields))
	}
	for _, f := range fields {
		// robfig reads a leading TZ= as a time zone (and panics on one
		// without a following space); schedules here are always UTC.
		if strings.Contains(f, "=") {
			return nil, fmt.Errorf("%w: unexpected %q", ErrInvalidExpression, f)
		}
		// robfig skips empty list items ("1,,2", ","); a typo must not
		// turn into a schedule that never fires.
		for _, item := range strings.Split(f, ",") {
			if item == "" {
				return nil, fmt.Errorf("%w: empty list item in %q", ErrInvalidExpression, f)
			}
		}
	}
	s, err := parser.Parse(strings.Join(fields, " "))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidExpression, err)
	}
	return &Schedule{expr: e, spec: s}, nil
}

// String returns the expression as parsed (without surrounding spaces).
func (s *Schedule) String() string { return s.expr }

// Next returns the first minute after t, in UTC, at which the schedule
// fires; the zero time when it fires in none of the next five years (a
// date such as February 30).
func (s *Schedule) Next(t time.Time) time.Time {
	return s.spec.Next(t.UTC())
}

// Due reports whether the schedule fires at the minute holding t (UTC).
func (s *Schedule) Due(t time.Time) bool {
	m := t.UTC().Truncate(time.Minute)
	return s.spec.Next(m.Add(-time.Second)).Equal(m)
}
