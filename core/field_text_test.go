package core

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// Helpers shared by the field kind tests.

// fixedNow is the clock of the interceptor tests.
var fixedNow = time.Date(2024, 5, 6, 10, 20, 30, 123456789, time.UTC)

func testCollection(typ string, fields ...Field) *Collection {
	return &Collection{Id: "pbc_test", Name: "test", Type: typ, Fields: FieldsList(fields)}
}

// newRecordWith returns a new record of a base collection holding only f,
// with v set canonically (no normalisation).
func newRecordWith(f Field, v any) *Record {
	r := NewRecord(testCollection(CollectionTypeBase, f))
	r.SetCanonical(f.GetName(), v)
	return r
}

// loadedRecordWith returns a persisted record whose stored value is
// stored (a driver value) and whose current value is v (canonical).
func loadedRecordWith(f Field, stored, v any) *Record {
	r := NewRecordFromDB(testCollection(CollectionTypeBase, f), map[string]any{f.GetName(): stored})
	r.SetCanonical(f.GetName(), v)
	return r
}

// checkFieldErr asserts err is nil (want nil) or a *FieldError equal to want.
func checkFieldErr(t *testing.T, err error, want *FieldError) {
	t.Helper()
	if want == nil {
		if err != nil {
			t.Fatalf("got error %v, want nil", err)
		}
		return
	}
	var fe *FieldError
	if !errors.As(err, &fe) {
		t.Fatalf("got %T %v, want *FieldError %q", err, err, want.Code)
	}
	if fe.Code != want.Code || fe.Message != want.Message {
		t.Fatalf("got %q %q, want %q %q", fe.Code, fe.Message, want.Code, want.Message)
	}
	if len(fe.Params) != 0 || len(want.Params) != 0 {
		if !reflect.DeepEqual(fe.Params, want.Params) {
			t.Fatalf("got params %#v, want %#v", fe.Params, want.Params)
		}
	}
}

// checkSettingsErr asserts the ValidationErrors keys (and, for direct
// field errors, codes) of a ValidateSettings result.
func checkSettingsErr(t *testing.T, err error, want map[string]string) {
	t.Helper()
	if len(want) == 0 {
		if err != nil {
			t.Fatalf("got %v, want nil", err)
		}
		return
	}
	var ve ValidationErrors
	if !errors.As(err, &ve) {
		t.Fatalf("got %T %v, want ValidationErrors", err, err)
	}
	if len(ve) != len(want) {
		t.Fatalf("got %v, want keys %v", ve, want)
	}
	for k, code := range want {
		got, ok := ve[k]
		if !ok {
			t.Fatalf("missing key %q in %v", k, ve)
		}
		if fe, ok := got.(*FieldError); ok && code != "" && fe.Code != code {
			t.Fatalf("%s: got code %q, want %q", k, fe.Code, code)
		}
		if _, ok := got.(ValidationErrors); ok && code != "nested" {
			t.Fatalf("%s: got nested %v, want code %q", k, got, code)
		}
	}
}

// checkFieldJSON marshals f through FieldsList, asserts the exact key set
// and that unmarshalling gives back an equal field.
func checkFieldJSON(t *testing.T, f Field, wantKeys ...string) map[string]any {
	t.Helper()
	raw, err := json.Marshal(FieldsList{f})
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	var objs []map[string]any
	if err := json.Unmarshal(raw, &objs); err != nil || len(objs) != 1 {
		t.Fatalf("decode %s: %v", raw, err)
	}
	keys := make([]string, 0, len(objs[0]))
	for k := range objs[0] {
		keys = append(keys, k)
	}
	want := append([]string{"id", "name", "type", "system", "hidden", "presentable"}, wantKeys...)
	slices.Sort(keys)
	slices.Sort(want)
	if !slices.Equal(keys, want) {
		t.Fatalf("got keys %v, want %v (%s)", keys, want, raw)
	}
	if objs[0]["type"] != f.Type() {
		t.Fatalf("got type %v, want %s", objs[0]["type"], f.Type())
	}
	var back FieldsList
	if err := json.Unmarshal(raw, &back); err != nil {
		t.Fatalf("unmarshal %s: %v", raw, err)
	}
	if len(back) != 1 || !reflect.DeepEqual(back[0], f) {
		t.Fatalf("round trip: got %#v, want %#v", back[0], f)
	}
	return objs[0]
}

