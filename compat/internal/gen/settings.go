package gen

import "strings"

// Settings groups: each key of each group gets a valid, boundary or
// invalid value, the settings are read back, and the group is reset to
// its fresh-install value so later cases start from the same state (a
// rate limit left on would change every later answer).

var settingsKeys = map[string]valueSet{
	"meta.appName":               {valid: []any{"Compat"}, boundary: []any{long256[:255], "x"}, invalid: []any{"", long256, nil, 5}},
	"meta.appURL":                {valid: []any{"http://example.com"}, boundary: []any{"http://localhost:1"}, invalid: []any{"", "not a url", 5}},
	"meta.senderName":            {valid: []any{"Support"}, invalid: []any{"", long256, 5}},
	"meta.senderAddress":         {valid: []any{"support@example.com"}, invalid: []any{"", "nope", 5}},
	"meta.hideControls":          {valid: []any{true, false}, invalid: []any{"x"}},
	"logs.maxDays":               {valid: []any{5, 0}, boundary: []any{-1, 100000}, invalid: []any{"x", 1.5, nil}},
	"logs.minLevel":              {valid: []any{0, -4, 8}, invalid: []any{"x"}},
	"logs.logIP":                 {valid: []any{false}, invalid: []any{"x"}},
	"logs.logAuthId":             {valid: []any{true}, invalid: []any{5}},
	"smtp.enabled":               {valid: []any{false}, boundary: []any{true}, invalid: []any{"x"}},
	"smtp.host":                  {valid: []any{"smtp.example.com"}, invalid: []any{"not a host!", 5}},
	"smtp.port":                  {valid: []any{587}, boundary: []any{0, 65535, 65536}, invalid: []any{-1, "x"}},
	"smtp.authMethod":            {valid: []any{"", "PLAIN", "LOGIN"}, invalid: []any{"CRAM", 5}},
	"smtp.localName":             {valid: []any{"", "host.example"}, invalid: []any{"not a host!"}},
	"smtp.tls":                   {valid: []any{true}, invalid: []any{"x"}},
	"s3.enabled":                 {valid: []any{false}, boundary: []any{true}, invalid: []any{"x"}},
	"s3.endpoint":                {valid: []any{"https://s3.example.com"}, invalid: []any{"not a url", 5}},
	"s3.bucket":                  {valid: []any{"b"}, invalid: []any{5}},
	"s3.forcePathStyle":          {valid: []any{true}, invalid: []any{"x"}},
	"backups.cron":               {valid: []any{"", "0 0 1 1 *", "@yearly"}, invalid: []any{"nope", "* * *", "60 * * * *", 5}},
	"backups.cronMaxKeep":        {valid: []any{3}, boundary: []any{0, 1}, invalid: []any{-1, "x"}},
	"backups.s3.enabled":         {valid: []any{false}, boundary: []any{true}, invalid: []any{"x"}},
	"batch.enabled":              {valid: []any{true, false}, invalid: []any{"x"}},
	"batch.maxRequests":          {valid: []any{50}, boundary: []any{0, 1, -1}, invalid: []any{"x"}},
	"batch.timeout":              {valid: []any{3}, boundary: []any{0, -1}, invalid: []any{"x"}},
	"batch.maxBodySize":          {valid: []any{0, 1000}, boundary: []any{-1}, invalid: []any{"x"}},
	"trustedProxy.headers":       {valid: []any{[]any{"X-Forwarded-For"}, []any{}}, invalid: []any{"x", []any{5}}},
	"trustedProxy.useLeftmostIP": {valid: []any{true}, invalid: []any{"x"}},
	"rateLimits.enabled":         {valid: []any{false}, boundary: []any{true}, invalid: []any{"x"}},
	"rateLimits.rules": {
		valid: []any{[]any{map[string]any{"label": "/api/", "duration": 10, "maxRequests": 100000}}, []any{}},
		boundary: []any{[]any{map[string]any{"label": "*:auth", "audience": "@guest", "duration": 1, "maxRequests": 1000000}},
			[]any{map[string]any{"label": "GET /api/x", "duration": 1, "maxRequests": 1000000}, map[string]any{"label": "posts:list", "audience": "@auth", "duration": 1, "maxRequests": 1000000}}},
		invalid: []any{
			[]any{map[string]any{"label": "", "duration": 1, "maxRequests": 1}},
			[]any{map[string]any{"label": "bad label!", "duration": 1, "maxRequests": 1}},
			[]any{map[string]any{"label": "/api/", "duration": 0, "maxRequests": 0}},
			[]any{map[string]any{"label": "/api/", "audience": "@nope", "duration": 1, "maxRequests": 1}},
			[]any{map[string]any{"label": "/api/", "duration": 1, "maxRequests": 100000}, map[string]any{"label": "/api/", "duration": 2, "maxRequests": 100000}},
			[]any{map[string]any{"label": "PATCH", "duration": 1, "maxRequests": 1}},
			[]any{map[string]any{"label": "FOO /api/", "duration": 1, "maxRequests": 1}},
			"x", []any{5}, nil,
		},
	},
}

