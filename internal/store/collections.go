package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/pocketbase/dbx"

	"github.com/basalthq/basalt/core"
	"github.com/basalthq/basalt/internal/store/dialect"
)

type collectionRow struct {
	Id         string         `db:"id"`
	System     bool           `db:"system"`
	Type       string         `db:"type"`
	Name       string         `db:"name"`
	Fields     string         `db:"fields"`
	Indexes    string         `db:"indexes"`
	ListRule   sql.NullString `db:"listRule"`
	ViewRule   sql.NullString `db:"viewRule"`
	CreateRule sql.NullString `db:"createRule"`
	UpdateRule sql.NullString `db:"updateRule"`
	DeleteRule sql.NullString `db:"deleteRule"`
	Options    sql.NullString `db:"options"`
	Created    string         `db:"created"`
	Updated    string         `db:"updated"`
}

func nullPtr(n sql.NullString) *string {
	if !n.Valid {
		return nil
	}
	s := n.String
	return &s
}

func ptrNull(p *string) any {
	if p == nil {
		return nil
	}
	return *p
}

// LoadCollections reads every collection in creation order.
func (s *Store) LoadCollections(ctx context.Context) ([]*core.Collection, error) {
	var rows []collectionRow
	err := s.db.Builder(ctx).Select("*").From("_collections").OrderBy(s.d.RowId() + " ASC").WithContext(ctx).All(&rows)
	if err != nil {
		return nil, err
	}
	out := make([]*core.Collection, 0, len(rows))
	for _, r := range rows {
		c, err := decodeCollectionRow(r)
		if err != nil {
			return nil, fmt.Errorf("collection %s: %w", r.Name, err)
		}
		out = append(out, c)
	}
	if tx := txFrom(ctx); tx == nil || !tx.snapshot {
		s.setCollections(out)
	}
	return out, nil
}

func decodeCollectionRow(r collectionRow) (*core.Collection, error) {
	doc := map[string]json.RawMessage{}
	if r.Options.Valid && r.Options.String != "" {
		if err := json.Unmarshal([]byte(r.Options.String), &doc); err != nil {
			return nil, fmt.Errorf("options: %w", err)
		}
	}
	set := func(k string, v any) {
		b, _ := json.Marshal(v)
		doc[k] = b
	}
	set("id", r.Id)
	set("name", r.Name)
	set("type", r.Type)
	set("system", r.System)
	doc["fields"] = json.RawMessage(orDefault(r.Fields, "[]"))
	doc["indexes"] = json.RawMessage(orDefault(r.Indexes, "[]"))
	set("listRule", nullPtr(r.ListRule))
	set("viewRule", nullPtr(r.ViewRule))
	set("createRule", nullPtr(r.CreateRule))
	set("updateRule", nullPtr(r.UpdateRule))
	set("deleteRule", nullPtr(r.DeleteRule))
	set("created", r.Created)
	set("updated", r.Updated)
	raw, err := json.Marshal(doc)
	if err != nil {
		return nil, err
	}
	c := &core.Collection{}
	if err := c.UnmarshalJSON(raw); err != nil {
		return nil, err
	}
	return c, nil
}

func orDefault(s, d string) string {
	if strings.TrimSpace(s) == "" {
		return d
	}
	return s
}

// setCollections refreshes the store's own index used by the SQL builders.
func (s *Store) setCollections(list []*core.Collection) {
	m := make(map[string]*core.Collection, len(list)*2)
	for _, c := range list {
		m[c.Id] = c
		m["name:"+strings.ToLower(c.Name)] = c
	}
	s.colMu.Lock()
	s.cols = m
	s.colMu.Unlock()
}

// collection resolves a collection by id or (case-insensitive) name from
// the store's index.
func (s *Store) collection(nameOrId string) *core.Collection {
	s.colMu.RLock()
	defer s.colMu.RUnlock()
	if c, ok := s.cols[nameOrId]; ok {
		return c
	}
	return s.cols["name:"+strings.ToLower(nameOrId)]
}

