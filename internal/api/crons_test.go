package api_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"reflect"
	"sync/atomic"
	"testing"
	"time"

	"github.com/basalthq/basalt/core"
	"github.com/basalthq/basalt/core/cron"
	"github.com/basalthq/basalt/internal/testenv"
)

// getCrons fetches GET /api/crons and decodes its array body.
func getCrons(t *testing.T, s *testenv.Server, token string) (int, []cron.Job, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", s.URL+"/api/crons", nil)
	if token != "" {
		req.Header.Set("Authorization", token)
	}
	resp, err := s.Client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var jobs []cron.Job
	if resp.StatusCode == 200 {
		if err := json.Unmarshal(raw, &jobs); err != nil {
			t.Fatalf("decode %s: %v", raw, err)
		}
	}
	return resp.StatusCode, jobs, string(raw)
}

func TestCronsAPI(t *testing.T) {
	var runs atomic.Int32
	ran := make(chan struct{}, 10)
	s := testenv.StartServer(t, func(app *core.App) error {
		// A job from a hook, as issue #25 wants; the schedule never comes
		// during the test, so every run is a manual one.
		return app.Cron().Add("reportSales", "0 0 1 1 *", func(context.Context) error {
			runs.Add(1)
			ran <- struct{}{}
			return nil
		})
	})
	su := s.Superuser("admin@example.com", "password123")
	if st, b := s.Do("PATCH", "/api/collections/users", su, map[string]any{"createRule": ""}); st != 200 {
		t.Fatalf("users createRule: %d %v", st, b)
	}
	user, _ := userToken(t, s, "alice@example.com")
	want := []cron.Job{
		{Id: "reportSales", Expression: "0 0 1 1 *"},
		{Id: "__pbLogsCleanup__", Expression: "0 */6 * * *"},
		{Id: "__pbMFACleanup__", Expression: "0 * * * *"},
		{Id: "__pbOTPCleanup__", Expression: "0 * * * *"},
	}

	t.Run("list", func(t *testing.T) {
		cases := []struct {
			name, token string
			wantStatus  int
		}{
			{"superuser", su, 200},
			{"guest", "", 401},
			{"user", user, 403},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				st, jobs, raw := getCrons(t, s, c.token)
				if st != c.wantStatus {
					t.Fatalf("status %d, want %d: %s", st, c.wantStatus, raw)
				}
				if st == 200 && !reflect.DeepEqual(jobs, want) {
					t.Fatalf("jobs %v, want %v", jobs, want)
				}
			})
		}
	})

	t.Run("run", func(t *testing.T) {
		cases := []struct {
			name, id, token string
			wantStatus      int
			wantBody        map[string]any // nil: no body
			wantRun         bool
		}{
			{name: "guest", id: "reportSales", wantStatus: 401, wantBody: map[string]any{"status": 401.0,
				"message": "The request requires valid record authorization token.", "data": map[string]any{}}},
			{name: "user", id: "reportSales", token: user, wantStatus: 403, wantBody: map[string]any{"status": 403.0,
				"message": "The authorized record is not allowed to perform this action.", "data": map[string]any{}}},
			{name: "unknown id", id: "nope", token: su, wantStatus: 404, wantBody: map[string]any{"status": 404.0,
				"message": "Missing or invalid cron job.", "data": map[string]any{}}},
			{name: "id of another case", id: "REPORTSALES", token: su, wantStatus: 404, wantBody: map[string]any{"status": 404.0,
				"message": "Missing or invalid cron job.", "data": map[string]any{}}},
			{name: "superuser", id: "reportSales", token: su, wantStatus: 204, wantRun: true},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				st, body := s.Do("POST", "/api/crons/"+c.id, c.token, nil)
				if st != c.wantStatus || !reflect.DeepEqual(body, c.wantBody) {
					t.Fatalf("got %d %v, want %d %v", st, body, c.wantStatus, c.wantBody)
				}
				if c.wantRun {
					select {
					case <-ran:
					case <-time.After(10 * time.Second):
						t.Fatal("the job did not run")
					}
				}
				// Refused requests change nothing: same job list (and no
				// run: counted once all cases are done).
				if _, jobs, _ := getCrons(t, s, su); !reflect.DeepEqual(jobs, want) {
					t.Fatalf("jobs changed: %v", jobs)
				}
			})
		}
		// Stop waits for every run in flight: only the superuser's ran.
		if err := s.App.Cron().Stop(context.Background()); err != nil {
			t.Fatal(err)
		}
		if got := runs.Load(); got != 1 {
			t.Fatalf("%d runs, want 1", got)
		}
	})
}

