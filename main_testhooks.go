//go:build basalt_testhooks

package main

import (
	"context"
	"errors"
	"net/http"
	"sync/atomic"

	"github.com/basalthq/basalt/core"
	"github.com/basalthq/basalt/hooks"
)

// This file is only in binaries built with -tags basalt_testhooks (by
// shutdown_test.go): routes that put the server in the states SIGTERM
// must get it out of. Never in a release build.

var blockedWriter, slowRequest, cronRunning atomic.Bool

func init() {
	register = func(app *core.App) error {
		if err := hooks.Register(app); err != nil {
			return err
		}
		// A cron job that never ends and ignores its context.
		if err := app.Cron().Add("testBlockForever", "0 0 1 1 *", func(context.Context) error {
			cronRunning.Store(true)
			select {}
		}); err != nil {
			return err
		}
		app.OnServe().BindFunc(func(e *core.ServeEvent) error {
			// Starts the job above now (as POST /api/crons/{id} would).
			e.Router.Add(http.MethodGet, "/test/run-cron", func(re *core.RequestEvent) error {
				return app.Cron().Run("testBlockForever")
			})
			// A transaction that never ends: the single writer is blocked.
			e.Router.Add(http.MethodGet, "/test/block-writer", func(re *core.RequestEvent) error {
				return app.RunInTransaction(context.Background(), func(context.Context) error {
					blockedWriter.Store(true)
					select {}
				})
			})
			// A request that never ends and ignores its context.
			e.Router.Add(http.MethodGet, "/test/slow", func(re *core.RequestEvent) error {
				slowRequest.Store(true)
				select {}
			})
			// A write inside a transaction with the outer context.
			e.Router.Add(http.MethodGet, "/test/misuse", func(re *core.RequestEvent) error {
				outer := re.Context()
				err := app.RunInTransaction(outer, func(context.Context) error {
					return app.RunInTransaction(outer, func(context.Context) error { return nil })
				})
				return re.JSON(http.StatusOK, map[string]bool{"refused": errors.Is(err, core.ErrWriteOutsideTransaction)})
			})
			e.Router.Add(http.MethodGet, "/test/state", func(re *core.RequestEvent) error {
				return re.JSON(http.StatusOK, map[string]bool{"blockedWriter": blockedWriter.Load(), "slowRequest": slowRequest.Load(), "cronRunning": cronRunning.Load()})
			})
			return e.Next()
		})
		return nil
	}
}