// optionsJSON extracts the type-specific options of c (everything that is
// not a column of _collections).
func optionsJSON(c *core.Collection) (any, error) {
	raw, err := c.MarshalWithSecrets()
	if err != nil {
		return nil, err
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, err
	}
	for _, k := range []string{"id", "name", "type", "system", "fields", "indexes", "listRule", "viewRule", "createRule", "updateRule", "deleteRule", "created", "updated"} {
		delete(m, k)
	}
	b, err := json.Marshal(m)
	return string(b), err
}

// SaveCollection upserts the _collections row of c and syncs its table or
// view, all in one transaction (joining the caller's, if any).
func (s *Store) SaveCollection(ctx context.Context, old, c *core.Collection) error {
	fieldsJSON, err := json.Marshal(c.Fields)
	if err != nil {
		return err
	}
	indexes := c.Indexes
	if indexes == nil {
		indexes = []string{}
	}
	indexesJSON, _ := json.Marshal(indexes)
	opts, err := optionsJSON(c)
	if err != nil {
		return err
	}
	params := dbx.Params{
		"system": c.System, "type": c.Type, "name": c.Name,
		"fields": string(fieldsJSON), "indexes": string(indexesJSON),
		"listRule": ptrNull(c.ListRule), "viewRule": ptrNull(c.ViewRule), "createRule": ptrNull(c.CreateRule),
		"updateRule": ptrNull(c.UpdateRule), "deleteRule": ptrNull(c.DeleteRule),
		"options": opts, "created": c.Created, "updated": c.Updated,
	}
	return s.db.Write(ctx, func(ctx context.Context) error {
		tx := Tx(ctx)
		if err := s.lockSchema(ctx); err != nil {
			return err
		}
		if err := s.syncSchema(ctx, old, c); err != nil {
			return err
		}
		if old == nil {
			params["id"] = c.Id
			_, err = tx.Insert("_collections", params).WithContext(ctx).Execute()
		} else {
			_, err = tx.Update("_collections", params, dbx.HashExp{"id": old.Id}).WithContext(ctx).Execute()
		}
		if err != nil {
			if ok, _ := s.d.IsUniqueViolation(err); ok {
				return core.NewBadRequestError("", core.ValidationErrors{"name": core.NewFieldError("validation_collection_name_exists", "Collection name must be unique (case insensitive).", nil)})
			}
			return err
		}
		if err := s.noteChange(ctx, ChangeCollections, c.Id, "", "save", nil); err != nil {
			return err
		}
		s.refreshAfter(ctx)
		return nil
	})
}

// refreshAfter reloads the store's collection index once the transaction
// settles (either way, the database is the truth).
func (s *Store) refreshAfter(ctx context.Context) {
	AfterTx(ctx, func(error) {
		if _, err := s.LoadCollections(context.Background()); err != nil {
			s.logger.Error("store: reload collections", "err", err)
		}
	})
}

// DeleteCollection drops c's table or view and its _collections row.
func (s *Store) DeleteCollection(ctx context.Context, c *core.Collection) error {
	return s.db.Write(ctx, func(ctx context.Context) error {
		tx := Tx(ctx)
		if err := s.lockSchema(ctx); err != nil {
			return err
		}
		kind := "TABLE"
		if c.IsView() {
			kind = "VIEW"
		}
		if _, err := tx.NewQuery(fmt.Sprintf("DROP %s IF EXISTS %s", kind, s.q(c.Name))).WithContext(ctx).Execute(); err != nil {
			return err
		}
		if _, err := tx.Delete("_collections", dbx.HashExp{"id": c.Id}).WithContext(ctx).Execute(); err != nil {
			return err
		}
		if err := s.noteChange(ctx, ChangeCollections, c.Id, "", "delete", nil); err != nil {
			return err
		}
		s.refreshAfter(ctx)
		return nil
	})
}

