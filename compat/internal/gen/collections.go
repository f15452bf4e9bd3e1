package gen

import (
	"fmt"
	"hash/crc32"
	"strings"
)

// Collection options: for each option of base and auth collections, a
// value from its valid, boundary or invalid set is sent on create and on
// update, and the collection is read back.

var ruleValues = valueSet{
	valid:    []any{"", "id != ''", nil, "@request.auth.id != ''"},
	boundary: []any{"id = @request.auth.id || @request.auth.collectionName = '_superusers'"},
	invalid:  []any{"nope ((", "missing_field = 1", 5, true, []any{"x"}},
}

var collectionOptions = map[string]valueSet{
	"name": {
		valid:    []any{"okname"},
		boundary: []any{"x", long256[:255]},
		invalid:  []any{"", "bad name", long256, nil, 5, "a_via_b", "users", "_superusers", "expand"},
	},
	"id": {
		valid:    []any{"custom_id_1"},
		boundary: []any{long101[:100]},
		invalid:  []any{"bad id", long101, 5, ""},
	},
	"type": {
		valid:   []any{"base"},
		invalid: []any{"nope", 5, nil, "", "BASE"},
	},
	"listRule":   ruleValues,
	"viewRule":   ruleValues,
	"createRule": ruleValues,
	"updateRule": ruleValues,
	"deleteRule": ruleValues,
	"system": {
		valid:   []any{false},
		invalid: []any{true, "x"},
	},
	"indexes": {
		valid:    []any{[]any{"CREATE INDEX idx_@N_t ON @N (t)"}, []any{}},
		boundary: []any{[]any{"CREATE UNIQUE INDEX idx_@N_u ON @N (t) WHERE t != ''"}},
		invalid:  []any{[]any{"not sql"}, "x", []any{5}, []any{"CREATE INDEX idx_@N_m ON @N (missing)"}, []any{"DROP TABLE users"}, nil},
	},
	"fields": {
		valid:   []any{[]any{map[string]any{"name": "t", "type": "text"}}},
		invalid: []any{"x", 5, []any{5}, []any{map[string]any{"name": "t"}}, []any{map[string]any{"name": "t", "type": "nope"}}, []any{map[string]any{"name": "t", "type": "text"}, map[string]any{"name": "T", "type": "text"}}},
	},
}

var authOptions = map[string]valueSet{
	"authRule":                    ruleValues,
	"manageRule":                  ruleValues,
	"passwordAuth.enabled":        {valid: []any{true, false}, invalid: []any{"x", 5}},
	"passwordAuth.identityFields": {valid: []any{[]any{"email"}}, boundary: []any{[]any{}}, invalid: []any{[]any{"missing"}, []any{"t"}, "email", []any{5}, nil}},
	"otp.enabled":                 {valid: []any{true, false}, invalid: []any{"x"}},
	"otp.duration":                {valid: []any{180}, boundary: []any{10, 86400, 9, 86401, 0}, invalid: []any{-1, "x", 1.5, nil}},
	"otp.length":                  {valid: []any{8}, boundary: []any{4, 3, 0}, invalid: []any{-1, "x"}},
	"mfa.enabled":                 {valid: []any{false}, boundary: []any{true}, invalid: []any{"x"}},
	"mfa.duration":                {valid: []any{1800}, boundary: []any{10, 86400, 9, 86401}, invalid: []any{-5, "x"}},
	"mfa.rule":                    ruleValues,
	"authToken.duration":          {valid: []any{604800}, boundary: []any{10, 9, 94670856, 94670857}, invalid: []any{-1, "x", nil}},
	"authToken.secret":            {valid: []any{long256[:40]}, boundary: []any{long256[:30], long256[:29], long256[:255]}, invalid: []any{long256, 5, ""}},
	"passwordResetToken.duration": {valid: []any{1800}, boundary: []any{10, 9}, invalid: []any{"x"}},
	"emailChangeToken.duration":   {valid: []any{1800}, boundary: []any{9}, invalid: []any{nil}},
	"verificationToken.duration":  {valid: []any{259200}, boundary: []any{94670857}, invalid: []any{-1}},
	"fileToken.duration":          {valid: []any{180}, boundary: []any{10, 9}, invalid: []any{"x"}},
	"oauth2.enabled":              {valid: []any{false, true}, invalid: []any{"x"}},
	"oauth2.providers": {
		valid:    []any{[]any{map[string]any{"name": "google", "clientId": "cid", "clientSecret": "csecret"}}, []any{}},
		boundary: []any{[]any{map[string]any{"name": "google", "clientId": "cid", "clientSecret": "cs"}, map[string]any{"name": "google", "clientId": "cid", "clientSecret": "cs"}}},
		invalid: []any{[]any{map[string]any{"name": "nope", "clientId": "cid", "clientSecret": "cs"}}, []any{map[string]any{"name": "github"}},
			[]any{map[string]any{"name": "oidc", "clientId": "c", "clientSecret": "s", "authURL": "not a url"}}, "x", []any{5}},
	},
	"oauth2.mappedFields":             {valid: []any{map[string]any{"name": "t"}}, invalid: []any{map[string]any{"name": "missing"}, "x"}},
	"authAlert.enabled":               {valid: []any{true, false}, invalid: []any{"x"}},
	"authAlert.emailTemplate.subject": {valid: []any{"Hi"}, invalid: []any{"", nil, 5}},
	"verificationTemplate.body":       {valid: []any{"<p>{TOKEN}</p>"}, invalid: []any{"", 5}},
	"resetPasswordTemplate.subject":   {valid: []any{"Reset"}, invalid: []any{""}},
	"confirmEmailChangeTemplate.body": {valid: []any{"x"}, invalid: []any{""}},
	"otp.emailTemplate.body":          {valid: []any{"{OTP}"}, invalid: []any{""}},
}

