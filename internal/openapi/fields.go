package openapi

import (
	"fmt"
	"sort"

	"github.com/basalthq/basalt/core"
)

// visibleFields are the fields of c the audience can see in responses
// and send in bodies: hidden fields only for superusers, the auth
// collection's tokenKey never (it is not even shown to superusers).
// The password stays: it is write-only, handled by the callers.
func (g *gen) visibleFields(c *core.Collection) []core.Field {
	out := make([]core.Field, 0, len(c.Fields))
	for _, f := range c.Fields {
		name := f.GetName()
		if c.IsAuth() && name == core.FieldTokenKey {
			continue
		}
		if f.GetHidden() && !g.opts.Superuser && !(c.IsAuth() && name == core.FieldPassword) {
			continue
		}
		out = append(out, f)
	}
	return out
}

// isMulti reports whether f holds a list of values.
func isMulti(f core.Field) bool {
	m, ok := f.(core.MultiValuer)
	return ok && m.IsMultiple()
}

// valueSchema is the JSON schema of f's value in a response (and, for
// every kind but file and password, in a JSON request body).
func (g *gen) valueSchema(c *core.Collection, f core.Field) obj {
	var s obj
	switch f := f.(type) {
	case *core.TextField:
		s = obj{"type": "string"}
		if f.PrimaryKey {
			s["description"] = "The record id."
		}
		if f.Max > 0 {
			s["maxLength"] = f.Max
		}
		if f.Pattern != "" {
			s["description"] = fmt.Sprintf("%sMatches the pattern %s (or is empty when not required).", descPrefix(s), f.Pattern)
		}
	case *core.EditorField:
		s = obj{"type": "string", "description": "Rich text (HTML)."}
	case *core.EmailField:
		s = obj{"type": "string", "description": "An e-mail address, or \"\" when empty."}
	case *core.URLField:
		s = obj{"type": "string", "description": "A URL, or \"\" when empty."}
	case *core.NumberField:
		s = obj{"type": "number"}
		if f.OnlyInt {
			s["type"] = "integer"
		}
		if f.Min != nil {
			s["minimum"] = *f.Min
		}
		if f.Max != nil {
			s["maximum"] = *f.Max
		}
	case *core.BoolField:
		s = obj{"type": "boolean"}
	case *core.DateField, *core.AutodateField:
		s = ref("DateTime")
	case *core.SelectField:
		vals := make([]any, 0, len(f.Values)+1)
		for _, v := range f.Values {
			vals = append(vals, v)
		}
		if f.IsMultiple() {
			s = obj{"type": "array", "items": obj{"type": "string", "enum": vals}, "uniqueItems": true}
			if f.MaxSelect > 0 {
				s["maxItems"] = f.MaxSelect
			}
		} else {
			s = obj{"type": "string", "enum": append(vals, ""), "description": "One of the values, or \"\" when empty."}
		}
	case *core.FileField:
		item := obj{"type": "string", "description": fmt.Sprintf("A stored file name; download it from /api/files/%s/{recordId}/{filename}%s.", c.Name, protectedNote(f))}
		if f.IsMultiple() {
			s = obj{"type": "array", "items": item}
			if f.MaxSelect > 0 {
				s["maxItems"] = f.MaxSelect
			}
		} else {
			s = item
		}
	case *core.RelationField:
		target := "a record"
		if t := g.target(f); t != nil {
			target = "a " + t.Name + " record"
		}
		item := obj{"type": "string", "description": "The id of " + target + "; expand=" + f.Name + " puts the record itself in expand." + f.Name + "."}
		if f.IsMultiple() {
			s = obj{"type": "array", "items": item}
			if f.MaxSelect > 0 {
				s["maxItems"] = f.MaxSelect
			}
		} else {
			s = item
		}
	case *core.JSONField:
		s = obj{"description": "Any JSON value (null when unset)."}
	case *core.GeoPointField:
		s = ref("GeoPoint")
	case *core.PasswordField:
		s = obj{"type": "string", "writeOnly": true}
		if f.Min > 0 {
			s["minLength"] = f.Min
		}
		if f.Max > 0 {
			s["maxLength"] = f.Max
		}
	default:
		s = obj{"description": "A value of field type " + f.Type() + "."}
	}
	if f.GetHidden() {
		note := "Hidden: only superusers see or set it."
		if _, isRef := s["$ref"]; isRef {
			s = obj{"allOf": []any{s}, "description": note}
		} else {
			s["description"] = descPrefix(s) + note
		}
	}
	return s
}

