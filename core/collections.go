package core

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/basalthq/basalt/core/filter"
)

// ErrInvalidCollectionData is returned when a collection body cannot be
// decoded (unknown field type, wrong JSON shapes).
var ErrInvalidCollectionData = NewBadRequestError("Failed to load the submitted data due to invalid formatting.", nil)

// ApplyJSON merges an API body onto the collection (spec C4): top-level
// keys replace, nested option objects merge, arrays (fields, indexes,
// providers) replace. Fields sent without an id but with an existing name
// keep that field's id.
func (c *Collection) ApplyJSON(body []byte) error {
	var patch map[string]any
	if err := json.Unmarshal(body, &patch); err != nil || patch == nil {
		return ErrInvalidCollectionData
	}
	raw, err := c.MarshalWithSecrets()
	if err != nil {
		return err
	}
	var cur map[string]any
	if err := json.Unmarshal(raw, &cur); err != nil {
		return err
	}
	// A type that is no string cannot be decoded, as in PocketBase.
	switch patch["type"].(type) {
	case string, nil:
	default:
		return ErrInvalidCollectionData
	}
	mergeJSON(cur, patch)
	// A sent type is kept so validation can refuse a change (spec C4).
	if t, ok := patch["type"].(string); !ok || t == "" {
		cur["type"] = c.Type
	}
	merged, err := json.Marshal(cur)
	if err != nil {
		return ErrInvalidCollectionData
	}
	next := &Collection{}
	if err := next.UnmarshalJSON(merged); err != nil {
		return ErrInvalidCollectionData.WithCause(err)
	}
	for _, f := range next.Fields {
		if f.GetId() == "" {
			if old := c.Fields.GetByName(f.GetName()); old != nil && old.Type() == f.Type() {
				f.SetId(old.GetId())
			}
		}
	}
	if c.IsAuth() && next.Auth != nil && c.Auth != nil {
		// Secrets are write-only: sent ones replace, missing ones stay.
		next.Auth.keepSecretsFrom(c.Auth)
	}
	*c = *next
	return nil
}

// nullableKeys are the options whose JSON null is a value of its own (a
// rule of null means "superusers only").
var nullableKeys = map[string]bool{"listRule": true, "viewRule": true, "createRule": true,
	"updateRule": true, "deleteRule": true, "manageRule": true, "authRule": true}

// mergeJSON deep-merges src onto dst the way decoding a body onto the
// current value does in PocketBase: objects merge, anything else
// replaces, and a null leaves a string, number, bool or object as it was
// (JSON null does not change a Go value of those kinds) except for the
// nullable rules.
func mergeJSON(dst, src map[string]any) {
	for k, v := range src {
		if v == nil && !nullableKeys[k] {
			switch dst[k].(type) {
			case string, float64, bool, map[string]any:
				continue
			}
		}
		if sm, ok := v.(map[string]any); ok {
			if dm, ok := dst[k].(map[string]any); ok {
				mergeJSON(dm, sm)
				continue
			}
		}
		dst[k] = v
	}
}

func (o *AuthOptions) keepSecretsFrom(old *AuthOptions) {
	pairs := [][2]*TokenConfig{
		{&o.AuthToken, &old.AuthToken}, {&o.PasswordResetToken, &old.PasswordResetToken},
		{&o.EmailChangeToken, &old.EmailChangeToken}, {&o.VerificationToken, &old.VerificationToken},
		{&o.FileToken, &old.FileToken},
	}
	for _, p := range pairs {
		if p[0].Secret == "" {
			p[0].Secret = p[1].Secret
		}
	}
	for i, p := range o.OAuth2.Providers {
		if p.ClientSecret != "" {
			continue
		}
		for _, op := range old.OAuth2.Providers {
			if op.Name == p.Name {
				o.OAuth2.Providers[i].ClientSecret = op.ClientSecret
			}
		}
	}
}

// ruleCacheMax bounds the parsed-rule cache: client filters go through it
// too, and a client sending endless distinct filters must not grow it
// without limit.
const ruleCacheMax = 4096

var (
	ruleCache     sync.Map // raw rule/filter text → filter.Expr
	ruleCacheSize atomic.Int64
)

