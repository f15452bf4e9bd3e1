package gen

import (
	"fmt"
	"net/url"
	"strings"
)

// Filters and sorts generated from a schema, view queries generated from
// the same schema, and the record body modifiers.

// schemaFields is the schema the filter, view and modifier cases share.
var schemaFields = []map[string]any{
	{"name": "title", "type": "text"},
	{"name": "n", "type": "number"},
	{"name": "flag", "type": "bool"},
	{"name": "mail", "type": "email"},
	{"name": "when", "type": "date"},
	{"name": "tags", "type": "select", "values": []any{"a", "b", "c", "d"}, "maxSelect": 4},
	{"name": "one", "type": "select", "values": []any{"a", "b"}},
	{"name": "owner", "type": "relation", "collectionId": "{{rel}}", "maxSelect": 1},
	{"name": "rels", "type": "relation", "collectionId": "{{rel}}", "maxSelect": 5},
	{"name": "data", "type": "json"},
	{"name": "loc", "type": "geoPoint"},
	{"name": "k", "type": "text"},
}

// literalsFor gives filter operands for a field type.
var literalsFor = map[string][]string{
	"text":     {"'x1'", "''", "'%'", "5", "null", "true"},
	"number":   {"3", "0", "'3'", "-1.5", "null", "true"},
	"bool":     {"true", "false", "1", "'true'", "null"},
	"email":    {"'a@example.com'", "''", "null"},
	"date":     {"'2024-05-06 00:00:00.000Z'", "'2024-05-06'", "@now", "@todayStart", "''", "5"},
	"select":   {"'a'", "'z'", "''", "null"},
	"relation": {"'{{relrec}}'", "''", "null", "'missing'"},
	"json":     {"'x'", "1", "null", "'{\"a\":1}'"},
	"geoPoint": {"'x'", "null"},
}

var operators = []string{"=", "!=", ">", ">=", "<", "<=", "~", "!~", "?=", "?!=", "?>", "?~"}

// schemaCollection creates the shared-shape collection of a case and three
// records in it, keyed k=r0..r2 so sorts can break ties on k.
func (g *Generator) schemaCollection(base string) string {
	n := g.name(base)
	fields := make([]any, len(schemaFields))
	for i, f := range schemaFields {
		fields[i] = f
	}
	g.add(Step{Name: "create schema collection", Method: "POST", Path: "/api/collections", Save: n,
		Body: map[string]any{"name": n, "type": "base", "fields": fields}})
	rows := []map[string]any{
		{"title": "x1", "n": 3, "flag": true, "mail": "a@example.com", "when": "2024-05-06 00:00:00.000Z", "tags": []any{"a", "b"}, "one": "a", "owner": "{{relrec}}", "rels": []any{"{{relrec}}"}, "data": map[string]any{"a": 1}, "loc": map[string]any{"lon": 1, "lat": 2}, "k": "r0"},
		{"title": "y2", "n": -1.5, "flag": false, "mail": "", "when": "", "tags": []any{}, "one": "b", "data": "x", "k": "r1"},
		{"title": "", "n": 0, "tags": []any{"c"}, "data": nil, "k": "r2"},
	}
	for i, r := range rows {
		g.add(Step{Name: fmt.Sprintf("create record r%d", i), Method: "POST", Path: "/api/collections/" + n + "/records", Body: r, Save: fmt.Sprintf("%s_r%d", n, i)})
	}
	return n
}

func filterMakers() []Maker {
	var ms []Maker
	for _, f := range schemaFields {
		name, typ := f["name"].(string), f["type"].(string)
		if name == "k" {
			continue
		}
		ms = append(ms, Maker{Name: "filter on " + typ + " field " + name, Make: func(g *Generator) {
			n := g.schemaCollection("flt")
			// Bounded: three filters per case.
			for range 3 {
				lhs := name
				if g.r.IntN(5) == 0 {
					lhs = pick(g, []string{name + ":length", name + ":lower", name + ":each", "missing_field", "@request.auth.id", "owner.name", "@collection.reltarget.name"})
				}
				ops := operators
				if typ == "relation" {
					// Related ids are random: ordering them against a
					// literal gives each server a different answer.
					ops = []string{"=", "!=", "~", "!~", "?=", "?!=", "?~"}
				}
				if lhs == "@request.auth.id" {
					// The superuser's id is random on each server.
					ops = []string{"=", "!="}
				}
				filter := lhs + " " + pick(g, ops) + " " + pick(g, literalsFor[typ])
				if g.r.IntN(8) == 0 {
					filter = pick(g, []string{"((", name + " = ", "title = 'x1' && (", "n = 'unterminated"})
				}
				g.add(Step{Name: "list filter=" + filter, Method: "GET", Unordered: []string{"$.items"},
					Path: "/api/collections/" + n + "/records?filter=" + url.QueryEscape(filter)})
			}
			sortExpr := pick(g, []string{name, "-" + name, "+" + name}) + ",k"
			if g.r.IntN(5) == 0 {
				sortExpr = pick(g, []string{"missing_field", name + ":length,k", "@rowid", "-@rowid", ",", "owner.name,k"})
			}
			g.add(Step{Name: "list sort=" + sortExpr, Method: "GET",
				Path: "/api/collections/" + n + "/records?sort=" + url.QueryEscape(sortExpr)})
		}})
	}
	ms = append(ms, Maker{Name: "list paging", Make: func(g *Generator) {
		n := g.schemaCollection("pg")
		q := pick(g, []string{"page=2&perPage=1&sort=k", "perPage=0&sort=k", "perPage=1001&sort=k", "page=-1&sort=k", "page=x&sort=k", "skipTotal=1&sort=k", "perPage=x&sort=k", "fields=k,n&sort=k", "fields=*&sort=k", "expand=owner&sort=k", "expand=missing&sort=k", "fields=expand.owner.name,k&expand=owner&sort=k"})
		g.add(Step{Name: "list " + q, Method: "GET", Path: "/api/collections/" + n + "/records?" + q})
	}})
	return ms
}