func descPrefix(s obj) string {
	if d, ok := s["description"].(string); ok && d != "" {
		return d + " "
	}
	return ""
}

func protectedNote(f *core.FileField) string {
	if f.Protected {
		return " with ?token= (a file token from POST /api/files/token)"
	}
	return ""
}

// target is the relation's collection when it is in the document.
func (g *gen) target(f *core.RelationField) *core.Collection {
	return g.byId[f.CollectionId]
}

// recordSchema is the response shape of a record of c.
func (g *gen) recordSchema(c *core.Collection) obj {
	props := obj{
		"collectionId":   obj{"type": "string", "const": c.Id},
		"collectionName": obj{"type": "string", "const": c.Name},
	}
	required := []any{"collectionId", "collectionName"}
	expand := obj{}
	for _, f := range g.visibleFields(c) {
		name := f.GetName()
		if _, ok := f.(*core.PasswordField); ok {
			continue // never in a response
		}
		props[name] = g.valueSchema(c, f)
		switch {
		case c.IsAuth() && name == core.FieldEmail:
			props[name] = obj{"type": "string", "description": "Shown only when emailVisibility is true, to the record itself, to a manage-rule match and to superusers."}
		case f.GetHidden():
			// in superuser answers only, so never required
		default:
			required = append(required, name)
		}
		if rf, ok := f.(*core.RelationField); ok {
			var item obj
			if t := g.target(rf); t != nil {
				item = ref(t.Name + "_Record")
			} else {
				item = obj{"type": "object", "description": "A record of a collection not described here."}
			}
			if rf.IsMultiple() {
				expand[name] = obj{"type": "array", "items": item}
			} else {
				expand[name] = item
			}
		}
	}
	props["expand"] = obj{
		"type":                 "object",
		"description":          "Present when ?expand= asked for relations the caller may view; back-relations (collection_via_field) appear as arrays.",
		"properties":           expand,
		"additionalProperties": true,
	}
	return obj{"type": "object", "title": c.Name + " record", "required": required, "properties": props}
}

