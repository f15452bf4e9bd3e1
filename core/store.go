package core

import (
	"context"
)

// Store is everything core needs from persistence. internal/store
// implements it over SQL; core never sees SQL (DESIGN §3).
//
// Methods that write accept a context that may carry an open transaction
// (see RunInTx); store implementations join it instead of opening a new one.
type Store interface {
	// Close releases the database handles.
	Close() error

	// RunInTx runs fn in one transaction; the ctx passed to fn carries it.
	// Calls nested inside fn join the same transaction.
	RunInTx(ctx context.Context, fn func(ctx context.Context) error) error

	// GetParam reads a raw _params value; found=false when absent.
	GetParam(ctx context.Context, key string) (value []byte, found bool, err error)
	// SetParam writes a raw _params value.
	SetParam(ctx context.Context, key string, value []byte) error

	// LoadCollections reads every collection.
	LoadCollections(ctx context.Context) ([]*Collection, error)
	// SaveCollection persists c and syncs the real table/view with it;
	// old is the stored version (nil when new).
	SaveCollection(ctx context.Context, old, c *Collection) error
	// DeleteCollection removes c and its table/view.
	DeleteCollection(ctx context.Context, c *Collection) error
	// ValidateViewQuery checks a view SELECT and returns its columns.
	ValidateViewQuery(ctx context.Context, query string) ([]ViewColumn, error)
	// ValidateIndex checks one CREATE INDEX statement for table name.
	ValidateIndex(ctx context.Context, collectionName, index string) (ParsedIndex, error)

	// FindRecords returns the records of c with the given ids (missing
	// ids are skipped), in no particular order.
	FindRecords(ctx context.Context, c *Collection, ids []string) ([]*Record, error)
	// ExistingIds returns which of ids exist in c, in no particular
	// order. Relation validation runs it on every save, so it reads only
	// the primary-key index.
	ExistingIds(ctx context.Context, c *Collection, ids []string) ([]string, error)
	// Query runs a prepared record query (filter, sort, paging).
	Query(ctx context.Context, q *RecordQuery) (*RecordQueryResult, error)
	// InsertRecord inserts r (all columns).
	InsertRecord(ctx context.Context, r *Record) error
	// UpdateRecord writes r's changed columns.
	UpdateRecord(ctx context.Context, r *Record) error
	// DeleteRecord deletes r's row.
	DeleteRecord(ctx context.Context, r *Record) error
	// TruncateCollectionIds lists every record id of c (for truncation).
	RecordIds(ctx context.Context, c *Collection) ([]string, error)
	// FindReferencing lists records of c whose relation field holds id.
	FindReferencing(ctx context.Context, c *Collection, field Field, id string) ([]*Record, error)

	// RawDB is raw SQL access for App.DB: reads on the read pool, writes
	// through the write queue (see DB).
	RawDB() DB
}

// ViewColumn describes one column of a view query, as far as the store can
// infer it (spec §5.7).
type ViewColumn struct {
	Name string
	// SourceCollection and SourceField are set when the column is a direct
	// reference to a collection field (or "id").
	SourceCollection string
	SourceField      string
	// Kind is "number", "numberInt", "text", "bool" or "json" when not a
	// direct reference.
	Kind string
}

// ParsedIndex is the structure of a CREATE INDEX statement.
type ParsedIndex struct {
	Name    string
	Unique  bool
	Table   string
	Columns []IndexColumn
	Where   string
}

// IndexColumn is one indexed column or expression.
type IndexColumn struct {
	Name    string
	Collate string
	Sort    string
}

// TxNotifier is how core learns when a write transaction settles; the
// store implements it (AfterTx runs fn with nil after commit, or with the
// error after rollback; outside a transaction, at once with nil).
type TxNotifier interface {
	AfterTx(ctx context.Context, fn func(err error))
}
