package core

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/basalthq/basalt/core/filter"
)

func fe(code, msg string) *FieldError { return NewFieldError(code, msg, nil) }

// lengthOutOfRange is the validator library's length error PocketBase
// answers with, params included.
func lengthOutOfRange(min, max int) *FieldError {
	return NewFieldError("validation_length_out_of_range",
		"The length must be between "+strconv.Itoa(min)+" and "+strconv.Itoa(max)+".", map[string]any{"min": min, "max": max})
}

// ValidateCollection checks c (old is the stored version or nil) and
// returns a 400 *Error whose data holds the field-level problems, in the
// spec's shape (C2/C4).
func (app *App) ValidateCollection(ctx context.Context, old, c *Collection) error {
	e := &CollectionEvent{App: app, Context: ctx, Collection: c}
	err := app.onCollectionValidate.Trigger(e, func(e *CollectionEvent) error {
		return app.validateCollection(e.Context, old, e.Collection)
	})
	if err == nil {
		return nil
	}
	if _, ok := AsError(err); ok {
		return err
	}
	msg := "Failed to create collection."
	if old != nil {
		msg = "Failed to update collection."
	}
	var verrs ValidationErrors
	if errors.As(err, &verrs) {
		return NewBadRequestError(msg, verrs)
	}
	return NewBadRequestError(msg, nil).WithCause(err)
}

func (app *App) validateCollection(ctx context.Context, old, c *Collection) error {
	errs := ValidationErrors{}

	// id
	switch {
	case c.Id == "" && c.Name == "":
		// The id derives from the name: PocketBase reports the name only.
	case c.Id == "":
		errs["id"] = ErrRequired()
	case len(c.Id) > 100:
		errs["id"] = lengthOutOfRange(1, 100)
	case !namePattern.MatchString(c.Id):
		errs["id"] = fe("validation_match_invalid", "Must be in a valid format.")
	case old == nil:
		if other, err := app.FindCollectionByNameOrId(c.Id); err == nil && other != nil {
			errs["id"] = fe("validation_collection_id_exists", "Collection id must be unique.")
		}
	}

	// name
	switch {
	case c.Name == "":
		errs["name"] = ErrRequired()
	case len(c.Name) > 255:
		errs["name"] = NewFieldError("validation_length_out_of_range", "The length must be between 1 and 255.", map[string]any{"min": 1, "max": 255})
	case !namePattern.MatchString(c.Name):
		errs["name"] = fe("validation_match_invalid", "Must be in a valid format.")
	case strings.Contains(strings.ToLower(c.Name), "_via_"):
		errs["name"] = fe("validation_found_via", "The value cannot contain \"_via_\".")
	case old != nil && old.System && old.Name != c.Name:
		errs["name"] = fe("validation_collection_system_name_change", "System collection name cannot be changed.")
	default:
		for _, other := range app.Collections() {
			if other.Id == c.Id {
				continue
			}
			if strings.EqualFold(other.Name, c.Name) {
				errs["name"] = fe("validation_collection_name_exists", "Collection name must be unique (case insensitive).")
				break
			}
			if strings.EqualFold(other.Id, c.Name) {
				errs["name"] = fe("validation_collection_name_id_duplicate", "The name must not match an existing collection id.")
				break
			}
		}
		if errs["name"] == nil && (lowerIn(c.Name, internalTables) || strings.HasPrefix(strings.ToLower(c.Name), "sqlite_")) {
			errs["name"] = fe("validation_collection_name_invalid", "The name is reserved for an internal table.")
		}
	}

	// type
	switch c.Type {
	case CollectionTypeBase, CollectionTypeAuth, CollectionTypeView:
	default:
		errs["type"] = fe("validation_in_invalid", "Must be a valid value.")
	}
	// An unknown type reports validation_in_invalid first, as PocketBase's
	// rule chain stops at the first failing rule.
	if old != nil && old.Type != c.Type && errs["type"] == nil {
		errs["type"] = fe("validation_collection_type_change", "Collection type cannot be changed.")
	}
	if old != nil && old.System != c.System {
		errs["system"] = fe("validation_collection_system_flag_change", "System collection state cannot be changed.")
	}

	if ferrs := app.validateFields(ctx, old, c); ferrs != nil {
		errs["fields"] = ferrs
	}

	// rules
	for _, name := range []string{"listRule", "viewRule", "createRule", "updateRule", "deleteRule", "authRule", "manageRule"} {
		rule, ok := c.Rule(name)
		if !ok {
			continue
		}
		if old != nil && old.System {
			prev, _ := old.Rule(name)
			if !sameRule(prev, rule) {
				errs[name] = fe("validation_collection_system_rule_change", "System collection rules cannot be changed.")
				continue
			}
		}
		if c.IsView() && rule != nil && (name == "createRule" || name == "updateRule" || name == "deleteRule") {
			errs[name] = fe("validation_nil", "Must be blank.")
			continue
		}
		if name == "manageRule" && rule != nil && strings.TrimSpace(*rule) == "" {
			errs[name] = fe("validation_nil_or_not_empty_required", "Cannot be blank.")
			continue
		}
		if err := app.checkRule(ctx, c, rule); err != nil {
			errs[name] = err
		}
	}

	if c.IsView() && strings.TrimSpace(c.ViewQuery) == "" {
		errs["viewQuery"] = ErrRequired()
		if old == nil && len(c.Fields) == 0 {
			// Nothing to infer fields from, as PocketBase reports.
			errs["fields"] = ErrRequired()
		}
	}

	if ierrs := app.validateIndexes(ctx, c); ierrs != nil {
		errs["indexes"] = ierrs
	}

	if c.IsAuth() && c.Auth != nil {
		for k, v := range app.validateAuthOptions(c) {
			errs[k] = v
		}
	}
	return errs.Filter()
}

