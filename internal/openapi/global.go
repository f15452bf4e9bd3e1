package openapi

// globalPaths adds the endpoints not tied to one collection that any
// caller may use: health, realtime, batch, files and this document. Their
// tags, "(system)" and "(admin)", cannot be collection names, which are
// the other tags.
func (g *gen) globalPaths() {
	str := obj{"type": "string"}
	op := func(id, tag, summary, desc string, rest obj) obj {
		o := obj{"operationId": id, "tags": []any{tag}, "summary": summary, "description": desc}
		for k, v := range rest {
			o[k] = v
		}
		return o
	}
	g.tags = append(g.tags,
		obj{"name": "(system)", "description": "Health, realtime, batch, files and this document."})
	g.paths["/api/health"] = obj{"get": op("health", "(system)", "Check that the server is up", "Open to everyone; superusers get more in data.", obj{
		"responses": obj{"200": okJSON("Healthy.", obj{"type": "object", "required": []any{"code", "message", "data"}, "properties": obj{
			"code": obj{"type": "integer"}, "message": str, "data": obj{"type": "object"},
		}})},
	})}
	g.paths["/api/realtime"] = obj{
		"get": op("realtimeConnect", "(system)", "Open the realtime event stream (Server-Sent Events)",
			"The first event, PB_CONNECT, carries the clientId to subscribe with. Then each record event of a subscribed topic arrives as an event named after the topic, with data {action: create|update|delete, record}. A record is sent only to clients whose auth passes the collection's view (or list) rule.", obj{
				"responses": obj{"200": obj{"description": "The event stream.", "content": obj{"text/event-stream": obj{"schema": str}}}},
			}),
		"post": op("realtimeSubscribe", "(system)", "Set the subscriptions of a realtime client",
			"Topics are a collection name (every record) or collection/recordId, each optionally with ?options={\"query\":{\"filter\":...,\"expand\":...}}. The caller's auth is bound to the client.", obj{
				"requestBody": obj{"required": true, "content": jsonContent(obj{"type": "object", "required": []any{"clientId"}, "properties": obj{
					"clientId": str, "subscriptions": obj{"type": "array", "items": str},
				}})},
				"responses": obj{"204": noContent, "400": respRef("BadRequest"), "403": respRef("Forbidden"), "404": respRef("NotFound")},
			}),
	}
	g.paths["/api/batch"] = obj{"post": op("batch", "(system)", "Run several record writes in one transaction",
		"Each request runs with the caller's auth and its collection's rules; the first failure rolls back all and answers 400 with the failing request's index in data. Off unless enabled in the settings.", obj{
			"requestBody": obj{"required": true, "content": obj{"application/json": obj{"schema": ref("BatchRequest")}, "multipart/form-data": obj{"schema": obj{"type": "object", "properties": obj{"@jsonPayload": str}}}}},
			"responses":   obj{"200": okJSON("One result per request, in order.", ref("BatchResponse")), "400": respRef("BadRequest"), "403": respRef("Forbidden")},
		})}
	g.paths["/api/files/token"] = obj{"post": op("fileToken", "(system)", "Get a short-lived token for protected files",
		"For an authenticated caller; send it as ?token= when downloading a protected file.", obj{
			"security":  []any{obj{"bearerAuth": []any{}}},
			"responses": obj{"200": okJSON("The token.", obj{"type": "object", "required": []any{"token"}, "properties": obj{"token": str}}), "400": respRef("BadRequest")},
		})}
	pathParam := func(name string) obj {
		return obj{"name": name, "in": "path", "required": true, "schema": str}
	}
	g.paths["/api/files/{collection}/{recordId}/{filename}"] = obj{"get": op("downloadFile", "(system)", "Download a record's file",
		"The record's view rule applies only to protected files, which also need ?token=.", obj{
			"parameters": []any{pathParam("collection"), pathParam("recordId"), pathParam("filename"),
				obj{"name": "thumb", "in": "query", "description": "A thumbnail size the field lists (WxH, WxH t|b|f).", "schema": str},
				obj{"name": "token", "in": "query", "description": "A file token (protected files).", "schema": str},
				obj{"name": "download", "in": "query", "description": "Send as an attachment.", "schema": obj{"type": "boolean"}},
			},
			"responses": obj{"200": obj{"description": "The file.", "content": obj{"application/octet-stream": obj{"schema": obj{"type": "string", "contentMediaType": "application/octet-stream"}}}}, "404": respRef("NotFound")},
		})}
	g.paths["/api/openapi.json"] = obj{"get": op("openapi", "(system)", "This document",
		"Superusers get the full document; other callers get the part they can reach, without rule text.", obj{
			"responses": obj{"200": okJSON("An OpenAPI 3.1 document.", obj{"type": "object"})},
		})}
}