func TestCronsRunSystemJob(t *testing.T) {
	s := testenv.StartServer(t)
	su := s.Superuser("admin@example.com", "password123")
	ctx := context.Background()
	otps, err := s.App.FindCollectionByNameOrId(core.OTPsCollectionName)
	if err != nil {
		t.Fatal(err)
	}
	mk := func(age time.Duration) string {
		r := core.NewRecord(otps)
		r.Set("collectionRef", core.UsersCollectionId)
		r.Set("recordRef", "someuser0000001")
		r.Set("password", "12345678")
		r.SetCanonical("created", core.FormatTime(time.Now().Add(-age)))
		if err := s.App.Save(ctx, r); err != nil {
			t.Fatal(err)
		}
		return r.Id()
	}
	expired := mk(time.Hour) // users' OTP duration is 180 s
	fresh := mk(time.Second)
	if st, b := s.Do("POST", "/api/crons/"+core.CronOTPCleanup, su, nil); st != 204 || b != nil {
		t.Fatalf("run: %d %v", st, b)
	}
	// The run is asynchronous; Stop waits for it to end.
	if err := s.App.Cron().Stop(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := s.App.FindRecordById(ctx, core.OTPsCollectionName, expired); err == nil {
		t.Fatal("the expired OTP is still there")
	}
	if _, err := s.App.FindRecordById(ctx, core.OTPsCollectionName, fresh); err != nil {
		t.Fatalf("the fresh OTP was removed: %v", err)
	}
}

// TestCronsListLastRun checks Basalt's extension of GET /api/crons: each
// job's latest run (time, error, trigger), absent until it ran.
func TestCronsListLastRun(t *testing.T) {
	s := testenv.StartServer(t, func(app *core.App) error {
		if err := app.Cron().Add("fails", "0 0 1 1 *", func(context.Context) error { return errors.New("<b>disk full</b>") }); err != nil {
			return err
		}
		return app.Cron().Add("works", "0 0 1 1 *", func(context.Context) error { return nil })
	})
	su := s.Superuser("admin@example.com", "password123")
	list := func() map[string]map[string]any {
		t.Helper()
		st, _, raw := getCrons(t, s, su)
		var items []any
		if err := json.Unmarshal([]byte(raw), &items); st != 200 || err != nil {
			t.Fatalf("list: %d %s", st, raw)
		}
		out := map[string]map[string]any{}
		for _, it := range items {
			m := it.(map[string]any)
			out[m["id"].(string)] = m
		}
		return out
	}
	before := list()
	for _, id := range []string{"fails", "works"} {
		if want := map[string]any{"id": id, "expression": "0 0 1 1 *", "running": false}; !reflect.DeepEqual(before[id], want) {
			t.Fatalf("%s before a run: %v, want %v", id, before[id], want)
		}
		if st, b := s.Do("POST", "/api/crons/"+id, su, nil); st != 204 {
			t.Fatalf("run %s: %d %v", id, st, b)
		}
	}
	// Stop waits for the runs in flight; the list stays readable.
	if err := s.App.Cron().Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	after := list()
	cases := []struct {
		name, id, wantErr string
	}{
		{"failed run", "fails", "<b>disk full</b>"},
		{"successful run", "works", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			j := after[c.id]
			if j["running"] != false || j["lastTrigger"] != "manual" {
				t.Fatalf("job %v", j)
			}
			if e, _ := j["lastError"].(string); e != c.wantErr {
				t.Fatalf("lastError %q, want %q", e, c.wantErr)
			}
			ran, err := time.Parse("2006-01-02 15:04:05.000Z", j["lastRun"].(string))
			if err != nil || time.Since(ran) > time.Hour || time.Since(ran) < -time.Minute {
				t.Fatalf("lastRun %v (%v)", j["lastRun"], err)
			}
		})
	}
}
