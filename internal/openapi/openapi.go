// Package openapi describes a Basalt server's live schema as an OpenAPI
// 3.1 document: every collection's record endpoints with its fields as
// typed schemas, the auth flows of auth collections, the global
// endpoints (health, realtime, batch, files) and, for superusers, the
// admin endpoints. The document is plain data built from
// []*core.Collection; internal/api caches and serves it and the CLI
// prints it.
package openapi

import (
	"encoding/json"
	"sort"

	"github.com/basalthq/basalt/core"
)

// obj is a JSON object of the document. encoding/json writes map keys
// sorted, so the output is deterministic (golden files stay stable).
type obj = map[string]any

// Options says who the document is for.
type Options struct {
	// Version is written as info.version (default "dev").
	Version string
	// Superuser selects the full document: every collection (system ones
	// too), every operation including superuser-only ones, each rule's
	// text, hidden fields and the admin endpoints. Without it the
	// document holds only what a non-superuser can reach: collections and
	// operations whose rule is not null, no rule text, no hidden fields
	// (SECURITY.md, "The OpenAPI document").
	Superuser bool
}

// Generate builds the document for cols and marshals it as JSON.
func Generate(cols []*core.Collection, opts Options) ([]byte, error) {
	return json.MarshalIndent(Build(cols, opts), "", "  ")
}

// Build returns the document as nested maps and slices.
func Build(cols []*core.Collection, opts Options) map[string]any {
	if opts.Version == "" {
		opts.Version = "dev"
	}
	g := &gen{opts: opts, byId: map[string]*core.Collection{}, paths: obj{}, schemas: obj{}, tags: []any{}}
	sorted := append([]*core.Collection(nil), cols...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Name < sorted[j].Name })
	for _, c := range sorted {
		if g.included(c) {
			g.byId[c.Id] = c
		}
	}
	g.commonSchemas()
	for _, c := range sorted {
		if g.byId[c.Id] != nil {
			g.collection(c)
		}
	}
	g.globalPaths()
	if opts.Superuser {
		g.adminPaths()
	}
	audience := "Non-superuser view: collections and operations a non-superuser can reach, without rule text or hidden fields. Superusers get the full document."
	if opts.Superuser {
		audience = "Superuser view: every collection and operation, with each rule's text and hidden fields."
	}
	return obj{
		"openapi":           "3.1.0",
		"jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
		"info": obj{
			"title":       "Basalt API",
			"version":     opts.Version,
			"description": "The PocketBase-compatible REST API of this server, generated from its live collections. " + audience + "\n\n" + filterGrammar,
		},
		"servers": []any{obj{"url": "/", "description": "this server"}},
		"security": []any{
			obj{},                      // guests: the rule decides
			obj{"bearerAuth": []any{}}, // an auth record or a superuser
		},
		"tags":  g.tags,
		"paths": g.paths,
		"components": obj{
			"schemas":    g.schemas,
			"parameters": queryParameters(),
			"responses":  errorResponses(),
			"securitySchemes": obj{
				"bearerAuth": obj{
					"type":         "http",
					"scheme":       "bearer",
					"bearerFormat": "JWT",
					"description":  "The token of an auth-with-* or auth-refresh response, in the Authorization header (the \"Bearer \" prefix is optional, as with PocketBase). A superuser's token passes every rule.",
				},
			},
		},
	}
}

// gen accumulates the document.
type gen struct {
	opts    Options
	byId    map[string]*core.Collection // the collections in the document
	paths   obj
	schemas obj
	tags    []any
}

// included reports whether c appears in the document: always for
// superusers; for others only when one of its five rules is not null
// (a collection whose rules are all null is superuser-only, and its very
// shape is not public).
func (g *gen) included(c *core.Collection) bool {
	if g.opts.Superuser {
		return true
	}
	for _, r := range []*string{c.ListRule, c.ViewRule, c.CreateRule, c.UpdateRule, c.DeleteRule} {
		if r != nil {
			return true
		}
	}
	return false
}