func TestTextFieldNormalize(t *testing.T) {
	t.Parallel()
	f := &TextField{BaseField: BaseField{Name: "title"}}
	for _, tc := range []struct {
		name string
		in   any
		want string
	}{
		{"nil", nil, ""},
		{"string", "hello", "hello"},
		{"int", 123, "123"},
		{"float", 1.5, "1.5"},
		{"integral float", float64(7), "7"},
		{"json number", json.Number("42"), "42"},
		{"bool", true, "true"},
		{"bytes", []byte("raw"), "raw"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := f.Normalize(tc.in); got != tc.want {
				t.Fatalf("got %#v, want %q", got, tc.want)
			}
		})
	}
}

func TestTextFieldDB(t *testing.T) {
	t.Parallel()
	f := &TextField{BaseField: BaseField{Name: "title"}}
	for _, in := range []any{"abc", []byte("abc")} {
		if got := f.FromDB(in); got != "abc" {
			t.Fatalf("FromDB(%#v) = %#v", in, got)
		}
	}
	if got := f.ToDB(f.FromDB("x y")); got != "x y" {
		t.Fatalf("round trip: got %#v", got)
	}
	if f.ColumnType() != ColumnText || NewIdField().ColumnType() != ColumnTextPK {
		t.Fatal("wrong column types")
	}
}

func TestTextFieldValidateValue(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		field *TextField
		value string
		want  *FieldError
	}{
		{"empty optional", &TextField{}, "", nil},
		{"empty required", &TextField{Required: true}, "", ErrRequired()},
		{"min ok runes", &TextField{Min: 3}, "äöü", nil},
		{"min fail", &TextField{Min: 3}, "ab", NewFieldError("validation_min_text_constraint", "Must be at least 3 character(s).", map[string]any{"min": 3})},
		{"max fail", &TextField{Max: 2}, "abc", NewFieldError("validation_max_text_constraint", "Must be no more than 2 character(s).", map[string]any{"max": 2})},
		{"default max ok", &TextField{}, strings.Repeat("é", 5000), nil},
		{"default max fail", &TextField{}, strings.Repeat("a", 5001), NewFieldError("validation_max_text_constraint", "Must be no more than 5000 character(s).", map[string]any{"max": 5000})},
		{"pattern ok", &TextField{Pattern: `^\d+$`}, "123", nil},
		{"pattern fail", &TextField{Pattern: `^\d+$`}, "12a", NewFieldError("validation_invalid_format", "Invalid value format.", nil)},
		{"pk empty forced required", &TextField{BaseField: BaseField{Name: "id"}, PrimaryKey: true}, "", ErrRequired()},
		{"default id ok", NewIdField(), "abcdefghijklmno", nil},
		{"default id uppercase", NewIdField(), "ABCDEFGHIJKLMNO", NewFieldError("validation_invalid_format", "Invalid value format.", nil)},
		{"custom pk forbidden char", &TextField{BaseField: BaseField{Name: "id"}, PrimaryKey: true, Pattern: `^.+$`}, "a/b", NewFieldError("validation_forbidden_pk_character", `"/" is not a valid primary key character.`, nil)},
		{"custom pk reserved", &TextField{BaseField: BaseField{Name: "id"}, PrimaryKey: true}, "com1", NewFieldError("validation_reserved_pk", "The primary key is a reserved value.", nil)},
		{"custom pk ok", &TextField{BaseField: BaseField{Name: "id"}, PrimaryKey: true}, "Custom-Id_1", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.field.Name == "" {
				tc.field.Name = "title"
			}
			r := newRecordWith(tc.field, tc.value)
			checkFieldErr(t, tc.field.ValidateValue(context.Background(), nil, r), tc.want)
		})
	}
}

func TestTextFieldPKChange(t *testing.T) {
	t.Parallel()
	f := NewIdField()
	r := loadedRecordWith(f, "abcdefghijklmno", "bbcdefghijklmno")
	checkFieldErr(t, f.ValidateValue(context.Background(), nil, r),
		NewFieldError("validation_pk_change", "The record primary key cannot be changed.", nil))
	r.SetCanonical("id", "abcdefghijklmno")
	checkFieldErr(t, f.ValidateValue(context.Background(), nil, r), nil)
}

