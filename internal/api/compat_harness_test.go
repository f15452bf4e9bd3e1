package api_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/basalthq/basalt/internal/testenv"
)

// atPath walks a decoded body along a dotted path ("data.fields.1.id.code").
func atPath(v any, path string) any { return at(v, strings.Split(path, ".")...) }

// TestCompatHarnessDivergences pins the answers the differential harness
// (compat/, issue 28) found differing from PocketBase v0.36.8 and that
// were fixed: each case is one request, PocketBase's status, and the
// error code (and params) PocketBase answers with at a path of the body.
// A refused request changes nothing: the settings, or the collection, read
// back the same.
func TestCompatHarnessDivergences(t *testing.T) {
	s := testenv.StartServer(t)
	su := s.Superuser("admin@example.com", "password123")
	long101 := strings.Repeat("b", 101)
	authBody := func(extra map[string]any) map[string]any {
		b := map[string]any{"name": "compat_auth", "type": "auth"}
		for k, v := range extra {
			b[k] = v
		}
		return b
	}
	cases := []struct {
		name   string
		method string
		path   string
		body   any
		status int
		// want maps dotted body paths to values ("" skips the check).
		want map[string]any
	}{
		{"reserved field name", "POST", "/api/collections",
			map[string]any{"name": "c1", "fields": []any{map[string]any{"name": "expand", "type": "text"}}}, 400,
			map[string]any{"data.fields.1.name.code": "validation_not_in_invalid"}},
		{"reserved auth field name", "POST", "/api/collections",
			authBody(map[string]any{"fields": []any{map[string]any{"name": "passwordConfirm", "type": "text"}}}), 400,
			map[string]any{"data.fields.1.name.code": "validation_reserved_field_name"}},
		{"field name too long", "POST", "/api/collections",
			map[string]any{"name": "c2", "fields": []any{map[string]any{"name": long101, "type": "text"}}}, 400,
			map[string]any{"data.fields.1.name.code": "validation_length_out_of_range", "data.fields.1.name.params.max": 100.0}},
		{"field id too long", "POST", "/api/collections",
			map[string]any{"name": "c3", "fields": []any{map[string]any{"id": long101, "name": "f", "type": "url"}}}, 400,
			map[string]any{"data.fields.1.id.code": "validation_length_out_of_range"}},
		{"token duration below min", "POST", "/api/collections",
			authBody(map[string]any{"fileToken": map[string]any{"duration": 9}}), 400,
			map[string]any{"data.fileToken.duration.code": "validation_min_greater_equal_than_required", "data.fileToken.duration.params.threshold": 10.0}},
		{"token duration above max", "POST", "/api/collections",
			authBody(map[string]any{"authToken": map[string]any{"duration": 94670857}}), 400,
			map[string]any{"data.authToken.duration.code": "validation_max_less_equal_than_required", "data.authToken.duration.params.threshold": 94670856.0}},
		{"otp duration zero while enabled", "POST", "/api/collections",
			authBody(map[string]any{"otp": map[string]any{"enabled": true, "duration": 0}}), 400,
			map[string]any{"data.otp.duration.code": "validation_required"}},
		{"mfa duration above max", "POST", "/api/collections",
			authBody(map[string]any{"otp": map[string]any{"enabled": true}, "mfa": map[string]any{"enabled": true, "duration": 86401}}), 400,
			map[string]any{"data.mfa.duration.code": "validation_max_less_equal_than_required"}},
		{"auth alert template without subject", "POST", "/api/collections",
			authBody(map[string]any{"authAlert": map[string]any{"emailTemplate": map[string]any{"subject": ""}}}), 400,
			map[string]any{"data.authAlert.emailTemplate.subject.code": "validation_required"}},
		{"otp template without body while otp is off", "POST", "/api/collections",
			authBody(map[string]any{"otp": map[string]any{"emailTemplate": map[string]any{"body": ""}}}), 400,
			map[string]any{"data.otp.emailTemplate.body.code": "validation_required"}},
		{"unknown oauth2 provider", "POST", "/api/collections",
			authBody(map[string]any{"oauth2": map[string]any{"enabled": true, "providers": []any{map[string]any{"name": "nope", "clientId": "c", "clientSecret": "s"}}}}), 400,
			map[string]any{"data.oauth2.providers.0.name.code": "validation_missing_provider", "data.oauth2.providers.0.name.params.name": "nope"}},
		{"oauth2 provider url", "POST", "/api/collections",
			authBody(map[string]any{"oauth2": map[string]any{"enabled": true, "providers": []any{map[string]any{"name": "oidc", "clientId": "c", "clientSecret": "s", "authURL": "not a url"}}}}), 400,
			map[string]any{"data.oauth2.providers.0.authURL.code": "validation_is_url"}},
		{"relation minSelect without maxSelect", "POST", "/api/collections",
			map[string]any{"name": "c4", "fields": []any{map[string]any{"name": "r", "type": "relation", "collectionId": "_pb_users_auth_", "minSelect": 1}}}, 400,
			map[string]any{"data.fields.1.maxSelect.code": "validation_required"}},
		{"autodate without onCreate and onUpdate", "POST", "/api/collections",
			map[string]any{"name": "c5", "fields": []any{map[string]any{"name": "d", "type": "autodate"}}}, 400,
			map[string]any{"data.fields.1.onCreate.code": "validation_required", "data.fields.1.onUpdate.code": "validation_required"}},
		{"password min below one", "POST", "/api/collections",
			map[string]any{"name": "c6", "fields": []any{map[string]any{"name": "p", "type": "password", "min": -1}}}, 400,
			map[string]any{"data.fields.1.min.code": "validation_min_greater_equal_than_required", "data.fields.1.min.params.threshold": 1.0}},
		{"index on a missing column", "POST", "/api/collections",
			map[string]any{"name": "c7", "fields": []any{map[string]any{"name": "t", "type": "text"}}, "indexes": []any{"CREATE INDEX idx_c7_m ON c7 (missing)"}}, 400,
			map[string]any{"data.indexes.0.code": "validation_invalid_index_expression"}},
		{"index name another collection uses", "POST", "/api/collections",
			map[string]any{"name": "c9", "fields": []any{map[string]any{"name": "t", "type": "text"}}, "indexes": []any{"CREATE INDEX `idx_tokenKey__pb_users_auth_` ON `users` (t)"}}, 400,
			map[string]any{"data.indexes.0.code": "validation_existing_index_name", "data.indexes.0.params.usedTableName": "users"}},
		{"identity field missing", "POST", "/api/collections",
			authBody(map[string]any{"passwordAuth": map[string]any{"identityFields": []any{"missing"}}}), 400,
			map[string]any{"data.passwordAuth.identityFields.code": "validation_missing_field", "data.passwordAuth.identityFields.params.fieldName": "missing"}},
		{"view over a missing table", "POST", "/api/collections",
			map[string]any{"name": "c8", "type": "view", "viewQuery": "SELECT id FROM missing_table"}, 400,
			map[string]any{"data.viewQuery.code": "validation_invalid_view_query", "data.fields.code": "validation_required"}},
		{"identity field without a unique index", "POST", "/api/collections",
			authBody(map[string]any{"fields": []any{map[string]any{"name": "t", "type": "text"}}, "passwordAuth": map[string]any{"identityFields": []any{"t"}}}), 400,
			map[string]any{"data.passwordAuth.identityFields.code": "validation_missing_unique_constraint", "data.passwordAuth.identityFields.params.fieldName": "t"}},
		{"null keeps a number option", "POST", "/api/collections",
			authBody(map[string]any{"name": "compat_null", "otp": map[string]any{"duration": nil}, "authToken": map[string]any{"duration": nil}}), 200,
			map[string]any{"otp.duration": 180.0, "authToken.duration": 604800.0}},
		{"mapped oauth2 field naming no field is cleared", "POST", "/api/collections",
			authBody(map[string]any{"name": "compat_mapped", "oauth2": map[string]any{"mappedFields": map[string]any{"name": "missing"}}}), 200,
			map[string]any{"oauth2.mappedFields.name": ""}},
		{"type that is no string", "PATCH", "/api/collections/users", map[string]any{"type": 5}, 400,
			map[string]any{"message": "Failed to load the submitted data due to invalid formatting."}},
		{"smtp host checked while disabled", "PATCH", "/api/settings",
			map[string]any{"smtp": map[string]any{"host": "not a host!"}}, 400,
			map[string]any{"data.smtp.host.code": "validation_is_host"}},
		{"rate limit rule zeros and empty label", "PATCH", "/api/settings",
			map[string]any{"rateLimits": map[string]any{"rules": []any{map[string]any{"label": "", "duration": 0, "maxRequests": 0}}}}, 400,
			map[string]any{"data.rateLimits.rules.0.label.code": "validation_required", "data.rateLimits.rules.0.duration.code": "validation_required", "data.rateLimits.rules.0.maxRequests.code": "validation_required"}},
		{"null keeps a settings text", "PATCH", "/api/settings",
			map[string]any{"meta": map[string]any{"appName": nil}}, 200,
			map[string]any{"meta.appName": "Acme"}},
		{"editor maxSize beyond 2^53-1", "POST", "/api/collections",
			map[string]any{"name": "c10", "fields": []any{map[string]any{"name": "e", "type": "editor", "maxSize": 9007199254740992}}}, 400,
			map[string]any{"data.fields.1.maxSize.code": "validation_max_less_equal_than_required", "data.fields.1.maxSize.params.threshold": 9007199254740991.0}},
		{"empty name reports the name only", "POST", "/api/collections",
			map[string]any{"name": "", "fields": []any{map[string]any{"name": "t", "type": "text"}}}, 400,
			map[string]any{"data.name.code": "validation_required", "data.id": nil}},
		{"null rate limit rules are an empty list", "PATCH", "/api/settings",
			map[string]any{"rateLimits": map[string]any{"rules": nil}}, 200,
			map[string]any{"rateLimits.rules": []any{}}},
		{"s3 test filesystem that is no string", "POST", "/api/settings/test/s3",
			map[string]any{"filesystem": 5}, 400,
			map[string]any{"message": "An error occurred while loading the submitted data.", "data": map[string]any{}}},
		{"apple team id length params", "POST", "/api/settings/apple/generate-client-secret",
			map[string]any{"clientId": "c", "teamId": "short", "keyId": "ABCDEFGHIJ", "privateKey": "x", "duration": 3600}, 400,
			map[string]any{"data.teamId.code": "validation_length_invalid", "data.teamId.params.max": 10.0}},
		{"collection id too long", "POST", "/api/collections",
			map[string]any{"name": "c11", "id": long101}, 400,
			map[string]any{"data.id.code": "validation_length_out_of_range"}},
		{"thumb 0x0 and a malformed thumb", "POST", "/api/collections",
			map[string]any{"name": "c12", "fields": []any{map[string]any{"name": "f", "type": "file", "thumbs": []any{"0x0", "bad"}}}}, 400,
			map[string]any{"data.fields.1.thumbs.0.code": "validation_not_in_invalid", "data.fields.1.thumbs.1.code": "validation_match_invalid"}},
		{"s3 endpoint checked while disabled", "PATCH", "/api/settings",
			map[string]any{"s3": map[string]any{"endpoint": "not a url"}}, 400,
			map[string]any{"data.s3.endpoint.code": "validation_is_url"}},
		{"apple key that is no PEM", "POST", "/api/settings/apple/generate-client-secret",
			map[string]any{"clientId": "c", "teamId": "ABCDEFGHIJ", "keyId": "ABCDEFGHIJ", "privateKey": "x", "duration": 3600}, 400,
			map[string]any{"data.privateKey.code": "validation_match_invalid"}},
		{"apple duration below one", "POST", "/api/settings/apple/generate-client-secret",
			map[string]any{"clientId": "c", "teamId": "ABCDEFGHIJ", "keyId": "ABCDEFGHIJ", "privateKey": "x", "duration": -1}, 400,
			map[string]any{"data.duration.code": "validation_min_greater_equal_than_required", "data.duration.params.threshold": 1.0}},
		{"system flag on create is kept", "POST", "/api/collections",
			map[string]any{"name": "compat_sys", "system": true}, 200,
			map[string]any{"system": true}},
		{"system flag change", "PATCH", "/api/collections/users",
			map[string]any{"system": true}, 400,
			map[string]any{"data.system.code": "validation_collection_system_flag_change"}},
		{"duplicated field name params", "POST", "/api/collections",
			map[string]any{"name": "c13", "fields": []any{map[string]any{"name": "t", "type": "text"}, map[string]any{"name": "T", "type": "text"}}}, 400,
			map[string]any{"data.fields.2.name.code": "validation_duplicated_field_name", "data.fields.2.name.params.fieldName": "T"}},
		{"view without a query", "POST", "/api/collections",
			map[string]any{"name": "c14", "type": "view", "viewQuery": ""}, 400,
			map[string]any{"data.viewQuery.code": "validation_required", "data.fields.code": "validation_required"}},
		{"malformed rate limit label", "PATCH", "/api/settings",
			map[string]any{"rateLimits": map[string]any{"rules": []any{map[string]any{"label": "bad label!", "duration": 1, "maxRequests": 1}}}}, 400,
			map[string]any{"data.rateLimits.rules.0.label.code": "validation_match_invalid"}},
		{"conflicting rate limit rules", "PATCH", "/api/settings",
			map[string]any{"rateLimits": map[string]any{"rules": []any{
				map[string]any{"label": "/api/", "duration": 1, "maxRequests": 100000}, map[string]any{"label": "/api/", "duration": 2, "maxRequests": 100000}}}}, 400,
			map[string]any{"data.rateLimits.rules.1.label.code": "validation_conflicting_rate_limit_rule", "data.rateLimits.rules.1.label.params.label": "/api/"}},
		{"batch timeout negative while disabled", "PATCH", "/api/settings",
			map[string]any{"batch": map[string]any{"timeout": -1}}, 400,
			map[string]any{"data.batch.timeout.code": "validation_min_greater_equal_than_required", "data.batch.timeout.params.threshold": 0.0}},
		{"batch timeout negative while enabled", "PATCH", "/api/settings",
			map[string]any{"batch": map[string]any{"enabled": true, "timeout": -1}}, 400,
			map[string]any{"data.batch.timeout.code": "validation_min_greater_equal_than_required"}},
		{"backups cronMaxKeep negative", "PATCH", "/api/settings",
			map[string]any{"backups": map[string]any{"cronMaxKeep": -1}}, 400,
			map[string]any{"data.backups.cronMaxKeep.code": "validation_min_greater_equal_than_required", "data.backups.cronMaxKeep.params.threshold": 1.0}},
		{"smtp port negative", "PATCH", "/api/settings",
			map[string]any{"smtp": map[string]any{"port": -1}}, 400,
			map[string]any{"data.smtp.port.code": "validation_min_greater_equal_than_required", "data.smtp.port.params.threshold": 0.0}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, settingsBefore := s.Do("GET", "/api/settings", su, nil)
			st, b := s.Do(tc.method, tc.path, su, tc.body)
			if st != tc.status {
				t.Fatalf("status = %d, want %d: %s", st, tc.status, toJSON(b))
			}
			for p, want := range tc.want {
				if got := atPath(b, p); toJSON(got) != toJSON(want) {
					t.Errorf("%s = %s, want %s in %s", p, toJSON(got), toJSON(want), toJSON(b))
				}
			}
			if st >= 400 {
				_, settingsAfter := s.Do("GET", "/api/settings", su, nil)
				if toJSON(settingsBefore) != toJSON(settingsAfter) {
					t.Fatalf("settings changed:\n%s\n%s", toJSON(settingsBefore), toJSON(settingsAfter))
				}
				if name, ok := atPath(tc.body, "name").(string); ok && name != "" {
					if st, _ := s.Do("GET", "/api/collections/"+name, su, nil); st != 404 {
						t.Fatalf("refused collection %s exists (%d)", name, st)
					}
				}
			}
		})
	}

	t.Run("create with an existing collection id", func(t *testing.T) {
		_, users := s.Do("GET", "/api/collections/users", su, nil)
		st, b := s.Do("POST", "/api/collections", su, map[string]any{"name": "compat_dupid", "id": users["id"]})
		if st != 400 || atPath(b, "data.id.code") != "validation_invalid_or_existing_id" {
			t.Fatalf("got %d %s, want 400 with data.id validation_invalid_or_existing_id", st, toJSON(b))
		}
		if _, after := s.Do("GET", "/api/collections/users", su, nil); toJSON(after) != toJSON(users) {
			t.Fatalf("users changed:\n%s\n%s", toJSON(users), toJSON(after))
		}
	})

	t.Run("collection id change", func(t *testing.T) {
		st, b := s.Do("PATCH", "/api/collections/users", su, map[string]any{"id": "custom_id_1"})
		if st != 400 || atPath(b, "data.id.code") != "validation_values_mismatch" {
			t.Fatalf("got %d %s, want 400 with data.id validation_values_mismatch", st, toJSON(b))
		}
		if st, _ := s.Do("GET", "/api/collections/custom_id_1", su, nil); st != 404 {
			t.Fatalf("a collection with the new id exists (%d)", st)
		}
	})

	// Record values and body modifiers.
	st, b := s.Do("POST", "/api/collections", su, map[string]any{"name": "compat_rec", "fields": []any{
		map[string]any{"name": "n", "type": "number", "onlyInt": true, "max": 10},
		map[string]any{"name": "p", "type": "password", "min": 8},
		map[string]any{"name": "d", "type": "date", "max": "2099-01-01 00:00:00.000Z"},
		map[string]any{"name": "e", "type": "editor", "required": true},
		map[string]any{"name": "u", "type": "url"},
		map[string]any{"name": "f", "type": "file"},
		map[string]any{"name": "b", "type": "bool"},
		map[string]any{"name": "g", "type": "geoPoint"},
	}})
	if st != 200 {
		t.Fatalf("create compat_rec: %d %s", st, toJSON(b))
	}
	records := []struct {
		name string
		body map[string]any
		want map[string]any
	}{
		{"onlyInt number beyond int64", map[string]any{"e": "x", "n": 1e300}, map[string]any{"data.n.code": "validation_only_int_constraint"}},
		{"number above max has no params", map[string]any{"e": "x", "n": 12}, map[string]any{"data.n.code": "validation_max_number_constraint", "data.n.params": nil}},
		{"any non-zero number is true", map[string]any{"e": "x", "b": 12}, map[string]any{"b": true}},
		{"object for a required password is blank", map[string]any{"e": "x", "p": map[string]any{}}, map[string]any{"data.p": nil}},
		{"geo coordinate that is no number is 0", map[string]any{"e": "x", "g": map[string]any{"lon": "1", "lat": 2}}, map[string]any{"g.lon": 0.0, "g.lat": 2.0}},
		{"password too short has no params", map[string]any{"e": "x", "p": 5}, map[string]any{"data.p.code": "validation_min_text_constraint", "data.p.params": nil}},
		{"date above max", map[string]any{"e": "x", "d": "2099-01-01 00:00:00.001Z"}, map[string]any{"data.d.code": "validation_max_less_equal_than_required", "data.d.params.threshold": "2099-01-01T00:00:00Z"}},
		{"object for a required editor is blank", map[string]any{"e": map[string]any{}}, map[string]any{"data.e.code": "validation_required"}},
		{"object for a url is blank", map[string]any{"e": "x", "u": map[string]any{}}, map[string]any{"data.u": nil}},
		{"object for a file is no file", map[string]any{"e": "x", "f": map[string]any{}}, map[string]any{"data.f": nil}},
	}
	for _, tc := range records {
		t.Run(tc.name, func(t *testing.T) {
			_, b := s.Do("POST", "/api/collections/compat_rec/records", su, tc.body)
			for p, want := range tc.want {
				if got := atPath(b, p); toJSON(got) != toJSON(want) {
					t.Errorf("%s = %s, want %s in %s", p, toJSON(got), toJSON(want), toJSON(b))
				}
			}
		})
	}
	t.Run("modifiers a field kind has no use for are ignored", func(t *testing.T) {
		st, rec := s.Do("POST", "/api/collections/compat_rec/records", su, map[string]any{"e": "x", "n": 3})
		if st != 200 {
			t.Fatalf("create: %d %s", st, toJSON(rec))
		}
		st, b := s.Do("PATCH", "/api/collections/compat_rec/records/"+rec["id"].(string), su, map[string]any{"+n": 1, "e+": "y", "n+": 2})
		if st != 200 || b["n"] != 5.0 || b["e"] != "x" {
			t.Fatalf("got %d %s, want 200 with n=5 and e unchanged", st, toJSON(b))
		}
	})

	t.Run("a json field compares by its JSON value", func(t *testing.T) {
		if st, b := s.Do("POST", "/api/collections", su, map[string]any{"name": "compat_json", "fields": []any{
			map[string]any{"name": "data", "type": "json"}, map[string]any{"name": "k", "type": "text"}}}); st != 200 {
			t.Fatalf("create: %d %s", st, toJSON(b))
		}
		for i, v := range []any{"x", map[string]any{"a": 1}, 5, nil} {
			if st, b := s.Do("POST", "/api/collections/compat_json/records", su, map[string]any{"data": v, "k": fmt.Sprint(i)}); st != 200 {
				t.Fatalf("record: %d %s", st, toJSON(b))
			}
		}
		for filter, want := range map[string]string{"data = 'x'": "0", "data = 5": "2", "data != 'x'": "1,2,3", "data ?= 'x'": "0"} {
			_, b := s.Do("GET", "/api/collections/compat_json/records?sort=k&filter="+url.QueryEscape(filter), su, nil)
			var got []string
			for _, it := range b["items"].([]any) {
				got = append(got, it.(map[string]any)["k"].(string))
			}
			if strings.Join(got, ",") != want {
				t.Errorf("%s: got %v, want %s", filter, got, want)
			}
		}
	})

	t.Run("a view expression over empty text is the empty string", func(t *testing.T) {
		if st, b := s.Do("POST", "/api/collections", su, map[string]any{"name": "compat_vsrc", "fields": []any{map[string]any{"name": "title", "type": "text"}}}); st != 200 {
			t.Fatalf("create: %d %s", st, toJSON(b))
		}
		if st, b := s.Do("POST", "/api/collections/compat_vsrc/records", su, map[string]any{"title": ""}); st != 200 {
			t.Fatalf("record: %d %s", st, toJSON(b))
		}
		if st, b := s.Do("POST", "/api/collections", su, map[string]any{"name": "compat_view", "type": "view", "viewQuery": "SELECT id, upper(title) AS up FROM compat_vsrc"}); st != 200 {
			t.Fatalf("view: %d %s", st, toJSON(b))
		}
		_, b := s.Do("GET", "/api/collections/compat_view/records", su, nil)
		items, _ := b["items"].([]any)
		if len(items) != 1 || atPath(items[0], "up") != "" {
			t.Fatalf("got %s, want one item with up \"\"", toJSON(b))
		}
	})

	t.Run("a bool literal is a value, not a truth test", func(t *testing.T) {
		if st, b := s.Do("POST", "/api/collections", su, map[string]any{"name": "compat_num", "fields": []any{
			map[string]any{"name": "n", "type": "number"}, map[string]any{"name": "k", "type": "text"}}}); st != 200 {
			t.Fatalf("create: %d %s", st, toJSON(b))
		}
		for i, v := range []any{3, -1.5, 0, 1} {
			if st, b := s.Do("POST", "/api/collections/compat_num/records", su, map[string]any{"n": v, "k": fmt.Sprint(i)}); st != 200 {
				t.Fatalf("record: %d %s", st, toJSON(b))
			}
		}
		for filter, want := range map[string]string{"n != true": "0,1,2", "n = true": "3", "n ?!= true": "0,1,2", "n != false": "0,1,3", "n ~ false": "2", "n ~ true": "1,3"} {
			_, b := s.Do("GET", "/api/collections/compat_num/records?sort=k&filter="+url.QueryEscape(filter), su, nil)
			var got []string
			for _, it := range b["items"].([]any) {
				got = append(got, it.(map[string]any)["k"].(string))
			}
			if strings.Join(got, ",") != want {
				t.Errorf("%s: got %v, want %s", filter, got, want)
			}
		}
	})

	// OAuth2 providers are checked only while OAuth2 is on, as in
	// PocketBase: a disabled, half-filled config is kept.
	t.Run("disabled oauth2 keeps an incomplete provider", func(t *testing.T) {
		st, b := s.Do("POST", "/api/collections", su, authBody(map[string]any{"name": "compat_auth_off",
			"oauth2": map[string]any{"enabled": false, "providers": []any{map[string]any{"name": "github"}}}}))
		if st != 200 {
			t.Fatalf("status = %d: %s", st, toJSON(b))
		}
		if got := atPath(b, "oauth2.providers"); toJSON(got) == "[]" || got == nil {
			t.Fatalf("providers dropped: %s", toJSON(b))
		}
	})
}
