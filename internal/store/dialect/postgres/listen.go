package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// listen holds one connection of its own (not from the pools: a LISTEN
// lives as long as its session) named name in pg_stat_activity, listens
// on channel and calls wake per notification until ctx ends or the
// connection fails.
func listen(ctx context.Context, cfg *pgx.ConnConfig, channel, name string, ready, wake func()) error {
	c := cfg.Copy()
	c.RuntimeParams["application_name"] = name
	conn, err := pgx.ConnectConfig(ctx, c)
	if err != nil {
		return fmt.Errorf("postgres: listen: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{channel}.Sanitize()); err != nil {
		return fmt.Errorf("postgres: listen on %s: %w", channel, err)
	}
	ready()
	for {
		if _, err := conn.WaitForNotification(ctx); err != nil {
			return err
		}
		wake()
	}
}
