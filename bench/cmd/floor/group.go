package main

import (
	"context"
	"errors"
)

// writeReq is one insert waiting for the group-commit writer.
type writeReq struct {
	args []any
	done chan error
}

// enqueue hands an insert to the writer goroutine and waits for its commit.
func (s *server) enqueue(ctx context.Context, args []any) error {
	req := &writeReq{args: args, done: make(chan error, 1)}
	select {
	case s.writes <- req:
	case <-ctx.Done():
		return ctx.Err()
	}
	return <-req.done
}

// groupWriter takes the first waiting insert plus every other insert already
// queued (up to maxBatch), runs them in one transaction and answers each.
func (s *server) groupWriter(ctx context.Context) {
	batch := make([]*writeReq, 0, s.maxBatch)
	for {
		select {
		case <-ctx.Done():
			return
		case first := <-s.writes:
			batch = append(batch[:0], first)
		}
	drain:
		for len(batch) < s.maxBatch {
			select {
			case r := <-s.writes:
				batch = append(batch, r)
			default:
				break drain
			}
		}
		s.commitBatch(ctx, batch)
	}
}

func (s *server) commitBatch(ctx context.Context, batch []*writeReq) {
	errs := make([]error, len(batch))
	tx, err := s.wdb.BeginTx(context.WithoutCancel(ctx), nil)
	if err == nil {
		st := tx.Stmt(s.insert)
		for i, r := range batch {
			_, errs[i] = st.Exec(r.args...)
		}
		err = tx.Commit()
	}
	for i, r := range batch {
		if err != nil {
			errs[i] = errors.Join(errs[i], err)
		}
		r.done <- errs[i]
	}
}
