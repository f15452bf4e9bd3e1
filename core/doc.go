// Package core is Basalt's application layer and the API Go code extends
// Basalt with: the App (collections, records, settings, auth, files,
// mail, crons, backups), its hooks, and the router of custom routes.
//
// A program gets an App from server.New(...).OnOpen (or
// server.Basalt.Open for scripts) and extends it:
//
//   - hooks: app.OnRecordCreate("posts").BindFunc(func(e *core.RecordEvent) error { ...; return e.Next() })
//     (model, record, collection, request, auth, mailer, realtime,
//     settings, backup and lifecycle hooks; see core/hook for how chains
//     run and what a faulty handler gets);
//   - routes: in app.OnServe(), se.Router.GET("/x", h).Bind(core.RequireAuth());
//   - data: app.Save, app.FindRecordsByFilter, app.RecordQuery,
//     app.CountRecords, app.DB() for raw SQL, app.RunInTransaction;
//   - crons: app.Cron().Add(id, "*/5 * * * *", fn);
//   - migrations: core.AppMigrations.Register(file, up, down).
//
// Core speaks no SQL and imports no HTTP framework (DESIGN §3): the store
// behind core.Store and the HTTP API in internal/api do. The public test
// harness for code built on core is package tests.
package core
