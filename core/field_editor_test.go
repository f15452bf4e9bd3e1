package core

import (
	"context"
	"strings"
	"testing"
)

func TestEditorField(t *testing.T) {
	t.Parallel()
	f := &EditorField{BaseField: BaseField{Name: "body"}}
	t.Run("normalize and db", func(t *testing.T) {
		if got := f.Normalize(12); got != "12" {
			t.Fatalf("got %#v", got)
		}
		if got := f.ToDB(f.FromDB([]byte("<p>x</p>"))); got != "<p>x</p>" {
			t.Fatalf("got %#v", got)
		}
		if f.ColumnType() != ColumnText {
			t.Fatal("wrong column type")
		}
	})
	for _, tc := range []struct {
		name  string
		field *EditorField
		value string
		want  *FieldError
	}{
		{"empty optional", &EditorField{}, "", nil},
		{"empty required", &EditorField{Required: true}, "", ErrRequired()},
		{"within max", &EditorField{MaxSize: 3}, "abc", nil},
		{"over max bytes", &EditorField{MaxSize: 3}, "äb!", NewFieldError("validation_content_size_limit", "The maximum allowed content size is 3 bytes.", map[string]any{"maxSize": int64(3)})},
		{"default max", &EditorField{}, strings.Repeat("a", 5<<20+1), NewFieldError("validation_content_size_limit", "The maximum allowed content size is 5242880 bytes.", map[string]any{"maxSize": int64(5 << 20)})},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.field.Name = "body"
			checkFieldErr(t, tc.field.ValidateValue(context.Background(), nil, newRecordWith(tc.field, tc.value)), tc.want)
		})
	}
	t.Run("settings", func(t *testing.T) {
		checkSettingsErr(t, (&EditorField{MaxSize: -1}).ValidateSettings(context.Background(), nil, nil), map[string]string{"maxSize": "validation_min_greater_equal_than_required"})
		checkSettingsErr(t, (&EditorField{MaxSize: 10}).ValidateSettings(context.Background(), nil, nil), nil)
	})
	t.Run("json", func(t *testing.T) {
		checkFieldJSON(t, &EditorField{BaseField: BaseField{Id: "e1", Name: "body"}, ConvertURLs: true}, "maxSize", "convertURLs", "required")
	})
}
