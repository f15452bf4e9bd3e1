package filter

import (
	"strings"
	"time"
)

// DateTimeLayout is the format of PocketBase datetime values and of the
// datetime macros: UTC with millisecond precision and a literal Z.
const DateTimeLayout = "2006-01-02 15:04:05.000Z"

// macros maps each macro (with its '@') to its evaluation. now is already
// in UTC.
var macros = map[string]func(now time.Time) any{
	"@now":       func(t time.Time) any { return t.Format(DateTimeLayout) },
	"@yesterday": func(t time.Time) any { return t.AddDate(0, 0, -1).Format(DateTimeLayout) },
	"@tomorrow":  func(t time.Time) any { return t.AddDate(0, 0, 1).Format(DateTimeLayout) },
	"@todayStart": func(t time.Time) any {
		return dayStart(t.Year(), t.Month(), t.Day()).Format(DateTimeLayout)
	},
	"@todayEnd": func(t time.Time) any {
		return dayEnd(t.Year(), t.Month(), t.Day()).Format(DateTimeLayout)
	},
	"@monthStart": func(t time.Time) any { return dayStart(t.Year(), t.Month(), 1).Format(DateTimeLayout) },
	// Day 0 of the next month normalises to the last day of this one.
	"@monthEnd":  func(t time.Time) any { return dayEnd(t.Year(), t.Month()+1, 0).Format(DateTimeLayout) },
	"@yearStart": func(t time.Time) any { return dayStart(t.Year(), time.January, 1).Format(DateTimeLayout) },
	"@yearEnd":   func(t time.Time) any { return dayEnd(t.Year(), time.December, 31).Format(DateTimeLayout) },
	"@second":    func(t time.Time) any { return t.Second() },
	"@minute":    func(t time.Time) any { return t.Minute() },
	"@hour":      func(t time.Time) any { return t.Hour() },
	"@day":       func(t time.Time) any { return t.Day() },
	"@month":     func(t time.Time) any { return int(t.Month()) },
	"@weekday":   func(t time.Time) any { return int(t.Weekday()) },
	"@year":      func(t time.Time) any { return t.Year() },
}

func dayStart(y int, m time.Month, d int) time.Time {
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func dayEnd(y int, m time.Month, d int) time.Time {
	return time.Date(y, m, d, 23, 59, 59, int(999*time.Millisecond), time.UTC)
}

// isMacro reports whether name (with its '@') is a datetime macro.
func isMacro(name string) bool {
	_, ok := macros[name]
	return ok
}

// Macro evaluates a datetime macro at the instant now, converted to UTC
// (spec §3.3). name may be given with or without the '@' ("@now" or "now").
// Datetime macros (@now, @yesterday, @tomorrow, @todayStart, @todayEnd,
// @monthStart, @monthEnd, @yearStart, @yearEnd) return a string in
// DateTimeLayout; "start" macros are at 00:00:00.000 and "end" macros at
// 23:59:59.999. Number macros (@second, @minute, @hour, @day, @month,
// @weekday with 0 = Sunday, @year) return an int. ok is false for an unknown
// name. The clock is a parameter so callers stay testable (DESIGN §9.9).
func Macro(name string, now time.Time) (value any, ok bool) {
	if !strings.HasPrefix(name, "@") {
		name = "@" + name
	}
	f, ok := macros[name]
	if !ok {
		return nil, false
	}
	return f(now.UTC()), true
}
