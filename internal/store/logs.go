package store

import (
	"context"

	"github.com/pocketbase/dbx"

	"github.com/basalthq/basalt/core"
)

var _ core.LogStore = (*Store)(nil)

// InsertLogs writes request logs to auxiliary.db in one transaction.
func (s *Store) InsertLogs(ctx context.Context, logs []*core.Record) error {
	return s.aux.Write(ctx, func(ctx context.Context) error {
		for _, r := range logs {
			if _, err := Tx(ctx).Insert(core.LogsCollectionName, recordParams(r, false)).WithContext(ctx).Execute(); err != nil {
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