// ruleDoc describes the rule in force for one operation. The text is in
// the description for superusers and also in the x-basalt-rule extension
// (the dashboard's API preview reads it from there).
func (g *gen) ruleDoc(ruleName string, rule *string) (string, obj) {
	ext := obj{"name": ruleName}
	switch {
	case rule == nil:
		ext["value"] = nil
		return "**Superusers only** (the " + ruleName + " is null).", ext
	case *rule == "":
		ext["value"] = ""
		return "Open to everyone (the " + ruleName + " is empty).", ext
	case g.opts.Superuser:
		ext["value"] = *rule
		return "Allowed when the " + ruleName + " matches (superusers always pass): `" + *rule + "`", ext
	default:
		return "Allowed when the collection's " + ruleName + " matches (its text is shown to superusers only).", ext
	}
}

// ref is a $ref to a component schema.
func ref(name string) obj { return obj{"$ref": "#/components/schemas/" + name} }

func paramRef(name string) obj { return obj{"$ref": "#/components/parameters/" + name} }

func respRef(name string) obj { return obj{"$ref": "#/components/responses/" + name} }

// jsonBody is a JSON request body or response content.
func jsonContent(schema obj) obj { return obj{"application/json": obj{"schema": schema}} }

func okJSON(desc string, schema obj) obj {
	return obj{"description": desc, "content": jsonContent(schema)}
}

var noContent = obj{"description": "Done (no content)."}

// commonSchemas adds the shapes every part of the document uses.
func (g *gen) commonSchemas() {
	g.schemas["Error"] = obj{
		"type":        "object",
		"description": "PocketBase's error shape: data maps a body field to its validation error (empty when the error is not about one field).",
		"required":    []any{"status", "message", "data"},
		"properties": obj{
			"status":  obj{"type": "integer", "examples": []any{400}},
			"message": obj{"type": "string", "examples": []any{"Failed to create record."}},
			"data": obj{
				"type": "object",
				"additionalProperties": obj{
					"type":       "object",
					"required":   []any{"code", "message"},
					"properties": obj{"code": obj{"type": "string", "examples": []any{"validation_required"}}, "message": obj{"type": "string"}},
				},
			},
		},
	}
	g.schemas["DateTime"] = obj{
		"type":        "string",
		"description": "A UTC timestamp as PocketBase writes it, \"YYYY-MM-DD HH:MM:SS.sssZ\", or \"\" when unset.",
		"examples":    []any{"2024-01-31 12:00:00.000Z"},
	}
	g.schemas["GeoPoint"] = obj{
		"type":       "object",
		"required":   []any{"lon", "lat"},
		"properties": obj{"lon": obj{"type": "number", "minimum": -180, "maximum": 180}, "lat": obj{"type": "number", "minimum": -90, "maximum": 90}},
	}
	g.schemas["OTPRequest"] = obj{"type": "object", "required": []any{"otpId"}, "properties": obj{"otpId": obj{"type": "string"}}}
	g.schemas["AuthMethods"] = obj{
		"type":        "object",
		"description": "The sign-in methods enabled for the collection.",
		"properties": obj{
			"password": obj{"type": "object", "properties": obj{"enabled": obj{"type": "boolean"}, "identityFields": obj{"type": "array", "items": obj{"type": "string"}}}},
			"oauth2": obj{"type": "object", "properties": obj{"enabled": obj{"type": "boolean"}, "providers": obj{"type": "array", "items": obj{
				"type":       "object",
				"properties": obj{"name": obj{"type": "string"}, "displayName": obj{"type": "string"}, "state": obj{"type": "string"}, "authURL": obj{"type": "string"}, "codeVerifier": obj{"type": "string"}, "codeChallenge": obj{"type": "string"}, "codeChallengeMethod": obj{"type": "string"}},
			}}}},
			"mfa": obj{"type": "object", "properties": obj{"enabled": obj{"type": "boolean"}, "duration": obj{"type": "integer"}}},
			"otp": obj{"type": "object", "properties": obj{"enabled": obj{"type": "boolean"}, "duration": obj{"type": "integer"}}},
		},
	}
	g.schemas["BatchRequest"] = obj{
		"type":     "object",
		"required": []any{"requests"},
		"properties": obj{"requests": obj{"type": "array", "items": obj{
			"type":     "object",
			"required": []any{"method", "url"},
			"properties": obj{
				"method":  obj{"type": "string", "enum": []any{"POST", "PUT", "PATCH", "DELETE"}},
				"url":     obj{"type": "string", "description": "A record create, update, upsert (PUT) or delete URL, e.g. /api/collections/posts/records."},
				"headers": obj{"type": "object", "additionalProperties": obj{"type": "string"}},
				"body":    obj{"type": "object"},
			},
		}}},
	}
	g.schemas["BatchResponse"] = obj{"type": "array", "items": obj{
		"type":       "object",
		"required":   []any{"status", "body"},
		"properties": obj{"status": obj{"type": "integer"}, "body": obj{}},
	}}
}

