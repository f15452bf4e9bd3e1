package core

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

// gettersCollection has one field per value kind the getters cast from.
func gettersCollection() *Collection {
	c := NewAuthCollection("people")
	c.Fields.Add(
		&TextField{BaseField: BaseField{Name: "text"}},
		&NumberField{BaseField: BaseField{Name: "num"}},
		&BoolField{BaseField: BaseField{Name: "flag"}},
		&DateField{BaseField: BaseField{Name: "when"}},
		&JSONField{BaseField: BaseField{Name: "raw"}},
		&SelectField{BaseField: BaseField{Name: "tags"}, Values: []string{"a", "b", "c"}, MaxSelect: 3},
	)
	return c
}

func TestRecordGetters(t *testing.T) {
	t.Parallel()
	when := time.Date(2024, 5, 6, 7, 8, 9, 123e6, time.UTC)
	for _, tc := range []struct {
		name       string
		field      string
		value      any
		wantInt    int
		wantFloat  float64
		wantBool   bool
		wantTime   time.Time
		wantString string
		wantSlice  []string
	}{
		{name: "numeric string", field: "text", value: "12", wantInt: 12, wantFloat: 12, wantString: "12", wantSlice: []string{"12"}},
		{name: "decimal string truncates", field: "text", value: " 12.9 ", wantInt: 12, wantFloat: 12.9, wantString: " 12.9 ", wantSlice: []string{" 12.9 "}},
		{name: "bool string", field: "text", value: "true", wantBool: true, wantString: "true", wantSlice: []string{"true"}},
		{name: "non numeric string", field: "text", value: "abc", wantString: "abc", wantSlice: []string{"abc"}},
		{name: "date string in text", field: "text", value: "2024-05-06 07:08:09.123Z", wantTime: when, wantString: "2024-05-06 07:08:09.123Z", wantSlice: []string{"2024-05-06 07:08:09.123Z"}},
		{name: "negative number", field: "num", value: -3.7, wantInt: -3, wantFloat: -3.7, wantBool: true, wantString: "-3.7", wantSlice: []string{"-3.7"}},
		{name: "number one", field: "num", value: 1, wantInt: 1, wantFloat: 1, wantBool: true, wantString: "1", wantSlice: []string{"1"}},
		{name: "number from string", field: "num", value: "42", wantInt: 42, wantFloat: 42, wantBool: true, wantString: "42", wantSlice: []string{"42"}},
		{name: "bool true", field: "flag", value: true, wantInt: 1, wantFloat: 1, wantBool: true, wantString: "true", wantSlice: []string{"true"}},
		{name: "bool from string 1", field: "flag", value: "1", wantInt: 1, wantFloat: 1, wantBool: true, wantString: "true", wantSlice: []string{"true"}},
		{name: "date", field: "when", value: "2024-05-06T07:08:09.123Z", wantTime: when, wantString: "2024-05-06 07:08:09.123Z", wantSlice: []string{"2024-05-06 07:08:09.123Z"}},
		{name: "date from time.Time", field: "when", value: when, wantTime: when, wantString: "2024-05-06 07:08:09.123Z", wantSlice: []string{"2024-05-06 07:08:09.123Z"}},
		{name: "bad date is empty", field: "when", value: "not a date"},
		{name: "multi select", field: "tags", value: []string{"a", "c"}, wantString: "[\"a\",\"c\"]", wantSlice: []string{"a", "c"}},
		{name: "json array", field: "raw", value: []any{"x", "y"}, wantString: `["x","y"]`, wantSlice: []string{"x", "y"}},
		{name: "missing field", field: "nope", value: "12"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := NewRecord(gettersCollection())
			r.Set(tc.field, tc.value)
			if got := r.GetInt(tc.field); got != tc.wantInt {
				t.Errorf("GetInt = %d, want %d", got, tc.wantInt)
			}
			if got := r.GetFloat(tc.field); got != tc.wantFloat {
				t.Errorf("GetFloat = %v, want %v", got, tc.wantFloat)
			}
			if got := r.GetBool(tc.field); got != tc.wantBool {
				t.Errorf("GetBool = %v, want %v", got, tc.wantBool)
			}
			if got := r.GetDateTime(tc.field); !got.Equal(tc.wantTime) {
				t.Errorf("GetDateTime = %v, want %v", got, tc.wantTime)
			}
			if got := r.GetString(tc.field); got != tc.wantString {
				t.Errorf("GetString = %q, want %q", got, tc.wantString)
			}
			if got := r.GetStringSlice(tc.field); !reflect.DeepEqual(got, tc.wantSlice) && !(len(got) == 0 && len(tc.wantSlice) == 0) {
				t.Errorf("GetStringSlice = %#v, want %#v", got, tc.wantSlice)
			}
		})
	}
}

