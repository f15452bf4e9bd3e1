package core

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"testing"
)

// fieldTestStore serves collections and record lookups for the relation
// tests; every other Store method panics through the nil embedded Store.
type fieldTestStore struct {
	Store
	cols    []*Collection
	ids     map[string][]string // collection id → existing record ids
	findErr error
}

func (s *fieldTestStore) LoadCollections(ctx context.Context) ([]*Collection, error) {
	return s.cols, nil
}

func (s *fieldTestStore) FindRecords(ctx context.Context, c *Collection, ids []string) ([]*Record, error) {
	if s.findErr != nil {
		return nil, s.findErr
	}
	var out []*Record
	for _, id := range ids {
		if slices.Contains(s.ids[c.Id], id) {
			r := NewRecord(c)
			r.SetCanonical("id", id)
			out = append(out, r)
		}
	}
	return out, nil
}

func (s *fieldTestStore) ExistingIds(ctx context.Context, c *Collection, ids []string) ([]string, error) {
	recs, err := s.FindRecords(ctx, c, ids)
	out := make([]string, len(recs))
	for i, r := range recs {
		out[i] = r.Id()
	}
	return out, err
}

func newFieldTestApp(t *testing.T, s *fieldTestStore) *App {
	t.Helper()
	app := NewApp(Config{}, s)
	if err := app.ReloadCollections(context.Background()); err != nil {
		t.Fatal(err)
	}
	return app
}

func relationTestApp(t *testing.T) (*App, *fieldTestStore) {
	users := &Collection{Id: "pbc_users", Name: "users", Type: CollectionTypeAuth, Fields: FieldsList{NewIdField()}}
	view := &Collection{Id: "pbc_view", Name: "stats", Type: CollectionTypeView, Fields: FieldsList{NewIdField()}}
	posts := &Collection{Id: "pbc_posts", Name: "posts", Type: CollectionTypeBase, Fields: FieldsList{
		NewIdField(),
		&RelationField{BaseField: BaseField{Id: "rel1", Name: "author"}, CollectionId: "pbc_users"},
	}}
	s := &fieldTestStore{cols: []*Collection{users, view, posts}, ids: map[string][]string{"pbc_users": {"u1", "u2"}}}
	return newFieldTestApp(t, s), s
}

func TestRelationFieldNormalizeAndDB(t *testing.T) {
	t.Parallel()
	single := &RelationField{BaseField: BaseField{Name: "r"}}
	multi := &RelationField{BaseField: BaseField{Name: "r"}, MaxSelect: 3}
	if got := single.Normalize([]any{"a", "b"}); got != "b" {
		t.Fatalf("single: got %#v", got)
	}
	if got := multi.Normalize([]any{"a", "b", "a"}); !reflect.DeepEqual(got, []string{"a", "b"}) {
		t.Fatalf("multi: got %#v", got)
	}
	if got := multi.FromDB(`["x","y"]`); !reflect.DeepEqual(got, []string{"x", "y"}) || multi.ToDB(got) != `["x","y"]` {
		t.Fatalf("multi db: got %#v", got)
	}
	if got := single.FromDB("x"); got != "x" || single.ToDB(got) != "x" {
		t.Fatalf("single db: got %#v", got)
	}
	if single.ColumnType() != ColumnText || multi.ColumnType() != ColumnJSONArray || !multi.IsMultiple() || single.IsMultiple() {
		t.Fatal("wrong column types")
	}
}

