package core

import (
	"context"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func upload(name string, size int64, ct string) *File {
	return &File{Name: name, OriginalName: "orig_" + name, Size: size, ContentType: ct}
}

func TestFileFieldNormalizeAndDB(t *testing.T) {
	t.Parallel()
	single := &FileField{BaseField: BaseField{Name: "doc"}}
	multi := &FileField{BaseField: BaseField{Name: "doc"}, MaxSelect: 3}
	for _, tc := range []struct {
		name       string
		in         any
		wantSingle string
		wantMulti  []string
	}{
		{"nil", nil, "", []string{}},
		{"empty string deletes", "", "", []string{}},
		{"empty list deletes", []any{}, "", []string{}},
		{"names", []any{"a.txt", "b.txt", "a.txt"}, "b.txt", []string{"a.txt", "b.txt"}},
		{"upload", upload("u.png", 1, "image/png"), "u.png", []string{"u.png"}},
		{"mixed", []any{"a.txt", upload("u.png", 1, "image/png")}, "u.png", []string{"a.txt", "u.png"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := single.Normalize(tc.in); got != tc.wantSingle {
				t.Fatalf("single: got %#v, want %q", got, tc.wantSingle)
			}
			if got := multi.Normalize(tc.in); !reflect.DeepEqual(got, tc.wantMulti) {
				t.Fatalf("multi: got %#v, want %#v", got, tc.wantMulti)
			}
		})
	}
	if got := multi.FromDB(`["a.txt"]`); !reflect.DeepEqual(got, []string{"a.txt"}) || multi.ToDB(got) != `["a.txt"]` {
		t.Fatalf("multi db: got %#v", got)
	}
	if got := single.FromDB("a.txt"); got != "a.txt" || single.ToDB(got) != "a.txt" {
		t.Fatalf("single db: got %#v", got)
	}
	if single.ColumnType() != ColumnText || multi.ColumnType() != ColumnJSONArray {
		t.Fatal("wrong column types")
	}
}

func TestFileFieldValidateValue(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		field   *FileField
		stored  any     // driver value as loaded; nil = new record
		names   any     // canonical value after the client's changes
		uploads []*File // attached through Record.AddUpload
		want    *FieldError
	}{
		{name: "empty optional", field: &FileField{}, names: ""},
		{name: "empty required", field: &FileField{Required: true}, names: "", want: ErrRequired()},
		{name: "kept stored file", field: &FileField{}, stored: "a.txt", names: "a.txt"},
		{name: "new upload", field: &FileField{MaxSelect: 2}, names: []string{}, uploads: []*File{upload("n.txt", 10, "text/plain")}},
		{name: "unknown plain name", field: &FileField{MaxSelect: 3}, stored: `["a.txt"]`, names: []string{"a.txt", "evil.txt"},
			want: NewFieldError("validation_invalid_file", "Invalid new files: [evil.txt].", map[string]any{"invalidFiles": []string{"evil.txt"}})},
		{name: "unknown on new record", field: &FileField{}, names: "x.txt",
			want: NewFieldError("validation_invalid_file", "Invalid new files: [x.txt].", map[string]any{"invalidFiles": []string{"x.txt"}})},
		{name: "too many", field: &FileField{MaxSelect: 2}, stored: `["a","b"]`, names: []string{"a", "b"}, uploads: []*File{upload("c", 1, "")},
			want: NewFieldError("validation_too_many_files", "The maximum allowed files is 2.", map[string]any{"maxSelect": 2})},
		{name: "two uploads to single keep the last", field: &FileField{}, names: "", uploads: []*File{upload("a", 1, ""), upload("b", 1, "")}},
		{name: "size limit", field: &FileField{MaxSize: 100}, names: "", uploads: []*File{upload("big.bin", 101, "application/octet-stream")},
			want: NewFieldError("validation_file_size_limit", `Failed to upload "orig_big.bin" - the maximum allowed file size is 100 bytes.`, map[string]any{"file": "orig_big.bin", "maxSize": int64(100)})},
		{name: "default size limit", field: &FileField{}, names: "", uploads: []*File{upload("big.bin", 5<<20+1, "")},
			want: NewFieldError("validation_file_size_limit", `Failed to upload "orig_big.bin" - the maximum allowed file size is 5242880 bytes.`, map[string]any{"file": "orig_big.bin", "maxSize": int64(5 << 20)})},
		{name: "mime ok with params", field: &FileField{MimeTypes: []string{"text/plain", "image/png"}}, names: "", uploads: []*File{upload("a.txt", 1, "text/plain; charset=utf-8")}},
		{name: "mime rejected", field: &FileField{MimeTypes: []string{"image/png", "image/jpeg"}}, names: "", uploads: []*File{upload("a.txt", 1, "text/plain")},
			want: NewFieldError("validation_invalid_mime_type", `"orig_a.txt" mime type must be one of: image/png, image/jpeg.`, map[string]any{"file": "orig_a.txt", "mimeTypes": "image/png, image/jpeg"})},
		{name: "stored file skips upload checks", field: &FileField{MaxSize: 1, MimeTypes: []string{"image/png"}}, stored: "a.txt", names: "a.txt"},
		{name: "dot name", field: &FileField{}, names: "", uploads: []*File{upload(".hidden", 1, "")},
			want: NewFieldError("validation_match_invalid", "Must be in a valid format.", nil)},
		{name: "long name", field: &FileField{}, names: "", uploads: []*File{upload(strings.Repeat("a", 151), 1, "")},
			want: NewFieldError("validation_length_out_of_range", "The length must be between 1 and 150.", map[string]any{"min": 1, "max": 150})},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.field.Name = "doc"
			c := testCollection("base", tc.field)
			var r *Record
			if tc.stored != nil {
				r = NewRecordFromDB(c, map[string]any{"doc": tc.stored})
			} else {
				r = NewRecord(c)
			}
			r.SetCanonical("doc", tc.field.Normalize(tc.names))
			for _, u := range tc.uploads {
				r.AddUpload("doc", u)
			}
			checkFieldErr(t, tc.field.ValidateValue(context.Background(), nil, r), tc.want)
		})
	}
}

