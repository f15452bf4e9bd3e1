package core

import (
	"context"
	"errors"
	"fmt"
	"slices"
)

func init() {
	RegisterFieldType("relation", func() Field { return &RelationField{} })
}

// RelationField references records of another collection by id.
type RelationField struct {
	BaseField
	// CollectionId is the id of the referenced collection (required,
	// immutable once saved).
	CollectionId string `json:"collectionId"`
	// CascadeDelete deletes this record when deleting a referenced record
	// leaves the field empty.
	CascadeDelete bool `json:"cascadeDelete"`
	// MinSelect is the minimum number of ids (0: none).
	MinSelect int `json:"minSelect"`
	// MaxSelect is the maximum number of ids; 0 and 1 mean a single id.
	MaxSelect int  `json:"maxSelect"`
	Required  bool `json:"required"`
}

var (
	_ Field           = (*RelationField)(nil)
	_ MultiValuer     = (*RelationField)(nil)
	_ ModifierApplier = (*RelationField)(nil)
)

// Type returns "relation".
func (f *RelationField) Type() string { return "relation" }

// IsMultiple reports whether the field holds a list (MaxSelect > 1).
func (f *RelationField) IsMultiple() bool { return f.MaxSelect > 1 }

// ColumnType is a JSON array for multiple ids, text otherwise.
func (f *RelationField) ColumnType() ColumnType { return listColumnType(f.IsMultiple()) }

// Normalize accepts an id or a list of ids, de-duplicated; a single
// relation keeps the last one.
func (f *RelationField) Normalize(raw any) any { return normalizeList(raw, f.IsMultiple()) }

// FromDB decodes the JSON array text of a multiple relation.
func (f *RelationField) FromDB(v any) any { return normalizeList(v, f.IsMultiple()) }

// ToDB encodes a list as JSON array text.
func (f *RelationField) ToDB(v any) any { return listToDB(v, f.IsMultiple()) }

// ValidateValue checks required, the id count and, when app is set, that
// every id exists in the related collection. A nil app (unit tests, or
// callers that validate shape only) skips the existence check.
func (f *RelationField) ValidateValue(ctx context.Context, app *App, r *Record) error {
	ids := ToStringSlice(r.Get(f.Name))
	if len(ids) == 0 {
		if f.Required {
			return ErrRequired()
		}
		return nil
	}
	if f.MinSelect > 0 && len(ids) < f.MinSelect {
		return NewFieldError("validation_not_enough_values",
			fmt.Sprintf("Select at least %d.", f.MinSelect), map[string]any{"minSelect": f.MinSelect})
	}
	if max := max(f.MaxSelect, 1); len(ids) > max {
		return errTooManyValues(max)
	}
	if app == nil {
		return nil
	}
	if !r.IsNew() && slices.Equal(ids, ToStringSlice(r.Original(f.Name))) {
		// Unchanged since loaded: deleting a related record unlinks it,
		// so stored ids stay valid and need no query on every update.
		return nil
	}
	col, err := app.FindCollectionByNameOrId(f.CollectionId)
	if err != nil {
		return NewFieldError("validation_missing_rel_collection", "The relation collection doesn't exist.", nil)
	}
	if checks, ok := ctx.Value(relationChecksKey{}).(*relationChecks); ok {
		checks.list = append(checks.list, relationCheck{field: f.Name, col: col, ids: ids})
		return nil
	}
	return app.checkRelationIds(ctx, f.Name, col, ids)
}

func (app *App) checkRelationIds(ctx context.Context, field string, col *Collection, ids []string) error {
	found, err := app.store.ExistingIds(ctx, col, ids)
	if err != nil {
		return fmt.Errorf("field %s: find related records: %w", field, err)
	}
	for _, id := range ids {
		if !slices.Contains(found, id) {
			return NewFieldError("validation_missing_rel_records",
				"Failed to find all relation records with the provided ids.", nil)
		}
	}
	return nil
}

// relationChecks collects the existence checks of relation ids during a
// save's validation, so they run inside its write transaction: on the
// writer's connection they cost no read transaction of their own, and
// the ids cannot vanish between the check and the write.
type relationChecks struct{ list []relationCheck }

type relationCheck struct {
	field string
	col   *Collection
	ids   []string
}

type relationChecksKey struct{}

// run performs the collected checks with ctx (the write transaction).
func (c *relationChecks) run(ctx context.Context, app *App) error {
	if len(c.list) == 0 {
		return nil
	}
	errs := ValidationErrors{}
	for _, rc := range c.list {
		if err := app.checkRelationIds(ctx, rc.field, rc.col, rc.ids); err != nil {
			errs[rc.field] = err
		}
	}
	return errs.Filter()
}

// merge adds the collected checks' errors to a failed validation, so a
// response lists every invalid field at once as without deferral.
func (c *relationChecks) merge(ctx context.Context, app *App, err error) error {
	var verrs ValidationErrors
	if len(c.list) == 0 || !errors.As(err, &verrs) {
		return err
	}
	var more ValidationErrors
	if errors.As(c.run(ctx, app), &more) {
		for k, v := range more {
			if _, ok := verrs[k]; !ok {
				verrs[k] = v
			}
		}
	}
	return err
}

// ValidateSettings checks the counts and, when app is set, that the
// related collection exists (by id), is not a view unless c is one, and
// has not changed since the field was saved.
func (f *RelationField) ValidateSettings(ctx context.Context, app *App, c *Collection) error {
	errs := ValidationErrors{}
	if f.MinSelect < 0 {
		errs["minSelect"] = errNoLessThan(0)
	}
	// PocketBase: maxSelect is required once minSelect is set, and no
	// less than it.
	if err := intRange(int64(f.MaxSelect), f.MinSelect > 0, int64(max(f.MinSelect, 0)), 0); err != nil {
		errs["maxSelect"] = err
	}
	if f.CollectionId == "" {
		errs["collectionId"] = ErrRequired()
	} else if app != nil {
		if err := f.checkCollection(app, c); err != nil {
			errs["collectionId"] = err
		}
	}
	return errs.Filter()
}

func (f *RelationField) checkCollection(app *App, c *Collection) error {
	if c != nil && c.Id != "" && f.Id != "" {
		if old, err := app.FindCollectionByNameOrId(c.Id); err == nil && old.Id == c.Id {
			if of, ok := old.Fields.GetById(f.Id).(*RelationField); ok && of.CollectionId != f.CollectionId {
				return NewFieldError("validation_field_relation_change", "The relation collection cannot be changed.", nil)
			}
		}
	}
	var rel *Collection
	if c != nil && c.Id != "" && c.Id == f.CollectionId {
		rel = c // self-relation of a collection that may not be stored yet
	} else if found, err := app.FindCollectionByNameOrId(f.CollectionId); err == nil && found.Id == f.CollectionId {
		rel = found // names are not accepted: the option holds an id
	}
	if rel == nil {
		return NewFieldError("validation_field_relation_missing_collection", "The relation collection doesn't exist.", nil)
	}
	// Views cannot hold foreign keys' semantics (cascade, existence checks
	// on write), so only views may point to views.
	if rel.IsView() && (c == nil || !c.IsView()) {
		return NewFieldError("validation_relation_field_non_view_base_collection",
			"Only view collections are allowed to have relations to other views.", nil)
	}
	return nil
}

// ApplyModifier appends, prepends or removes ids (spec §5.3 modifiers).
func (f *RelationField) ApplyModifier(current any, mod Modifier, value any) (any, error) {
	return applyListModifier(f, f.IsMultiple(), current, mod, value)
}
