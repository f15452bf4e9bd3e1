package gen

// Field options: for each of the 14 field kinds and each of its options, a
// collection is created with the field carrying a valid, boundary or
// invalid option value, read back, then the option is changed on an
// existing field and read back again.

var fieldKinds = []string{"text", "editor", "number", "bool", "email", "url", "date", "autodate",
	"select", "file", "relation", "json", "password", "geoPoint"}

var boolOpt = valueSet{valid: []any{true, false}, invalid: []any{"x", 5, nil}}

// commonFieldOptions apply to every kind.
var commonFieldOptions = map[string]valueSet{
	"name": {
		valid:    []any{"fname"},
		boundary: []any{long101[:100], "x"},
		invalid:  []any{"", "bad name", long101, nil, 5, "expand", "collectionId", "a_via_b", Missing},
	},
	"hidden":      boolOpt,
	"presentable": boolOpt,
	"system":      {valid: []any{false}, invalid: []any{true}},
	"id":          {valid: []any{"myfieldid"}, boundary: []any{long101[:100]}, invalid: []any{long101, 5}},
}

var domains = valueSet{
	valid:    []any{[]any{"example.com"}, []any{}},
	boundary: []any{[]any{"a.b"}},
	invalid:  []any{"example.com", []any{5}, []any{"not a domain"}, []any{""}},
}

var kindOptions = map[string]map[string]valueSet{
	"text": {
		"min":                 {valid: []any{0, 5}, boundary: []any{-1, 1.5}, invalid: []any{"x", nil}},
		"max":                 {valid: []any{0, 10}, boundary: []any{-1, 2.5}, invalid: []any{"x"}},
		"pattern":             {valid: []any{"^[a-z]+$", ""}, invalid: []any{"(", 5}},
		"autogeneratePattern": {valid: []any{"[a-z]{5}", ""}, invalid: []any{"(", 5}},
		"required":            boolOpt,
		"primaryKey":          {valid: []any{false}, invalid: []any{true, "x"}},
	},
	"editor": {
		"maxSize":     {valid: []any{0, 100}, boundary: []any{-1, 9007199254740992}, invalid: []any{"x", 1.5}},
		"convertURLs": boolOpt,
		"required":    boolOpt,
	},
	"number": {
		"min":      {valid: []any{nil, -5, 5.5}, boundary: []any{0}, invalid: []any{"x", true}},
		"max":      {valid: []any{nil, 10}, boundary: []any{-10}, invalid: []any{"x"}},
		"onlyInt":  boolOpt,
		"required": boolOpt,
	},
	"bool": {
		"required": boolOpt,
	},
	"email": {
		"exceptDomains": domains,
		"onlyDomains":   domains,
		"required":      boolOpt,
	},
	"url": {
		"exceptDomains": domains,
		"onlyDomains":   domains,
		"required":      boolOpt,
	},
	"date": {
		"min":      {valid: []any{"2001-01-01 00:00:00.000Z", ""}, boundary: []any{"2001-01-01"}, invalid: []any{"x", 5}},
		"max":      {valid: []any{"2099-01-01 00:00:00.000Z"}, boundary: []any{"2000-01-01 00:00:00.000Z"}, invalid: []any{"nope"}},
		"required": boolOpt,
	},
	"autodate": {
		"onCreate": {valid: []any{true, false}, invalid: []any{"x"}},
		"onUpdate": {valid: []any{true, false}, invalid: []any{5}},
	},
	"select": {
		"values":    {valid: []any{[]any{"a", "b", "c"}}, boundary: []any{[]any{"a"}, []any{"a", "a"}}, invalid: []any{[]any{}, "a", []any{5}, nil, []any{""}}},
		"maxSelect": {valid: []any{0, 1, 2}, boundary: []any{3, 4, -1}, invalid: []any{"x", 1.5}},
		"required":  boolOpt,
	},
	"file": {
		"maxSelect": {valid: []any{0, 1, 5}, boundary: []any{-1, 99}, invalid: []any{"x"}},
		"maxSize":   {valid: []any{0, 1000}, boundary: []any{-1}, invalid: []any{"x"}},
		"mimeTypes": {valid: []any{[]any{"image/png"}, []any{}}, invalid: []any{"image/png", []any{5}, []any{"notamime"}}},
		"thumbs":    {valid: []any{[]any{"100x100"}, []any{"0x50", "50x0t", "10x10b", "10x10f"}}, invalid: []any{[]any{"0x0"}, []any{"bad"}, "100x100", []any{5}}},
		"protected": boolOpt,
		"required":  boolOpt,
	},
	"relation": {
		"collectionId":  {valid: []any{"{{rel}}"}, invalid: []any{"missingcollection", "", nil, 5}},
		"cascadeDelete": boolOpt,
		"minSelect":     {valid: []any{0, 1}, boundary: []any{2, -1}, invalid: []any{"x"}},
		"maxSelect":     {valid: []any{0, 1, 3}, boundary: []any{-1}, invalid: []any{"x"}},
		"required":      boolOpt,
	},
	"json": {
		"maxSize":  {valid: []any{0, 10}, boundary: []any{-1}, invalid: []any{"x"}},
		"required": boolOpt,
	},
	"password": {
		"min":      {valid: []any{0, 8}, boundary: []any{71, 72, -1}, invalid: []any{"x"}},
		"max":      {valid: []any{0, 71}, boundary: []any{72, -1}, invalid: []any{"x"}},
		"pattern":  {valid: []any{"^.+$"}, invalid: []any{"("}},
		"cost":     {valid: []any{0, 4}, boundary: []any{3, 31, 32}, invalid: []any{"x", -1}},
		"required": boolOpt,
	},
	"geoPoint": {
		"required": boolOpt,
	},
}

