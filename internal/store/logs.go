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
func (s *Store) InsertLogs(ctx context.Context, logs []core.LogRow) error {
	if len(logs) == 0 {
		return nil
	}
	cols := []string{"id", "level", "message", "data", "created", "updated"}
	for i, c := range cols {
		cols[i] = s.q(c)
	}
	head := "INSERT INTO " + s.q(core.LogsCollectionName) + " (" + strings.Join(cols, ", ") + ") VALUES "
	return s.aux.Write(ctx, func(ctx context.Context) error {
		var b strings.Builder
		args := make([]any, 0, min(len(logs), logInsertChunk)*len(cols))
		for start := 0; start < len(logs); start += logInsertChunk {
			chunk := logs[start:min(start+logInsertChunk, len(logs))]
			b.Reset()
			b.WriteString(head)
			args = args[:0]
			for i := range chunk {
				r := &chunk[i]
				if i > 0 {
					b.WriteByte(',')
				}
				b.WriteString("(?,?,?,?,?,?)")
				args = append(args, r.Id, r.Level, r.Message, r.Data, r.Created, r.Created)
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