// adminPaths adds the superuser-only endpoints, with loose shapes: they
// are the dashboard's, not an application's.
func (g *gen) adminPaths() {
	g.tags = append(g.tags, obj{"name": "(admin)", "description": "Superuser-only endpoints: collections, settings, logs, backups and crons."})
	anyObj := obj{"type": "object"}
	str := obj{"type": "string"}
	op := func(id, summary string, params []any, body bool, ok obj) obj {
		o := obj{
			"operationId": id, "tags": []any{"(admin)"}, "summary": summary,
			"description": "**Superusers only.**",
			"security":    []any{obj{"bearerAuth": []any{}}},
			"responses":   obj{"401": respRef("Unauthorized"), "403": respRef("Forbidden")},
		}
		for k, v := range ok {
			o["responses"].(obj)[k] = v
		}
		if len(params) > 0 {
			o["parameters"] = params
		}
		if body {
			o["requestBody"] = obj{"required": true, "content": jsonContent(anyObj)}
			o["responses"].(obj)["400"] = respRef("BadRequest")
		}
		return o
	}
	pp := func(name string) obj { return obj{"name": name, "in": "path", "required": true, "schema": str} }
	list := []any{paramRef("page"), paramRef("perPage"), paramRef("sort"), paramRef("filter"), paramRef("fields"), paramRef("skipTotal")}
	okObj := func(d string) obj { return obj{"200": okJSON(d, anyObj)} }
	g.paths["/api/collections"] = obj{
		"get":  op("collectionsList", "List collections", list, false, okObj("A page of collections.")),
		"post": op("collectionsCreate", "Create a collection", nil, true, okObj("The collection.")),
	}
	g.paths["/api/collections/{collectionIdOrName}"] = obj{
		"get":    op("collectionsView", "View a collection", []any{pp("collectionIdOrName")}, false, okObj("The collection.")),
		"patch":  op("collectionsUpdate", "Update a collection", []any{pp("collectionIdOrName")}, true, okObj("The collection.")),
		"delete": op("collectionsDelete", "Delete a collection and its records", []any{pp("collectionIdOrName")}, false, obj{"204": noContent}),
	}
	g.paths["/api/collections/import"] = obj{"put": op("collectionsImport", "Import collections", nil, true, obj{"204": noContent})}
	g.paths["/api/settings"] = obj{
		"get":   op("settingsView", "View the settings (secrets masked)", nil, false, okObj("The settings.")),
		"patch": op("settingsUpdate", "Update the settings", nil, true, okObj("The settings.")),
	}
	g.paths["/api/logs"] = obj{"get": op("logsList", "List request logs", list, false, okObj("A page of logs."))}
	g.paths["/api/logs/{id}"] = obj{"get": op("logsView", "View one log entry", []any{pp("id")}, false, okObj("The entry."))}
	g.paths["/api/backups"] = obj{
		"get":  op("backupsList", "List backups", nil, false, obj{"200": okJSON("The backups.", obj{"type": "array", "items": anyObj})}),
		"post": op("backupsCreate", "Create a backup", nil, true, obj{"204": noContent}),
	}
	g.paths["/api/crons"] = obj{"get": op("cronsList", "List cron jobs", nil, false, obj{"200": okJSON("The jobs.", obj{"type": "array", "items": anyObj})})}
	g.paths["/api/crons/{id}"] = obj{"post": op("cronsRun", "Run a cron job now", []any{pp("id")}, false, obj{"204": noContent})}
}
