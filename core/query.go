package core

import (
	"github.com/basalthq/basalt/core/filter"
)

// RequestInfo is what rules see as @request.* (spec §3.3).
type RequestInfo struct {
	// Auth is the authenticated record, nil for guests.
	Auth *Record
	// Method is the HTTP method ("GET" for realtime checks).
	Method string
	// Context is "default", "expand", "realtime", "protectedFile",
	// "batch", "oauth2", "otp" or "password".
	Context string
	// Query holds the first value of each URL query parameter.
	Query map[string]string
	// Headers holds the first value of each header, names in lower
	// snake_case.
	Headers map[string]string
	// Body is the submitted data after modifiers were resolved.
	Body map[string]any
}

// IsSuperuser reports whether the request is authenticated as a superuser.
func (ri *RequestInfo) IsSuperuser() bool {
	return ri != nil && ri.Auth != nil && ri.Auth.Collection().Id == SuperusersCollectionId
}

// Request contexts (spec §4.7).
const (
	ContextDefault       = "default"
	ContextExpand        = "expand"
	ContextRealtime      = "realtime"
	ContextProtectedFile = "protectedFile"
	ContextBatch         = "batch"
	ContextOAuth2        = "oauth2"
	ContextOTP           = "otp"
	ContextPassword      = "password"
)

// FilterClause is one parsed expression AND-ed into a record query.
type FilterClause struct {
	Expr filter.Expr
	// Client marks a user-supplied filter (not a rule): hidden fields are
	// refused for non-superusers and auth e-mails are matched only where
	// public (spec §3.3).
	Client bool
}

// RecordQuery is a record search the store translates to SQL.
type RecordQuery struct {
	Collection *Collection
	Filters    []FilterClause
	Sort       []filter.SortItem
	// ClientSort marks the sort as user-supplied (same hidden-field rules
	// as FilterClause.Client).
	ClientSort bool
	// Ids restricts the query to these record ids when non-nil.
	Ids []string
	// Page and PerPage select the window; PerPage 0 means no limit.
	Page    int
	PerPage int
	// Offset, when PerPage > 0, skips this many rows instead of the
	// page's (App.RecordQuery's Offset, not a multiple of PerPage).
	Offset int
	// Count asks for the total number of matching rows.
	Count bool
	// Request is the @request.* context; nil means a superuser-less,
	// guest-less internal query.
	Request *RequestInfo
	// Superuser disables cross-collection list-rule propagation.
	Superuser bool
	// Candidate, when set, evaluates the filters against this in-memory
	// record instead of the table (create rules, spec §4.3). Such a query
	// only counts (Total 1 or 0, no Records): nothing else is asked of it.
	Candidate *Record
}

// RecordQueryResult is the outcome of a RecordQuery.
type RecordQueryResult struct {
	Records []*Record
	// Total is the number of matching rows, -1 when not counted.
	Total int
}