func TestRelationFieldValidateValue(t *testing.T) {
	t.Parallel()
	app, store := relationTestApp(t)
	missing := NewFieldError("validation_missing_rel_records", "Failed to find all relation records with the provided ids.", nil)
	for _, tc := range []struct {
		name  string
		field *RelationField
		value any
		app   *App
		want  *FieldError
	}{
		{"empty optional", &RelationField{CollectionId: "pbc_users"}, "", app, nil},
		{"empty required", &RelationField{CollectionId: "pbc_users", Required: true}, "", app, ErrRequired()},
		{"existing single", &RelationField{CollectionId: "pbc_users"}, "u1", app, nil},
		{"missing single", &RelationField{CollectionId: "pbc_users"}, "nope", app, missing},
		{"existing multi", &RelationField{CollectionId: "pbc_users", MaxSelect: 5}, []string{"u1", "u2"}, app, nil},
		{"partly missing multi", &RelationField{CollectionId: "pbc_users", MaxSelect: 5}, []string{"u1", "zz"}, app, missing},
		{"nil app skips existence", &RelationField{CollectionId: "pbc_users"}, "nope", nil, nil},
		{"not enough", &RelationField{CollectionId: "pbc_users", MinSelect: 2, MaxSelect: 5}, []string{"u1"}, nil,
			NewFieldError("validation_not_enough_values", "Select at least 2.", map[string]any{"minSelect": 2})},
		{"too many", &RelationField{CollectionId: "pbc_users", MaxSelect: 2}, []string{"a", "b", "c"}, nil,
			NewFieldError("validation_too_many_values", "Select no more than 2.", map[string]any{"maxSelect": 2})},
		{"missing collection", &RelationField{CollectionId: "pbc_gone"}, "u1", app,
			NewFieldError("validation_missing_rel_collection", "The relation collection doesn't exist.", nil)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.field.Name = "author"
			checkFieldErr(t, tc.field.ValidateValue(context.Background(), tc.app, newRecordWith(tc.field, tc.value)), tc.want)
		})
	}
	t.Run("store error is returned", func(t *testing.T) {
		boom := errors.New("boom")
		s2 := &fieldTestStore{cols: store.cols, findErr: boom}
		app2 := newFieldTestApp(t, s2)
		f := &RelationField{BaseField: BaseField{Name: "author"}, CollectionId: "pbc_users"}
		if err := f.ValidateValue(context.Background(), app2, newRecordWith(f, "u1")); !errors.Is(err, boom) {
			t.Fatalf("got %v, want the store error", err)
		}
	})
}

func TestRelationFieldValidateSettings(t *testing.T) {
	t.Parallel()
	app, store := relationTestApp(t)
	posts := store.cols[2]
	newBase := &Collection{Id: "pbc_new", Name: "new", Type: CollectionTypeBase}
	newView := &Collection{Id: "pbc_new2", Name: "new2", Type: CollectionTypeView}
	for _, tc := range []struct {
		name  string
		field *RelationField
		c     *Collection
		app   *App
		want  map[string]string
	}{
		{"ok", &RelationField{CollectionId: "pbc_users"}, newBase, app, nil},
		{"required collectionId", &RelationField{}, newBase, app, map[string]string{"collectionId": "validation_required"}},
		{"missing collection", &RelationField{CollectionId: "pbc_gone"}, newBase, app, map[string]string{"collectionId": "validation_field_relation_missing_collection"}},
		{"name is not an id", &RelationField{CollectionId: "users"}, newBase, app, map[string]string{"collectionId": "validation_field_relation_missing_collection"}},
		{"self relation before save", &RelationField{CollectionId: "pbc_new"}, newBase, app, nil},
		{"base to view", &RelationField{CollectionId: "pbc_view"}, newBase, app, map[string]string{"collectionId": "validation_relation_field_non_view_base_collection"}},
		{"view to view", &RelationField{CollectionId: "pbc_view"}, newView, app, nil},
		{"collection change", &RelationField{BaseField: BaseField{Id: "rel1"}, CollectionId: "pbc_posts"}, posts, app, map[string]string{"collectionId": "validation_field_relation_change"}},
		{"unchanged existing", &RelationField{BaseField: BaseField{Id: "rel1"}, CollectionId: "pbc_users"}, posts, app, nil},
		{"nil app skips lookups", &RelationField{CollectionId: "pbc_gone"}, newBase, nil, nil},
		{"counts", &RelationField{CollectionId: "pbc_users", MinSelect: 3, MaxSelect: 2}, newBase, nil, map[string]string{"maxSelect": "validation_min_greater_equal_than_required"}},
		{"minSelect without maxSelect", &RelationField{CollectionId: "pbc_users", MinSelect: 1}, newBase, nil, map[string]string{"maxSelect": "validation_required"}},
		{"negative", &RelationField{CollectionId: "pbc_users", MinSelect: -1, MaxSelect: -1}, newBase, nil,
			map[string]string{"minSelect": "validation_min_greater_equal_than_required", "maxSelect": "validation_min_greater_equal_than_required"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.field.Name = "rel"
			checkSettingsErr(t, tc.field.ValidateSettings(context.Background(), tc.app, tc.c), tc.want)
		})
	}
}

func TestRelationFieldModifiers(t *testing.T) {
	t.Parallel()
	testListModifiers(t, &RelationField{}, &RelationField{MaxSelect: 9})
}

func TestRelationFieldJSON(t *testing.T) {
	t.Parallel()
	checkFieldJSON(t, &RelationField{BaseField: BaseField{Id: "r", Name: "author"}, CollectionId: "pbc_users", CascadeDelete: true, MinSelect: 1, MaxSelect: 3, Required: true},
		"collectionId", "cascadeDelete", "minSelect", "maxSelect", "required")
}
