package core

import (
	"context"
	"fmt"
	"mime"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

func init() {
	RegisterFieldType("file", func() Field { return &FileField{} })
}

// defaultFileMaxSize is the per-file limit of a file field whose maxSize
// is 0 (spec §5.3 file).
const defaultFileMaxSize = 5 << 20

// FileField holds stored file names; new files arrive as Record uploads.
type FileField struct {
	BaseField
	// MaxSelect is the maximum number of files; 0 and 1 mean a single file.
	MaxSelect int `json:"maxSelect"`
	// MaxSize is the maximum size of each file in bytes (0: 5 MiB).
	MaxSize int64 `json:"maxSize"`
	// MimeTypes lists the accepted content types (empty: any).
	MimeTypes []string `json:"mimeTypes"`
	// Thumbs lists the thumbnail sizes that may be requested ("100x100",
	// "0x50", "100x0", with an optional t, b or f crop suffix).
	Thumbs []string `json:"thumbs"`
	// Protected files need a file token to be downloaded.
	Protected bool `json:"protected"`
	Required  bool `json:"required"`
}

var (
	_ Field           = (*FileField)(nil)
	_ MultiValuer     = (*FileField)(nil)
	_ ModifierApplier = (*FileField)(nil)
)

// Type returns "file".
func (f *FileField) Type() string { return "file" }

// IsMultiple reports whether the field holds a list (MaxSelect > 1).
func (f *FileField) IsMultiple() bool { return f.MaxSelect > 1 }

// ColumnType is a JSON array for multiple files, text otherwise.
func (f *FileField) ColumnType() ColumnType { return listColumnType(f.IsMultiple()) }

// Normalize accepts a file name or a list of them (or *File uploads, by
// their storage names), de-duplicated; a single file keeps the last one.
func (f *FileField) Normalize(raw any) any { return normalizeList(raw, f.IsMultiple()) }

// FromDB decodes the JSON array text of a multiple file field.
func (f *FileField) FromDB(v any) any { return normalizeList(v, f.IsMultiple()) }

// ToDB encodes a list as JSON array text.
func (f *FileField) ToDB(v any) any { return listToDB(v, f.IsMultiple()) }

// ValidateValue checks required, the file count, that every plain name is
// either already stored or a new upload (clients cannot point a record at
// someone else's file), and the name, size and type of new uploads.
func (f *FileField) ValidateValue(ctx context.Context, app *App, r *Record) error {
	names := ToStringSlice(r.Get(f.Name))
	uploads := r.Uploads()[f.Name]
	if len(names) == 0 {
		if f.Required {
			return ErrRequired()
		}
		return nil
	}
	max := max(f.MaxSelect, 1)
	if len(names) > max {
		return NewFieldError("validation_too_many_files",
			fmt.Sprintf("The maximum allowed files is %d.", max), map[string]any{"maxSelect": max})
	}
	stored := ToStringSlice(r.Original(f.Name))
	byName := make(map[string]*File, len(uploads))
	for _, u := range uploads {
		byName[u.Name] = u
	}
	var invalid []string
	for _, n := range names {
		if byName[n] == nil && !slices.Contains(stored, n) {
			invalid = append(invalid, n)
		}
	}
	if len(invalid) > 0 {
		return NewFieldError("validation_invalid_file",
			fmt.Sprintf("Invalid new files: %v.", invalid), map[string]any{"invalidFiles": invalid})
	}
	for _, n := range names {
		if u := byName[n]; u != nil {
			if err := f.validateUpload(u); err != nil {
				return err
			}
		}
	}
	return nil
}

func (f *FileField) validateUpload(u *File) *FieldError {
	if l := utf8.RuneCountInString(u.Name); l < 1 || l > 150 {
		return NewFieldError("validation_length_out_of_range",
			"The length must be between 1 and 150.", map[string]any{"min": 1, "max": 150})
	}
	if strings.HasPrefix(u.Name, ".") {
		return NewFieldError("validation_match_invalid", "Must be in a valid format.", nil)
	}
	display := u.OriginalName
	if display == "" {
		display = u.Name
	}
	maxSize := f.MaxSize
	if maxSize <= 0 {
		maxSize = defaultFileMaxSize
	}
	if u.Size > maxSize {
		return NewFieldError("validation_file_size_limit",
			fmt.Sprintf("Failed to upload %q - the maximum allowed file size is %d bytes.", display, maxSize),
			map[string]any{"file": display, "maxSize": maxSize})
	}
	if len(f.MimeTypes) > 0 && !mimeAllowed(u.ContentType, f.MimeTypes) {
		list := strings.Join(f.MimeTypes, ", ")
		return NewFieldError("validation_invalid_mime_type",
			fmt.Sprintf("%q mime type must be one of: %s.", display, list),
			map[string]any{"file": display, "mimeTypes": list})
	}
	return nil
}

// mimeAllowed compares the media types without parameters ("; charset=").
func mimeAllowed(contentType string, allowed []string) bool {
	base := func(s string) string {
		if t, _, err := mime.ParseMediaType(s); err == nil {
			return t
		}
		return strings.ToLower(strings.TrimSpace(s))
	}
	ct := base(contentType)
	return slices.ContainsFunc(allowed, func(a string) bool { return base(a) == ct })
}

var thumbRe = regexp.MustCompile(`^\d+x\d+[tbf]?$`)

// ValidateSettings checks the counts, sizes, mime types and thumb formats.
func (f *FileField) ValidateSettings(ctx context.Context, app *App, c *Collection) error {
	errs := ValidationErrors{}
	if err := sizeRange(int64(f.MaxSelect)); err != nil {
		errs["maxSelect"] = err
	}
	if err := sizeRange(int64(f.MaxSize)); err != nil {
		errs["maxSize"] = err
	}
	thumbs := ValidationErrors{}
	for i, t := range f.Thumbs {
		// 0x0 would be the original file, which is served without a
		// thumb. PocketBase's rules and codes: not in the 0x0 list, then
		// the size pattern.
		if t == "0x0" || t == "0x0t" || t == "0x0b" || t == "0x0f" {
			thumbs[strconv.Itoa(i)] = NewFieldError("validation_not_in_invalid", "Must not be in list.", nil)
		} else if !thumbRe.MatchString(t) || strings.HasPrefix(t, "0x0") {
			thumbs[strconv.Itoa(i)] = NewFieldError("validation_match_invalid", "Must be in a valid format.", nil)
		}
	}
	if len(thumbs) > 0 {
		errs["thumbs"] = thumbs
	}
	mimes := ValidationErrors{}
	for i, m := range f.MimeTypes {
		if _, _, err := mime.ParseMediaType(m); err != nil || !strings.Contains(m, "/") {
			mimes[strconv.Itoa(i)] = NewFieldError("validation_invalid_mime_type", "Invalid mime type.", nil)
		}
	}
	if len(mimes) > 0 {
		errs["mimeTypes"] = mimes
	}
	return errs.Filter()
}

// ApplyModifier appends, prepends or removes file names (spec §5.3
// modifiers); uploads given as *File count by their storage names.
func (f *FileField) ApplyModifier(current any, mod Modifier, value any) (any, error) {
	return applyListModifier(f, f.IsMultiple(), current, mod, value)
}
