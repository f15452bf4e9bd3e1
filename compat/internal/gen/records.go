package gen

import "fmt"

// Record values: one field of a kind with fixed options; records are
// created with valid, boundary and invalid values, read back, updated with
// another value and read back again.

// recordField is the field under test for each kind.
var recordField = map[string]map[string]any{
	"text":     {"min": 2, "max": 5, "pattern": "^[a-z]*$"},
	"editor":   {"maxSize": 20},
	"number":   {"min": 1, "max": 10, "onlyInt": true},
	"bool":     {},
	"email":    {"onlyDomains": []any{"example.com"}},
	"url":      {"exceptDomains": []any{"bad.example"}},
	"date":     {"min": "2001-01-01 00:00:00.000Z", "max": "2099-01-01 00:00:00.000Z"},
	"autodate": {"onCreate": true, "onUpdate": true},
	"select":   {"values": []any{"a", "b", "c"}, "maxSelect": 2},
	"file":     {"maxSelect": 2},
	"relation": {"collectionId": "{{rel}}", "maxSelect": 2},
	"json":     {"maxSize": 40},
	"password": {"min": 8},
	"geoPoint": {},
}

var wrongTypes = []any{nil, true, 12, 1.5, []any{}, map[string]any{}, Missing, ""}

var recordValues = map[string]valueSet{
	"text":     {valid: []any{"abc"}, boundary: []any{"ab", "abcde", "a", "abcdef"}, invalid: []any{"ABC", "ab c", 123, "日本語"}},
	"editor":   {valid: []any{"<p>x</p>"}, boundary: []any{"12345678901234567890", "123456789012345678901"}, invalid: []any{5}},
	"number":   {valid: []any{5}, boundary: []any{1, 10, 0, 11, -1}, invalid: []any{1.5, "7", "x", "1e3", 1e300}},
	"bool":     {valid: []any{true, false}, boundary: []any{"true", 1, "1", "t"}, invalid: []any{"yes", "TRUE"}},
	"email":    {valid: []any{"a@example.com"}, boundary: []any{"A@EXAMPLE.COM"}, invalid: []any{"a@other.com", "not-an-email", 5}},
	"url":      {valid: []any{"https://example.com/x"}, boundary: []any{"http://bad.example/x", "ftp://example.com"}, invalid: []any{"javascript:alert(1)", "not a url", 5, "//example.com"}},
	"date":     {valid: []any{"2024-05-06 10:20:30.000Z", "2024-05-06"}, boundary: []any{"2024-05-06T10:20:30+02:00", "2001-01-01 00:00:00.000Z", "2000-12-31 23:59:59.999Z", "2099-01-01 00:00:00.001Z"}, invalid: []any{"x", 5, "2024-13-01"}},
	"autodate": {valid: []any{"2001-01-01 00:00:00.000Z"}, invalid: []any{"x"}},
	"select":   {valid: []any{"a", []any{"a", "b"}}, boundary: []any{[]any{"a", "b", "c"}, []any{"a", "a"}}, invalid: []any{"z", []any{"z"}, 5}},
	"file":     {valid: []any{[]any{}}, invalid: []any{"x.txt", []any{"x.txt"}, 5}},
	"relation": {valid: []any{"{{relrec}}", []any{"{{relrec}}"}}, boundary: []any{[]any{"{{relrec}}", "{{relrec}}"}}, invalid: []any{"missingid123456", []any{"a", "b", "c"}, 5}},
	"json":     {valid: []any{map[string]any{"a": 1}, []any{1, 2}, "text", "[1,2]", "null", "true"}, boundary: []any{"0123456789012345678901234567890123456"}, invalid: []any{"012345678901234567890123456789012345678901"}},
	"password": {valid: []any{"longenough1"}, boundary: []any{"12345678", "1234567"}, invalid: []any{5}},
	"geoPoint": {valid: []any{map[string]any{"lon": 1, "lat": 2}}, boundary: []any{map[string]any{"lon": 180, "lat": -90}, map[string]any{"lon": 180.5, "lat": 0}, map[string]any{"lon": 0, "lat": 91}}, invalid: []any{"x", `{"lon":1,"lat":2}`, map[string]any{"lon": "1"}, 5}},
}

func recordMakers() []Maker {
	var ms []Maker
	for _, kind := range fieldKinds {
		vs := recordValues[kind]
		ms = append(ms, Maker{Name: "record value " + kind, Make: func(g *Generator) {
			all := append(vs.all(), wrongTypes...)
			g.recordValues(kind, pick(g, []bool{false, true}), pick(g, all), pick(g, all))
		}})
	}
	return ms
}

func (g *Generator) relRecord() {
	g.add(Step{Name: "relation target record", Method: "POST", Path: "/api/collections/reltarget/records", Save: "relrec",
		Body: map[string]any{"name": "target"}})
}

func (g *Generator) recordValues(kind string, required bool, v1, v2 any) {
	n := g.name("rv_" + kind)
	opts := map[string]any{"required": required}
	for k, v := range recordField[kind] {
		opts[k] = v
	}
	g.add(Step{Name: fmt.Sprintf("create collection with a %s field (required=%v)", kind, required), Method: "POST", Path: "/api/collections", Save: n,
		Body: map[string]any{"name": n, "type": "base", "fields": []any{fieldWith(kind, "f", opts), map[string]any{"name": "k", "type": "text"}}}})
	rec := n + "_r"
	g.add(Step{Name: "create record f=" + label(v1), Method: "POST", Path: "/api/collections/" + n + "/records", Save: rec,
		Body: map[string]any{"f": v1, "k": "one"}})
	g.add(Step{Name: "read back", Method: "GET", Path: "/api/collections/" + n + "/records/{{" + rec + "}}"})
	g.add(Step{Name: "update f=" + label(v2), Method: "PATCH", Path: "/api/collections/" + n + "/records/{{" + rec + "}}",
		Body: map[string]any{"f": v2}})
	g.add(Step{Name: "read back", Method: "GET", Path: "/api/collections/" + n + "/records/{{" + rec + "}}"})
	g.add(Step{Name: "list", Method: "GET", Path: "/api/collections/" + n + "/records", Unordered: []string{"$.items"}})
}
