package api_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/basalthq/basalt/core"
	"github.com/basalthq/basalt/internal/testenv"
)

// TestRecordAPICustomLogin builds collections with the Go builders, signs
// in through a custom OnServe route with ValidatePassword and
// core.RecordAuthResponse, and checks that every token kind a record
// mints is accepted by the real endpoints (issue #25 item 5).
func TestRecordAPICustomLogin(t *testing.T) {
	hooks := &hookCounter{n: map[string]int{}}
	register := func(app *core.App) error {
		app.OnRecordAuthRequest("members").BindFunc(func(e *core.RecordAuthRequestEvent) error {
			hooks.inc("auth:" + e.AuthMethod)
			if e.Meta == "deny" {
				return core.NewForbiddenError("denied by hook")
			}
			return e.Next()
		})
		app.OnServe().BindFunc(func(se *core.ServeEvent) error {
			se.Router.Add("POST", "/custom/login", func(e *core.RequestEvent) error {
				var in struct {
					Email    string `json:"email"`
					Password string `json:"password"`
					Meta     any    `json:"meta"`
				}
				if err := json.NewDecoder(e.Request.Body).Decode(&in); err != nil {
					return core.NewBadRequestError("Invalid body.", nil)
				}
				col, err := e.App.FindCollectionByNameOrId("members")
				if err != nil {
					return err
				}
				rec, err := e.App.FindFirstRecordByField(e.Context(), col, core.FieldEmail, in.Email)
				if err != nil || !rec.ValidatePassword(in.Password) {
					return core.NewBadRequestError("Failed to authenticate.", nil)
				}
				return core.RecordAuthResponse(e, rec, "custom", in.Meta)
			})
			return se.Next()
		})
		return nil
	}
	s := testenv.StartServer(t, register)
	ctx := context.Background()

	members := core.NewAuthCollection("members")
	members.Fields.Add(&core.TextField{BaseField: core.BaseField{Name: "nickname"}, Max: 20})
	members.ViewRule = core.StrPtr("id = @request.auth.id")
	members.Auth.AuthRule = core.StrPtr("")
	if err := s.App.SaveCollection(ctx, members); err != nil {
		t.Fatalf("save members: %v", err)
	}
	notes := core.NewBaseCollection("notes")
	notes.Fields.Add(
		&core.TextField{BaseField: core.BaseField{Name: "title"}, Required: true},
		&core.NumberField{BaseField: core.BaseField{Name: "stars"}},
	)
	notes.ListRule = core.StrPtr("@request.auth.collectionName = 'members'")
	if err := s.App.SaveCollection(ctx, notes); err != nil {
		t.Fatalf("save notes: %v", err)
	}
	members, _ = s.App.FindCollectionByNameOrId("members")
	notes, _ = s.App.FindCollectionByNameOrId("notes")

	m := core.NewRecord(members)
	m.SetEmail("m@example.com")
	m.SetPassword("s3cret-pass")
	m.Set("nickname", "em")
	if err := s.App.Save(ctx, m); err != nil {
		t.Fatalf("save member: %v", err)
	}
	if m.Verified() || !m.ValidatePassword("s3cret-pass") || m.ValidatePassword("wrong") {
		t.Fatal("saved member: want unverified and its bcrypt hash to match only the right password")
	}
	n := core.NewRecord(notes)
	n.Set("title", "hello")
	n.Set("stars", "4")
	if err := s.App.Save(ctx, n); err != nil {
		t.Fatalf("save note: %v", err)
	}
	if n.GetInt("stars") != 4 {
		t.Fatalf("stars = %v", n.Get("stars"))
	}

	// Custom login: the built-in response shape, the hook fired once.
	status, body := s.Do("POST", "/custom/login", "", map[string]any{"email": "m@example.com", "password": "s3cret-pass", "meta": map[string]any{"via": "custom"}})
	if status != 200 {
		t.Fatalf("custom login: %d %v", status, body)
	}
	rec, _ := body["record"].(map[string]any)
	token, _ := body["token"].(string)
	if token == "" || rec["email"] != "m@example.com" || rec["nickname"] != "em" || rec["id"] != m.Id() {
		t.Fatalf("custom login body: %v", body)
	}
	if _, ok := rec[core.FieldPassword]; ok {
		t.Fatalf("password leaked: %v", rec)
	}
	if _, ok := rec[core.FieldTokenKey]; ok {
		t.Fatalf("tokenKey leaked: %v", rec)
	}
	if meta, _ := body["meta"].(map[string]any); meta["via"] != "custom" {
		t.Fatalf("meta: %v", body["meta"])
	}
	if got := hooks.get("auth:custom"); got != 1 {
		t.Fatalf("OnRecordAuthRequest fired %d times, want 1", got)
	}

	// The token authenticates requests like a built-in one.
	for _, tc := range []struct {
		name, method, path string
		wantStatus         int
	}{
		{"refresh", "POST", "/api/collections/members/auth-refresh", 200},
		{"view own record", "GET", "/api/collections/members/records/" + m.Id(), 200},
		{"list by auth rule", "GET", "/api/collections/notes/records", 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if status, body := s.Do(tc.method, tc.path, token, nil); status != tc.wantStatus {
				t.Fatalf("%s %s: %d %v", tc.method, tc.path, status, body)
			}
		})
	}
	if status, body := s.Do("GET", "/api/collections/notes/records", token, nil); status != 200 || body["totalItems"] != float64(1) {
		t.Fatalf("notes as member: %d %v", status, body)
	}
	if status, body := s.Do("GET", "/api/collections/notes/records", "", nil); status != 200 || body["totalItems"] != float64(0) {
		t.Fatalf("notes as guest: %d %v", status, body)
	}

	// Bad input answers in the error shape and fires no auth hook.
	for _, tc := range []struct {
		name       string
		body       map[string]any
		wantStatus int
	}{
		{"wrong password", map[string]any{"email": "m@example.com", "password": "nope"}, 400},
		{"unknown email", map[string]any{"email": "x@example.com", "password": "s3cret-pass"}, 400},
		{"hook rejects", map[string]any{"email": "m@example.com", "password": "s3cret-pass", "meta": "deny"}, 403},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body := s.Do("POST", "/custom/login", "", tc.body)
			if status != tc.wantStatus || body["status"] != float64(tc.wantStatus) || body["message"] == "" || body["token"] != nil {
				t.Fatalf("got %d %v, want %d in the error shape", status, body, tc.wantStatus)
			}
		})
	}
	if got := hooks.get("auth:custom"); got != 2 { // + the rejected one
		t.Fatalf("OnRecordAuthRequest fired %d times, want 2", got)
	}

	// Minted outside a request, every kind is accepted by its endpoint.
	static, err := m.NewStaticAuthToken(time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if status, body := s.Do("GET", "/api/collections/members/records/"+m.Id(), static, nil); status != 200 {
		t.Fatalf("static token: %d %v", status, body)
	}
	// Like PocketBase, refreshing a non-refreshable token answers it unchanged.
	if status, body := s.Do("POST", "/api/collections/members/auth-refresh", static, nil); status != 200 || body["token"] != static {
		t.Fatalf("static token refresh: %d, same token %v", status, body["token"] == static)
	}
	for _, tc := range []struct {
		name, token string
		want        bool
	}{{"login token", token, true}, {"static token", static, false}} {
		if got := jwtClaims(t, tc.token)["refreshable"]; got != tc.want {
			t.Fatalf("%s: refreshable = %v, want %v", tc.name, got, tc.want)
		}
	}
	verify, err := m.NewVerificationToken()
	if err != nil {
		t.Fatal(err)
	}
	if status, body := s.Do("POST", "/api/collections/members/confirm-verification", "", map[string]any{"token": verify}); status != 204 {
		t.Fatalf("confirm-verification: %d %v", status, body)
	}
	if got, _ := s.App.FindRecordById(ctx, "members", m.Id()); !got.Verified() {
		t.Fatal("record not verified by its NewVerificationToken")
	}
	if _, err := n.NewFileToken(); err == nil {
		t.Fatal("a base record must not get a token")
	}
	if _, err := core.NewRecord(members).NewAuthToken(); err == nil {
		t.Fatal("an unsaved record must not get a token")
	}
	if err := core.RecordAuthResponse(nil, m, "x", nil); err == nil || errors.Is(err, core.ErrNoTokenIssuer) {
		t.Fatalf("nil event: %v", err)
	}
}

// jwtClaims decodes a token's payload without verifying it.
func jwtClaims(t *testing.T, token string) map[string]any {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %q", token)
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var claims map[string]any
	if err := json.Unmarshal(raw, &claims); err != nil {
		t.Fatal(err)
	}
	return claims
}