// queryParameters are the list and view query parameters (spec §1.0).
func queryParameters() obj {
	q := func(name, desc string, schema obj) obj {
		return obj{"name": name, "in": "query", "required": false, "description": desc, "schema": schema}
	}
	return obj{
		"page":      q("page", "The page to return (1-based).", obj{"type": "integer", "minimum": 1, "default": 1}),
		"perPage":   q("perPage", "Records per page (at most 1000).", obj{"type": "integer", "minimum": 1, "maximum": 1000, "default": 30}),
		"sort":      q("sort", "Comma-separated fields, each optionally prefixed with - (descending) or + (ascending); @random sorts randomly. Fields and relation paths as in filter.", obj{"type": "string", "examples": []any{"-created,title"}}),
		"filter":    q("filter", "A filter expression (grammar in info.description). Records the list rule rejects are left out whatever the filter says.", obj{"type": "string", "examples": []any{"title ~ 'abc' && created > '2024-01-01'"}}),
		"expand":    q("expand", "Comma-separated relation fields to expand into the record's expand object, nested with dots (author.team) up to 6 levels; back-relations as collection_via_field. Each expanded record must pass its collection's view rule.", obj{"type": "string", "examples": []any{"author,tags"}}),
		"fields":    q("fields", "Comma-separated keys to keep in the response (* for all at a level, expand.author.name for nested, field:excerpt(200,true) to shorten text).", obj{"type": "string", "examples": []any{"id,title,expand.author.name"}}),
		"skipTotal": q("skipTotal", "Skip counting: totalItems and totalPages are -1 and the list is faster.", obj{"type": "boolean", "default": false}),
	}
}

// errorResponses are the error answers, each in PocketBase's shape.
func errorResponses() obj {
	e := func(desc string) obj { return okJSON(desc, ref("Error")) }
	return obj{
		"BadRequest":   e("The request is invalid (data says which field and why)."),
		"Unauthorized": e("A valid auth token is required."),
		"Forbidden":    e("The caller is not allowed to do this (a rule, or superusers only)."),
		"NotFound":     e("Not found, or the caller may not see it."),
		"TooLarge":     e("The request body is too large."),
		"TooMany":      e("Too many requests (rate limit)."),
	}
}

// filterGrammar describes the filter and rule language once.
const filterGrammar = "## Filter grammar\n\n" +
	"`filter` (and every rule) is an expression over the collection's fields:\n\n" +
	"```\n" +
	"expr     := term (('&&' | '||') term)*\n" +
	"term     := '(' expr ')' | operand op operand\n" +
	"op       := '=' | '!=' | '>' | '>=' | '<' | '<=' | '~' (contains/like) | '!~'\n" +
	"          | '?=' | '?!=' | '?>' | '?>=' | '?<' | '?<=' | '?~' | '?!~'   (any element of a multi-valued side)\n" +
	"operand  := field path  (title, author.name, comments_via_post.text; modifiers :isset :length :each :lower)\n" +
	"          | @request.auth.<field> | @request.query.<key> | @request.headers.<key> | @request.body.<field> | @request.method | @request.context\n" +
	"          | @collection.<name>[:alias].<field>\n" +
	"          | @now | @today{Start,End} | @month{Start,End} | @year{Start,End} | @second | @minute | @hour | @weekday | @day | @month | @year | @yesterday | @tomorrow\n" +
	"          | 'text' | \"text\" | number | true | false | null | {:param}\n" +
	"          | geoDistance(lonA, latA, lonB, latB) | strftime (format, time, ...)\n" +
	"```\n\n" +
	"`//` starts a comment. Values are always bound as SQL parameters. A relation path applies the related collection's list rule for non-superusers."
