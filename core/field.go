package core

import (
	"context"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"strconv"
	"strings"
	"sync"
	"time"
)

// ColumnType is the storage kind of a field, neutral of any SQL engine;
// each dialect maps it to a column definition (DESIGN §3: no SQL type
// strings in core).
type ColumnType int

// The column types. Every column is NOT NULL with an empty default except
// ColumnJSON (spec §5.3).
const (
	ColumnText      ColumnType = iota // '' default
	ColumnTextPK                      // text primary key
	ColumnNumber                      // 0 default, numeric affinity
	ColumnBool                        // false default
	ColumnJSON                        // NULL default, JSON text
	ColumnJSONArray                   // '[]' default, JSON array text
	ColumnGeoPoint                    // '{"lon":0,"lat":0}' default
)

// Field is one column of a collection. Each kind lives in field_<kind>.go.
//
// Values flow through three representations: the client's input (decoded
// JSON or a form value), the canonical Go value held by a Record, and the
// driver value stored in the database. Canonical values per kind:
// string (text, editor, email, url, date, autodate, single select,
// relation and file), float64 (number), bool, []string (multiple select,
// relation and file), JSONRaw (json; nil is JSON null), GeoPoint and
// PasswordValue.
type Field interface {
	GetId() string
	SetId(id string)
	GetName() string
	SetName(name string)
	// Type is the field kind name used in collection JSON ("text", ...).
	Type() string
	GetSystem() bool
	SetSystem(system bool)
	GetHidden() bool
	SetHidden(hidden bool)
	GetPresentable() bool

	// ColumnType is the neutral storage kind of the field's column.
	ColumnType() ColumnType

	// Normalize converts a client input value to the canonical value.
	Normalize(raw any) any

	// FromDB converts a value scanned from the database to the canonical value.
	FromDB(v any) any

	// ToDB converts a canonical value to the value handed to the driver.
	ToDB(v any) any

	// ValidateValue checks the record's current value of this field and
	// returns a *FieldError (or nil).
	ValidateValue(ctx context.Context, app *App, r *Record) error

	// ValidateSettings checks the field's options within collection c and
	// returns ValidationErrors keyed by option name (or nil).
	ValidateSettings(ctx context.Context, app *App, c *Collection) error
}

// MultiValuer is implemented by fields that may hold several values
// (select, relation, file).
type MultiValuer interface {
	IsMultiple() bool
}

// Modifier is a record-body key suffix/prefix that changes a value relative
// to the current one (spec §5.3 "Modifiers in record bodies").
type Modifier string

// The modifiers.
const (
	ModAppend       Modifier = "+"             // field+
	ModPrepend      Modifier = "+prefix"       // +field
	ModSubtract     Modifier = "-"             // field-
	ModAutogenerate Modifier = ":autogenerate" // field:autogenerate
)

// ModifierApplier is implemented by fields that support body modifiers.
// current is the record's canonical value; the result is canonical too.
type ModifierApplier interface {
	ApplyModifier(current any, mod Modifier, value any) (any, error)
}

// SaveInterceptor is implemented by fields that compute their value when a
// record is saved (autodate timestamps, password hashing, generated text).
type SaveInterceptor interface {
	BeforeSave(r *Record, isNew bool, now time.Time) error
}

// Outputter is implemented by fields whose JSON output differs from their
// canonical value (password is never shown on auth collections and is ""
// elsewhere). ok=false omits the key.
type Outputter interface {
	Output(r *Record) (v any, ok bool)
}

// BaseField holds the options common to every field kind (spec §5.2).
type BaseField struct {
	Id          string `json:"id"`
	Name        string `json:"name"`
	System      bool   `json:"system"`
	Hidden      bool   `json:"hidden"`
	Presentable bool   `json:"presentable"`
}

// GetId returns the field id.
func (f *BaseField) GetId() string { return f.Id }

// SetId sets the field id.
func (f *BaseField) SetId(id string) { f.Id = id }

// GetName returns the field name.
func (f *BaseField) GetName() string { return f.Name }

// SetName sets the field name.
func (f *BaseField) SetName(name string) { f.Name = name }

// GetSystem reports whether the field is a locked system field.
func (f *BaseField) GetSystem() bool { return f.System }

// SetSystem sets the system flag.
func (f *BaseField) SetSystem(v bool) { f.System = v }

// GetHidden reports whether the field is hidden from non-superusers.
func (f *BaseField) GetHidden() bool { return f.Hidden }

