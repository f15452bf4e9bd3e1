package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v5"

	"github.com/basalthq/basalt/core"
)

// readRecordBody decodes a JSON, multipart or urlencoded record body
// (spec §1.0.3) into a data map; uploaded files are *core.File values.
func (s *Server) readRecordBody(c *echo.Context) (map[string]any, error) {
	req := c.Request()
	if req.ContentLength == 0 {
		return map[string]any{}, nil
	}
	ct, params := mediaType(req)
	switch {
	case ct == "application/json" || ct == "":
		// "": no Content-Type; readBody refuses a non-empty body then.
		raw, err := readBody(c)
		if err != nil {
			return nil, err
		}
		if len(bytes.TrimSpace(raw)) == 0 {
			return map[string]any{}, nil
		}
		// Unmarshal refuses anything after the object, as the API must;
		// a Decoder would copy the body into a buffer of its own first.
		var m map[string]any
		if err := json.Unmarshal(raw, &m); err != nil || m == nil {
			return nil, badRequest("", nil)
		}
		return m, nil
	case ct == "multipart/form-data":
		// Parts over the in-memory budget are spooled to temp files of
		// the request's spool, removed when the request ends (bodyLimit).
		form, err := readMultipart(s.requestSpool(c), req.Body, params["boundary"], req.ContentLength)
		if err != nil {
			if errors.Is(err, errTooManyParts) {
				return nil, badRequest("", nil)
			}
			if isTooLarge(err) {
				return nil, core.NewError(core.CodeTooLarge, "Request entity too large.", nil)
			}
			return nil, badRequest("", nil)
		}
		data, err := formData(form.values)
		if err != nil {
			return nil, err
		}
		for key, files := range form.files {
			for _, f := range files {
				data[key] = appendValue(data[key], f)
			}
		}
		return data, nil
	case ct == "application/x-www-form-urlencoded":
		raw, err := readBody(c)
		if err != nil {
			return nil, err
		}
		vals, err := url.ParseQuery(string(raw))
		if err != nil {
			return nil, badRequest("", nil)
		}
		return formData(vals)
	}
	return nil, badRequest("Unsupported Content-Type.", nil)
}

func appendValue(cur any, v any) any {
	switch x := cur.(type) {
	case nil:
		return v
	case []any:
		return append(x, v)
	default:
		return []any{x, v}
	}
}

func formData(values map[string][]string) (map[string]any, error) {
	data := map[string]any{}
	var payloads []string
	for k, vs := range values {
		if k == "@jsonPayload" {
			payloads = append(payloads, vs...)
			continue
		}
		if len(vs) == 1 {
			data[k] = inferFormValue(vs[0])
			continue
		}
		list := make([]any, len(vs))
		for i, v := range vs {
			list[i] = inferFormValue(v)
		}
		data[k] = list
	}
	for _, p := range payloads {
		var m map[string]any
		if err := json.Unmarshal([]byte(p), &m); err != nil {
			return nil, badRequest("", nil)
		}
		for k, v := range m {
			data[k] = v
		}
	}
	return data, nil
}