func TestFileFieldValidateSettings(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		field *FileField
		want  map[string]string
	}{
		{"ok", &FileField{MaxSelect: 2, MaxSize: 10, Thumbs: []string{"100x100", "0x50", "50x0", "10x10t", "10x10b", "10x10f"}, MimeTypes: []string{"image/png"}}, nil},
		{"bad thumbs", &FileField{Thumbs: []string{"100", "0x0", "0x0t", "10x10z"}}, map[string]string{"thumbs": "nested"}},
		{"bad mime", &FileField{MimeTypes: []string{"png"}}, map[string]string{"mimeTypes": "nested"}},
		{"negative", &FileField{MaxSelect: -1, MaxSize: -1}, map[string]string{"maxSelect": "validation_min_greater_equal_than_required", "maxSize": "validation_min_greater_equal_than_required"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.field.ValidateSettings(context.Background(), nil, nil)
			checkSettingsErr(t, err, tc.want)
			if tc.name == "bad thumbs" {
				if got := len(err.(ValidationErrors)["thumbs"].(ValidationErrors)); got != 4 {
					t.Fatalf("got %d thumb errors, want 4", got)
				}
			}
		})
	}
}

func TestFileFieldModifiers(t *testing.T) {
	t.Parallel()
	testListModifiers(t, &FileField{}, &FileField{MaxSelect: 9})
	got, err := (&FileField{MaxSelect: 9}).ApplyModifier([]string{"a"}, ModAppend, []*File{upload("b", 1, "")})
	if err != nil || !reflect.DeepEqual(got, []string{"a", "b"}) {
		t.Fatalf("append upload: got %#v, %v", got, err)
	}
}

func TestFileFieldJSON(t *testing.T) {
	t.Parallel()
	keys := []string{"maxSelect", "maxSize", "mimeTypes", "thumbs", "protected", "required"}
	checkFieldJSON(t, &FileField{BaseField: BaseField{Id: "f", Name: "doc"}, MaxSelect: 2, MaxSize: 100, MimeTypes: []string{"image/png"}, Thumbs: []string{"10x10"}, Protected: true}, keys...)
	obj := checkFieldJSON(t, &FileField{BaseField: BaseField{Id: "f", Name: "doc"}, MimeTypes: []string{}, Thumbs: []string{}}, keys...)
	if _, ok := obj["thumbs"].([]any); !ok {
		t.Fatalf("got thumbs %#v, want []", obj["thumbs"])
	}
	// Unset lists are null, as PocketBase writes them (issue 28).
	unset := checkFieldJSON(t, &FileField{BaseField: BaseField{Id: "f", Name: "doc"}}, keys...)
	if unset["mimeTypes"] != nil || unset["thumbs"] != nil {
		t.Fatalf("unset lists = %#v, %#v, want null", unset["mimeTypes"], unset["thumbs"])
	}
}

func TestAddUploadKeepsLastForSingle(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		maxSelect int
		wantValue any
		wantNames []string
	}{
		{"single keeps the last", 1, "b", []string{"b"}},
		{"multiple keeps all", 3, []string{"a", "b"}, []string{"a", "b"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := NewRecord(testCollection("base", &FileField{BaseField: BaseField{Name: "doc"}, MaxSelect: tt.maxSelect}))
			r.AddUpload("doc", upload("a", 1, ""))
			r.AddUpload("doc", upload("b", 1, ""))
			var got []string
			for _, u := range r.Uploads()["doc"] {
				got = append(got, u.Name)
			}
			if !slices.Equal(got, tt.wantNames) {
				t.Errorf("uploads = %v, want %v", got, tt.wantNames)
			}
			if !reflect.DeepEqual(r.Get("doc"), tt.wantValue) {
				t.Errorf("value = %#v, want %#v", r.Get("doc"), tt.wantValue)
			}
		})
	}
}
