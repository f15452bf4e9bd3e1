package store

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/pocketbase/dbx"

	"github.com/basalthq/basalt/core"
)

// scanRecords reads rows whose columns are named after c's fields.
func scanRecords(c *core.Collection, rows *sql.Rows) ([]*core.Record, error) {
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	var out []*core.Record
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	// Our selects list c's fields in order: map by position.
	positional := len(cols) == len(c.Fields)
	for i, f := range c.Fields {
		if positional && cols[i] != f.GetName() {
			positional = false
		}
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		if positional {
			for i, v := range vals {
				if b, ok := v.([]byte); ok {
					vals[i] = string(b)
				}
			}
			out = append(out, core.NewRecordFromValues(c, vals))
			continue
		}
		row := make(map[string]any, len(cols))
		for i, name := range cols {
			v := vals[i]
			if b, ok := v.([]byte); ok {
				v = string(b)
			}
			row[name] = v
		}
		out = append(out, core.NewRecordFromDB(c, row))
	}
	return out, rows.Err()
}

// selectColumns lists c's field columns qualified by alias, so joins never
// leak other tables' columns into the scan. Results are cached per
// collection value (a schema change makes a new *Collection).
func (s *Store) selectColumns(c *core.Collection, alias string) string {
	return cachedSQL(s, &s.colsCache, 4096, colsKey{c, alias}, func() string {
		parts := make([]string, len(c.Fields))
		for i, f := range c.Fields {
			parts[i] = s.q(alias) + "." + s.q(f.GetName())
		}
		return strings.Join(parts, ", ")
	})
}

// cachedSQL returns (*m)[k], building and storing it under s.colsMu on a
// miss. Keys hold *core.Collection values (a schema change makes a new
// one), so past limit entries the map is reset and old schema versions
// age out wholesale.
func cachedSQL[K comparable, V any](s *Store, m *map[K]V, limit int, k K, build func() V) V {
	s.colsMu.RLock()
	v, ok := (*m)[k]
	s.colsMu.RUnlock()
	if ok {
		return v
	}
	v = build()
	s.colsMu.Lock()
	if *m == nil || len(*m) > limit {
		*m = map[K]V{}
	}
	(*m)[k] = v
	s.colsMu.Unlock()
	return v
}

// byIdSQL returns the statement reading one record of c by id, with the
// id as the named parameter {:id} and as a positional ?.
func (s *Store) byIdSQL(c *core.Collection) (named, positional string) {
	v := cachedSQL(s, &s.byIdCache, 1024, c, func() [2]string {
		head := "SELECT " + s.selectColumns(c, c.Name) + " FROM " + s.q(c.Name) + " WHERE " + s.q(c.Name) + "." + s.q("id") + " = "
		return [2]string{head + "{:id}", head + "?"}
	})
	return v[0], v[1]
}

// findById reads one record of c from db with the statement of byIdSQL.
func (s *Store) findById(ctx context.Context, db *DB, c *core.Collection, id string) ([]*core.Record, error) {
	named, pos := s.byIdSQL(c)
	rows, err := db.queryById(ctx, named, pos, id)
	if err != nil {
		return nil, err
	}
	return scanRecords(c, rows)
}

type colsKey struct {
	c     *core.Collection
	alias string
}

// bindIds adds ids to params as prefix0, prefix1… and returns their
// placeholder list for an IN (…): one statement text per id count.
func bindIds(params dbx.Params, prefix string, ids []string) string {
	var b strings.Builder
	for i, id := range ids {
		k := prefix + strconv.Itoa(i)
		params[k] = id
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("{:" + k + "}")
	}
	return b.String()
}

// FindRecords returns the records of c with the given ids.
func (s *Store) FindRecords(ctx context.Context, c *core.Collection, ids []string) ([]*core.Record, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	// The auth record of every authenticated request comes this way.
	if recs, ok, err := s.cachedByIds(ctx, s.db, &core.RecordQuery{Collection: c, Ids: ids}); ok || err != nil {
		return recs, err
	}
	if len(ids) == 1 {
		return s.findById(ctx, s.db, c, ids[0])
	}
	params := dbx.Params{}
	rows, err := s.db.queryPoint(ctx, fmt.Sprintf("SELECT %s FROM %s WHERE %s.%s IN (%s)",
		s.selectColumns(c, c.Name), s.q(c.Name), s.q(c.Name), s.q("id"), bindIds(params, "id", ids)), params)
	if err != nil {
		return nil, err
	}
	return scanRecords(c, rows)
}