func columnKind(f core.Field) dialect.ColumnKind {
	switch f.ColumnType() {
	case core.ColumnTextPK:
		return dialect.KindTextPK
	case core.ColumnNumber:
		return dialect.KindNumber
	case core.ColumnBool:
		return dialect.KindBool
	case core.ColumnJSON:
		return dialect.KindJSON
	case core.ColumnJSONArray:
		return dialect.KindJSONArray
	case core.ColumnGeoPoint:
		return dialect.KindGeoPoint
	default:
		return dialect.KindText
	}
}

// syncSchema makes the real table/view match c (old is the stored
// version, nil for a new collection).
func (s *Store) syncSchema(ctx context.Context, old, c *core.Collection) error {
	tx := Tx(ctx)
	exec := func(q string) error {
		_, err := tx.NewQuery(q).WithContext(ctx).Execute()
		if err != nil {
			return fmt.Errorf("%w (in %s)", err, q)
		}
		return nil
	}

	if c.IsView() {
		if old != nil {
			if err := exec("DROP VIEW IF EXISTS " + s.q(old.Name)); err != nil {
				return err
			}
		}
		return exec(fmt.Sprintf("CREATE VIEW %s AS SELECT * FROM %s", s.q(c.Name), s.d.Subquery(c.ViewQuery)))
	}

	// Indexes are dropped first (a column with an index cannot be dropped)
	// and recreated from c at the end, except those a change that leaves
	// the columns alone (rules, options, other indexes) does not touch:
	// rebuilding every index of a large table for a rule change held the
	// single writer for seconds and sorted the whole table in memory.
	var keep map[string]bool
	if old != nil {
		wanted := unchangedIndexes(old, c)
		names, err := s.d.IndexNames(ctx, txQueryer{tx}, old.Name)
		if err != nil {
			return err
		}
		keep = map[string]bool{}
		for _, n := range names {
			if wanted[strings.ToLower(n)] {
				keep[strings.ToLower(n)] = true
				continue
			}
			if err := exec("DROP INDEX IF EXISTS " + s.q(n)); err != nil {
				return err
			}
		}
	}

	if old == nil {
		cols := make([]string, 0, len(c.Fields))
		for _, f := range c.Fields {
			cols = append(cols, s.q(f.GetName())+" "+s.d.ColumnDefinition(columnKind(f)))
		}
		if err := exec(fmt.Sprintf("CREATE TABLE %s (%s)", s.q(c.Name), strings.Join(cols, ", "))); err != nil {
			return err
		}
	} else {
		if !strings.EqualFold(old.Name, c.Name) || old.Name != c.Name {
			if err := exec(fmt.Sprintf("ALTER TABLE %s RENAME TO %s", s.q(old.Name), s.q(c.Name))); err != nil {
				return err
			}
		}
		// Drop removed fields, rename renamed ones, add new ones.
		for _, of := range old.Fields {
			if c.Fields.GetById(of.GetId()) == nil {
				if err := exec(fmt.Sprintf("ALTER TABLE %s DROP COLUMN %s", s.q(c.Name), s.q(of.GetName()))); err != nil {
					return err
				}
			}
		}
		// Two passes through temporary names so swaps (a↔b) work.
		var renamed []core.Field
		for _, nf := range c.Fields {
			of := old.Fields.GetById(nf.GetId())
			if of != nil && of.GetName() != nf.GetName() {
				if err := exec(fmt.Sprintf("ALTER TABLE %s RENAME COLUMN %s TO %s", s.q(c.Name), s.q(of.GetName()), s.q("_tmp_"+nf.GetId()))); err != nil {
					return err
				}
				renamed = append(renamed, nf)
			}
		}
		for _, nf := range renamed {
			if err := exec(fmt.Sprintf("ALTER TABLE %s RENAME COLUMN %s TO %s", s.q(c.Name), s.q("_tmp_"+nf.GetId()), s.q(nf.GetName()))); err != nil {
				return err
			}
		}
		for _, nf := range c.Fields {
			if old.Fields.GetById(nf.GetId()) == nil {
				if err := exec(fmt.Sprintf("ALTER TABLE %s ADD COLUMN %s %s", s.q(c.Name), s.q(nf.GetName()), s.d.ColumnDefinition(columnKind(nf)))); err != nil {
					return err
				}
			}
		}
		if err := s.convertChangedColumns(ctx, old, c); err != nil {
			return err
		}
	}

	for _, idx := range c.Indexes {
		if keep[strings.ToLower(indexName(idx))] {
			continue
		}
		if err := exec(s.d.IndexSQL(idx)); err != nil {
			if ok, _ := s.d.IsUniqueViolation(err); ok {
				return core.NewBadRequestError("", core.ValidationErrors{"indexes": core.NewFieldError("validation_invalid_index_expression", "Failed to create the unique index: existing rows have duplicate values.", nil)})
			}
			return err
		}
	}
	return nil
}