// fieldWith returns a field of kind named name with the options a field of
// that kind needs to be valid, plus extra.
func fieldWith(kind, name string, extra map[string]any) map[string]any {
	f := map[string]any{"name": name, "type": kind}
	switch kind {
	case "select":
		f["values"] = []any{"a", "b", "c"}
	case "relation":
		f["collectionId"] = "{{rel}}"
	case "autodate":
		f["onCreate"] = true
	}
	for k, v := range extra {
		f[k] = v
	}
	return f
}

// relTarget creates the collection relation fields of the case point at,
// saved as {{rel}}; it is shared by the whole run.
func (g *Generator) relTarget() {
	g.add(Step{Name: "relation target", Method: "POST", Path: "/api/collections", Save: "rel",
		Body: map[string]any{"name": "reltarget", "type": "base", "fields": []any{map[string]any{"name": "name", "type": "text"}}}})
}

func fieldMakers() []Maker {
	var ms []Maker
	for _, kind := range fieldKinds {
		opts := map[string]valueSet{}
		for k, v := range commonFieldOptions {
			opts[k] = v
		}
		for k, v := range kindOptions[kind] {
			opts[k] = v
		}
		for opt, vs := range opts {
			ms = append(ms, Maker{Name: "field " + kind + " option " + opt, Make: func(g *Generator) {
				g.fieldOption(kind, opt, pick(g, vs.all()))
			}})
		}
	}
	return ms
}

func (g *Generator) fieldOption(kind, opt string, v any) {
	n := g.name(kind)
	f := fieldWith(kind, "f", map[string]any{opt: v})
	g.add(Step{Name: "create " + kind + " field with " + opt + "=" + label(v), Method: "POST", Path: "/api/collections",
		Body: map[string]any{"name": n, "type": "base", "fields": []any{f}}, Save: n})
	g.add(Step{Name: "read back", Method: "GET", Path: "/api/collections/" + n})
	m := n + "u"
	g.scope()
	g.add(Step{Name: "create plain", Method: "POST", Path: "/api/collections", Save: m,
		Body: map[string]any{"name": m, "type": "base", "fields": []any{fieldWith(kind, "f", nil)}}})
	// The update sends the whole field list, as the dashboard does: the
	// system id field (whose id is the same on both servers) and the
	// changed field.
	upd := fieldWith(kind, "f", map[string]any{opt: v})
	g.add(Step{Name: "update " + opt + "=" + label(v), Method: "PATCH", Path: "/api/collections/" + m,
		Body: map[string]any{"fields": []any{idField(), upd}}})
	g.add(Step{Name: "read back", Method: "GET", Path: "/api/collections/" + m})
}

// idField is the default base collection id field as PocketBase writes it.
func idField() map[string]any {
	return map[string]any{"id": "text3208210256", "name": "id", "type": "text", "primaryKey": true, "required": true,
		"system": true, "pattern": "^[a-z0-9]+$", "min": 15, "max": 15, "autogeneratePattern": "[a-z0-9]{15}"}
}
