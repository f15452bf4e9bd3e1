package client

import "net/url"

// urlQueryEscape escapes s for a query string.
func urlQueryEscape(s string) string { return url.QueryEscape(s) }
