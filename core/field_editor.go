package core

import (
	"context"
	"fmt"
)

func init() {
	RegisterFieldType("editor", func() Field { return &EditorField{} })
}

// defaultEditorMaxSize is the size limit of an editor field whose maxSize
// is 0 (spec §5.3 editor).
const defaultEditorMaxSize = 5 << 20

// EditorField holds rich text (HTML) as a string.
type EditorField struct {
	BaseField
	// MaxSize is the maximum content size in bytes (0: 5 MiB).
	MaxSize int64 `json:"maxSize"`
	// ConvertURLs is a dashboard editor hint only; the server ignores it.
	ConvertURLs bool `json:"convertURLs"`
	Required    bool `json:"required"`
}

var _ Field = (*EditorField)(nil)

// Type returns "editor".
func (f *EditorField) Type() string { return "editor" }

// ColumnType is ColumnText.
func (f *EditorField) ColumnType() ColumnType { return ColumnText }

// Normalize casts the input to a string.
func (f *EditorField) Normalize(raw any) any { return inputString(raw) }

// FromDB returns the column text.
func (f *EditorField) FromDB(v any) any { return toString(v) }

// ToDB returns the string.
func (f *EditorField) ToDB(v any) any { return toString(v) }

// ValidateValue checks required and the size in bytes.
func (f *EditorField) ValidateValue(ctx context.Context, app *App, r *Record) error {
	v := toString(r.Get(f.Name))
	if v == "" {
		if f.Required {
			return ErrRequired()
		}
		return nil
	}
	max := f.MaxSize
	if max <= 0 {
		max = defaultEditorMaxSize
	}
	if int64(len(v)) > max {
		return NewFieldError("validation_content_size_limit",
			fmt.Sprintf("The maximum allowed content size is %d bytes.", max), map[string]any{"maxSize": max})
	}
	return nil
}

// maxSafeJSONInt is the largest integer a JSON number holds exactly
// (2^53-1), PocketBase's upper bound for sizes and counts.
const maxSafeJSONInt = 1<<53 - 1

// sizeRange checks a size or count option: 0 to maxSafeJSONInt.
func sizeRange(v int64) *FieldError {
	if v < 0 {
		return errNoLessThan(0)
	}
	if v > maxSafeJSONInt {
		return errNoGreaterThan(int64(maxSafeJSONInt))
	}
	return nil
}

// ValidateSettings requires a maxSize from 0 to 2^53-1.
func (f *EditorField) ValidateSettings(ctx context.Context, app *App, c *Collection) error {
	if err := sizeRange(f.MaxSize); err != nil {
		return ValidationErrors{"maxSize": err}
	}
	return nil
}
