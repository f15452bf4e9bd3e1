package openapi

import (
	"github.com/basalthq/basalt/core"
)

// collection adds c's schemas and operations.
func (g *gen) collection(c *core.Collection) {
	n := c.Name
	kind := c.Type + " collection"
	g.tags = append(g.tags, obj{"name": n, "description": "The " + kind + " " + n + " (id " + c.Id + ")."})
	g.schemas[n+"_Record"] = g.recordSchema(c)
	g.schemas[n+"_List"] = obj{
		"type":     "object",
		"required": []any{"page", "perPage", "totalItems", "totalPages", "items"},
		"properties": obj{
			"page":       obj{"type": "integer"},
			"perPage":    obj{"type": "integer"},
			"totalItems": obj{"type": "integer", "description": "-1 with skipTotal."},
			"totalPages": obj{"type": "integer", "description": "-1 with skipTotal."},
			"items":      obj{"type": "array", "items": ref(n + "_Record")},
		},
	}
	base := "/api/collections/" + n + "/records"
	record := ref(n + "_Record")
	idParam := obj{"name": "id", "in": "path", "required": true, "description": "The record id.", "schema": obj{"type": "string"}}
	shapeParams := []any{paramRef("expand"), paramRef("fields")}

	listItem, oneItem := obj{}, obj{}
	if op := g.op(c, "list", "listRule", c.ListRule, "List records of "+n, "Returns a page of the records the list rule lets the caller see (the others are left out, not refused).", obj{
		"parameters": []any{paramRef("page"), paramRef("perPage"), paramRef("sort"), paramRef("filter"), paramRef("expand"), paramRef("fields"), paramRef("skipTotal")},
		"responses":  obj{"200": okJSON("A page of records.", ref(n+"_List")), "400": respRef("BadRequest"), "403": respRef("Forbidden")},
	}); op != nil {
		listItem["get"] = op
	}
	if op := g.op(c, "view", "viewRule", c.ViewRule, "View a record of "+n, "", obj{
		"parameters": append([]any{idParam}, shapeParams...),
		"responses":  obj{"200": okJSON("The record.", record), "403": respRef("Forbidden"), "404": respRef("NotFound")},
	}); op != nil {
		oneItem["get"] = op
	}
	if !c.IsView() {
		g.schemas[n+"_Create"] = g.bodySchema(c, false, false)
		g.schemas[n+"_Update"] = g.bodySchema(c, true, false)
		g.schemas[n+"_CreateForm"] = g.bodySchema(c, false, true)
		g.schemas[n+"_UpdateForm"] = g.bodySchema(c, true, true)
		body := func(suffix string) obj {
			return obj{"required": true, "content": obj{
				"application/json":    obj{"schema": ref(n + "_" + suffix)},
				"multipart/form-data": obj{"schema": ref(n + "_" + suffix + "Form")},
			}}
		}
		if op := g.op(c, "create", "createRule", c.CreateRule, "Create a record in "+n, "Files need a multipart/form-data body.", obj{
			"parameters":  shapeParams,
			"requestBody": body("Create"),
			"responses":   obj{"200": okJSON("The created record.", record), "400": respRef("BadRequest"), "403": respRef("Forbidden"), "413": respRef("TooLarge")},
		}); op != nil {
			listItem["post"] = op
		}
		updDesc := "Only the keys sent change. Multi-valued fields take the modifiers name+ (append), +name (prepend) and name- (remove)."
		if op := g.op(c, "update", "updateRule", c.UpdateRule, "Update a record of "+n, updDesc, obj{
			"parameters":  append([]any{idParam}, shapeParams...),
			"requestBody": body("Update"),
			"responses":   obj{"200": okJSON("The updated record.", record), "400": respRef("BadRequest"), "403": respRef("Forbidden"), "404": respRef("NotFound"), "413": respRef("TooLarge")},
		}); op != nil {
			oneItem["patch"] = op
		}
		if op := g.op(c, "delete", "deleteRule", c.DeleteRule, "Delete a record of "+n, "", obj{
			"parameters": []any{idParam},
			"responses":  obj{"204": noContent, "400": respRef("BadRequest"), "403": respRef("Forbidden"), "404": respRef("NotFound")},
		}); op != nil {
			oneItem["delete"] = op
		}
	}
	if len(listItem) > 0 {
		g.paths[base] = listItem
	}
	if len(oneItem) > 0 {
		g.paths[base+"/{id}"] = oneItem
	}
	if c.IsAuth() {
		g.authPaths(c)
	}
}

// op builds one record operation, or nil when a non-superuser document
// leaves it out (its rule is null).
func (g *gen) op(c *core.Collection, action, ruleName string, rule *string, summary, desc string, rest obj) obj {
	if rule == nil && !g.opts.Superuser {
		return nil
	}
	ruleText, ext := g.ruleDoc(ruleName, rule)
	if desc != "" {
		desc += "\n\n"
	}
	op := obj{
		"operationId":     c.Name + "_" + action,
		"tags":            []any{c.Name},
		"summary":         summary,
		"description":     desc + ruleText,
		"x-basalt-rule":   ext,
		"x-basalt-action": action,
	}
	if rule == nil {
		op["security"] = []any{obj{"bearerAuth": []any{}}}
	}
	for k, v := range rest {
		op[k] = v
	}
	return op
}