// ParseClientFilter parses a filter a client sent (a list's filter
// query, a realtime subscription's filter option) within the filter
// language's size limits: the length is checked before parsing, so an
// over-long filter is neither parsed nor cached, and the comparison count
// after. Every way a client filter enters goes through it (issue #22:
// realtime subscriptions skipped the limits).
func ParseClientFilter(raw string) (filter.Expr, error) {
	if err := filter.CheckLimits(raw, nil); err != nil {
		return nil, err
	}
	expr, err := ParseRule(raw)
	if err != nil {
		return nil, err
	}
	if err := filter.CheckLimits(raw, expr); err != nil {
		return nil, err
	}
	return expr, nil
}

// ParseRule parses a rule or filter with a process-wide cache, so each
// distinct rule text is parsed once (not per request). When the cache is
// full it starts over; rules are re-parsed on their next use.
func ParseRule(raw string) (filter.Expr, error) {
	if v, ok := ruleCache.Load(raw); ok {
		return v.(filter.Expr), nil
	}
	expr, err := filter.Parse(raw)
	if err != nil {
		return nil, err
	}
	if ruleCacheSize.Add(1) > ruleCacheMax {
		ruleCache.Clear()
		ruleCacheSize.Store(1)
	}
	ruleCache.Store(raw, expr)
	return expr, nil
}

// RuleChecker validates a parsed rule against a collection schema
// (identifiers resolve, relations exist). The store implements it.
type RuleChecker interface {
	CheckRule(ctx context.Context, c *Collection, expr filter.Expr) error
}

var (
	namePattern   = regexp.MustCompile(`^\w+$`)
	reservedNames = []string{"null", "true", "false", "_rowid_", "collectionid", "collectionname", "expand"}
	authReserved  = []string{"passwordconfirm", "oldpassword"}
	collectionMu  sync.Mutex // serialises schema changes and cache reloads
)

// SaveCollection validates c and persists it (create or update by id),
// syncing its table, in one transaction, then refreshes the cache.
func (app *App) SaveCollection(ctx context.Context, c *Collection) error {
	return app.saveCollection(ctx, c, true)
}

// SaveCollectionNoValidate persists c skipping validation (imports and
// migrations validate separately).
func (app *App) SaveCollectionNoValidate(ctx context.Context, c *Collection) error {
	return app.saveCollection(ctx, c, false)
}

func (app *App) saveCollection(ctx context.Context, c *Collection, validate bool) error {
	var old *Collection
	if c.Id != "" {
		if existing, err := app.FindCollectionByNameOrId(c.Id); err == nil && existing.Id == c.Id {
			old = existing.Clone()
		}
	}
	isNew := old == nil
	if old != nil && old.Name != c.Name {
		c.Indexes = renameIndexTable(c.Indexes, old.Name, c.Name)
	}
	if old != nil {
		for _, f := range c.Fields {
			if of := old.Fields.GetById(f.GetId()); of != nil && of.GetName() != f.GetName() {
				c.Indexes = renameIndexColumn(c.Indexes, of.GetName(), f.GetName())
			}
		}
	}
	app.ensureDefaults(c)
	if c.IsAuth() && c.Auth != nil {
		// Mapped OAuth2 fields naming no field are cleared (spec §5.6).
		m := &c.Auth.OAuth2.MappedFields
		for _, name := range []*string{&m.Id, &m.Name, &m.Username, &m.AvatarURL} {
			if *name != "" && c.Fields.GetByName(*name) == nil {
				*name = ""
			}
		}
	}
	now := FormatTime(app.Now())
	if isNew {
		if c.Created == "" {
			c.Created = now
		}
	} else {
		c.Created = old.Created
	}
	c.Updated = now

	if c.IsView() {
		if err := app.inferViewFields(ctx, c, old); err != nil {
			return err
		}
	}
	if c.IsAuth() && old != nil && old.Auth != nil && c.Auth != nil && !sameRule(old.Auth.AuthRule, c.Auth.AuthRule) {
		// A changed authRule logs out the collection (spec §6.3).
		c.Auth.AuthToken.Secret = RandomToken(50)
	}

	e := &CollectionEvent{App: app, Context: ctx, Collection: c}
	main, execute, success, failure := app.onCollectionCreate, app.onCollectionCreateExecute, app.onCollectionAfterCreateSuccess, app.onCollectionAfterCreateError
	if !isNew {
		main, execute, success, failure = app.onCollectionUpdate, app.onCollectionUpdateExecute, app.onCollectionAfterUpdateSuccess, app.onCollectionAfterUpdateError
	}
	return main.Trigger(e, func(e *CollectionEvent) error {
		if validate {
			if err := app.ValidateCollection(e.Context, old, e.Collection); err != nil {
				return err
			}
		}
		collectionMu.Lock()
		defer collectionMu.Unlock()
		err := app.store.RunInTx(e.Context, func(txCtx context.Context) error {
			ex := &CollectionEvent{App: app, Context: txCtx, Collection: e.Collection}
			return execute.Trigger(ex, func(ex *CollectionEvent) error {
				if err := app.store.SaveCollection(ex.Context, old, ex.Collection); err != nil {
					return err
				}
				return app.rebuildDependentViews(ex.Context, old, ex.Collection)
			})
		})
		done := &CollectionEvent{App: app, Context: context.WithoutCancel(ctx), Collection: e.Collection, Error: err}
		app.reloadAfter(ctx)
		if err != nil {
			app.logHookErr(stageName("OnCollectionAfter", isNew, "Error"), failure.Trigger(done))
			return err
		}
		app.logHookErr(stageName("OnCollectionAfter", isNew, "Success"), success.Trigger(done))
		return nil
	})
}