// ExistingIds returns which of ids exist in c (one prepared statement per
// id count, answered from the primary-key index).
func (s *Store) ExistingIds(ctx context.Context, c *core.Collection, ids []string) ([]string, error) {
	known, ids := s.cachedExisting(ctx, c, ids)
	if len(ids) == 0 {
		return known, nil
	}
	found, err := s.queryExistingIds(ctx, c, ids)
	if len(known) > 0 {
		found = append(found, known...)
	}
	return found, err
}

// cachedExisting splits ids into those the record cache shows to exist in
// c and the rest. Inside a write it answers only for records the group
// has not touched, and only when the cache holds the data the group
// builds on: a relation check of a create (the writer's own read) then
// costs no query for a cached target.
func (s *Store) cachedExisting(ctx context.Context, c *core.Collection, ids []string) (known, rest []string) {
	if s.recs == nil || c.IsView() {
		return nil, ids
	}
	tx := txFrom(ctx)
	if tx == nil {
		v, ok := s.db.conns.DataVersion()
		if !ok {
			return nil, ids
		}
		return s.recs.present(c, v, ids, nil)
	}
	if tx.db != s.db || tx.changes == nil {
		return nil, ids
	}
	touched, ok := tx.changes.noted()
	if !ok {
		return nil, ids
	}
	base, ok := tx.changes.baseVersion(s.db.conns.DataVersion)
	if !ok {
		return nil, ids
	}
	return s.recs.present(c, base, ids, touched)
}