func (app *App) checkRule(ctx context.Context, c *Collection, rule *string) error {
	if rule == nil || strings.TrimSpace(*rule) == "" {
		return nil
	}
	invalid := func(err error) *FieldError {
		return fe("validation_invalid_rule", "Invalid rule. Raw error: "+err.Error()+".")
	}
	expr, err := ParseRule(*rule)
	if err != nil {
		return invalid(err)
	}
	if rc, ok := app.store.(RuleChecker); ok {
		if err := rc.CheckRule(ctx, c, expr); err != nil {
			return invalid(err)
		}
	}
	return nil
}

// CheckFilter parses a client filter for c and validates it against the
// schema, returning the parsed expression.
func (app *App) CheckFilter(ctx context.Context, c *Collection, raw string) (filter.Expr, error) {
	expr, err := ParseRule(raw)
	if err != nil {
		return nil, err
	}
	if rc, ok := app.store.(RuleChecker); ok {
		if err := rc.CheckRule(ctx, c, expr); err != nil {
			return nil, err
		}
	}
	return expr, nil
}

func (app *App) validateFields(ctx context.Context, old, c *Collection) error {
	errs := ValidationErrors{}
	names := map[string]int{}
	ids := map[string]int{}
	hasPK := false
	for i, f := range c.Fields {
		key := strconv.Itoa(i)
		ferrs := ValidationErrors{}
		name := f.GetName()
		switch {
		case name == "":
			ferrs["name"] = ErrRequired()
		case len(name) > 100:
			ferrs["name"] = lengthOutOfRange(1, 100)
		case !namePattern.MatchString(name):
			ferrs["name"] = fe("validation_match_invalid", "Must be in a valid format.")
		case strings.Contains(strings.ToLower(name), "_via_"):
			ferrs["name"] = fe("validation_found_via", "The value cannot contain \"_via_\".")
		case lowerIn(name, reservedNames):
			// PocketBase checks these with a "not in list" rule.
			ferrs["name"] = fe("validation_not_in_invalid", "Must not be in list.")
		case c.IsAuth() && lowerIn(name, authReserved):
			ferrs["name"] = fe("validation_reserved_field_name", "The field name is reserved and cannot be used.")
		}
		if _, dup := names[strings.ToLower(name)]; dup && name != "" {
			ferrs["name"] = NewFieldError("validation_duplicated_field_name", "Duplicated or invalid field name "+name+".", map[string]any{"fieldName": name})
		}
		names[strings.ToLower(name)] = i
		if len(f.GetId()) > 100 {
			ferrs["id"] = lengthOutOfRange(1, 100)
		}
		if _, dup := ids[f.GetId()]; dup {
			ferrs["id"] = fe("validation_duplicated_field_id", "Duplicated or invalid field id.")
		}
		ids[f.GetId()] = i
		if f.ColumnType() == ColumnTextPK {
			hasPK = true
		}
		if old != nil {
			if of := old.Fields.GetById(f.GetId()); of != nil {
				if of.Type() != f.Type() {
					ferrs["type"] = fe("validation_field_type_change", "Field type cannot be changed.")
				}
				if of.GetSystem() && (of.GetName() != f.GetName()) {
					ferrs["name"] = fe("validation_system_field_change", "System field name cannot be changed.")
				}
				if of.GetSystem() && !f.GetSystem() {
					ferrs["system"] = fe("validation_system_field_change", "System field state cannot be changed.")
				}
			}
		}
		if err := f.ValidateSettings(ctx, app, c); err != nil {
			var sub ValidationErrors
			if errors.As(err, &sub) {
				for k, v := range sub {
					ferrs[k] = v
				}
			} else {
				ferrs["name"] = fe("validation_invalid_field", err.Error())
			}
		}
		if len(ferrs) > 0 {
			errs[key] = ferrs
		}
	}
	if old != nil {
		for _, of := range old.Fields {
			if of.GetSystem() && c.Fields.GetById(of.GetId()) == nil && !c.IsView() {
				errs["removed"] = fe("validation_system_field_change", fmt.Sprintf("System field %q cannot be removed.", of.GetName()))
			}
		}
	}
	if !hasPK && !c.IsView() && len(errs) == 0 {
		return fe("validation_missing_primary_key", "Missing or invalid \"id\" PK field.")
	}
	if c.IsView() && c.Fields.GetByName(FieldId) == nil && strings.TrimSpace(c.ViewQuery) != "" && len(errs) == 0 {
		return nil
	}
	return errs.Filter()
}

