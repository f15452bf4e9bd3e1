package main

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/basalthq/basalt/core"
)

// ArchiveJob is the id of the cron job that archives old notes.
const ArchiveJob = "archiveOldNotes"

// ArchiveAfter is how old a note gets before the cron job archives it.
const ArchiveAfter = 30 * 24 * time.Hour

// Register binds the notes service to app: it runs for every app the
// program opens, before bootstrap (server.Basalt.OnOpen).
func Register(app *core.App) error {
	// Hook: titles are stored trimmed, whoever saves them (API or Go).
	app.OnRecordCreate("notes").BindFunc(func(e *core.RecordEvent) error {
		e.Record.Set("title", strings.TrimSpace(e.Record.GetString("title")))
		return e.Next()
	})

	// Request hook: a note created through the API is never born archived.
	app.OnRecordCreateRequest("notes").BindFunc(func(e *core.RecordRequestEvent) error {
		e.Record.Set("archived", false)
		return e.Next()
	})

	// Routes with middleware: a group for signed-in users, one route of
	// it guarded further for superusers only.
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		g := se.Router.Group("/api/notes").Bind(core.RequireAuth("users", core.SuperusersCollectionName))
		g.GET("/stats", stats).BindFunc(noStore)
		g.POST("/archive", archiveNow).Bind(core.RequireSuperuserAuth())
		return se.Next()
	})

	// Cron job: every night at 03:00, archive the notes older than
	// ArchiveAfter. Superusers also see it in GET /api/crons.
	return app.Cron().Add(ArchiveJob, "0 3 * * *", func(ctx context.Context) error {
		_, err := archiveOld(ctx, app)
		return err
	})
}

// noStore is a middleware: the stats answer is never cached.
func noStore(e *core.RequestEvent) error {
	e.Response.Header().Set("Cache-Control", "no-store")
	return e.Next()
}

// stats answers how many notes the caller has, and how many are
// archived (a superuser counts everyone's).
func stats(e *core.RequestEvent) error {
	ctx := e.Context()
	var filters []core.RecordFilter
	if !e.HasSuperuserAuth() {
		filters = append(filters, core.Filter("owner = {:owner}", map[string]any{"owner": e.Auth.Id()}))
	}
	total, err := e.App.CountRecords(ctx, "notes", filters...)
	if err != nil {
		return err
	}
	archived, err := e.App.CountRecords(ctx, "notes", append(filters, core.Filter("archived = true", nil))...)
	if err != nil {
		return err
	}
	return e.JSON(http.StatusOK, map[string]any{"total": total, "archived": archived})
}

// archiveNow runs the archiving at once and answers how many notes it
// archived.
func archiveNow(e *core.RequestEvent) error {
	n, err := archiveOld(e.Context(), e.App)
	if err != nil {
		return e.InternalServerError("", err)
	}
	return e.JSON(http.StatusOK, map[string]any{"archived": n})
}

// archiveOld archives, in one transaction, the notes created before
// now-ArchiveAfter.
func archiveOld(ctx context.Context, app *core.App) (int, error) {
	cutoff := core.FormatTime(app.Now().Add(-ArchiveAfter))
	old, err := app.RecordQuery("notes").
		Filter("archived = false && created < {:cutoff}", map[string]any{"cutoff": cutoff}).
		Limit(1000).All(ctx)
	if err != nil {
		return 0, err
	}
	err = app.RunInTransaction(ctx, func(ctx context.Context) error {
		for _, n := range old {
			n.Set("archived", true)
			if err := app.Save(ctx, n); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return len(old), nil
}
