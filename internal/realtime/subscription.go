package realtime

import (
	"encoding/json"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/basalthq/basalt/core"
)

// Limits of a subscribe request (spec §7.2).
const (
	// MaxSubscriptions is the most subscriptions one request may set.
	MaxSubscriptions = 1000
	// MaxSubscriptionLength bounds one subscription string.
	MaxSubscriptionLength = 2500
	// MaxClientIdLength bounds the client id of a subscribe request.
	MaxClientIdLength = 255
)

// OAuth2Topic is the topic the OAuth2 redirect answers on (spec §1.4 A14).
const OAuth2Topic = "@oauth2"

// Subscription is one parsed subscription string (spec §7.3).
type Subscription struct {
	// Raw is the exact string as submitted: the SSE event name of every
	// delivery for it.
	Raw string
	// Topic is Raw without the "?options=" suffix.
	Topic string
	// Collection and RecordId split a record topic ("posts/*" has
	// RecordId "*"; the legacy "posts" form has RecordId "*" too).
	Collection string
	RecordId   string
	// Query and Headers are the options, used as @request.query.* and
	// @request.headers.* (header names in lower snake_case).
	Query   map[string]string
	Headers map[string]string
	// Invalid marks options that did not parse: such a subscription
	// never receives record events.
	Invalid bool

	// optsKey is a canonical encoding of Query and Headers for grouping.
	optsKey string
	// key is the topic index key (see topicKey).
	key string
	// filter is the parsed "filter" option (nil when none); badFilter is
	// set when it did not parse or is not allowed (event dropped).
	filter    *core.FilterClause
	badFilter bool
}

type subOptions struct {
	Query   map[string]any `json:"query"`
	Headers map[string]any `json:"headers"`
}

var headerSnake = regexp.MustCompile(`[^a-z0-9]+`)

// ParseSubscription splits raw into topic and options.
func ParseSubscription(raw string) *Subscription {
	s := &Subscription{Raw: raw, Topic: raw}
	if i := strings.Index(raw, "?options="); i >= 0 {
		s.Topic = raw[:i]
		if err := s.parseOptions(raw[i+len("?options="):]); err != nil {
			s.Invalid = true
		}
	}
	if i := strings.IndexByte(s.Topic, '/'); i >= 0 {
		s.Collection, s.RecordId = s.Topic[:i], s.Topic[i+1:]
	} else {
		s.Collection, s.RecordId = s.Topic, "*"
	}
	s.optsKey = canonicalOptions(s.Query, s.Headers)
	s.key = topicKey(s.Topic)
	if f := strings.TrimSpace(s.Query["filter"]); f != "" {
		expr, err := core.ParseClientFilter(f)
		if err != nil {
			s.badFilter = true
		} else {
			s.filter = &core.FilterClause{Expr: expr, Client: true}
		}
	}
	return s
}

func (s *Subscription) parseOptions(enc string) error {
	dec, err := url.QueryUnescape(enc)
	if err != nil {
		return err
	}
	var o subOptions
	if err := json.Unmarshal([]byte(dec), &o); err != nil {
		return err
	}
	if len(o.Query) > 0 {
		s.Query = make(map[string]string, len(o.Query))
		for k, v := range o.Query {
			s.Query[k] = stringify(v)
		}
	}
	if len(o.Headers) > 0 {
		s.Headers = make(map[string]string, len(o.Headers))
		for k, v := range o.Headers {
			name := strings.Trim(headerSnake.ReplaceAllString(strings.ToLower(k), "_"), "_")
			s.Headers[name] = stringify(v)
		}
	}
	return nil
}

// stringify turns an option value into the string rules see (spec §7.3:
// values are stringified).
func stringify(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	}
	return core.ToString(v)
}

func canonicalOptions(q, h map[string]string) string {
	if len(q) == 0 && len(h) == 0 {
		return ""
	}
	var b strings.Builder
	for _, m := range []map[string]string{q, h} {
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			b.WriteString(url.QueryEscape(k))
			b.WriteByte('=')
			b.WriteString(url.QueryEscape(m[k]))
			b.WriteByte('&')
		}
		b.WriteByte('|')
	}
	return b.String()
}

// Filter, Expand and Fields return the corresponding query options.
func (s *Subscription) Filter() string { return s.Query["filter"] }

// Expand returns the "expand" query option.
func (s *Subscription) Expand() string { return s.Query["expand"] }

// Fields returns the "fields" query option.
func (s *Subscription) Fields() string { return s.Query["fields"] }

// topicKey is the index key of a topic: the collection part folded to
// lower case, since collection names match case-insensitively.
func topicKey(topic string) string {
	if i := strings.IndexByte(topic, '/'); i >= 0 {
		return strings.ToLower(topic[:i]) + topic[i:]
	}
	return strings.ToLower(topic)
}

// ValidateSubscribe checks a subscribe request body (spec §7.2) and
// returns the field errors (nil when valid).
func ValidateSubscribe(clientId string, subs []string) core.ValidationErrors {
	errs := core.ValidationErrors{}
	switch {
	case clientId == "":
		errs["clientId"] = core.ErrRequired()
	case len(clientId) > MaxClientIdLength:
		errs["clientId"] = lengthErr(1, MaxClientIdLength)
	}
	if len(subs) > MaxSubscriptions {
		errs["subscriptions"] = lengthErr(0, MaxSubscriptions)
	} else {
		items := core.ValidationErrors{}
		for i, s := range subs {
			switch {
			case len(s) > MaxSubscriptionLength:
				items[itoa(i)] = lengthErr(0, MaxSubscriptionLength)
			case strings.ContainsAny(s, "\r\n\x00"):
				// A subscription is the SSE event name of its deliveries,
				// and an event name cannot hold a line break.
				items[itoa(i)] = core.NewFieldError("validation_invalid_subscription",
					"Subscriptions cannot contain line breaks or NUL characters.", nil)
			}
		}
		if len(items) > 0 {
			errs["subscriptions"] = items
		}
	}
	if len(errs) == 0 {
		return nil
	}
	return errs
}

func lengthErr(min, max int) *core.FieldError {
	return core.NewFieldError("validation_length_too_long", "The length must be no more than "+itoa(max)+".",
		map[string]any{"min": min, "max": max})
}

func itoa(i int) string { return strconv.Itoa(i) }