// queryExistingIds asks the database which of ids exist in c.
func (s *Store) queryExistingIds(ctx context.Context, c *core.Collection, ids []string) ([]string, error) {
	params := dbx.Params{}
	t := s.q(c.Name)
	rows, err := s.db.queryPoint(ctx, "SELECT "+t+"."+s.q("id")+" FROM "+t+" WHERE "+t+"."+s.q("id")+" IN ("+bindIds(params, "id", ids)+")", params)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make([]string, 0, len(ids))
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// RecordIds lists every record id of c.
func (s *Store) RecordIds(ctx context.Context, c *core.Collection) ([]string, error) {
	var ids []string
	err := s.db.Builder(ctx).Select("id").From(c.Name).WithContext(ctx).Column(&ids)
	return ids, err
}

// FindReferencing lists records of c whose relation field holds id.
func (s *Store) FindReferencing(ctx context.Context, c *core.Collection, field core.Field, id string) ([]*core.Record, error) {
	col := s.q(c.Name) + "." + s.q(field.GetName())
	var where string
	if mv, ok := field.(core.MultiValuer); ok && mv.IsMultiple() {
		where = fmt.Sprintf("EXISTS (SELECT 1 FROM %s __je WHERE __je.value = {:id})", s.d.JSONEach(col))
	} else {
		where = col + " = {:id}"
	}
	rows, err := s.db.Builder(ctx).NewQuery(fmt.Sprintf("SELECT %s FROM %s WHERE %s",
		s.selectColumns(c, c.Name), s.q(c.Name), where)).Bind(dbx.Params{"id": id}).WithContext(ctx).Rows()
	if err != nil {
		return nil, err
	}
	return scanRecords(c, rows.Rows)
}

func recordParams(r *core.Record, onlyChanged bool) dbx.Params {
	p := dbx.Params{}
	for _, f := range r.Collection().Fields {
		name := f.GetName()
		v := r.Get(name)
		if onlyChanged && !r.IsNew() && equalCanonical(v, r.Original(name)) {
			continue
		}
		p[name] = f.ToDB(v)
	}
	return p
}

// equalCanonical compares two canonical field values (see core.Field).
func equalCanonical(a, b any) bool {
	switch x := a.(type) {
	case string:
		y, ok := b.(string)
		return ok && x == y
	case float64:
		y, ok := b.(float64)
		return ok && x == y
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	case []string:
		y, ok := b.([]string)
		return ok && slices.Equal(x, y)
	case core.JSONRaw:
		y, ok := b.(core.JSONRaw)
		return ok && bytes.Equal(x, y)
	}
	return reflect.DeepEqual(a, b)
}

// InsertRecord inserts all columns of r.
func (s *Store) InsertRecord(ctx context.Context, r *core.Record) error {
	c := r.Collection()
	var b strings.Builder
	b.WriteString("INSERT INTO ")
	b.WriteString(s.q(c.Name))
	b.WriteString(" (")
	args := make([]any, len(c.Fields))
	for i, f := range c.Fields {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(s.q(f.GetName()))
		args[i] = f.ToDB(r.Get(f.GetName()))
	}
	b.WriteString(") VALUES (")
	for i := range c.Fields {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('?')
	}
	b.WriteByte(')')
	query := b.String()
	return s.db.writeStatement(ctx, func(ctx context.Context) error {
		if _, err := s.db.execRecordWrite(ctx, c.Id, r.Id(), query, args...); err != nil {
			return s.mapWriteError(c, err)
		}
		return s.noteRecordChange(ctx, r, r.Id(), "create")
	})
}

// UpdateRecord writes the changed columns of r (matched by its original id).
func (s *Store) UpdateRecord(ctx context.Context, r *core.Record) error {
	p := recordParams(r, true)
	if len(p) == 0 {
		return nil
	}
	id := core.ToString(r.Original("id"))
	if id == "" {
		id = r.Id()
	}
	keys := make([]string, 0, len(p))
	for k := range p {
		keys = append(keys, k)
	}
	sort.Strings(keys) // stable SQL text for the same change shape
	var b strings.Builder
	b.WriteString("UPDATE ")
	b.WriteString(s.q(r.Collection().Name))
	b.WriteString(" SET ")
	args := make([]any, 0, len(keys)+1)
	for i, k := range keys {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(s.q(k))
		b.WriteString(" = ?")
		args = append(args, p[k])
	}
	b.WriteString(" WHERE ")
	b.WriteString(s.q("id"))
	b.WriteString(" = ?")
	args = append(args, id)
	query := b.String()
	return s.db.writeStatement(ctx, func(ctx context.Context) error {
		if newId := r.Id(); newId != id {
			// The row moves to another id: nothing under the new one may
			// stay cached either.
			noteRecord(ctx, r.Collection().Id, newId)
		}
		if _, err := s.db.execRecordWrite(ctx, r.Collection().Id, id, query, args...); err != nil {
			return s.mapWriteError(r.Collection(), err)
		}
		return s.noteRecordChange(ctx, r, r.Id(), "update")
	})
}

// DeleteRecord deletes r's row.
func (s *Store) DeleteRecord(ctx context.Context, r *core.Record) error {
	query := "DELETE FROM " + s.q(r.Collection().Name) + " WHERE " + s.q("id") + " = ?"
	return s.db.writeStatement(ctx, func(ctx context.Context) error {
		if _, err := s.db.execRecordWrite(ctx, r.Collection().Id, r.Id(), query, r.Id()); err != nil {
			return err
		}
		return s.noteRecordChange(ctx, r, r.Id(), "delete")
	})
}

// mapWriteError turns unique violations into validation_not_unique on the
// involved fields (spec §5.1).
func (s *Store) mapWriteError(c *core.Collection, err error) error {
	if err == nil {
		return nil
	}
	ok, cols := s.d.IsUniqueViolation(err)
	if !ok {
		return err
	}
	errs := core.ValidationErrors{}
	for _, tc := range cols {
		name := tc
		if i := strings.LastIndex(tc, "."); i >= 0 {
			name = tc[i+1:]
		}
		if c.Fields.GetByName(name) != nil {
			errs[name] = core.NewFieldError("validation_not_unique", "Value must be unique.", nil)
		}
	}
	if len(errs) == 0 {
		errs["id"] = core.NewFieldError("validation_not_unique", "Value must be unique.", nil)
	}
	return errs
}
