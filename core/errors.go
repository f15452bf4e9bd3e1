package core

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
)

// ErrorCode is a stable, transport-neutral error class. internal/api maps
// each code to an HTTP status in one place (errors.go there).
type ErrorCode string

// The error codes. Their HTTP statuses are given for orientation only; the
// mapping itself lives in internal/api.
const (
	CodeBadRequest      ErrorCode = "bad_request"       // 400
	CodeUnauthorized    ErrorCode = "unauthorized"      // 401
	CodeForbidden       ErrorCode = "forbidden"         // 403
	CodeNotFound        ErrorCode = "not_found"         // 404
	CodeTooLarge        ErrorCode = "too_large"         // 413
	CodeTooManyRequests ErrorCode = "too_many_requests" // 429
	CodeInternal        ErrorCode = "internal"          // 500
)

// Error is Basalt's single application error. Message and Data are safe to
// show to API clients; Cause is for logs only and never leaves the server.
type Error struct {
	Code    ErrorCode
	Message string
	// Data holds field-level details: usually ValidationErrors, or any value
	// that marshals to a JSON object. Nil means {}.
	Data  any
	Cause error
}

// Error implements error.
func (e *Error) Error() string {
	if e.Cause != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Cause)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Cause }

// Generic client-facing messages used by PocketBase for errors without
// specific text (spec §8).
const (
	MsgGenericBadRequest = "Something went wrong while processing your request."
	MsgGenericNotFound   = "The requested resource wasn't found."
	MsgSuperusersOnly    = "Only superusers can perform this action."
)

// NewError builds an *Error; data may be nil.
func NewError(code ErrorCode, message string, data any) *Error {
	return &Error{Code: code, Message: message, Data: data}
}

// NewBadRequestError returns a 400-class error; an empty message means the
// generic one.
func NewBadRequestError(message string, data any) *Error {
	if message == "" {
		message = MsgGenericBadRequest
	}
	return &Error{Code: CodeBadRequest, Message: message, Data: data}
}

// NewNotFoundError returns a 404-class error; an empty message means the
// generic one.
func NewNotFoundError(message string) *Error {
	if message == "" {
		message = MsgGenericNotFound
	}
	return &Error{Code: CodeNotFound, Message: message}
}

// NewForbiddenError returns a 403-class error.
func NewForbiddenError(message string) *Error {
	if message == "" {
		message = "You are not allowed to perform this request."
	}
	return &Error{Code: CodeForbidden, Message: message}
}

// NewUnauthorizedError returns a 401-class error.
func NewUnauthorizedError(message string) *Error {
	if message == "" {
		message = "Missing or invalid authentication."
	}
	return &Error{Code: CodeUnauthorized, Message: message}
}

// NewInternalError wraps an unexpected failure; the cause is logged, never shown.
func NewInternalError(cause error) *Error {
	return &Error{Code: CodeInternal, Message: MsgGenericBadRequest, Cause: cause}
}

// WithCause returns a copy of e carrying cause.
func (e *Error) WithCause(cause error) *Error {
	cp := *e
	cp.Cause = cause
	return &cp
}

// AsError returns err as an *Error when it is one (or wraps one).
func AsError(err error) (*Error, bool) {
	var e *Error
	if errors.As(err, &e) {
		return e, true
	}
	return nil, false
}

// FieldError is one field-level validation failure, serialised as
// {"code","message"[,"params"]} (spec §8.1).
type FieldError struct {
	Code    string
	Message string
	Params  map[string]any
}

// NewFieldError builds a FieldError; params may be nil.
func NewFieldError(code, message string, params map[string]any) *FieldError {
	return &FieldError{Code: code, Message: message, Params: params}
}

// Error implements error.
func (e *FieldError) Error() string { return e.Message }

// MarshalJSON renders the spec's field error shape with a sentenized message.
func (e *FieldError) MarshalJSON() ([]byte, error) {
	m := map[string]any{"code": e.Code, "message": Sentenize(e.Message)}
	if len(e.Params) > 0 {
		m["params"] = e.Params
	}
	return json.Marshal(m)
}

// ValidationErrors maps a key (field name, option name or index) to a
// *FieldError or to nested ValidationErrors.
type ValidationErrors map[string]error

// Error implements error with a stable, readable summary.
func (v ValidationErrors) Error() string {
	keys := make([]string, 0, len(v))
	for k := range v {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s: %v", k, v[k]))
	}
	return strings.Join(parts, "; ")
}

// MarshalJSON renders nested field errors; non-field errors become a
// generic invalid-value entry so internal text never leaks.
func (v ValidationErrors) MarshalJSON() ([]byte, error) {
	out := make(map[string]any, len(v))
	for k, err := range v {
		switch e := err.(type) {
		case *FieldError, ValidationErrors:
			out[k] = e
		default:
			out[k] = &FieldError{Code: "validation_invalid_value", Message: "Invalid value."}
		}
	}
	return json.Marshal(out)
}

// Filter returns v without nil entries, or nil when none remain, so callers
// can collect errors unconditionally and return the result.
func (v ValidationErrors) Filter() error {
	for k, err := range v {
		if err == nil {
			delete(v, k)
		}
	}
	if len(v) == 0 {
		return nil
	}
	return v
}

// Sentenize upper-cases the first letter and ends the text with a period
// unless it already ends with . ? or ! (PocketBase's message convention).
func Sentenize(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return s
	}
	r := []rune(s)
	if r[0] >= 'a' && r[0] <= 'z' {
		r[0] -= 'a' - 'A'
	}
	last := r[len(r)-1]
	if last != '.' && last != '?' && last != '!' {
		r = append(r, '.')
	}
	return string(r)
}

// Common field error constructors shared by the field kinds.

// ErrRequired is the "Cannot be blank." error.
func ErrRequired() *FieldError { return NewFieldError("validation_required", "Cannot be blank.", nil) }
