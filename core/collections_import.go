package core

import (
	"context"
	"encoding/json"
	"fmt"
)

// ImportCollections applies a list of collection documents (spec C7) in
// one transaction: matched by id, else by name; new ones created; with
// deleteMissing, fields and collections not in the list are removed.
// Non-view collections are saved first, views last.
func (app *App) ImportCollections(ctx context.Context, docs []json.RawMessage, deleteMissing bool) error {
	return app.store.RunInTx(ctx, func(txCtx context.Context) error {
		var imported []*Collection
		var views []*Collection
		for _, raw := range docs {
			var head struct {
				Id   string `json:"id"`
				Name string `json:"name"`
				Type string `json:"type"`
			}
			if err := json.Unmarshal(raw, &head); err != nil {
				return err
			}
			var target *Collection
			if head.Id != "" {
				if c, err := app.FindCollectionByNameOrId(head.Id); err == nil && c.Id == head.Id {
					target = c.Clone()
				}
			} else if head.Name != "" {
				if c, err := app.FindCollectionByNameOrId(head.Name); err == nil {
					target = c.Clone()
				}
			}
			if target == nil {
				target = NewCollectionOfType(head.Type, head.Name)
			}
			prevFields := target.Fields
			if err := target.ApplyJSON(raw); err != nil {
				// An undecodable document (unknown field type, wrong
				// shapes) is an import failure with the raw error (spec
				// C7), not the create endpoint's formatting error.
				if ce, ok := AsError(err); ok && ce.Message == ErrInvalidCollectionData.Message {
					if cause := ce.Cause; cause != nil {
						return fmt.Errorf("collection %q: %w", head.Name, cause)
					}
					return fmt.Errorf("collection %q: invalid collection data", head.Name)
				}
				return err
			}
			if head.Id != "" {
				target.Id = head.Id
			}
			if !deleteMissing {
				for _, f := range prevFields {
					if target.Fields.GetById(f.GetId()) == nil && target.Fields.GetByName(f.GetName()) == nil {
						target.Fields = append(target.Fields, f)
					}
				}
			}
			target.Fields = idFieldFirst(target.Fields)
			if target.IsView() {
				views = append(views, target)
			} else {
				imported = append(imported, target)
			}
		}
		for _, c := range append(imported, views...) {
			if err := app.SaveCollection(txCtx, c); err != nil {
				if ce, ok := AsError(err); ok && ce.Data != nil {
					raw, _ := json.Marshal(ce.Data)
					return NewBadRequestError("Failed to import collections.", ValidationErrors{"collections": NewFieldError(
						"validation_collections_import_failure",
						fmt.Sprintf("Data validations failed for collection %q (%s):\n%s", c.Name, c.Id, raw), nil)})
				}
				return err
			}
		}
		if deleteMissing {
			keep := map[string]bool{}
			for _, c := range append(imported, views...) {
				keep[c.Id] = true
			}
			// Views first: they may depend on the tables.
			for pass := 0; pass < 2; pass++ {
				for _, c := range app.Collections() {
					if keep[c.Id] || c.System || (pass == 0) != c.IsView() {
						continue
					}
					if err := app.DeleteCollection(txCtx, c); err != nil {
						return err
					}
				}
			}
		}
		return nil
	})
}

// idFieldFirst returns fields with the primary-key id field moved to the
// front, as PocketBase orders an imported collection: documents may list
// id anywhere or omit it, and re-adding kept fields appends it last. A
// collection without an id field is returned unchanged (ensureDefaults
// prepends one).
func idFieldFirst(fields FieldsList) FieldsList {
	for i, f := range fields {
		if f.GetName() != FieldId {
			continue
		}
		if i == 0 {
			return fields
		}
		out := make(FieldsList, 0, len(fields))
		out = append(out, f)
		out = append(out, fields[:i]...)
		return append(out, fields[i+1:]...)
	}
	return fields
}