func TestTextFieldValidateSettings(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		field *TextField
		want  map[string]string
	}{
		{"zero", &TextField{}, nil},
		{"id field", NewIdField(), nil},
		{"negative min", &TextField{Min: -1}, map[string]string{"min": "validation_min_greater_equal_than_required"}},
		{"min over max", &TextField{Min: 5, Max: 2}, map[string]string{"min": "validation_max_less_equal_than_required"}},
		{"negative max", &TextField{Max: -1}, map[string]string{"max": "validation_min_greater_equal_than_required"}},
		{"bad pattern", &TextField{Pattern: "("}, map[string]string{"pattern": "validation_invalid_regex"}},
		{"bad autogenerate", &TextField{AutogeneratePattern: "[a-"}, map[string]string{"autogeneratePattern": "validation_invalid_regex"}},
		{"ungeneratable autogenerate", &TextField{AutogeneratePattern: "a+"}, map[string]string{"autogeneratePattern": "validation_invalid_regex"}},
		{"pk not id", &TextField{BaseField: BaseField{Name: "code"}, PrimaryKey: true}, map[string]string{"primaryKey": "validation_invalid_primary_key"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkSettingsErr(t, tc.field.ValidateSettings(context.Background(), nil, testCollection("base", tc.field)), tc.want)
		})
	}
}

func TestTextFieldAutogenerate(t *testing.T) {
	t.Parallel()
	f := &TextField{BaseField: BaseField{Name: "code"}, AutogeneratePattern: "[a-z]{5}"}

	t.Run("modifier keeps prefix", func(t *testing.T) {
		got, err := f.ApplyModifier("old", ModAutogenerate, "pre-")
		if err != nil {
			t.Fatal(err)
		}
		if !regexp.MustCompile(`^pre-[a-z]{5}$`).MatchString(got.(string)) {
			t.Fatalf("got %q", got)
		}
	})
	t.Run("unsupported modifier", func(t *testing.T) {
		if _, err := f.ApplyModifier("", ModAppend, "x"); !errors.Is(err, ErrUnsupportedModifier) {
			t.Fatalf("got %v, want ErrUnsupportedModifier", err)
		}
	})
	t.Run("fills empty on create", func(t *testing.T) {
		r := newRecordWith(f, "")
		if err := f.BeforeSave(r, true, fixedNow); err != nil {
			t.Fatal(err)
		}
		if got := r.GetString("code"); len(got) != 5 {
			t.Fatalf("got %q", got)
		}
	})
	t.Run("keeps submitted on create", func(t *testing.T) {
		r := newRecordWith(f, "mine")
		_ = f.BeforeSave(r, true, fixedNow)
		if got := r.GetString("code"); got != "mine" {
			t.Fatalf("got %q", got)
		}
	})
	t.Run("no fill on update", func(t *testing.T) {
		r := loadedRecordWith(f, "", "")
		_ = f.BeforeSave(r, false, fixedNow)
		if got := r.GetString("code"); got != "" {
			t.Fatalf("got %q", got)
		}
	})
}

func TestGenerateFromPattern(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		pattern string
		match   string // regexp the output must match; "" = error expected
	}{
		{"[a-z0-9]{15}", `^[a-z0-9]{15}$`},
		{"[a-zA-Z0-9]{50}", `^[a-zA-Z0-9]{50}$`},
		{"^[a-z]{3}$", `^[a-z]{3}$`},
		{`ab\d{2,4}`, `^ab\d{2,4}$`},
		{`[\w-]{8}`, `^[\w-]{8}$`},
		{`x\.y`, `^x\.y$`},
		{"[abc]", `^[abc]$`},
		{"a+", ""},
		{"(ab){2}", ""},
		{"a|b", ""},
		{"[^a]{3}", ""},
		{".{3}", ""},
		{"[a-z", ""},
		{"a{3,1}", ""},
		{"a{99999}", ""},
		{"", ""},
	} {
		t.Run(tc.pattern, func(t *testing.T) {
			got, err := GenerateFromPattern(tc.pattern)
			if tc.match == "" {
				if err == nil {
					t.Fatalf("got %q, want error", got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !regexp.MustCompile(tc.match).MatchString(got) {
				t.Fatalf("got %q, want match %s", got, tc.match)
			}
		})
	}
}

func TestGenerateFromPatternUsesWholeAlphabet(t *testing.T) {
	t.Parallel()
	seen := map[rune]bool{}
	for range 200 {
		s, _ := GenerateFromPattern("[a-c]{10}")
		for _, r := range s {
			seen[r] = true
		}
	}
	if len(seen) != 3 {
		t.Fatalf("got alphabet %v, want a, b and c", seen)
	}
}

func TestTextFieldJSON(t *testing.T) {
	t.Parallel()
	checkFieldJSON(t, NewIdField(), "min", "max", "pattern", "autogeneratePattern", "required", "primaryKey")
	checkFieldJSON(t, &TextField{BaseField: BaseField{Id: "t1", Name: "title"}}, "min", "max", "pattern", "autogeneratePattern", "required", "primaryKey")
}