// unchangedIndexes names (lower-cased) the indexes of old that c keeps
// word for word, when the change leaves the table and its columns as they
// are (same name; same fields with the same names and column types).
// Otherwise it is empty and every index is rebuilt.
func unchangedIndexes(old, c *core.Collection) map[string]bool {
	if old.Name != c.Name || len(old.Fields) != len(c.Fields) {
		return nil
	}
	for _, nf := range c.Fields {
		of := old.Fields.GetById(nf.GetId())
		if of == nil || of.GetName() != nf.GetName() || of.ColumnType() != nf.ColumnType() {
			return nil
		}
	}
	before := make(map[string]string, len(old.Indexes))
	for _, idx := range old.Indexes {
		before[strings.ToLower(indexName(idx))] = idx
	}
	keep := map[string]bool{}
	for _, idx := range c.Indexes {
		name := strings.ToLower(indexName(idx))
		if name != "" && before[name] == idx {
			keep[name] = true
		}
	}
	return keep
}

// indexName is the name a CREATE INDEX statement declares ("" if it does
// not parse).
func indexName(def string) string {
	if m := indexPattern.FindStringSubmatch(def); m != nil {
		return m[2]
	}
	return ""
}

// convertChangedColumns rewrites values of fields whose storage shape
// changed between single and multiple (spec: select/relation/file
// maxSelect changes), in Go so no engine-specific SQL is needed.
func (s *Store) convertChangedColumns(ctx context.Context, old, c *core.Collection) error {
	var changed []core.Field
	for _, nf := range c.Fields {
		of := old.Fields.GetById(nf.GetId())
		if of != nil && of.ColumnType() != nf.ColumnType() {
			changed = append(changed, nf)
		}
	}
	if len(changed) == 0 {
		return nil
	}
	tx := Tx(ctx)
	cols := []string{"id"}
	for _, f := range changed {
		cols = append(cols, f.GetName())
	}
	rows, err := tx.Select(cols...).From(c.Name).WithContext(ctx).Rows()
	if err != nil {
		return err
	}
	type upd struct {
		id     string
		params dbx.Params
	}
	var updates []upd
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			rows.Close()
			return err
		}
		p := dbx.Params{}
		for i, f := range changed {
			// Read with the new field's rules: FromDB accepts both shapes.
			p[f.GetName()] = f.ToDB(f.FromDB(vals[i+1]))
		}
		updates = append(updates, upd{id: core.ToString(vals[0]), params: p})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, u := range updates {
		if _, err := tx.Update(c.Name, u.params, dbx.HashExp{"id": u.id}).WithContext(ctx).Execute(); err != nil {
			return err
		}
	}
	return nil
}

// txQueryer adapts a dbx.Tx to dialect.Queryer.
type txQueryer struct{ tx *dbx.Tx }

func (t txQueryer) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	// Dialect introspection uses "?" placeholders; dbx binds by name.
	params := dbx.Params{}
	var b strings.Builder
	n := 0
	for _, r := range query {
		if r == '?' && n < len(args) {
			k := fmt.Sprintf("qp%d", n)
			params[k] = args[n]
			b.WriteString("{:" + k + "}")
			n++
			continue
		}
		b.WriteRune(r)
	}
	rows, err := t.tx.NewQuery(b.String()).Bind(params).WithContext(ctx).Rows()
	if err != nil {
		return nil, err
	}
	return rows.Rows, nil
}
