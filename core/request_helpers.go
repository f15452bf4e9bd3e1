package core

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
)

// BadRequestError returns a 400 error for the route to return; an empty
// message means the generic one. errData is a ValidationErrors, a map, or
// any error (kept as the logged cause, never shown).
func (e *RequestEvent) BadRequestError(message string, errData any) *Error {
	return withData(NewBadRequestError(message, nil), errData)
}

// NotFoundError returns a 404 error for the route to return.
func (e *RequestEvent) NotFoundError(message string, errData any) *Error {
	return withData(NewNotFoundError(message), errData)
}

// ForbiddenError returns a 403 error for the route to return.
func (e *RequestEvent) ForbiddenError(message string, errData any) *Error {
	return withData(NewForbiddenError(message), errData)
}

// UnauthorizedError returns a 401 error for the route to return.
func (e *RequestEvent) UnauthorizedError(message string, errData any) *Error {
	return withData(NewUnauthorizedError(message), errData)
}

// InternalServerError returns a 500 error; errData's text is logged only.
func (e *RequestEvent) InternalServerError(message string, errData any) *Error {
	err := withData(&Error{Code: CodeInternal, Message: MsgGenericBadRequest}, errData)
	if message != "" {
		err.Message = message
	}
	return err
}

// withData puts client-safe details (ValidationErrors, maps) in Data and
// any other error in Cause, so internal text never reaches the client.
func withData(e *Error, errData any) *Error {
	switch d := errData.(type) {
	case nil:
	case ValidationErrors, map[string]any:
		e.Data = d
	case error:
		e.Cause = d
	default:
		e.Data = d
	}
	return e
}

// RealIP returns the client IP, read from the trusted-proxy headers of the
// settings when configured (spec §10.4), else from the connection.
func (e *RequestEvent) RealIP() string {
	return RealIP(e.Request, e.App.Settings().TrustedProxy)
}

