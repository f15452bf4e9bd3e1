package core

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
)

func init() {
	RegisterFieldType("select", func() Field { return &SelectField{} })
}

// SelectField holds one (MaxSelect ≤ 1) or several values from a fixed list.
type SelectField struct {
	BaseField
	// Values lists the allowed values (required).
	Values []string `json:"values"`
	// MaxSelect is the maximum number of values; 0 and 1 mean a single value.
	MaxSelect int  `json:"maxSelect"`
	Required  bool `json:"required"`
}

var (
	_ Field           = (*SelectField)(nil)
	_ MultiValuer     = (*SelectField)(nil)
	_ ModifierApplier = (*SelectField)(nil)
)

// Type returns "select".
func (f *SelectField) Type() string { return "select" }

// IsMultiple reports whether the field holds a list (MaxSelect > 1).
func (f *SelectField) IsMultiple() bool { return f.MaxSelect > 1 }

// ColumnType is a JSON array for multiple values, text otherwise.
func (f *SelectField) ColumnType() ColumnType { return listColumnType(f.IsMultiple()) }

// Normalize accepts a string or a list, de-duplicates it and, for a single
// select, keeps the last item (spec §5.3).
func (f *SelectField) Normalize(raw any) any { return normalizeList(raw, f.IsMultiple()) }

// FromDB decodes the JSON array text of a multiple select.
func (f *SelectField) FromDB(v any) any { return normalizeList(v, f.IsMultiple()) }

// ToDB encodes a list as JSON array text.
func (f *SelectField) ToDB(v any) any { return listToDB(v, f.IsMultiple()) }

// MarshalJSON always emits "values" as a list, never null.
func (f *SelectField) MarshalJSON() ([]byte, error) {
	type plain SelectField
	cp := plain(*f)
	cp.Values = nonNil(cp.Values)
	return json.Marshal(cp)
}

// ValidateValue checks required, the count and that every value is allowed.
func (f *SelectField) ValidateValue(ctx context.Context, app *App, r *Record) error {
	vals := ToStringSlice(r.Get(f.Name))
	if len(vals) == 0 {
		if f.Required {
			return ErrRequired()
		}
		return nil
	}
	if max := max(f.MaxSelect, 1); len(vals) > max {
		return errTooManyValues(max)
	}
	for _, v := range vals {
		if !slices.Contains(f.Values, v) {
			return NewFieldError("validation_invalid_value",
				fmt.Sprintf("Invalid value %s.", v), map[string]any{"value": v})
		}
	}
	return nil
}

// ValidateSettings requires values and a maxSelect within their count.
func (f *SelectField) ValidateSettings(ctx context.Context, app *App, c *Collection) error {
	errs := ValidationErrors{}
	if len(f.Values) == 0 {
		errs["values"] = ErrRequired()
	} else {
		items := ValidationErrors{}
		for i, v := range f.Values {
			if v == "" {
				items[fmt.Sprint(i)] = ErrRequired()
			} else if slices.Index(f.Values, v) != i {
				items[fmt.Sprint(i)] = NewFieldError("validation_duplicated_value", "Duplicated value.", nil)
			}
		}
		if len(items) > 0 {
			errs["values"] = items
		}
	}
	if f.MaxSelect < 0 {
		errs["maxSelect"] = errNoLessThan(0)
	} else if len(f.Values) > 0 && f.MaxSelect > len(f.Values) {
		errs["maxSelect"] = errNoGreaterThan(len(f.Values))
	}
	return errs.Filter()
}

// ApplyModifier appends, prepends or removes values (spec §5.3 modifiers).
func (f *SelectField) ApplyModifier(current any, mod Modifier, value any) (any, error) {
	return applyListModifier(f, f.IsMultiple(), current, mod, value)
}

func errTooManyValues(max int) *FieldError {
	return NewFieldError("validation_too_many_values",
		fmt.Sprintf("Select no more than %d.", max), map[string]any{"maxSelect": max})
}

// ErrUnsupportedModifier is returned (wrapped) by ApplyModifier for a
// modifier the field kind does not support; API layers may ignore such
// keys the way PocketBase ignores unknown body keys.
var ErrUnsupportedModifier = errors.New("unsupported modifier")

func unsupportedModifier(f Field, mod Modifier) error {
	return fmt.Errorf("field %s (%s): %w %q", f.GetName(), f.Type(), ErrUnsupportedModifier, mod)
}

// The helpers below are shared by the list kinds: select, relation, file.

func listColumnType(multiple bool) ColumnType {
	if multiple {
		return ColumnJSONArray
	}
	return ColumnText
}

// normalizeList turns any input into the canonical list ([]string, never
// nil) or, for a single-value field, the last item ("" when empty).
func normalizeList(raw any, multiple bool) any {
	vals := listInput(raw)
	if multiple {
		return vals
	}
	if len(vals) == 0 {
		return ""
	}
	return vals[len(vals)-1]
}

// listInput is ToStringSlice that also understands pending uploads (a
// file field may be given *File values; their storage names count).
func listInput(raw any) []string {
	switch x := raw.(type) {
	case *File:
		return ToStringSlice(x.Name)
	case []*File:
		names := make([]string, len(x))
		for i, f := range x {
			names[i] = f.Name
		}
		return ToStringSlice(names)
	case []any:
		items := make([]any, len(x))
		for i, it := range x {
			if f, ok := it.(*File); ok {
				items[i] = f.Name
			} else {
				items[i] = it
			}
		}
		return ToStringSlice(items)
	}
	return ToStringSlice(raw)
}

func listToDB(v any, multiple bool) any {
	vals := ToStringSlice(v)
	if !multiple {
		if len(vals) == 0 {
			return ""
		}
		return vals[len(vals)-1]
	}
	b, _ := json.Marshal(vals) // a []string always marshals
	return string(b)
}

// applyListModifier implements "+", "+prefix" and "-" on lists; a single
// value field computes on a one-item list and keeps the last item.
func applyListModifier(f Field, multiple bool, current any, mod Modifier, value any) (any, error) {
	cur := listInput(current)
	vals := listInput(value)
	var out []string
	switch mod {
	case ModAppend:
		out = ToStringSlice(append(slices.Clone(cur), vals...))
	case ModPrepend:
		out = ToStringSlice(append(slices.Clone(vals), cur...))
	case ModSubtract:
		out = slices.DeleteFunc(slices.Clone(cur), func(s string) bool { return slices.Contains(vals, s) })
	default:
		return nil, unsupportedModifier(f, mod)
	}
	return normalizeList(out, multiple), nil
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