// View queries generated from the schema: a projection of direct columns
// (plain, table-prefixed, aliased), expressions, aggregates and joins.
func viewMakers() []Maker {
	return []Maker{{Name: "view query", Make: func(g *Generator) {
		src := g.schemaCollection("vsrc")
		alias := pick(g, []string{"", "s", "src"})
		ref := src
		from := src
		if alias != "" {
			ref = alias
			from = src + " " + pick(g, []string{"", "AS "}) + alias
		}
		cols := []string{pick(g, []string{ref + ".id", "id", ref + ".id AS id", "(ROW_NUMBER() OVER()) AS id"})}
		join := ""
		group := ""
		candidates := []string{
			"title", ref + ".title", ref + ".title AS t2", "n", ref + ".n AS num", "flag", "mail AS m",
			"when", "tags", ref + ".owner", ref + ".owner AS writer", "rels", "data", "loc",
			"n * 2 AS doubled", "(n + 1) AS inc", "upper(title) AS up", "cast(n as int) AS ni",
			"cast(n as real) AS nr", "cast(title as text) AS tt", "cast(flag as bool) AS fb",
			"'lit' AS lit", "1 AS one_", "NULL AS nothing", ref + ".id AS srcref", "k",
		}
		if g.r.IntN(2) == 0 {
			join = " LEFT JOIN reltarget r ON r.id = " + ref + ".owner"
			candidates = append(candidates, "r.name", "r.name AS rname", "r.id AS rid", "reltarget.name AS rn2")
		}
		if g.r.IntN(3) == 0 {
			group = " GROUP BY " + ref + ".id"
			candidates = append(candidates, "count("+ref+".id) AS cnt", "total(n) AS tot", "sum(n) AS s", "max(title) AS mt", "min(n) AS minn")
		}
		// Bounded: at most 6 columns.
		seen := map[string]bool{}
		for range 1 + g.r.IntN(6) {
			c := pick(g, candidates)
			if seen[c] {
				continue
			}
			seen[c] = true
			cols = append(cols, c)
		}
		if group != "" && strings.HasPrefix(cols[0], "(ROW_NUMBER") {
			cols[0] = ref + ".id"
		}
		q := "SELECT " + strings.Join(cols, ", ") + " FROM " + from + join + group
		if g.r.IntN(10) == 0 {
			q = pick(g, []string{"SELECT * FROM " + src, "SELECT title FROM " + src, "DELETE FROM " + src, "SELECT id FROM missing_table", "not sql", ""})
		}
		v := g.name("view")
		g.add(Step{Name: "create view " + q, Method: "POST", Path: "/api/collections", Save: v,
			Body: map[string]any{"name": v, "type": "view", "viewQuery": q}})
		g.add(Step{Name: "read back", Method: "GET", Path: "/api/collections/" + v})
		g.add(Step{Name: "list view", Method: "GET", Path: "/api/collections/" + v + "/records", Unordered: []string{"$.items"}})
		g.add(Step{Name: "write to view", Method: "POST", Path: "/api/collections/" + v + "/records", Body: map[string]any{"title": "x"}})
	}}}
}

// Record body modifiers: field+, +field, field- on number, select,
// relation and file fields.
func modifierMakers() []Maker {
	return []Maker{{Name: "record body modifiers", Make: func(g *Generator) {
		n := g.schemaCollection("mod")
		rec := "{{" + n + "_r0}}"
		mods := []map[string]any{
			{"n+": 5}, {"n-": 2.5}, {"n+": "x"}, {"n+": nil}, {"n-": []any{1}},
			{"tags+": "c"}, {"+tags": []any{"d", "a"}}, {"tags-": "a"}, {"tags-": []any{"a", "b"}}, {"tags+": "z"},
			{"one+": "b"}, {"+one": "b"}, {"one-": "a"},
			{"rels+": "{{relrec}}"}, {"rels-": "{{relrec}}"}, {"+rels": []any{"missingid123456"}},
			{"owner-": "{{relrec}}"}, {"title+": "x"}, {"flag+": true},
			{"tags": []any{"a"}, "tags+": "b"}, {"n": 1, "n+": 1, "n-": 5},
			{"unknown+": 1}, {"+n": 1},
		}
		// Bounded: two modifier updates per case.
		for range 2 {
			m := pick(g, mods)
			g.add(Step{Name: "update " + label(m), Method: "PATCH", Path: "/api/collections/" + n + "/records/" + rec, Body: m})
		}
		g.add(Step{Name: "read back", Method: "GET", Path: "/api/collections/" + n + "/records/" + rec})
		g.add(Step{Name: "create with modifiers", Method: "POST", Path: "/api/collections/" + n + "/records",
			Body: pick(g, mods), Save: n + "_mod"})
	}}}
}