func collectionMakers() []Maker {
	var ms []Maker
	for opt, vs := range collectionOptions {
		ms = append(ms, Maker{Name: "collection option " + opt, Make: func(g *Generator) {
			v := pick(g, vs.all())
			g.collectionOption("base", opt, v)
		}})
	}
	for opt, vs := range authOptions {
		ms = append(ms, Maker{Name: "auth option " + opt, Make: func(g *Generator) {
			v := pick(g, vs.all())
			g.collectionOption("auth", opt, v)
		}})
	}
	ms = append(ms, Maker{Name: "collection scaffolds", Make: func(g *Generator) {
		g.add(Step{Name: "scaffolds", Method: "GET", Path: "/api/collections/meta/scaffolds",
			Random: []string{`^\$\.\w+\.indexes\.\d+$`}})
	}})
	ms = append(ms, Maker{Name: "collection type change", Make: func(g *Generator) {
		n := g.name("tc")
		g.add(Step{Name: "create base", Method: "POST", Path: "/api/collections", Body: map[string]any{"name": n, "type": "base"}, Save: n})
		g.add(Step{Name: "change type", Method: "PATCH", Path: "/api/collections/" + n, Body: map[string]any{"type": pick(g, []any{"auth", "view", "nope"})}})
		g.add(Step{Name: "read back", Method: "GET", Path: "/api/collections/" + n})
	}})
	ms = append(ms, Maker{Name: "collection field type change", Make: func(g *Generator) {
		n := g.name("ftc")
		g.add(Step{Name: "create", Method: "POST", Path: "/api/collections", Save: n,
			Body: map[string]any{"name": n, "type": "base", "fields": []any{map[string]any{"name": "f", "type": "text"}}}})
		to := pick(g, fieldKinds)
		g.add(Step{Name: "change field type to " + to, Method: "PATCH", Path: "/api/collections/" + n,
			Body: map[string]any{"fields": []any{map[string]any{"id": "text3208210256", "name": "id", "type": "text", "primaryKey": true, "required": true, "system": true, "pattern": "^[a-z0-9]+$", "min": 15, "max": 15, "autogeneratePattern": "[a-z0-9]{15}"}, fieldWith(to, "f", nil)}}})
		g.add(Step{Name: "read back", Method: "GET", Path: "/api/collections/" + n})
	}})
	ms = append(ms, Maker{Name: "collection index on renamed column", Make: func(g *Generator) {
		n := g.name("ir")
		g.add(Step{Name: "create", Method: "POST", Path: "/api/collections", Save: n,
			Body: map[string]any{"name": n, "type": "base", "fields": []any{map[string]any{"name": "a", "type": "text"}},
				"indexes": []any{"CREATE INDEX idx_" + n + "_a ON " + n + " (a)"}}})
		// Rename the indexed field (same id), leaving the index text as is.
		g.add(Step{Name: "rename the indexed field", Method: "PATCH", Path: "/api/collections/" + n,
			Body: map[string]any{"fields": []any{idField(), map[string]any{"id": fmt.Sprintf("text%d", crc32.ChecksumIEEE([]byte("a"))), "name": "b", "type": "text"}}}})
		g.add(Step{Name: "read", Method: "GET", Path: "/api/collections/" + n})
	}})
	return ms
}

// collectionOption creates a collection with option opt = v, reads it
// back, then creates a plain one and updates opt = v, and reads it back.
func (g *Generator) collectionOption(typ, opt string, v any) {
	n := g.name(typ)
	body := map[string]any{"name": n, "type": typ, "fields": []any{map[string]any{"name": "t", "type": "text"}}}
	if typ == "auth" {
		body["indexes"] = []any{}
	}
	raw := v
	v = subst(raw, n)
	if opt == "name" || opt == "type" {
		body[opt] = v
	} else {
		setPath(body, opt, v)
	}
	g.add(Step{Name: "create with " + opt + "=" + label(v), Method: "POST", Path: "/api/collections", Body: body, Save: n})
	g.add(Step{Name: "read back", Method: "GET", Path: "/api/collections/" + n})
	m := n + "u"
	g.scope()
	g.add(Step{Name: "create plain", Method: "POST", Path: "/api/collections", Save: m,
		Body: map[string]any{"name": m, "type": typ, "fields": []any{map[string]any{"name": "t", "type": "text"}}}})
	upd := map[string]any{}
	setPath(upd, opt, subst(raw, m))
	g.add(Step{Name: "update " + opt + "=" + label(v), Method: "PATCH", Path: "/api/collections/" + m, Body: upd})
	g.add(Step{Name: "read back", Method: "GET", Path: "/api/collections/" + pick(g, []string{m, "{{" + m + "}}"})})
}

// subst replaces @N in strings of v with the collection name.
func subst(v any, name string) any {
	switch x := v.(type) {
	case string:
		return strings.ReplaceAll(x, "@N", name)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = subst(e, name)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = subst(e, name)
		}
		return out
	}
	return v
}
