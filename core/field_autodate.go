package core

import (
	"context"
	"time"
)

func init() {
	RegisterFieldType("autodate", func() Field { return &AutodateField{} })
}

// AutodateField is a server-set timestamp ("created", "updated").
type AutodateField struct {
	BaseField
	// OnCreate sets the value when the record is created.
	OnCreate bool `json:"onCreate"`
	// OnUpdate sets the value whenever the record is updated.
	OnUpdate bool `json:"onUpdate"`
}

var (
	_ Field           = (*AutodateField)(nil)
	_ SaveInterceptor = (*AutodateField)(nil)
)

// Type returns "autodate".
func (f *AutodateField) Type() string { return "autodate" }

// ColumnType is ColumnText (API-format datetime text).
func (f *AutodateField) ColumnType() ColumnType { return ColumnText }

// Normalize ignores client input: an autodate has no setter (spec §5.3),
// so any Set yields "" and BeforeSave computes the real value.
func (f *AutodateField) Normalize(raw any) any { return "" }

// FromDB parses the stored datetime text.
func (f *AutodateField) FromDB(v any) any { return normalizeDate(v) }

// ToDB returns the datetime string.
func (f *AutodateField) ToDB(v any) any { return normalizeDate(v) }

// ValidateValue has nothing to check: the server owns the value.
func (f *AutodateField) ValidateValue(ctx context.Context, app *App, r *Record) error {
	return nil
}

// ValidateSettings requires at least one of onCreate and onUpdate.
func (f *AutodateField) ValidateSettings(ctx context.Context, app *App, c *Collection) error {
	if !f.OnCreate && !f.OnUpdate {
		err := NewFieldError("validation_required", "Either onCreate or onUpdate must be enabled.", nil)
		return ValidationErrors{"onCreate": err, "onUpdate": err}
	}
	return nil
}

// BeforeSave stamps now (UTC, ms) on create when OnCreate and on update
// when OnUpdate. A non-empty value that only Go code can have put there
// (SetCanonical, e.g. an import) is kept on create, and on update when it
// differs from the stored one; otherwise an update keeps the stored value.
func (f *AutodateField) BeforeSave(r *Record, isNew bool, now time.Time) error {
	cur := normalizeDate(r.Get(f.Name))
	if isNew {
		switch {
		case cur != "":
			r.SetCanonical(f.Name, cur)
		case f.OnCreate:
			r.SetCanonical(f.Name, FormatTime(now))
		default:
			r.SetCanonical(f.Name, "")
		}
		return nil
	}
	orig := normalizeDate(r.Original(f.Name))
	switch {
	case cur != "" && cur != orig:
		r.SetCanonical(f.Name, cur)
	case f.OnUpdate:
		r.SetCanonical(f.Name, FormatTime(now))
	default:
		r.SetCanonical(f.Name, orig)
	}
	return nil
}
