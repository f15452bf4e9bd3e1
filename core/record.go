package core

import (
	"io"
	"maps"
	"slices"
)

// File is an upload waiting to be stored with a record. Name is the final,
// normalised storage name (the value the record's file field holds).
type File struct {
	Name         string
	OriginalName string
	Size         int64
	// ContentType is the type detected from the content.
	ContentType string
	// Open returns a fresh reader of the content; it may be called more
	// than once (validation sniffs the head, storage reads it all).
	Open func() (io.ReadCloser, error)
}

// Record is one row of a base, auth or view collection, holding canonical
// field values (see Field).
type Record struct {
	collection *Collection
	data       map[string]any
	original   map[string]any // values as loaded; nil for a new record
	expand     map[string]any
	// one holds the only expanded relation while nobody has asked for
	// the map (see ExpandRelation): a page of thirty records expanded on
	// one relation built thirty one-entry maps, a third of the expand's
	// garbage.
	one expandEntry

	// Serialisation flags (spec §5.8): unhide shows hidden fields (caller
	// is a superuser); showEmail shows an auth record's email regardless
	// of emailVisibility (owner, manager, superuser, auth response).
	unhide    bool
	showEmail bool
	// shared marks data and original as the same map (copy on first
	// write): most loaded records are only read and serialised. (Kept
	// next to the other flags so the struct stays in its size class.)
	shared bool
	// enrich holds what OnRecordEnrich handlers hid or added (nil
	// unless one did; record_enrich.go).
	enrich *recordEnrich

	// uploads are new files per field name, stored after the save commits.
	uploads map[string][]*File
	// deletedFiles are file names (per field) the save orphaned.
	deletedFiles map[string][]string
}

// NewRecord returns a new record of c with every field at its empty value.
func NewRecord(c *Collection) *Record {
	r := &Record{collection: c, data: make(map[string]any, len(c.Fields))}
	for _, f := range c.Fields {
		r.data[f.GetName()] = f.Normalize(nil)
	}
	return r
}

// NewRecordFromDB builds a loaded (not new) record from scanned column
// values keyed by field name.
func NewRecordFromDB(c *Collection, row map[string]any) *Record {
	r := &Record{collection: c, data: make(map[string]any, len(c.Fields))}
	for _, f := range c.Fields {
		r.data[f.GetName()] = f.FromDB(row[f.GetName()])
	}
	r.original = r.data
	r.shared = true
	return r
}

// NewRecordFromValues builds a loaded record from column values given in
// the order of c.Fields (what the store selects), skipping the name map.
func NewRecordFromValues(c *Collection, values []any) *Record {
	r := &Record{collection: c, data: make(map[string]any, len(c.Fields))}
	for i, f := range c.Fields {
		var v any
		if i < len(values) {
			v = values[i]
		}
		r.data[f.GetName()] = f.FromDB(v)
	}
	r.original = r.data
	r.shared = true
	return r
}

// Collection returns the record's collection.
func (r *Record) Collection() *Collection { return r.collection }

// Id returns the record id.
func (r *Record) Id() string { s, _ := r.data["id"].(string); return s }

// IsNew reports whether the record has not been persisted yet.
func (r *Record) IsNew() bool { return r.original == nil }

// MarkAsPersisted records the current values as the stored ones.
func (r *Record) MarkAsPersisted() {
	r.original = r.data
	r.shared = true
	r.uploads = nil
	r.deletedFiles = nil
}

// unshare gives data its own map before a write, so original keeps the
// loaded values.
func (r *Record) unshare() {
	if r.shared {
		r.data = maps.Clone(r.data)
		r.shared = false
	}
}

// Get returns the canonical value of a field (nil for unknown names).
func (r *Record) Get(name string) any { return r.data[name] }

// Original returns the value as loaded from the database (nil when new).
func (r *Record) Original(name string) any {
	if r.original == nil {
		return nil
	}
	return r.original[name]
}