func (app *App) validateIndexes(ctx context.Context, c *Collection) error {
	if c.IsView() {
		if len(c.Indexes) > 0 {
			return fe("validation_indexes_not_allowed", "View collections don't support indexes.")
		}
		return nil
	}
	errs := ValidationErrors{}
	seen := map[string]bool{}
	for i, idx := range c.Indexes {
		parsed, err := app.store.ValidateIndex(ctx, c.Name, idx)
		// A name another collection uses is reported first, as in
		// PocketBase, even when the rest of the statement is wrong too.
		if other := app.indexNameOwner(ctx, c, parsed.Name); other != "" {
			errs[strconv.Itoa(i)] = NewFieldError("validation_existing_index_name",
				"The index name is already used in "+other+" collection.", map[string]any{"usedTableName": other})
			continue
		}
		if err != nil {
			errs[strconv.Itoa(i)] = fe("validation_invalid_index_expression", "Invalid CREATE INDEX expression.")
			continue
		}
		lname := strings.ToLower(parsed.Name)
		if seen[lname] {
			errs[strconv.Itoa(i)] = fe("validation_duplicated_index_name", "The index name must be unique.")
			continue
		}
		seen[lname] = true
		for _, col := range parsed.Columns {
			if c.Fields.GetByName(col.Name) == nil && namePattern.MatchString(col.Name) {
				// PocketBase lets SQLite refuse the index: the code is its
				// generic index error.
				errs[strconv.Itoa(i)] = fe("validation_invalid_index_expression", "Failed to create index - no such column: "+col.Name+".")
			}
		}
	}
	return errs.Filter()
}

// indexNameOwner returns the name of another collection than c that has
// an index named name ("" when none does).
func (app *App) indexNameOwner(ctx context.Context, c *Collection, name string) string {
	if name == "" {
		return ""
	}
	for _, other := range app.Collections() {
		if other.Id == c.Id {
			continue
		}
		for _, oidx := range other.Indexes {
			op, err := app.store.ValidateIndex(ctx, other.Name, oidx)
			if err == nil && strings.EqualFold(op.Name, name) {
				return other.Name
			}
		}
	}
	return ""
}