// renameIndexTable points index statements on the old table name at the
// new one, so renaming a collection keeps its indexes (spec §5.1).
func renameIndexTable(indexes []string, oldName, newName string) []string {
	re := regexp.MustCompile("(?i)(\\sON\\s+)([`\"\\[]?)" + regexp.QuoteMeta(oldName) + "([`\"\\]]?)(\\s*\\()")
	out := make([]string, len(indexes))
	for i, idx := range indexes {
		out[i] = re.ReplaceAllString(idx, "${1}${2}"+newName+"${3}${4}")
	}
	return out
}

// renameIndexColumn renames a column inside the column lists (and WHERE
// clauses) of index statements, so renaming a field keeps its indexes.
func renameIndexColumn(indexes []string, oldName, newName string) []string {
	re := regexp.MustCompile("([`\"\\[]?)\\b" + regexp.QuoteMeta(oldName) + "\\b([`\"\\]]?)")
	out := make([]string, len(indexes))
	for i, idx := range indexes {
		open := strings.Index(idx, "(")
		if open < 0 {
			out[i] = idx
			continue
		}
		out[i] = idx[:open] + re.ReplaceAllString(idx[open:], "${1}"+newName+"${2}")
	}
	return out
}

func sameRule(a, b *string) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

// reloadAfter refreshes the cache now (inside a transaction this sees the
// uncommitted schema, which later steps of the same transaction need) and
// again once the outermost transaction settles, so a rollback never leaves
// the cache describing collections that do not exist.
func (app *App) reloadAfter(ctx context.Context) {
	if err := app.reloadLocked(context.WithoutCancel(ctx)); err != nil {
		app.logger.Error("reload collections", "err", err)
	}
	immediate := true // afterTx runs fn at once outside a transaction
	app.afterTx(ctx, func(error) {
		if immediate {
			return
		}
		collectionMu.Lock()
		defer collectionMu.Unlock()
		if err := app.reloadLocked(context.Background()); err != nil {
			app.logger.Error("reload collections", "err", err)
		}
	})
	immediate = false
}

func (app *App) reloadLocked(ctx context.Context) error {
	list, err := app.store.LoadCollections(ctx)
	if err != nil {
		return err
	}
	app.colMu.Lock()
	app.collections = list
	app.colVersion++
	app.colMu.Unlock()
	return nil
}

// CollectionsVersion increases every time the collection cache changes;
// caches keyed on schema use it.
func (app *App) CollectionsVersion() uint64 {
	app.colMu.RLock()
	defer app.colMu.RUnlock()
	return app.colVersion
}