// OriginalRecord returns a copy of the record with its loaded values, or
// nil for a new record.
func (r *Record) OriginalRecord() *Record {
	if r.original == nil {
		return nil
	}
	return &Record{collection: r.collection, data: maps.Clone(r.original), original: maps.Clone(r.original)}
}

// Set normalises v with the field's rules and stores it; unknown names
// are ignored (records never carry custom data).
func (r *Record) Set(name string, v any) {
	f := r.collection.Fields.GetByName(name)
	if f == nil {
		return
	}
	if file, ok := v.(*File); ok {
		r.AddUpload(name, file)
		return
	}
	r.unshare()
	r.data[name] = f.Normalize(v)
}

// SetCanonical stores an already canonical value without normalising it.
func (r *Record) SetCanonical(name string, v any) {
	if r.collection.Fields.GetByName(name) == nil {
		return
	}
	r.unshare()
	r.data[name] = v
}

// GetString returns a field value as a string.
func (r *Record) GetString(name string) string { return toString(r.data[name]) }

// GetFloat returns a field value as a number.
func (r *Record) GetFloat(name string) float64 { return ToFloat(r.data[name]) }

// GetBool returns a field value as a boolean.
func (r *Record) GetBool(name string) bool { return ToBool(r.data[name]) }

// GetStringSlice returns a field value as a list of strings.
func (r *Record) GetStringSlice(name string) []string { return ToStringSlice(r.data[name]) }

// Data returns a copy of all canonical values keyed by field name.
func (r *Record) Data() map[string]any { return maps.Clone(r.data) }

// Clone returns an independent copy (uploads and expand are shared).
func (r *Record) Clone() *Record {
	cp := *r
	cp.data = maps.Clone(r.data)
	cp.shared = false
	if r.original != nil {
		cp.original = maps.Clone(r.original)
	}
	cp.expand = maps.Clone(r.expand)
	cp.enrich = r.enrich.clone()
	return &cp
}

// Share returns a new record over r's values without copying them, or
// nil when r has been modified since it was loaded. It is how a cache
// hands out one loaded record many times: each copy has its own expand
// and serialisation flags, and copies its values on its first write (as
// every loaded record does), so none can change another.
func (r *Record) Share() *Record {
	if !r.shared {
		return nil
	}
	return &Record{collection: r.collection, data: r.data, original: r.original, shared: true}
}

// expandEntry is one expanded relation; the zero value is none.
type expandEntry struct {
	name string
	val  any
}

// Expand returns the expanded relations (nil when none were requested).
// Changes to the map are the record's.
func (r *Record) Expand() map[string]any {
	if r.one.name != "" {
		r.expand = map[string]any{r.one.name: r.one.val}
		r.one = expandEntry{}
	}
	return r.expand
}

// SetExpand replaces the expanded relations; a non-nil empty map serialises
// as "expand":{}.
func (r *Record) SetExpand(e map[string]any) {
	r.expand = e
	r.one = expandEntry{}
}

// ExpandRelation sets one expanded relation, keeping the others. The
// first one set is held without a map until a second one or Expand asks
// for it.
func (r *Record) ExpandRelation(name string, v any) {
	switch {
	case r.expand == nil && (r.one.name == "" || r.one.name == name):
		r.one = expandEntry{name, v}
	default:
		r.Expand()[name] = v
	}
}

// EnsureExpand makes the record serialise an expand object, empty when
// nothing was expanded.
func (r *Record) EnsureExpand() {
	if r.expand == nil && r.one.name == "" {
		r.expand = map[string]any{}
	}
}

// Unhide makes serialisation include hidden fields (superuser callers).
func (r *Record) Unhide(v bool) { r.unhide = v }

// IsUnhidden reports whether hidden fields are serialised.
func (r *Record) IsUnhidden() bool { return r.unhide }

// ShowEmail makes serialisation include an auth record's email regardless
// of emailVisibility.
func (r *Record) ShowEmail(v bool) { r.showEmail = v }

