package core

import (
	"context"
	"encoding/json"
	"time"
)

func init() {
	RegisterFieldType("date", func() Field { return &DateField{} })
}

// DateField holds a datetime string in DateTimeLayout, or "".
type DateField struct {
	BaseField
	// Min and Max are optional bounds, datetime strings ("" for none).
	Min      string `json:"min"`
	Max      string `json:"max"`
	Required bool   `json:"required"`
}

var _ Field = (*DateField)(nil)

// Type returns "date".
func (f *DateField) Type() string { return "date" }

// ColumnType is ColumnText: datetimes are stored as API-format text so
// they sort and compare lexically in every engine (DESIGN §4).
func (f *DateField) ColumnType() ColumnType { return ColumnText }

// Normalize parses strings leniently (spec §5.3 date) into DateTimeLayout;
// a time.Time is formatted; JSON numbers, unparsable strings and anything
// else become "" without an error (spec Appendix B.15).
func (f *DateField) Normalize(raw any) any { return normalizeDate(raw) }

// FromDB parses the stored text the same way.
func (f *DateField) FromDB(v any) any { return normalizeDate(v) }

// ToDB returns the datetime string.
func (f *DateField) ToDB(v any) any { return normalizeDate(v) }

// UnmarshalJSON accepts any parsable bound and stores it canonically, so
// the collection JSON always shows the API format.
func (f *DateField) UnmarshalJSON(b []byte) error {
	type plain DateField
	var p plain
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	*f = DateField(p)
	if t, ok := ParseTime(f.Min); ok {
		f.Min = FormatTime(t)
	}
	if t, ok := ParseTime(f.Max); ok {
		f.Max = FormatTime(t)
	}
	return nil
}

func normalizeDate(raw any) string {
	switch x := raw.(type) {
	case time.Time:
		return FormatTime(x)
	case *time.Time:
		if x == nil {
			return ""
		}
		return FormatTime(*x)
	case string:
		// Stored values are already canonical: one parse to validate them
		// instead of trying every layout and formatting again (dates are
		// decoded for every row read).
		if len(x) == len(DateTimeLayout) && x[len(x)-1] == 'Z' {
			if _, err := time.Parse(DateTimeLayout, x); err == nil {
				return x
			}
		}
		if t, ok := ParseTime(x); ok {
			return FormatTime(t)
		}
	case []byte:
		if t, ok := ParseTime(string(x)); ok {
			return FormatTime(t)
		}
	}
	return ""
}

// ValidateValue checks required and the bounds (both inclusive).
func (f *DateField) ValidateValue(ctx context.Context, app *App, r *Record) error {
	v, ok := ParseTime(toString(r.Get(f.Name)))
	if !ok {
		if f.Required {
			return ErrRequired()
		}
		return nil
	}
	// The threshold is a time value as in PocketBase's validator: Go's
	// time text in the message, RFC 3339 in the params.
	if min, ok := ParseTime(f.Min); ok && v.Before(min) {
		return errNoLessThan(min.UTC())
	}
	if max, ok := ParseTime(f.Max); ok && v.After(max) {
		return errNoGreaterThan(max.UTC())
	}
	return nil
}

// ValidateSettings checks that the bounds are dates and ordered.
func (f *DateField) ValidateSettings(ctx context.Context, app *App, c *Collection) error {
	errs := ValidationErrors{}
	min, minOk := ParseTime(f.Min)
	max, maxOk := ParseTime(f.Max)
	if f.Min != "" && !minOk {
		errs["min"] = NewFieldError("validation_date_invalid", "Must be a valid date.", nil)
	}
	if f.Max != "" && !maxOk {
		errs["max"] = NewFieldError("validation_date_invalid", "Must be a valid date.", nil)
	}
	if minOk && maxOk && max.Before(min) {
		errs["max"] = errNoLessThan(FormatTime(min))
	}
	return errs.Filter()
}