func TestRecordAuthAccessors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name         string
		col          *Collection
		set          func(r *Record)
		wantEmail    string
		wantVerified bool
		wantVisible  bool
	}{
		{name: "auth record", col: NewAuthCollection("users"), set: func(r *Record) {
			r.SetEmail("a@example.com")
			r.SetVerified(true)
			r.SetEmailVisibility(true)
		}, wantEmail: "a@example.com", wantVerified: true, wantVisible: true},
		{name: "verified from string", col: NewAuthCollection("users"), set: func(r *Record) { r.Set(FieldVerified, "true") }, wantVerified: true},
		{name: "unset", col: NewAuthCollection("users"), set: func(*Record) {}},
		{name: "base record ignores auth setters", col: NewBaseCollection("posts"), set: func(r *Record) {
			r.SetEmail("a@example.com")
			r.SetVerified(true)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := NewRecord(tc.col)
			tc.set(r)
			if r.Email() != tc.wantEmail || r.Verified() != tc.wantVerified || r.EmailVisibility() != tc.wantVisible {
				t.Fatalf("email=%q verified=%v visible=%v, want %q %v %v", r.Email(), r.Verified(), r.EmailVisibility(), tc.wantEmail, tc.wantVerified, tc.wantVisible)
			}
		})
	}
}

func TestRecordPassword(t *testing.T) {
	t.Parallel()
	col := NewAuthCollection("users")
	// Low bcrypt cost keeps the test fast; the cost is the field's option.
	col.Fields.GetByName(FieldPassword).(*PasswordField).Cost = 4
	hashed := NewRecord(col)
	hashed.SetPassword("correct horse")
	if err := col.Fields.GetByName(FieldPassword).(*PasswordField).BeforeSave(hashed, true, time.Now()); err != nil {
		t.Fatal(err)
	}
	if pv := hashed.Get(FieldPassword).(PasswordValue); pv.Plain != "" || !strings.HasPrefix(pv.Hash, "$2") {
		t.Fatalf("BeforeSave must leave only a bcrypt hash, got %#v", pv)
	}
	pending := NewRecord(col)
	pending.SetPassword("pending pw")
	for _, tc := range []struct {
		name string
		r    *Record
		pw   string
		want bool
	}{
		{"hash matches", hashed, "correct horse", true},
		{"hash mismatch", hashed, "Correct horse", false},
		{"hash empty input", hashed, "", false},
		{"pending plain matches", pending, "pending pw", true},
		{"pending plain mismatch", pending, "pending", false},
		{"no password set", NewRecord(col), "anything", false},
		{"base record", NewRecord(NewBaseCollection("posts")), "anything", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.r.ValidatePassword(tc.pw); got != tc.want {
				t.Fatalf("ValidatePassword(%q) = %v, want %v", tc.pw, got, tc.want)
			}
		})
	}
}

func TestFieldsListAdd(t *testing.T) {
	t.Parallel()
	c := NewBaseCollection("posts")
	c.Fields.Add(&TextField{BaseField: BaseField{Name: "title"}}, nil, &NumberField{BaseField: BaseField{Name: "views"}})
	if got := c.Fields.Names(); !reflect.DeepEqual(got, []string{"id", "title", "views"}) {
		t.Fatalf("names after add: %v", got)
	}
	old := c.Fields.GetByName("title")
	old.SetId("text123")
	repl := &TextField{BaseField: BaseField{Name: "title"}, Required: true}
	c.Fields.Add(repl)
	if len(c.Fields) != 3 || c.Fields.GetByName("title") != repl || repl.GetId() != "text123" {
		t.Fatalf("re-adding by name must replace in place and keep the id: %v id=%q", c.Fields.Names(), repl.GetId())
	}
	c.Fields.RemoveByName("views")
	c.Fields.RemoveByName("missing")
	if got := c.Fields.Names(); !reflect.DeepEqual(got, []string{"id", "title"}) {
		t.Fatalf("names after remove: %v", got)
	}
}

func TestRecordTokenMisuse(t *testing.T) {
	// Not parallel: it reads the process-wide issuer, which no core test sets.
	saved := NewRecord(NewAuthCollection("users"))
	saved.SetCanonical("id", "abc123456789012")
	saved.SetCanonical(FieldTokenKey, "key")
	saved.MarkAsPersisted()
	base := NewRecord(NewBaseCollection("posts"))
	base.SetCanonical("id", "abc123456789012")
	base.MarkAsPersisted()
	for _, tc := range []struct {
		name    string
		r       *Record
		call    func(*Record) (string, error)
		wantErr string
	}{
		{"no issuer", saved, (*Record).NewAuthToken, "no token issuer"},
		{"base collection", base, (*Record).NewFileToken, "only records of auth collections"},
		{"unsaved", NewRecord(NewAuthCollection("users")), (*Record).NewVerificationToken, "save it with app.Save first"},
		{"negative duration", saved, func(r *Record) (string, error) { return r.NewStaticAuthToken(-time.Second) }, "duration must be >= 0"},
		{"empty new email", saved, func(r *Record) (string, error) { return r.NewEmailChangeToken("") }, "newEmail is empty"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tok, err := tc.call(tc.r)
			if err == nil || tok != "" || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("got %q, %v; want error containing %q", tok, err, tc.wantErr)
			}
		})
	}
	if _, err := saved.NewAuthToken(); !errors.Is(err, ErrNoTokenIssuer) {
		t.Fatalf("want ErrNoTokenIssuer, got %v", err)
	}
}
