package core

import (
	"context"
	"regexp"
	"slices"
	"testing"
)

func TestNewIdField(t *testing.T) {
	t.Parallel()
	f := NewIdField()
	if f.Id != "text3208210256" || f.Name != "id" || !f.System || !f.PrimaryKey || !f.Required ||
		f.Min != 15 || f.Max != 15 || f.Pattern != "^[a-z0-9]+$" || f.AutogeneratePattern != "[a-z0-9]{15}" {
		t.Fatalf("got %#v", f)
	}
	checkSettingsErr(t, f.ValidateSettings(context.Background(), nil, testCollection("base", f)), nil)

	r := NewRecord(testCollection("base", f))
	if err := f.BeforeSave(r, true, fixedNow); err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^[a-z0-9]{15}$`).MatchString(r.Id()) {
		t.Fatalf("generated id %q", r.Id())
	}
	checkFieldErr(t, f.ValidateValue(context.Background(), nil, r), nil)
}

func TestNewAutodateField(t *testing.T) {
	t.Parallel()
	f := NewAutodateField("created", true, false)
	if f.Id != "autodate2990389176" || f.Name != "created" || !f.OnCreate || f.OnUpdate || f.System {
		t.Fatalf("got %#v", f)
	}
}

func TestNewAuthSystemFields(t *testing.T) {
	t.Parallel()
	fields := NewAuthSystemFields()
	if got, want := fields.Names(), []string{"password", "tokenKey", "email", "emailVisibility", "verified"}; !slices.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for _, f := range fields {
		if !f.GetSystem() {
			t.Fatalf("%s: not system", f.GetName())
		}
		if want := DefaultFieldId(f.Type(), f.GetName()); f.GetId() != want {
			t.Fatalf("%s: got id %q, want %q", f.GetName(), f.GetId(), want)
		}
		checkSettingsErr(t, f.ValidateSettings(context.Background(), nil, testCollection("auth", f)), nil)
	}
	pw := fields.GetByName("password").(*PasswordField)
	if !pw.Hidden || !pw.Required || pw.Min != 8 {
		t.Fatalf("password: %#v", pw)
	}
	tk := fields.GetByName("tokenKey").(*TextField)
	if !tk.Hidden || !tk.Required || tk.Min != 30 || tk.Max != 60 || tk.AutogeneratePattern != "[a-zA-Z0-9]{50}" {
		t.Fatalf("tokenKey: %#v", tk)
	}
	if em := fields.GetByName("email").(*EmailField); !em.Required || em.Hidden {
		t.Fatalf("email: %#v", em)
	}
	for _, name := range []string{"emailVisibility", "verified"} {
		if _, ok := fields.GetByName(name).(*BoolField); !ok {
			t.Fatalf("%s: got %T", name, fields.GetByName(name))
		}
	}

	// A fresh token key is generated on create and passes validation.
	r := NewRecord(testCollection("auth", tk))
	if err := tk.BeforeSave(r, true, fixedNow); err != nil {
		t.Fatal(err)
	}
	if got := r.GetString("tokenKey"); !regexp.MustCompile(`^[a-zA-Z0-9]{50}$`).MatchString(got) {
		t.Fatalf("tokenKey %q", got)
	}
	checkFieldErr(t, tk.ValidateValue(context.Background(), nil, r), nil)
}

func TestFieldKindsRegistered(t *testing.T) {
	t.Parallel()
	for _, typ := range []string{"text", "editor", "number", "bool", "email", "url", "date", "autodate", "select", "file", "relation", "json", "password", "geoPoint"} {
		f, err := NewFieldOfType(typ)
		if err != nil {
			t.Fatalf("%s: %v", typ, err)
		}
		if f.Type() != typ {
			t.Fatalf("%s: Type() = %q", typ, f.Type())
		}
		// Every kind gives a usable empty value for a new record.
		f.SetName("x")
		r := NewRecord(testCollection("base", f))
		_ = f.ToDB(r.Get("x"))
	}
}