// inferViewFields recomputes a view collection's fields from its query
// (spec §5.7), keeping field ids stable across saves.
func (app *App) inferViewFields(ctx context.Context, c, old *Collection, fresh ...*Collection) error {
	if strings.TrimSpace(c.ViewQuery) == "" {
		return nil
	}
	cols, err := app.store.ValidateViewQuery(ctx, c.ViewQuery)
	if err != nil {
		errs := ValidationErrors{"viewQuery": fe("validation_invalid_view_query", "Invalid query - "+err.Error())}
		if old == nil && len(c.Fields) == 0 {
			// A new view whose query infers nothing has no fields either,
			// which PocketBase reports too.
			errs["fields"] = ErrRequired()
		}
		return NewBadRequestError("Failed to create collection.", errs)
	}
	hasId := false
	fields := FieldsList{}
	for _, col := range cols {
		f := app.viewField(col, fresh)
		if col.Name == FieldId {
			hasId = true
		}
		f.SetName(col.Name)
		if prev := c.Fields.GetByName(col.Name); prev != nil && prev.Type() == f.Type() {
			f.SetId(prev.GetId())
		} else if old != nil {
			if prev := old.Fields.GetByName(col.Name); prev != nil && prev.Type() == f.Type() {
				f.SetId(prev.GetId())
			}
		}
		if f.GetId() == "" {
			f.SetId(DefaultFieldId(f.Type(), col.Name))
		}
		fields = append(fields, f)
	}
	if !hasId {
		return NewBadRequestError("Failed to create collection.", ValidationErrors{"viewQuery": fe("validation_invalid_view_query", "Invalid query - missing required id column (you can use `(ROW_NUMBER() OVER()) as id` if you don't have one).")})
	}
	c.Fields = fields
	return nil
}

// newViewIdField is the id field of a view as PocketBase infers it: a
// system text primary key with the id pattern but no length bounds or
// generator, since views never create records and their ids may be any
// text (e.g. ROW_NUMBER()).
func newViewIdField() *TextField {
	return &TextField{
		BaseField:  BaseField{Id: DefaultFieldId("text", FieldId), Name: FieldId, System: true},
		Pattern:    DefaultIdPattern,
		Required:   true,
		PrimaryKey: true,
	}
}

func (app *App) viewField(col ViewColumn, fresh []*Collection) Field {
	// Whatever it selects, the id column is the text primary key (spec
	// §5.7; PocketBase checks the alias before anything else).
	if col.Name == FieldId {
		return newViewIdField()
	}
	if col.SourceCollection != "" {
		src, err := app.FindCollectionByNameOrId(col.SourceCollection)
		// A collection being saved in this transaction is newer than the cache.
		for _, f := range fresh {
			if f.Id == col.SourceCollection {
				src, err = f, nil
			}
		}
		if err == nil {
			if col.SourceField == FieldId {
				rel, _ := NewFieldOfType("relation")
				setRelationTarget(rel, src.Id)
				return rel
			}
			if sf := src.Fields.GetByName(col.SourceField); sf != nil {
				clone, err := (FieldsList{sf}).Clone()
				if err == nil {
					f := clone[0]
					f.SetId("")
					f.SetSystem(false)
					return f
				}
			}
		}
	}
	switch col.Kind {
	case "number", "numberInt":
		f, _ := NewFieldOfType("number")
		if col.Kind == "numberInt" {
			setOnlyInt(f)
		}
		return f
	case "text":
		f, _ := NewFieldOfType("text")
		return f
	case "bool":
		f, _ := NewFieldOfType("bool")
		return f
	}
	// PocketBase gives the fallback field maxSize 1 (spec §5.7): views are
	// read-only, so the limit is never checked, but it is part of the
	// collection JSON clients compare.
	return &JSONField{MaxSize: 1}
}

// internalTables are the store's own tables, whatever the engine (the
// last four hold the PostgreSQL cluster state; reserving them on SQLite
// too keeps a database movable between engines).
var internalTables = []string{"_collections", "_params", "_migrations", "_changes", "_nodes", "_cluster", "_cron_runs"}