// DeleteCollection deletes c and its table (spec C5).
func (app *App) DeleteCollection(ctx context.Context, c *Collection) error {
	if c.System {
		return NewBadRequestError("Failed to delete collection.", ValidationErrors{"id": NewFieldError("validation_collection_system_delete", "System collections cannot be deleted.", nil)})
	}
	for _, other := range app.Collections() {
		if other.Id == c.Id {
			continue
		}
		for _, f := range other.Fields {
			if rel, ok := f.(relationTarget); ok && rel.RelationCollectionId() == c.Id {
				return NewBadRequestError(fmt.Sprintf("Failed to delete collection probably due to existing reference in %s.", other.Name), nil)
			}
		}
		if other.IsView() && viewReferences(other.ViewQuery, c.Name) {
			return NewBadRequestError(fmt.Sprintf("Failed to delete collection probably due to existing reference in %s.", other.Name), nil)
		}
	}
	e := &CollectionEvent{App: app, Context: ctx, Collection: c}
	return app.onCollectionDelete.Trigger(e, func(e *CollectionEvent) error {
		collectionMu.Lock()
		defer collectionMu.Unlock()
		err := app.store.RunInTx(e.Context, func(txCtx context.Context) error {
			ex := &CollectionEvent{App: app, Context: txCtx, Collection: e.Collection}
			return app.onCollectionDeleteExecute.Trigger(ex, func(ex *CollectionEvent) error {
				// The auth state of a deleted auth collection's records
				// goes with it (see deleteAuthState).
				if ex.Collection.IsAuth() {
					if err := app.deleteAuthStateWhere(ex.Context, "collectionRef = {:c}", map[string]any{"c": ex.Collection.Id}); err != nil {
						return err
					}
				}
				return app.store.DeleteCollection(ex.Context, ex.Collection)
			})
		})
		done := &CollectionEvent{App: app, Context: context.WithoutCancel(ctx), Collection: e.Collection, Error: err}
		app.reloadAfter(ctx)
		if err != nil {
			app.logHookErr("OnCollectionAfterDeleteError", app.onCollectionAfterDeleteError.Trigger(done))
			return NewBadRequestError("Failed to delete collection.", nil).WithCause(err)
		}
		if app.files != nil {
			if ferr := app.files.DeletePrefix(context.Background(), c.Id+"/"); ferr != nil {
				app.logger.Warn("delete collection files", "err", ferr)
			}
		}
		app.logHookErr("OnCollectionAfterDeleteSuccess", app.onCollectionAfterDeleteSuccess.Trigger(done))
		return nil
	})
}

func viewReferences(query, name string) bool {
	re := regexp.MustCompile(`(?i)(^|[^\w])` + "[`\"\\[]?" + regexp.QuoteMeta(name) + "[`\"\\]]?" + `($|[^\w])`)
	return re.MatchString(query)
}

// TruncateCollection deletes every record of c through the normal delete
// logic (cascades, files), in one transaction (spec C6).
func (app *App) TruncateCollection(ctx context.Context, c *Collection) error {
	if c.IsView() {
		return NewBadRequestError("View collections cannot be truncated since they don't store their own records.", nil)
	}
	return app.store.RunInTx(ctx, func(txCtx context.Context) error {
		ids, err := app.store.RecordIds(txCtx, c)
		if err != nil {
			return err
		}
		recs, err := app.store.FindRecords(txCtx, c, ids)
		if err != nil {
			return err
		}
		for _, r := range recs {
			if err := app.Delete(txCtx, r); err != nil {
				return errors.Join(NewBadRequestError("Failed to truncate collection (most likely due to required cascade delete record references).", nil), err)
			}
		}
		return nil
	})
}

// rebuildDependentViews re-saves views whose query mentions c (renamed or
// changed columns would otherwise break them).
func (app *App) rebuildDependentViews(ctx context.Context, old, c *Collection) error {
	if c.IsView() {
		return nil
	}
	for _, v := range app.Collections() {
		if !v.IsView() || v.Id == c.Id {
			continue
		}
		if !viewReferences(v.ViewQuery, c.Name) && (old == nil || !viewReferences(v.ViewQuery, old.Name)) {
			continue
		}
		nv := v.Clone()
		if err := app.inferViewFields(ctx, nv, v, c); err != nil {
			return fmt.Errorf("rebuild view %s: %w", v.Name, err)
		}
		if err := app.store.SaveCollection(ctx, v, nv); err != nil {
			return fmt.Errorf("rebuild view %s: %w", v.Name, err)
		}
	}
	return nil
}

func lowerIn(s string, list []string) bool {
	s = strings.ToLower(s)
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
