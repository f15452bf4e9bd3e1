package realtime

import (
	"encoding/json"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

func TestParseSubscription(t *testing.T) {
	enc := url.QueryEscape(`{"query":{"filter":"views > 5","expand":"author","n":3},"headers":{"X-Foo-Bar":"baz"}}`)
	cases := []struct {
		name              string
		raw               string
		topic, col, recId string
		invalid           bool
		filter            string
		header            string
	}{
		{"collection", "posts/*", "posts/*", "posts", "*", false, "", ""},
		{"legacy", "posts", "posts", "posts", "*", false, "", ""},
		{"record", "posts/abc", "posts/abc", "posts", "abc", false, "", ""},
		{"options", "posts/*?options=" + enc, "posts/*", "posts", "*", false, "views > 5", "baz"},
		{"bad options", "posts/*?options=%7Bnope", "posts/*", "posts", "*", true, "", ""},
		{"oauth2", "@oauth2", "@oauth2", "@oauth2", "*", false, "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := ParseSubscription(tc.raw)
			if s.Raw != tc.raw || s.Topic != tc.topic || s.Collection != tc.col || s.RecordId != tc.recId || s.Invalid != tc.invalid {
				t.Fatalf("got %+v", s)
			}
			if s.Filter() != tc.filter || s.Headers["x_foo_bar"] != tc.header {
				t.Fatalf("options: filter %q headers %v", s.Filter(), s.Headers)
			}
		})
	}
	if s := ParseSubscription("posts/*?options=" + url.QueryEscape(`{"query":{"filter":"views >"}}`)); !s.badFilter {
		t.Fatal("unparsable filter not flagged")
	}
	if s := ParseSubscription("posts/*?options=" + enc); s.Query["n"] != "3" {
		t.Fatalf("number option = %q, want stringified", s.Query["n"])
	}
}

func TestValidateSubscribe(t *testing.T) {
	many := make([]string, MaxSubscriptions+1)
	cases := []struct {
		name     string
		clientId string
		subs     []string
		wantKey  string
		wantCode string
	}{
		{"ok", "abc", []string{"posts/*"}, "", ""},
		{"empty list ok", "abc", nil, "", ""},
		{"missing client", "", nil, "clientId", "validation_required"},
		{"long client", strings.Repeat("a", 256), nil, "clientId", "validation_length_too_long"},
		{"too many", "abc", many, "subscriptions", "validation_length_too_long"},
		{"too long", "abc", []string{"a", strings.Repeat("x", 2501)}, "subscriptions", "validation_length_too_long"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			errs := ValidateSubscribe(tc.clientId, tc.subs)
			if tc.wantKey == "" {
				if errs != nil {
					t.Fatalf("errs = %v", errs)
				}
				return
			}
			if errs[tc.wantKey] == nil || !strings.Contains(toJSON(errs), tc.wantCode) {
				t.Fatalf("errs = %s, want %s on %s", toJSON(errs), tc.wantCode, tc.wantKey)
			}
		})
	}
}

func TestTopicKey(t *testing.T) {
	if topicKey("Posts/AbC") != "posts/AbC" || topicKey("POSTS") != "posts" {
		t.Fatal("collection part must fold, record part must not")
	}
}

// TestSubscriptionFilterLimits: a subscription's filter is held to the
// same size limits as a list's (issue #22: realtime skipped them), so it
// never matches instead of being parsed and evaluated on every change.
func TestSubscriptionFilterLimits(t *testing.T) {
	sub := func(f string) *Subscription {
		b, _ := json.Marshal(map[string]any{"query": map[string]any{"filter": f}})
		return ParseSubscription("posts/*?options=" + url.QueryEscape(string(b)))
	}
	comparisons := func(n int) string {
		parts := make([]string, n)
		for i := range parts {
			parts[i] = "views = " + strconv.Itoa(i)
		}
		return strings.Join(parts, " || ")
	}
	// Well past the filter language's bounds (3,500 bytes, 200
	// comparisons; core/filter, which this package may not import).
	long := "title = '" + strings.Repeat("x", 40_000) + "'"
	cases := []struct {
		name string
		f    string
		bad  bool
	}{
		{"a few comparisons", comparisons(20), false},
		{"too many comparisons", comparisons(1_000), true},
		{"over the length bound", long, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if s := sub(tc.f); s.badFilter != tc.bad {
				t.Fatalf("badFilter = %v, want %v (filter of %d bytes)", s.badFilter, tc.bad, len(tc.f))
			}
		})
	}
}