// bodySchema is the create (update=false) or update request body of c,
// as JSON (multipart=false: file fields are absent, files need
// multipart) or multipart/form-data (file fields are uploads).
func (g *gen) bodySchema(c *core.Collection, update, multipart bool) obj {
	props := obj{}
	var required []any
	for _, f := range g.visibleFields(c) {
		name := f.GetName()
		if _, ok := f.(*core.AutodateField); ok {
			continue // set by the server
		}
		var s obj
		if ff, ok := f.(*core.FileField); ok {
			if !multipart {
				if update {
					// JSON updates may remove files: the kept names, or name- with names to drop.
					props[name] = g.valueSchema(c, f)
					props[name+"-"] = obj{"description": "File names to remove.", "oneOf": []any{obj{"type": "string"}, obj{"type": "array", "items": obj{"type": "string"}}}}
				}
				continue
			}
			upload := obj{"type": "string", "contentMediaType": "application/octet-stream", "description": "A file upload."}
			if len(ff.MimeTypes) > 0 {
				upload["description"] = fmt.Sprintf("A file upload of type %v.", ff.MimeTypes)
			}
			if ff.MaxSize > 0 {
				upload["description"] = fmt.Sprintf("%s At most %d bytes.", upload["description"], ff.MaxSize)
			}
			if ff.IsMultiple() {
				s = obj{"type": "array", "items": upload}
				props[name+"+"] = obj{"type": "array", "items": upload, "description": "Files to append."}
			} else {
				s = upload
			}
			if update {
				props[name+"-"] = obj{"type": "array", "items": obj{"type": "string"}, "description": "File names to remove."}
			}
		} else {
			s = g.valueSchema(c, f)
		}
		if tf, ok := f.(*core.TextField); ok && tf.PrimaryKey {
			if update {
				continue // an id cannot change
			}
			s = obj{"type": "string", "description": "Optional custom id (the server generates one when absent)."}
			if tf.Pattern != "" {
				s["pattern"] = tf.Pattern
			}
			if tf.Min > 0 {
				s["minLength"] = tf.Min
			}
			if tf.Max > 0 {
				s["maxLength"] = tf.Max
			}
		}
		props[name] = s
		if !update && (requiredOnCreate(f) || (multipart && requiredFile(f))) {
			required = append(required, name)
		}
		g.modifiers(props, f, update)
	}
	if c.IsAuth() && props[core.FieldPassword] != nil {
		props["passwordConfirm"] = obj{"type": "string", "writeOnly": true, "description": "Must equal password."}
		if !update {
			required = append(required, "passwordConfirm")
		} else {
			props["oldPassword"] = obj{"type": "string", "writeOnly": true, "description": "The current password; required when a non-superuser changes the password."}
		}
	}
	s := obj{"type": "object", "properties": props}
	if len(required) > 0 {
		sort.Slice(required, func(i, j int) bool { return required[i].(string) < required[j].(string) })
		s["required"] = required
	}
	if multipart {
		props["@jsonPayload"] = obj{"type": "string", "contentMediaType": "application/json", "description": "Optional: the non-file fields as one JSON object."}
	}
	return s
}

// modifiers adds the update-only key modifiers of f (spec §5.3).
func (g *gen) modifiers(props obj, f core.Field, update bool) {
	name := f.GetName()
	switch f := f.(type) {
	case *core.TextField:
		if f.AutogeneratePattern != "" && !f.PrimaryKey {
			props[name+":autogenerate"] = obj{"type": "string", "description": "Append a value generated from the field's pattern."}
		}
	case *core.NumberField:
		if update {
			props[name+"+"] = obj{"type": "number", "description": "Add to the current value."}
			props[name+"-"] = obj{"type": "number", "description": "Subtract from the current value."}
		}
	case *core.SelectField, *core.RelationField:
		if update && isMulti(f) {
			one := obj{"oneOf": []any{obj{"type": "string"}, obj{"type": "array", "items": obj{"type": "string"}}}}
			props[name+"+"] = obj{"description": "Values to append.", "oneOf": one["oneOf"]}
			props["+"+name] = obj{"description": "Values to prepend.", "oneOf": one["oneOf"]}
			props[name+"-"] = obj{"description": "Values to remove.", "oneOf": one["oneOf"]}
		}
	}
}

// requiredFile reports whether f is a required file field (only a
// multipart body can carry it).
func requiredFile(f core.Field) bool {
	ff, ok := f.(*core.FileField)
	return ok && ff.Required
}

// requiredOnCreate reports whether a create body must carry f: required
// fields the server does not fill in itself.
func requiredOnCreate(f core.Field) bool {
	switch f := f.(type) {
	case *core.TextField:
		return f.Required && f.AutogeneratePattern == "" && !f.PrimaryKey
	case *core.BoolField, *core.AutodateField, *core.FileField:
		return false
	case *core.NumberField:
		return false // 0 is a value; a required number only refuses 0
	case *core.EmailField:
		return f.Required
	case *core.URLField:
		return f.Required
	case *core.EditorField:
		return f.Required
	case *core.DateField:
		return f.Required
	case *core.SelectField:
		return f.Required
	case *core.RelationField:
		return f.Required
	case *core.JSONField:
		return f.Required
	case *core.GeoPointField:
		return f.Required
	case *core.PasswordField:
		return f.Required
	}
	return false
}