// settingsDefaults is the fresh-install value of every group (spec S1),
// sent to reset a group after a case.
var settingsDefaults = map[string]any{
	"meta":         map[string]any{"appName": "Acme", "appURL": "http://localhost:8090", "senderName": "Support", "senderAddress": "support@example.com", "hideControls": false},
	"logs":         map[string]any{"maxDays": 5, "minLevel": 0, "logIP": true, "logAuthId": false},
	"smtp":         map[string]any{"enabled": false, "port": 587, "host": "smtp.example.com", "username": "", "authMethod": "", "tls": false, "localName": ""},
	"s3":           map[string]any{"enabled": false, "bucket": "", "region": "", "endpoint": "", "accessKey": "", "forcePathStyle": false},
	"backups":      map[string]any{"cron": "", "cronMaxKeep": 3, "s3": map[string]any{"enabled": false, "bucket": "", "region": "", "endpoint": "", "accessKey": "", "forcePathStyle": false}},
	"batch":        map[string]any{"enabled": false, "maxRequests": 50, "timeout": 3, "maxBodySize": 0},
	"trustedProxy": map[string]any{"headers": []any{}, "useLeftmostIP": false},
	"rateLimits": map[string]any{"enabled": false, "rules": []any{
		map[string]any{"label": "*:auth", "audience": "", "duration": 3, "maxRequests": 2},
		map[string]any{"label": "*:create", "audience": "", "duration": 5, "maxRequests": 20},
		map[string]any{"label": "/api/batch", "audience": "", "duration": 1, "maxRequests": 3},
		map[string]any{"label": "/api/", "audience": "", "duration": 10, "maxRequests": 300},
	}},
}

// companions are keys sent together with a key so its check is reached
// (a host is only checked when SMTP is enabled, and so on).
var companions = map[string]map[string]any{
	"smtp.host":         {"smtp.enabled": true},
	"smtp.port":         {"smtp.enabled": true},
	"s3.endpoint":       {"s3.enabled": true, "s3.bucket": "b", "s3.region": "r", "s3.accessKey": "a", "s3.secret": "s"},
	"s3.bucket":         {"s3.enabled": true, "s3.endpoint": "https://s3.example.com", "s3.region": "r", "s3.accessKey": "a", "s3.secret": "s"},
	"batch.maxRequests": {"batch.enabled": true},
	"batch.timeout":     {"batch.enabled": true},
	"rateLimits.rules":  {"rateLimits.enabled": true},
}

func settingsMakers() []Maker {
	var ms []Maker
	for key, vs := range settingsKeys {
		ms = append(ms, Maker{Name: "settings " + key, Make: func(g *Generator) {
			group, _, _ := strings.Cut(key, ".")
			v := pick(g, vs.all())
			body := map[string]any{}
			if g.r.IntN(2) == 0 {
				for k, c := range companions[key] {
					setPath(body, k, c)
				}
			}
			setPath(body, key, v)
			g.add(Step{Name: "patch " + key + "=" + label(v), Method: "PATCH", Path: "/api/settings", Body: body})
			g.add(Step{Name: "read back", Method: "GET", Path: "/api/settings"})
			g.add(Step{Name: "reset " + group, Method: "PATCH", Path: "/api/settings", Body: map[string]any{group: settingsDefaults[group]}})
		}})
	}
	ms = append(ms, Maker{Name: "settings apple client secret", Make: func(g *Generator) {
		body := map[string]any{"clientId": "com.example", "teamId": "ABCDEFGHIJ", "keyId": "ABCDEFGHIJ", "privateKey": "-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----", "duration": 3600}
		key := pick(g, []string{"clientId", "teamId", "keyId", "privateKey", "duration"})
		v := pick(g, []any{"", nil, Missing, 5, "short", long256, 0, 15777001, -1, "x"})
		body[key] = v
		g.add(Step{Name: "generate with " + key + "=" + label(v), Method: "POST", Path: "/api/settings/apple/generate-client-secret", Body: body})
	}})
	ms = append(ms, Maker{Name: "settings test endpoints", Make: func(g *Generator) {
		b := pick(g, []any{map[string]any{"filesystem": "storage"}, map[string]any{"filesystem": "nope"}, map[string]any{}, map[string]any{"filesystem": 5}})
		g.add(Step{Name: "test s3 " + label(b), Method: "POST", Path: "/api/settings/test/s3", Body: b})
		e := pick(g, []any{map[string]any{"email": "nope", "template": "verification"}, map[string]any{"email": "a@example.com", "template": "nope"}, map[string]any{"email": "a@example.com", "template": "otp", "collection": "missing"}, map[string]any{}})
		g.add(Step{Name: "test email " + label(e), Method: "POST", Path: "/api/settings/test/email", Body: e})
	}})
	return ms
}
