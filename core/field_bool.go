package core

import "context"

func init() {
	RegisterFieldType("bool", func() Field { return &BoolField{} })
}

// BoolField holds true or false.
type BoolField struct {
	BaseField
	// Required demands true (false is the empty value).
	Required bool `json:"required"`
}

var _ Field = (*BoolField)(nil)

// Type returns "bool".
func (f *BoolField) Type() string { return "bool" }

// ColumnType is ColumnBool.
func (f *BoolField) ColumnType() ColumnType { return ColumnBool }

// Normalize casts the input: true, 1, "1", "t", "true", "TRUE" are true;
// "yes" and anything unknown are false (spec §5.3 bool).
func (f *BoolField) Normalize(raw any) any { return ToBool(raw) }

// FromDB accepts a driver bool, an int64 0/1 (SQLite) or text.
func (f *BoolField) FromDB(v any) any { return ToBool(v) }

// ToDB returns the bool.
func (f *BoolField) ToDB(v any) any { return ToBool(v) }

// ValidateValue fails a required field that is false.
func (f *BoolField) ValidateValue(ctx context.Context, app *App, r *Record) error {
	if f.Required && !ToBool(r.Get(f.Name)) {
		return ErrRequired()
	}
	return nil
}

// ValidateSettings has nothing to check.
func (f *BoolField) ValidateSettings(ctx context.Context, app *App, c *Collection) error {
	return nil
}