// RealIP resolves the client IP of r with the trusted-proxy settings tp.
func RealIP(r *http.Request, tp TrustedProxySettings) string {
	for _, h := range tp.Headers {
		values := r.Header.Values(h)
		if len(values) == 0 {
			continue
		}
		parts := strings.Split(values[len(values)-1], ",")
		if tp.UseLeftmostIP {
			for _, p := range parts {
				if ip := net.ParseIP(strings.TrimSpace(p)); ip != nil {
					return ip.String()
				}
			}
		} else {
			for i := len(parts) - 1; i >= 0; i-- {
				if ip := net.ParseIP(strings.TrimSpace(parts[i])); ip != nil {
					return ip.String()
				}
			}
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// RequestInfo returns the request as rules see it (@request.*): auth,
// method, first query and header values (header names in lower
// snake_case) and the JSON or form body. The body stays readable for
// BindBody.
func (e *RequestEvent) RequestInfo() (*RequestInfo, error) {
	ri := &RequestInfo{Auth: e.Auth, Method: e.Request.Method, Context: ContextDefault,
		Query: map[string]string{}, Headers: map[string]string{}, Body: map[string]any{}}
	for k, v := range e.Request.URL.Query() {
		if len(v) > 0 {
			ri.Query[k] = v[0]
		}
	}
	for k, v := range e.Request.Header {
		if len(v) > 0 {
			ri.Headers[strings.ReplaceAll(strings.ToLower(k), "-", "_")] = v[0]
		}
	}
	raw, err := e.peekBody()
	if err != nil {
		return nil, err
	}
	if len(raw) > 0 {
		switch mediaType(e.Request) {
		case "application/json":
			if err := json.Unmarshal(raw, &ri.Body); err != nil {
				return nil, e.BadRequestError("Failed to load the submitted data due to invalid formatting.", err)
			}
		case "application/x-www-form-urlencoded":
			vals, err := url.ParseQuery(string(raw))
			if err != nil {
				return nil, e.BadRequestError("Failed to load the submitted data due to invalid formatting.", err)
			}
			for k, v := range vals {
				if len(v) == 1 {
					ri.Body[k] = v[0]
				} else {
					ri.Body[k] = v
				}
			}
		}
	}
	return ri, nil
}

// peekBody reads the whole body and puts it back for later readers.
func (e *RequestEvent) peekBody() ([]byte, error) {
	if e.Request.Body == nil || e.Request.Body == http.NoBody {
		return nil, nil
	}
	raw, err := io.ReadAll(e.Request.Body)
	if err != nil {
		if isTooLarge(err) {
			return nil, NewError(CodeTooLarge, "Request entity too large.", nil)
		}
		return nil, e.BadRequestError("", err)
	}
	e.Request.Body = io.NopCloser(bytes.NewReader(raw))
	return raw, nil
}

func mediaType(r *http.Request) string {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return mt
}

// BindBody decodes the request body into dst (a pointer to a struct or a
// map): JSON by the json tags, url-encoded and multipart forms by the
// form tag (else the json tag, else the field name). A body past the
// limit answers 413, malformed input 400 in the error shape.
func (e *RequestEvent) BindBody(dst any) error {
	switch mediaType(e.Request) {
	case "application/x-www-form-urlencoded", "multipart/form-data":
		if err := e.Request.ParseMultipartForm(32 << 20); err != nil && !errors.Is(err, http.ErrNotMultipart) {
			if isTooLarge(err) {
				return NewError(CodeTooLarge, "Request entity too large.", nil)
			}
			return e.BadRequestError("Failed to load the submitted data due to invalid formatting.", err)
		}
		return bindForm(dst, e.Request.Form, e)
	default:
		raw, err := e.peekBody()
		if err != nil {
			return err
		}
		if len(bytes.TrimSpace(raw)) == 0 {
			return nil
		}
		if err := json.Unmarshal(raw, dst); err != nil {
			return e.BadRequestError("Failed to load the submitted data due to invalid formatting.", err)
		}
		return nil
	}
}

// bindForm sets dst's fields from form values, converting to the field's
// kind (string, bool, ints, uints, floats and slices of them).
func bindForm(dst any, form url.Values, e *RequestEvent) error {
	v := reflect.ValueOf(dst)
	if v.Kind() != reflect.Pointer || v.IsNil() {
		return NewInternalError(fmt.Errorf("BindBody: dst must be a non-nil pointer, got %T", dst))
	}
	v = v.Elem()
	if v.Kind() == reflect.Map && v.Type().Key().Kind() == reflect.String {
		if v.IsNil() {
			v.Set(reflect.MakeMap(v.Type()))
		}
		for k, vals := range form {
			if len(vals) > 0 {
				val := reflect.ValueOf(vals[len(vals)-1])
				if val.Type().AssignableTo(v.Type().Elem()) {
					v.SetMapIndex(reflect.ValueOf(k), val)
				}
			}
		}
		return nil
	}
	if v.Kind() != reflect.Struct {
		return NewInternalError(fmt.Errorf("BindBody: unsupported destination %T", dst))
	}
	verrs := ValidationErrors{}
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name := fieldName(f)
		vals, ok := form[name]
		if !ok || name == "-" {
			continue
		}
		if err := setField(v.Field(i), vals); err != nil {
			verrs[name] = NewFieldError("validation_invalid_value", "Invalid value.", nil)
		}
	}
	if len(verrs) > 0 {
		return e.BadRequestError("Failed to load the submitted data due to invalid formatting.", verrs)
	}
	return nil
}

func fieldName(f reflect.StructField) string {
	for _, tag := range []string{"form", "json"} {
		if name, _, _ := strings.Cut(f.Tag.Get(tag), ","); name != "" {
			return name
		}
	}
	return f.Name
}

func setField(fv reflect.Value, vals []string) error {
	if fv.Kind() == reflect.Slice {
		out := reflect.MakeSlice(fv.Type(), len(vals), len(vals))
		for i, s := range vals {
			if err := setScalar(out.Index(i), s); err != nil {
				return err
			}
		}
		fv.Set(out)
		return nil
	}
	return setScalar(fv, vals[len(vals)-1])
}

func setScalar(fv reflect.Value, s string) error {
	switch fv.Kind() {
	case reflect.String:
		fv.SetString(s)
	case reflect.Bool:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return err
		}
		fv.SetBool(b)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, err := strconv.ParseInt(s, 10, fv.Type().Bits())
		if err != nil {
			return err
		}
		fv.SetInt(n)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		n, err := strconv.ParseUint(s, 10, fv.Type().Bits())
		if err != nil {
			return err
		}
		fv.SetUint(n)
	case reflect.Float32, reflect.Float64:
		n, err := strconv.ParseFloat(s, fv.Type().Bits())
		if err != nil {
			return err
		}
		fv.SetFloat(n)
	default:
		return fmt.Errorf("unsupported kind %s", fv.Kind())
	}
	return nil
}