// inferFormValue applies spec §1.0.3's inference: booleans and minimal
// float text become typed, the rest stays a string.
func inferFormValue(s string) any {
	switch s {
	case "true":
		return true
	case "false":
		return false
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && strconv.FormatFloat(f, 'f', -1, 64) == s {
		return f
	}
	return s
}

// bodyKey is a body key that names a field of the collection.
type bodyKey struct {
	key  string
	name string
	mod  core.Modifier
	f    core.Field
}

// applyRecordData resolves the body onto r: plain keys first, then
// modifiers (spec §5.3), shortest keys first.
//
// Only keys naming a field are kept, in one pass over the body, and only
// those are sorted: at most five per field ("f", "f+", "+f", "f-",
// "f:autogenerate"), so a body with n unknown keys costs O(n) — sorting
// every key by insertion sort cost O(n²), 11 s of CPU for 100k keys
// (issue #22, defect 8).
func applyRecordData(app *core.App, r *core.Record, data map[string]any, superuser bool) error {
	c := r.Collection()
	keys := make([]bodyKey, 0, min(len(data), 5*len(c.Fields)))
	for key := range data {
		name, mod := key, core.Modifier("")
		switch {
		case strings.HasSuffix(key, ":autogenerate"):
			name, mod = strings.TrimSuffix(key, ":autogenerate"), core.ModAutogenerate
		case strings.HasSuffix(key, "+"):
			name, mod = strings.TrimSuffix(key, "+"), core.ModAppend
		case strings.HasPrefix(key, "+"):
			name, mod = strings.TrimPrefix(key, "+"), core.ModPrepend
		case strings.HasSuffix(key, "-"):
			name, mod = strings.TrimSuffix(key, "-"), core.ModSubtract
		}
		f := c.Fields.GetByName(name)
		if f == nil || f.Type() == "autodate" {
			continue
		}
		keys = append(keys, bodyKey{key: key, name: name, mod: mod, f: f})
	}
	// shortest first so "field" applies before "field+"
	slices.SortFunc(keys, func(a, b bodyKey) int {
		if len(a.key) != len(b.key) {
			return len(a.key) - len(b.key)
		}
		return strings.Compare(a.key, b.key)
	})
	for _, k := range keys {
		key, name, mod, f := k.key, k.name, k.mod, k.f
		val := data[key]
		if f.GetHidden() && !superuser && !(c.IsAuth() && name == core.FieldPassword) {
			continue
		}
		if c.IsAuth() && name == core.FieldTokenKey && !superuser {
			continue
		}
		if f.Type() == "file" {
			if err := applyFileValue(app, r, f, mod, val); err != nil {
				return err
			}
			continue
		}
		if mod == "" {
			r.Set(name, val)
			continue
		}
		ma, ok := f.(core.ModifierApplier)
		if !ok {
			continue
		}
		next, err := ma.ApplyModifier(r.Get(name), mod, val)
		if errors.Is(err, core.ErrUnsupportedModifier) {
			// A modifier the field kind has no use for ("+n" on a
			// number, "title+" on text) is ignored, as PocketBase
			// ignores a key no field setter claims.
			continue
		}
		if err != nil {
			return badRequest("", nil)
		}
		r.SetCanonical(name, next)
	}
	return nil
}

// applyFileValue resolves a file field key of a record body (spec §5.3
// "File uploads" and modifiers). val mixes plain names and uploads.
//
//   - "field": the value becomes the listed names plus the uploads, so
//     names not resent are removed ([], "" or null clear the field) and an
//     upload alone replaces the old files; names sent beside uploads are
//     kept (merged).
//   - "field+" / "+field": uploads and names are appended / prepended.
//   - "field-": the listed names are removed; uploads are ignored.
//
// Uploads are named and sniffed here (R3 step 4); content the storage
// refuses is a 400 keyed by the field. Nothing is written before the save.
func applyFileValue(app *core.App, r *core.Record, f core.Field, mod core.Modifier, val any) error {
	list, ok := val.([]any)
	if !ok {
		list = []any{val}
	}
	name := f.GetName()
	values := make([]any, 0, len(list))
	var uploads []*core.File
	for _, v := range list {
		switch x := v.(type) {
		case nil:
		case *core.File:
			if mod == core.ModSubtract {
				continue // nothing to remove by upload; never stored
			}
			if err := app.PrepareUpload(x); err != nil {
				var fe *core.FieldError
				if errors.As(err, &fe) {
					return badRequest("Failed to read the submitted data.", core.ValidationErrors{name: fe})
				}
				return err
			}
			uploads = append(uploads, x)
			values = append(values, x)
		case string:
			if x != "" {
				values = append(values, x)
			}
		default:
			values = append(values, x)
		}
	}
	before := r.Get(name)
	for _, u := range uploads {
		r.AddUpload(name, u) // registers the upload; the value is set below
	}
	if mod == "" {
		r.Set(name, values)
		return nil
	}
	ma, ok := f.(core.ModifierApplier)
	if !ok {
		return nil
	}
	next, err := ma.ApplyModifier(before, mod, values)
	if err != nil {
		return badRequest("", nil)
	}
	r.SetCanonical(name, next)
	return nil
}

// mediaType returns the request's media type (lower case) and parameters.
// A header mime cannot parse still names its type by what precedes the
// first ';', as PocketBase matches Content-Type by prefix: an unparsable
// header is not taken for a missing one.
func mediaType(req *http.Request) (string, map[string]string) {
	h := req.Header.Get("Content-Type")
	ct, params, err := mime.ParseMediaType(h)
	if err != nil {
		ct, _, _ = strings.Cut(h, ";")
		ct = strings.ToLower(strings.TrimSpace(ct))
	}
	return ct, params
}
