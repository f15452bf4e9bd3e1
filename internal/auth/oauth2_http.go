package auth

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// This file holds the HTTP and JSON plumbing every provider shares: size-
// and time-bounded requests, token-response parsing, and lookups into
// decoded JSON documents.

// StatusError is returned when a provider answers with a non-2xx status.
// Body is a short prefix of the response for server logs; never send it
// to API clients.
type StatusError struct {
	Status int
	Body   string
}

// Error reports the status and the body prefix.
func (e *StatusError) Error() string {
	return fmt.Sprintf("status %d: %s", e.Status, e.Body)
}

// do sends req and returns the (size-limited) body and content type, or a
// *StatusError for non-2xx answers.
func (b *base) do(req *http.Request) ([]byte, string, error) {
	res, err := b.client.Do(req)
	if err != nil {
		return nil, "", err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(io.LimitReader(res.Body, maxResponseBytes+1))
	if err != nil {
		return nil, "", err
	}
	if len(body) > maxResponseBytes {
		return nil, "", fmt.Errorf("response over %d bytes", maxResponseBytes)
	}
	if res.StatusCode < 200 || res.StatusCode > 299 {
		snippet := string(body)
		if len(snippet) > 200 {
			snippet = snippet[:200]
		}
		return nil, "", &StatusError{Status: res.StatusCode, Body: snippet}
	}
	return body, res.Header.Get("Content-Type"), nil
}

// getJSON GETs rawURL with the bearer token (plus headers) and decodes the
// JSON answer into dst, numbers as json.Number so large ids keep every
// digit. The call is bounded by ExchangeTimeout and ctx.
func (b *base) getJSON(ctx context.Context, rawURL, accessToken string, headers map[string]string, dst any) error {
	ctx, cancel := context.WithTimeout(ctx, b.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/json")
	if accessToken != "" {
		req.Header.Set("Authorization", "Bearer "+accessToken)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	body, _, err := b.do(req)
	if err != nil {
		return err
	}
	return decodeJSON(body, dst)
}

// postJSON POSTs payload as JSON with the bearer token (plus headers,
// which may replace Authorization) and decodes the answer into dst; used
// for GraphQL user queries (Linear, monday.com).
func (b *base) postJSON(ctx context.Context, rawURL, accessToken string, headers map[string]string, payload, dst any) error {
	ctx, cancel := context.WithTimeout(ctx, b.timeout)
	defer cancel()
	body, err := json.Marshal(payload)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, rawURL, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	if accessToken != "" {
		req.Header.Set("Authorization", "Bearer "+accessToken)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	res, _, err := b.do(req)
	if err != nil {
		return err
	}
	return decodeJSON(res, dst)
}

func decodeJSON(body []byte, dst any) error {
	d := json.NewDecoder(bytes.NewReader(body))
	d.UseNumber()
	if err := d.Decode(dst); err != nil {
		return fmt.Errorf("decode json: %w", err)
	}
	return nil
}

// fetchUserJSON is the common FetchUser first step: the user-info document
// as a map.
func (b *base) fetchUserJSON(ctx context.Context, tok *Token, rawURL string, headers map[string]string) (map[string]any, error) {
	if tok == nil || tok.AccessToken == "" {
		return nil, fmt.Errorf("oauth2 %s user: missing access token", b.name)
	}
	var raw map[string]any
	if err := b.getJSON(ctx, rawURL, tok.AccessToken, headers, &raw); err != nil {
		return nil, fmt.Errorf("oauth2 %s user: %w", b.name, err)
	}
	if raw == nil {
		return nil, fmt.Errorf("oauth2 %s user: empty response", b.name)
	}
	return raw, nil
}

// newUser starts a User carrying the token fields.
func newUser(tok *Token, raw map[string]any) *User {
	return &User{AccessToken: tok.AccessToken, RefreshToken: tok.RefreshToken, Expiry: tok.Expiry, RawUser: raw}
}

// requireId fails a mapping that found no account id: linking on an empty
// id would merge every such user into one external-auth row.
func requireId(provider string, u *User) (*User, error) {
	if u.Id == "" {
		return nil, fmt.Errorf("oauth2 %s user: no account id in response", provider)
	}
	return u, nil
}

// parseTokenResponse reads a token endpoint answer: JSON normally, or the
// form encoding some servers (GitHub without Accept) still use. An
// "error" field is an error even under status 200, which GitHub does.
func parseTokenResponse(body []byte, contentType string, now time.Time) (*Token, error) {
	raw := map[string]any{}
	mt, _, _ := mime.ParseMediaType(contentType)
	if mt == "application/x-www-form-urlencoded" || mt == "text/plain" {
		vals, err := url.ParseQuery(string(body))
		if err != nil {
			return nil, fmt.Errorf("decode token: %w", err)
		}
		for k := range vals {
			raw[k] = vals.Get(k)
		}
	} else if err := decodeJSON(body, &raw); err != nil {
		return nil, fmt.Errorf("decode token: %w", err)
	}
	if data, ok := raw["data"].([]any); ok && str(raw, "access_token") == "" && len(data) > 0 {
		// Instagram Login wraps the token in a one-element list.
		if first, ok := data[0].(map[string]any); ok {
			raw = first
		}
	}
	if e := str(raw, "error"); e != "" {
		return nil, fmt.Errorf("token error %q: %.200s", e, str(raw, "error_description"))
	}
	tok := &Token{
		AccessToken:  str(raw, "access_token"),
		RefreshToken: str(raw, "refresh_token"),
		TokenType:    str(raw, "token_type"),
		IDToken:      str(raw, "id_token"),
		Raw:          raw,
	}
	if tok.AccessToken == "" {
		return nil, errors.New("token response without access_token")
	}
	if s := str(raw, "expires_in"); s != "" {
		if secs, err := strconv.ParseFloat(s, 64); err == nil && secs > 0 {
			tok.Expiry = now.Add(time.Duration(secs) * time.Second)
		}
	}
	return tok, nil
}

// str returns the value at path in a decoded JSON document as a string:
// strings as is, json.Number (and float64) in their decimal form, anything
// else "". Missing keys give "".
func str(m map[string]any, path ...string) string {
	v := lookup(m, path...)
	switch x := v.(type) {
	case string:
		return x
	case json.Number:
		return x.String()
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	return ""
}

// truthy reports whether the value at path is JSON true or the string
// "true" (Apple sends booleans as strings in id_token claims).
func truthy(m map[string]any, path ...string) bool {
	switch x := lookup(m, path...).(type) {
	case bool:
		return x
	case string:
		return strings.EqualFold(x, "true")
	}
	return false
}

func lookup(m map[string]any, path ...string) any {
	var v any = m
	for _, k := range path {
		mm, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = mm[k]
	}
	return v
}

// decodeJWTPayload returns the claims of a JWT without checking its
// signature; used only where the token came straight from the provider
// over TLS (see provider_oidc.go).
func decodeJWTPayload(token string) (map[string]any, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil, errors.New("malformed jwt")
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return nil, fmt.Errorf("malformed jwt payload: %w", err)
	}
	claims := map[string]any{}
	if err := decodeJSON(payload, &claims); err != nil {
		return nil, err
	}
	return claims, nil
}
