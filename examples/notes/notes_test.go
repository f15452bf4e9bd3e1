package main

import (
	"bytes"
	"context"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/basalthq/basalt/core"
	"github.com/basalthq/basalt/server"
	"github.com/basalthq/basalt/tests"
)

func body(s string) io.Reader { return strings.NewReader(s) }

// backdate moves a note's creation past ArchiveAfter, with raw SQL
// (parameters bound, never pasted).
func backdate(t *testing.T, app *tests.TestApp, note *core.Record) {
	t.Helper()
	if _, err := app.App.DB().NewQuery("UPDATE notes SET created = {:c} WHERE id = {:id}").
		Bind(core.Params{"c": core.FormatTime(app.App.Now().Add(-ArchiveAfter - time.Hour)), "id": note.Id()}).
		Execute(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// TestNotesAPI drives the service through the real server with the
// public harness: the migration ran, hooks shape the records, the routes'
// middlewares guard them, the cron job archives.
func TestNotesAPI(t *testing.T) {
	app := tests.NewTestApp(t, tests.Options{OnOpen: Register})
	su := app.CreateSuperuser("admin@example.com", "password123")
	ann, annToken := app.CreateAuthRecord("users", "ann@example.com", "password123")
	_, bobToken := app.CreateAuthRecord("users", "bob@example.com", "password123")
	backdate(t, app, app.CreateRecord("notes", map[string]any{"title": "old", "owner": ann.Id()}))
	as := func(token string) map[string]string {
		return map[string]string{"Authorization": token, "Content-Type": "application/json"}
	}

	tests.RunScenarios(t, app, []tests.ApiScenario{
		{Name: "create trims the title and never starts archived", Method: "POST", URL: "/api/collections/notes/records",
			Headers: as(annToken), Body: body(`{"title":"  hello  ","archived":true,"owner":"` + ann.Id() + `"}`),
			ExpectedStatus: 200, ExpectedContent: []string{`"title":"hello"`, `"archived":false`},
			ExpectedEvents: map[string]int{"OnRecordCreateRequest": 1, "OnRecordCreate": 1, "OnRecordAfterCreateSuccess": 1}},
		{Name: "nobody creates for someone else", Method: "POST", URL: "/api/collections/notes/records",
			Headers: as(bobToken), Body: body(`{"title":"x","owner":"` + ann.Id() + `"}`),
			ExpectedStatus: 400, ExpectedEvents: map[string]int{"OnRecordCreate": 0}},
		{Name: "others' notes are invisible", URL: "/api/collections/notes/records", Headers: as(bobToken),
			ExpectedStatus: 200, ExpectedContent: []string{`"totalItems":0`}},
		{Name: "stats needs auth", URL: "/api/notes/stats", ExpectedStatus: 401},
		{Name: "stats of the caller, never cached", URL: "/api/notes/stats", Headers: as(annToken), ExpectedStatus: 200,
			ExpectedContent: []string{`"total":2`, `"archived":0`}, ExpectedHeaders: map[string]string{"Cache-Control": "no-store"}},
		{Name: "archive is for superusers", Method: "POST", URL: "/api/notes/archive", Headers: as(annToken), ExpectedStatus: 401},
		{Name: "archive archives the old note", Method: "POST", URL: "/api/notes/archive", Headers: as(su), ExpectedStatus: 200,
			ExpectedContent: []string{`"archived":1`}, ExpectedEvents: map[string]int{"OnRecordUpdate": 1, "OnRecordAfterUpdateSuccess": 1}},
		{Name: "superuser stats count everyone", URL: "/api/notes/stats", Headers: as(su), ExpectedStatus: 200,
			ExpectedContent: []string{`"total":2`, `"archived":1`}},
		{Name: "the cron job is registered", URL: "/api/crons", Headers: as(su), ExpectedStatus: 200,
			ExpectedContent: []string{`"id":"` + ArchiveJob + `"`, `"expression":"0 3 * * *"`}},
	})
}

// TestArchiveJob runs the cron job's work directly: the old note is
// archived once, the new one never.
func TestArchiveJob(t *testing.T) {
	app := tests.NewTestApp(t, tests.Options{OnOpen: Register})
	ann, _ := app.CreateAuthRecord("users", "ann@example.com", "password123")
	backdate(t, app, app.CreateRecord("notes", map[string]any{"title": "old", "owner": ann.Id()}))
	app.CreateRecord("notes", map[string]any{"title": "new", "owner": ann.Id()})
	ctx := context.Background()
	for run, want := range []int{1, 0} {
		n, err := archiveOld(ctx, app.App)
		if err != nil || n != want {
			t.Fatalf("run %d: archived %d (%v), want %d", run, n, err, want)
		}
	}
}

// TestStatsCommand runs the custom command on a served-then-closed data
// dir: --help works, and the counts come from the database.
func TestStatsCommand(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "pb_data")
	cases := []struct {
		name string
		args []string
		want string
		err  bool
	}{
		{"help", []string{"stats", "--help"}, "Print how many notes there are", false},
		{"before the migration ran", []string{"stats", "--dir", dir}, "", true},
		{"after migrate up", []string{"migrate", "up", "--dir", dir}, "", false},
		{"counts", []string{"stats", "--dir", dir}, "notes: 0 (archived: 0)", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			b := server.New(server.Config{Stdout: &out, Stderr: &errOut})
			b.OnOpen(Register)
			b.RootCmd.AddCommand(statsCommand(b))
			err := b.Execute(context.Background(), append(tc.args, "--automigrate=false"))
			if (err != nil) != tc.err {
				t.Fatalf("err = %v, want error %v; stderr %s", err, tc.err, errOut.String())
			}
			if !strings.Contains(out.String(), tc.want) {
				t.Errorf("output %q lacks %q", out.String(), tc.want)
			}
		})
	}
}
