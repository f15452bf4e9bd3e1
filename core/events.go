package core

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/basalthq/basalt/core/hook"
)

// BootstrapEvent fires when the app initialises its store and schema.
type BootstrapEvent struct {
	hook.Event
	App *App
}

// TerminateEvent fires when the app shuts down.
type TerminateEvent struct {
	hook.Event
	App *App
}

// ServeEvent fires before the HTTP server starts listening.
type ServeEvent struct {
	hook.Event
	App *App
	// Router collects the custom routes; internal/api mounts them after
	// every OnServe handler ran.
	Router *Router
}

// SettingsUpdateEvent fires when settings are saved; handlers may change
// NewSettings before they are persisted.
type SettingsUpdateEvent struct {
	hook.Event
	App         *App
	Context     context.Context
	OldSettings *Settings
	NewSettings *Settings
}

// RequestEvent is the neutral view of an HTTP request given to request
// hooks and custom routes.
type RequestEvent struct {
	hook.Event
	App      *App
	Request  *http.Request
	Response http.ResponseWriter
	// Auth is the authenticated record (nil for guests).
	Auth *Record
	// written is set once a response was sent.
	written bool
	// routeDepth is how far a custom route's chain got (see RouteChain.Run);
	// an int32 next to written keeps the struct's size, so built-in
	// routes, which allocate an event per request, pay nothing for it.
	routeDepth int32
}

// Context returns the request context.
func (e *RequestEvent) Context() context.Context { return e.Request.Context() }

// PathValue returns a path parameter.
func (e *RequestEvent) PathValue(name string) string { return e.Request.PathValue(name) }

// HasSuperuserAuth reports whether the request is authenticated as a superuser.
func (e *RequestEvent) HasSuperuserAuth() bool {
	return e.Auth != nil && e.Auth.Collection().Id == SuperusersCollectionId
}

// JSON writes v as a JSON response.
func (e *RequestEvent) JSON(status int, v any) error {
	e.written = true
	e.Response.Header().Set("Content-Type", "application/json")
	e.Response.WriteHeader(status)
	return json.NewEncoder(e.Response).Encode(v)
}

// NoContent writes an empty response.
func (e *RequestEvent) NoContent(status int) error {
	e.written = true
	e.Response.WriteHeader(status)
	return nil
}

// String writes a plain-text response.
func (e *RequestEvent) String(status int, s string) error {
	e.written = true
	e.Response.Header().Set("Content-Type", "text/plain; charset=utf-8")
	e.Response.WriteHeader(status)
	_, err := e.Response.Write([]byte(s))
	return err
}

// Written reports whether a response was already sent.
func (e *RequestEvent) Written() bool { return e.written }

// MarkWritten records that the response was sent by other means.
func (e *RequestEvent) MarkWritten() { e.written = true }

// CollectionEvent is a collection model event.
type CollectionEvent struct {
	hook.Event
	App        *App
	Context    context.Context
	Collection *Collection
	// Error is set on After*Error events.
	Error error
}

// Tags returns the collection id and name.
func (e *CollectionEvent) Tags() []string {
	if e.Collection == nil {
		return nil
	}
	return []string{e.Collection.Id, e.Collection.Name}
}

// RecordEvent is a record model event.
type RecordEvent struct {
	hook.Event
	App     *App
	Context context.Context
	Record  *Record
	// Error is set on After*Error events.
	Error error
}

// Tags returns the record's collection id and name.
func (e *RecordEvent) Tags() []string {
	if e.Record == nil {
		return nil
	}
	c := e.Record.Collection()
	return []string{c.Id, c.Name}
}

// RecordsListRequestEvent wraps a list request; handlers may change Result.
type RecordsListRequestEvent struct {
	RequestEvent
	Collection *Collection
	Records    []*Record
	Result     *ListResult
}

// Tags returns the collection id and name.
func (e *RecordsListRequestEvent) Tags() []string {
	return []string{e.Collection.Id, e.Collection.Name}
}

// RecordRequestEvent wraps a view, create, update or delete request.
type RecordRequestEvent struct {
	RequestEvent
	Collection *Collection
	Record     *Record
}

// Tags returns the collection id and name.
func (e *RecordRequestEvent) Tags() []string { return []string{e.Collection.Id, e.Collection.Name} }

// ListResult is the list envelope of spec §2.2.
type ListResult struct {
	Page       int `json:"page"`
	PerPage    int `json:"perPage"`
	TotalItems int `json:"totalItems"`
	TotalPages int `json:"totalPages"`
	Items      any `json:"items"`
}
