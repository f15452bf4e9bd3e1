// Package client is a minimal HTTP client for PocketBase-compatible record
// and collection APIs, shared by the dataset setup and the scenarios.
package client

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"
)

// Client talks to one server. Token, when set, is sent as the Authorization
// header on every request made through Do.
type Client struct {
	// BaseURL is the server root, e.g. "http://127.0.0.1:8090".
	BaseURL string
	// HTTP is the underlying client; nil means a shared loopback-tuned one.
	HTTP *http.Client
	// Token is the auth token sent in the Authorization header (may be "").
	Token string
}

// NewHTTPClient returns an http.Client whose transport keeps up to maxConns
// idle keep-alive connections to the single benchmark host.
func NewHTTPClient(maxConns int) *http.Client {
	tr := &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        maxConns,
		MaxIdleConnsPerHost: maxConns,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
	}
	return &http.Client{Transport: tr, Timeout: 60 * time.Second}
}

var defaultHTTP = NewHTTPClient(128)

// New returns a client for baseURL (trailing slash removed) using the shared
// transport.
func New(baseURL string) *Client {
	return &Client{BaseURL: strings.TrimRight(baseURL, "/"), HTTP: defaultHTTP}
}

// WithToken returns a copy of c that authenticates with token.
func (c *Client) WithToken(token string) *Client {
	cp := *c
	cp.Token = token
	return &cp
}

// StatusError is returned by Do for non-2xx responses.
type StatusError struct {
	// Method and Path identify the request.
	Method, Path string
	// Status is the HTTP status code.
	Status int
	// Body is the response body.
	Body string
}

// Error implements error.
func (e *StatusError) Error() string {
	body := e.Body
	if len(body) > 300 {
		body = body[:300]
	}
	return fmt.Sprintf("%s %s: status %d: %s", e.Method, e.Path, e.Status, body)
}

// Raw sends a request with the given body and content type and returns the
// response body; a non-2xx status yields a *StatusError.
func (c *Client) Raw(ctx context.Context, method, path string, body []byte, contentType string) ([]byte, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.BaseURL+path, rd)
	if err != nil {
		return nil, err
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if c.Token != "" {
		req.Header.Set("Authorization", c.Token)
	}
	hc := c.HTTP
	if hc == nil {
		hc = defaultHTTP
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("read %s %s: %w", method, path, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return data, &StatusError{Method: method, Path: path, Status: resp.StatusCode, Body: string(data)}
	}
	return data, nil
}

// Do sends in (JSON-encoded unless nil) and decodes the response into out
// (unless nil).
func (c *Client) Do(ctx context.Context, method, path string, in, out any) error {
	var body []byte
	ct := ""
	if in != nil {
		var err error
		if body, err = json.Marshal(in); err != nil {
			return err
		}
		ct = "application/json"
	}
	data, err := c.Raw(ctx, method, path, body, ct)
	if err != nil {
		return err
	}
	if out != nil && len(data) > 0 {
		if err := json.Unmarshal(data, out); err != nil {
			return fmt.Errorf("decode %s %s: %w", method, path, err)
		}
	}
	return nil
}

// IsStatus reports whether err is a *StatusError with the given status.
func IsStatus(err error, status int) bool {
	se, ok := err.(*StatusError)
	return ok && se.Status == status
}

// AuthResponse is the body of a successful auth-with-password call.
type AuthResponse struct {
	Token  string         `json:"token"`
	Record map[string]any `json:"record"`
}

// AuthWithPassword authenticates against the given auth collection and
// returns the token and record.
func (c *Client) AuthWithPassword(ctx context.Context, collection, identity, password string) (AuthResponse, error) {
	var out AuthResponse
	err := c.Do(ctx, http.MethodPost, "/api/collections/"+collection+"/auth-with-password",
		map[string]string{"identity": identity, "password": password}, &out)
	if err == nil && out.Token == "" {
		err = fmt.Errorf("auth-with-password %s: empty token", collection)
	}
	return out, err
}

// ListResult is the list envelope with raw items.
type ListResult struct {
	Page       int              `json:"page"`
	PerPage    int              `json:"perPage"`
	TotalItems int              `json:"totalItems"`
	TotalPages int              `json:"totalPages"`
	Items      []map[string]any `json:"items"`
}

// IDs pages through a collection's records (skipTotal, perPage 1000) and
// returns up to max record ids (0 = all).
func (c *Client) IDs(ctx context.Context, collection, filter string, max int) ([]string, error) {
	var ids []string
	for page := 1; page < 1000; page++ {
		q := fmt.Sprintf("/api/collections/%s/records?page=%d&perPage=1000&skipTotal=1&fields=id", collection, page)
		if filter != "" {
			q += "&filter=" + urlQueryEscape(filter)
		}
		var res ListResult
		if err := c.Do(ctx, http.MethodGet, q, nil, &res); err != nil {
			return nil, err
		}
		for _, it := range res.Items {
			if id, ok := it["id"].(string); ok {
				ids = append(ids, id)
			}
			if max > 0 && len(ids) >= max {
				return ids, nil
			}
		}
		if len(res.Items) < 1000 {
			break
		}
	}
	return ids, nil
}

// Count returns totalItems of a collection (optionally filtered).
func (c *Client) Count(ctx context.Context, collection, filter string) (int, error) {
	q := "/api/collections/" + collection + "/records?perPage=1&fields=id"
	if filter != "" {
		q += "&filter=" + urlQueryEscape(filter)
	}
	var res ListResult
	if err := c.Do(ctx, http.MethodGet, q, nil, &res); err != nil {
		return 0, err
	}
	return res.TotalItems, nil
}
