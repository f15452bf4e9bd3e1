package core

import (
	"context"
	"fmt"
	"math"
)

func init() {
	RegisterFieldType("number", func() Field { return &NumberField{} })
}

// NumberField holds a float64; 0 is its empty value.
type NumberField struct {
	BaseField
	// Min and Max bound non-zero values; nil means unbounded.
	Min *float64 `json:"min"`
	Max *float64 `json:"max"`
	// OnlyInt rejects non-zero values with a fractional part.
	OnlyInt  bool `json:"onlyInt"`
	Required bool `json:"required"`
}

var (
	_ Field           = (*NumberField)(nil)
	_ ModifierApplier = (*NumberField)(nil)
)

// Type returns "number".
func (f *NumberField) Type() string { return "number" }

// ColumnType is ColumnNumber.
func (f *NumberField) ColumnType() ColumnType { return ColumnNumber }

// Normalize casts the input: numeric strings parse, true is 1, anything
// else (null, non-numeric strings) is 0 (spec §5.3 number).
func (f *NumberField) Normalize(raw any) any { return ToFloat(raw) }

// FromDB casts the column value (int64, float64 or numeric text) to float64.
func (f *NumberField) FromDB(v any) any { return ToFloat(v) }

// ToDB returns the float64.
func (f *NumberField) ToDB(v any) any { return ToFloat(v) }

// ValidateValue checks NaN/Inf, required (0 is empty) and, for non-zero
// values only, onlyInt, min and max — PocketBase skips those for 0 so an
// optional bounded number can stay empty.
func (f *NumberField) ValidateValue(ctx context.Context, app *App, r *Record) error {
	v := ToFloat(r.Get(f.Name))
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return NewFieldError("validation_not_a_number", "The submitted number is not properly formatted.", nil)
	}
	if v == 0 {
		if f.Required {
			return ErrRequired()
		}
		return nil
	}
	// An integer must also fit an int64, as in PocketBase (1e300 is "not
	// an integer" there: it does not survive the int64 round trip).
	if f.OnlyInt && (v != math.Trunc(v) || v >= math.MaxInt64 || v < math.MinInt64) {
		return NewFieldError("validation_only_int_constraint", "Decimal numbers are not allowed.", nil)
	}
	// The %f messages reproduce PocketBase's ("Must be larger than 0.000000").
	if f.Min != nil && v < *f.Min {
		return NewFieldError("validation_min_number_constraint",
			fmt.Sprintf("Must be larger than %f.", *f.Min), nil)
	}
	if f.Max != nil && v > *f.Max {
		return NewFieldError("validation_max_number_constraint",
			fmt.Sprintf("Must be less than %f.", *f.Max), nil)
	}
	return nil
}

// ValidateSettings checks that the bounds are finite, integers when
// onlyInt, and ordered.
func (f *NumberField) ValidateSettings(ctx context.Context, app *App, c *Collection) error {
	errs := ValidationErrors{}
	check := func(key string, p *float64) {
		if p == nil {
			return
		}
		switch {
		case math.IsNaN(*p) || math.IsInf(*p, 0):
			errs[key] = NewFieldError("validation_not_a_number", "The submitted number is not properly formatted.", nil)
		case f.OnlyInt && *p != math.Trunc(*p):
			errs[key] = NewFieldError("validation_only_int_constraint", "Decimal numbers are not allowed.", nil)
		}
	}
	check("min", f.Min)
	check("max", f.Max)
	if f.Min != nil && f.Max != nil && errs["max"] == nil && *f.Max < *f.Min {
		errs["max"] = errNoLessThan(*f.Min)
	}
	return errs.Filter()
}

// ApplyModifier adds ("+") or subtracts ("-") the value.
func (f *NumberField) ApplyModifier(current any, mod Modifier, value any) (any, error) {
	switch mod {
	case ModAppend:
		return ToFloat(current) + ToFloat(value), nil
	case ModSubtract:
		return ToFloat(current) - ToFloat(value), nil
	}
	return nil, unsupportedModifier(f, mod)
}