// AddUpload attaches a new file to a file field, appending its name to the
// field value (replacing it, for a single-file field).
func (r *Record) AddUpload(field string, f *File) {
	fd := r.collection.Fields.GetByName(field)
	if fd == nil {
		return
	}
	if r.uploads == nil {
		r.uploads = map[string][]*File{}
	}
	r.unshare()
	if mv, ok := fd.(MultiValuer); ok && mv.IsMultiple() {
		r.uploads[field] = append(r.uploads[field], f)
		// Clip: unshare copied the map, not the lists in it; the loaded
		// list may be shared with other copies of the record (Share), so
		// never append into its spare capacity.
		r.data[field] = append(slices.Clip(ToStringSlice(r.data[field])), f.Name)
	} else {
		// A single-file field keeps the last of several uploads, as
		// PocketBase does; the earlier ones are never stored.
		r.uploads[field] = []*File{f}
		r.data[field] = f.Name
	}
}

// Uploads returns the pending uploads per field.
func (r *Record) Uploads() map[string][]*File { return r.uploads }

// MarshalJSON renders the record as the API does (spec §5.8), honouring
// hidden fields and e-mail visibility.
func (r *Record) MarshalJSON() ([]byte, error) {
	return r.AppendJSON(make([]byte, 0, 512)), nil
}

// outputValue is what the API shows of field f, and false when the field
// is not shown: hidden (unless unhidden), the tokenKey (never, not even
// for superusers, spec §4.5), a private e-mail, or an Outputter's no.
// PublicData and AppendJSON both go through it.
func (r *Record) outputValue(f Field, isAuth bool) (any, bool) {
	name := f.GetName()
	if f.GetHidden() && !r.unhide {
		return nil, false
	}
	if r.enrich != nil && r.enrich.isHidden(name) {
		return nil, false
	}
	if isAuth && name == FieldTokenKey {
		return nil, false
	}
	if o, ok := f.(Outputter); ok {
		return o.Output(r)
	}
	if isAuth && name == FieldEmail && !r.showEmail && !r.unhide && !r.GetBool(FieldEmailVisibility) {
		return nil, false
	}
	return r.data[name], true
}

// PublicData returns the map the API serialises: visible fields,
// collectionId, collectionName and expand when set.
func (r *Record) PublicData() map[string]any {
	c := r.collection
	out := make(map[string]any, len(c.Fields)+3)
	out["collectionId"] = c.Id
	out["collectionName"] = c.Name
	isAuth := c.IsAuth()
	for _, f := range c.Fields {
		if v, ok := r.outputValue(f, isAuth); ok {
			out[f.GetName()] = v
		}
	}
	if r.enrich != nil {
		for _, kv := range r.enrich.custom {
			out[kv.name] = kv.val
		}
	}
	if r.one.name != "" {
		out["expand"] = map[string]any{r.one.name: r.one.val}
	} else if r.expand != nil {
		out["expand"] = r.expand
	}
	return out
}

// Names of the system fields of auth collections (spec §5.4).
const (
	FieldId              = "id"
	FieldEmail           = "email"
	FieldEmailVisibility = "emailVisibility"
	FieldVerified        = "verified"
	FieldPassword        = "password"
	FieldTokenKey        = "tokenKey"
)

// BodyAllowance is how many bytes a record write may carry beyond the
// default limit: each file field's maxSize × max(maxSelect,1), editor and
// json maxSize (spec §10.3; defaults 5 MiB, 5 MiB and 1 MiB).
func BodyAllowance(c *Collection) int64 {
	var total int64
	for _, f := range c.Fields {
		switch x := f.(type) {
		case *FileField:
			size := x.MaxSize
			if size <= 0 {
				size = 5 << 20
			}
			total += size * int64(max(x.MaxSelect, 1))
		case *EditorField:
			size := x.MaxSize
			if size <= 0 {
				size = 5 << 20
			}
			total += size
		case *JSONField:
			size := x.MaxSize
			if size <= 0 {
				size = 1 << 20
			}
			total += size
		}
	}
	return total
}
