package store

import (
	"context"
	"errors"
	"testing"

	"github.com/basalthq/basalt/core"
)

// TestUniqueViolationNamesTheField: a duplicate under a unique index
// (plain, case-insensitive, or the primary key) fails the save with
// validation_not_unique on the field, on both engines (PostgreSQL names
// the columns in its error detail, SQLite in its message).
func TestUniqueViolationNamesTheField(t *testing.T) { forEngines(t, testUniqueViolationNamesTheField) }

func testUniqueViolationNamesTheField(t *testing.T) {
	s := openTestStore(t)
	ctx := t.Context()
	c := core.NewBaseCollection("things")
	c.Id = "pbc_things"
	c.Fields = append(c.Fields,
		&core.TextField{BaseField: core.BaseField{Id: "f_code", Name: "code"}},
		&core.TextField{BaseField: core.BaseField{Id: "f_mail", Name: "mailAddress"}})
	c.Indexes = []string{
		"CREATE UNIQUE INDEX `idx_things_code` ON `things` (`code`)",
		"CREATE UNIQUE INDEX idx_things_mail ON things (mailAddress COLLATE NOCASE)",
	}
	if err := s.SaveCollection(ctx, nil, c); err != nil {
		t.Fatal(err)
	}
	rec := func(id, code, mail string) *core.Record {
		r := core.NewRecord(c)
		r.Set("id", id)
		r.Set("code", code)
		r.Set("mailAddress", mail)
		return r
	}
	if err := s.InsertRecord(ctx, rec("a1", "x", "one@example.com")); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, field string
		r           *core.Record
	}{
		{"unique column", "code", rec("a2", "x", "two@example.com")},
		{"case-insensitive index", "mailAddress", rec("a3", "y", "ONE@example.com")},
		{"primary key", "id", rec("a1", "z", "three@example.com")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := s.InsertRecord(ctx, tc.r)
			var ve core.ValidationErrors
			if !errors.As(err, &ve) {
				t.Fatalf("err = %v, want validation errors", err)
			}
			fe, ok := ve[tc.field].(*core.FieldError)
			if !ok || fe.Code != "validation_not_unique" || len(ve) != 1 {
				t.Fatalf("errors = %v, want validation_not_unique on %q only", ve, tc.field)
			}
		})
	}
	// Inside a larger write the failed insert does not poison the rest
	// (a savepoint of its own on PostgreSQL).
	err := s.RunInTx(ctx, func(ctx context.Context) error {
		if err := s.InsertRecord(ctx, rec("b1", "x", "b@example.com")); err == nil {
			t.Error("duplicate inserted inside a write")
		}
		return s.InsertRecord(ctx, rec("b2", "fresh", "b2@example.com"))
	})
	if err != nil {
		t.Fatalf("write after a caught unique violation: %v", err)
	}
	ids, err := s.ExistingIds(ctx, c, []string{"b1", "b2"})
	if err != nil || len(ids) != 1 || ids[0] != "b2" {
		t.Fatalf("ids after the write = %v %v, want [b2]", ids, err)
	}
}
