package api_test

import (
	"testing"
)

// TestDeletingAnAuthRecordDeletesItsAuthState: the OTPs, MFA sessions,
// auth origins and OAuth2 links of a deleted auth record go with it, in
// its delete transaction; another user's rows stay.
func TestDeletingAnAuthRecordDeletesItsAuthState(t *testing.T) {
	e := newAuthEnv(t)
	e.patchCollection("users", map[string]any{"otp": map[string]any{"enabled": true}})
	gone := e.user("gone@example.com", "password123", true)
	kept := e.user("kept@example.com", "password123", true)
	for _, email := range []string{"gone@example.com", "kept@example.com"} {
		if status, body := e.Do("POST", "/api/collections/users/request-otp", "", map[string]any{"email": email}); status != 200 {
			t.Fatalf("request-otp %s: %d %v", email, status, body)
		}
		e.login(email, "password123") // records an auth origin
	}
	for _, sys := range []string{"_externalAuths"} {
		for _, ref := range []string{gone, kept} {
			if status, body := e.Do("POST", "/api/collections/"+sys+"/records", e.su, map[string]any{
				"collectionRef": "_pb_users_auth_", "recordRef": ref, "provider": "github", "providerId": "p-" + ref,
			}); status != 200 {
				t.Fatalf("create %s: %d %v", sys, status, body)
			}
		}
	}
	count := func(sys, ref string) int {
		t.Helper()
		status, body := e.Do("GET", "/api/collections/"+sys+"/records?filter=recordRef='"+ref+"'", e.su, nil)
		if status != 200 {
			t.Fatalf("list %s: %d %v", sys, status, body)
		}
		return int(body["totalItems"].(float64))
	}
	systems := []string{"_otps", "_authOrigins", "_externalAuths"}
	for _, sys := range systems {
		if count(sys, gone) == 0 || count(sys, kept) == 0 {
			t.Fatalf("%s: setup made no rows (%d, %d)", sys, count(sys, gone), count(sys, kept))
		}
	}
	if status, body := e.Do("DELETE", "/api/collections/users/records/"+gone, e.su, nil); status != 204 {
		t.Fatalf("delete: %d %v", status, body)
	}
	for _, sys := range systems {
		if n := count(sys, gone); n != 0 {
			t.Errorf("%s: %d rows of the deleted record left behind", sys, n)
		}
		if n := count(sys, kept); n == 0 {
			t.Errorf("%s: the other user's rows were deleted too", sys)
		}
	}
}

// TestDeletingAnAuthCollectionDeletesItsAuthState: deleting a whole auth
// collection removes the auth state of its records; another collection's
// stays.
func TestDeletingAnAuthCollectionDeletesItsAuthState(t *testing.T) {
	e := newAuthEnv(t)
	if status, body := e.Do("POST", "/api/collections", e.su, map[string]any{"name": "members", "type": "auth"}); status != 200 {
		t.Fatalf("create collection: %d %v", status, body)
	}
	members, err := e.App.FindCollectionByNameOrId("members")
	if err != nil {
		t.Fatal(err)
	}
	kept := e.user("kept@example.com", "password123", true)
	for _, ref := range []struct{ col, id string }{{members.Id, "m1234567890abcd"}, {"_pb_users_auth_", kept}} {
		if status, body := e.Do("POST", "/api/collections/_externalAuths/records", e.su, map[string]any{
			"collectionRef": ref.col, "recordRef": ref.id, "provider": "github", "providerId": "p-" + ref.id,
		}); status != 200 {
			t.Fatalf("create link: %d %v", status, body)
		}
	}
	if status, body := e.Do("DELETE", "/api/collections/members", e.su, nil); status != 204 {
		t.Fatalf("delete collection: %d %v", status, body)
	}
	_, body := e.Do("GET", "/api/collections/_externalAuths/records", e.su, nil)
	items := body["items"].([]any)
	if len(items) != 1 || items[0].(map[string]any)["recordRef"] != kept {
		t.Fatalf("links left: %v, want only the users one", items)
	}
}
