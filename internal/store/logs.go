package store

import (
	"context"
	"strings"

	"github.com/pocketbase/dbx"

	"github.com/basalthq/basalt/core"
)

var _ core.LogStore = (*Store)(nil)

// logInsertChunk bounds the rows of one multi-row INSERT (SQLite's
// default limit on bound parameters is far above 6 × this).
const logInsertChunk = 100

// InsertLogs writes request logs to auxiliary.db in one transaction, with
// multi-row INSERTs: logging happens for every request, so it must cost
// one statement per batch, not per row.
func (s *Store) InsertLogs(ctx context.Context, logs []*core.Record) error {
	if len(logs) == 0 {
		return nil
	}
	fields := logs[0].Collection().Fields
	cols := make([]string, len(fields))
	for i, f := range fields {
		cols[i] = s.q(f.GetName())
	}
	head := "INSERT INTO " + s.q(core.LogsCollectionName) + " (" + strings.Join(cols, ", ") + ") VALUES "
	return s.aux.Write(ctx, func(ctx context.Context) error {
		for start := 0; start < len(logs); start += logInsertChunk {
			chunk := logs[start:min(start+logInsertChunk, len(logs))]
			var b strings.Builder
			b.WriteString(head)
			args := make([]any, 0, len(chunk)*len(fields))
			for i, r := range chunk {
				if i > 0 {
					b.WriteByte(',')
				}
				b.WriteByte('(')
				for j, f := range fields {
					if j > 0 {
						b.WriteByte(',')
					}
					b.WriteByte('?')
					args = append(args, f.ToDB(r.Get(f.GetName())))
				}
				b.WriteByte(')')
			}
			// Full chunks share one statement text, prepared once.
			if _, err := s.aux.execWrite(ctx, b.String(), args...); err != nil {
				return err
			}
		}
		return nil
	})
}

// QueryLogs runs a log search (the _logs pseudo collection) on auxiliary.db.
func (s *Store) QueryLogs(ctx context.Context, q *core.RecordQuery) (*core.RecordQueryResult, error) {
	return s.queryOn(ctx, s.aux, q)
}

// DeleteLogsBefore removes logs created before the given timestamp.
func (s *Store) DeleteLogsBefore(ctx context.Context, created string) (int64, error) {
	var n int64
	err := s.aux.Write(ctx, func(ctx context.Context) error {
		res, err := Tx(ctx).Delete(core.LogsCollectionName, dbx.NewExp("[[created]] < {:c}", dbx.Params{"c": created})).WithContext(ctx).Execute()
		if err != nil {
			return err
		}
		n, _ = res.RowsAffected()
		return nil
	})
	return n, err
}