// SetHidden sets the hidden flag.
func (f *BaseField) SetHidden(v bool) { f.Hidden = v }

// GetPresentable reports the UI presentable hint.
func (f *BaseField) GetPresentable() bool { return f.Presentable }

var (
	fieldFactoriesMu sync.RWMutex
	fieldFactories   = map[string]func() Field{}
)

// RegisterFieldType registers a field kind under its type name. It panics
// on duplicates (registries fail loudly, DESIGN §9.10).
func RegisterFieldType(typ string, factory func() Field) {
	fieldFactoriesMu.Lock()
	defer fieldFactoriesMu.Unlock()
	if _, ok := fieldFactories[typ]; ok {
		panic("core: field type registered twice: " + typ)
	}
	fieldFactories[typ] = factory
}

// NewFieldOfType returns a blank field of the given kind, or an error for
// unknown kinds.
func NewFieldOfType(typ string) (Field, error) {
	fieldFactoriesMu.RLock()
	factory, ok := fieldFactories[typ]
	fieldFactoriesMu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("unknown field type %q", typ)
	}
	return factory(), nil
}

// FieldTypes lists the registered kinds.
func FieldTypes() []string {
	fieldFactoriesMu.RLock()
	defer fieldFactoriesMu.RUnlock()
	out := make([]string, 0, len(fieldFactories))
	for k := range fieldFactories {
		out = append(out, k)
	}
	return out
}

// DefaultFieldId is the id generated for a field without one:
// <type><crc32(name)> (spec §10.5).
func DefaultFieldId(typ, name string) string {
	return typ + strconv.FormatUint(uint64(crc32.ChecksumIEEE([]byte(name))), 10)
}

// FieldsList is an ordered list of fields that (un)marshals the
// polymorphic JSON array of a collection.
type FieldsList []Field

// GetByName returns the field with the exact name, or nil.
func (l FieldsList) GetByName(name string) Field {
	for _, f := range l {
		if f.GetName() == name {
			return f
		}
	}
	return nil
}

// GetById returns the field with the id, or nil.
func (l FieldsList) GetById(id string) Field {
	for _, f := range l {
		if f.GetId() == id {
			return f
		}
	}
	return nil
}

// Names returns the field names in order.
func (l FieldsList) Names() []string {
	out := make([]string, len(l))
	for i, f := range l {
		out[i] = f.GetName()
	}
	return out
}

// UnmarshalJSON decodes each element by its "type".
func (l *FieldsList) UnmarshalJSON(data []byte) error {
	var raws []json.RawMessage
	if err := json.Unmarshal(data, &raws); err != nil {
		return err
	}
	out := make(FieldsList, 0, len(raws))
	for i, raw := range raws {
		var head struct {
			Type string `json:"type"`
		}
		if err := json.Unmarshal(raw, &head); err != nil {
			return fmt.Errorf("fields[%d]: %w", i, err)
		}
		f, err := NewFieldOfType(head.Type)
		if err != nil {
			return fmt.Errorf("fields[%d]: %w", i, err)
		}
		if err := json.Unmarshal(raw, f); err != nil {
			return fmt.Errorf("fields[%d]: %w", i, err)
		}
		out = append(out, f)
	}
	*l = out
	return nil
}

// MarshalJSON encodes every field with its "type" key.
func (l FieldsList) MarshalJSON() ([]byte, error) {
	var b strings.Builder
	b.WriteByte('[')
	for i, f := range l {
		if i > 0 {
			b.WriteByte(',')
		}
		raw, err := json.Marshal(f)
		if err != nil {
			return nil, err
		}
		// Inject "type" as the fields' structs don't carry it.
		var m map[string]json.RawMessage
		if err := json.Unmarshal(raw, &m); err != nil {
			return nil, err
		}
		m["type"], _ = json.Marshal(f.Type())
		raw, err = json.Marshal(m)
		if err != nil {
			return nil, err
		}
		b.Write(raw)
	}
	b.WriteByte(']')
	return []byte(b.String()), nil
}

// Clone deep-copies the list through JSON (fields are plain option structs).
func (l FieldsList) Clone() (FieldsList, error) {
	raw, err := json.Marshal(l)
	if err != nil {
		return nil, err
	}
	var out FieldsList
	if err := json.Unmarshal(raw, &out); err != nil {
		return nil, err
	}
	return out, nil
}
