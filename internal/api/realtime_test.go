package api_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/basalthq/basalt/core"
	"github.com/basalthq/basalt/internal/testenv"
)

// sseEvent is one parsed SSE frame.
type sseEvent struct{ ID, Event, Data string }

// sseConn is a streaming SSE reader over a real socket.
type sseConn struct {
	t        testing.TB
	resp     *http.Response
	events   chan sseEvent
	ClientId string
}

var sseClient = &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}

// openSSE connects to /api/realtime and waits for PB_CONNECT.
func openSSE(t testing.TB, s *testenv.Server) *sseConn {
	t.Helper()
	return openSSEWith(t, sseClient, s.URL)
}

// openSSEWith is openSSE through client (e.g. an HTTP/2 one).
func openSSEWith(t testing.TB, client *http.Client, baseURL string) *sseConn {
	t.Helper()
	resp, err := client.Get(baseURL + "/api/realtime")
	if err != nil {
		t.Fatal(err)
	}
	c := &sseConn{t: t, resp: resp, events: make(chan sseEvent, 1024)}
	t.Cleanup(c.Close)
	go func() {
		defer func() { _ = recover() }()
		defer close(c.events)
		testenv.ReadSSE(resp.Body, func(ev testenv.SSEEvent) { c.events <- sseEvent(ev) })
	}()
	first, ok := c.Next(5 * time.Second)
	if !ok || first.Event != "PB_CONNECT" {
		t.Fatalf("first event = %+v, %v", first, ok)
	}
	var d struct{ ClientId string }
	_ = json.Unmarshal([]byte(first.Data), &d)
	if d.ClientId == "" || d.ClientId != first.ID {
		t.Fatalf("PB_CONNECT id %q data %q", first.ID, first.Data)
	}
	c.ClientId = d.ClientId
	return c
}

// Close ends the stream.
func (c *sseConn) Close() { _ = c.resp.Body.Close() }

// Next returns the next event, false on timeout or end of stream.
func (c *sseConn) Next(timeout time.Duration) (sseEvent, bool) {
	select {
	case ev, ok := <-c.events:
		return ev, ok
	case <-time.After(timeout):
		return sseEvent{}, false
	}
}

// Quiet reports that nothing arrives within d.
func (c *sseConn) Quiet(d time.Duration) bool {
	select {
	case ev, ok := <-c.events:
		if ok {
			c.t.Logf("unexpected event %+v", ev)
		}
		return !ok
	case <-time.After(d):
		return true
	}
}

// Ended waits until the server closes the stream.
func (c *sseConn) Ended(timeout time.Duration) bool {
	deadline := time.After(timeout)
	for {
		select {
		case _, ok := <-c.events:
			if !ok {
				return true
			}
		case <-deadline:
			return false
		}
	}
}

// subscribe POSTs the subscriptions of c.
func subscribe(s *testenv.Server, clientId, token string, subs ...string) (int, map[string]any) {
	if subs == nil {
		subs = []string{}
	}
	return s.Do("POST", "/api/realtime", token, map[string]any{"clientId": clientId, "subscriptions": subs})
}

type rtEvent struct {
	Action string         `json:"action"`
	Record map[string]any `json:"record"`
}

func (c *sseConn) expect(name, action string) rtEvent {
	c.t.Helper()
	ev, ok := c.Next(5 * time.Second)
	if !ok {
		c.t.Fatalf("no %s %s event", name, action)
	}
	if ev.ID != c.ClientId || ev.Event != name {
		c.t.Fatalf("event %+v, want id %s name %s", ev, c.ClientId, name)
	}
	var out rtEvent
	if err := json.Unmarshal([]byte(ev.Data), &out); err != nil {
		c.t.Fatal(err)
	}
	if out.Action != action {
		c.t.Fatalf("action = %s, want %s (%s)", out.Action, action, ev.Data)
	}
	return out
}

type rtFixture struct {
	s          *testenv.Server
	su         string
	alice, bob string // tokens
	aliceId    string
	bobId      string
}

func userToken(t testing.TB, s *testenv.Server, email string) (string, string) {
	t.Helper()
	st, body := s.Do("POST", "/api/collections/users/records", "", map[string]any{
		"email": email, "password": "password123", "passwordConfirm": "password123"})
	if st != 200 {
		t.Fatalf("create user: %d %v", st, body)
	}
	st, body = s.Do("POST", "/api/collections/users/auth-with-password", "", map[string]any{"identity": email, "password": "password123"})
	if st != 200 {
		t.Fatalf("auth: %d %v", st, body)
	}
	return body["token"].(string), body["record"].(map[string]any)["id"].(string)
}

// newRealtimeFixture: users (createRule ""), posts with an owner relation
// and a hidden field.
func newRealtimeFixture(t testing.TB, listRule, viewRule string) *rtFixture {
	t.Helper()
	s := testenv.StartServer(t)
	f := &rtFixture{s: s, su: s.Superuser("admin@example.com", "password123")}
	st, body := s.Do("PATCH", "/api/collections/users", f.su, map[string]any{"createRule": "", "viewRule": ""})
	if st != 200 {
		t.Fatalf("users rules: %d %v", st, body)
	}
	users, _ := s.App.FindCollectionByNameOrId("users")
	st, body = s.Do("POST", "/api/collections", f.su, map[string]any{
		"name": "posts", "listRule": listRule, "viewRule": viewRule, "createRule": "", "updateRule": "", "deleteRule": "",
		"fields": []any{
			map[string]any{"name": "title", "type": "text"},
			map[string]any{"name": "views", "type": "number"},
			map[string]any{"name": "secret", "type": "text", "hidden": true},
			map[string]any{"name": "owner", "type": "relation", "collectionId": users.Id, "maxSelect": 1},
		},
	})
	if st != 200 {
		t.Fatalf("posts: %d %v", st, body)
	}
	f.alice, f.aliceId = userToken(t, s, "alice@example.com")
	f.bob, f.bobId = userToken(t, s, "bob@example.com")
	return f
}

func TestRealtimeConnectFrame(t *testing.T) {
	s := testenv.StartServer(t)
	resp, err := sseClient.Get(s.URL + "/api/realtime")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	for k, want := range map[string]string{"Content-Type": "text/event-stream", "Cache-Control": "no-store",
		"X-Accel-Buffering": "no", "X-Content-Type-Options": "nosniff"} {
		if got := resp.Header.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	buf := make([]byte, 0, 256)
	r := bufio.NewReader(resp.Body)
	for !bytes.HasSuffix(buf, []byte("\n\n")) {
		b, err := r.ReadByte()
		if err != nil {
			t.Fatal(err)
		}
		buf = append(buf, b)
	}
	re := regexp.MustCompile(`^id:([A-Za-z0-9]{40})\nevent:PB_CONNECT\ndata:\{"clientId":"([A-Za-z0-9]{40})"\}\n\n$`)
	m := re.FindStringSubmatch(string(buf))
	if m == nil || m[1] != m[2] {
		t.Fatalf("frame %q", buf)
	}
}

func TestRealtimeCreateUpdateDelete(t *testing.T) {
	f := newRealtimeFixture(t, "", "")
	s := f.s
	c := openSSE(t, s)
	if st, body := subscribe(s, c.ClientId, "", "posts/*"); st != 204 {
		t.Fatalf("subscribe: %d %v", st, body)
	}
	st, body := s.Do("POST", "/api/collections/posts/records", "", map[string]any{"title": "a", "secret": "s"})
	if st != 200 {
		t.Fatalf("create: %d %v", st, body)
	}
	id := body["id"].(string)
	ev := c.expect("posts/*", "create")
	if ev.Record["id"] != id || ev.Record["title"] != "a" || ev.Record["collectionName"] != "posts" {
		t.Fatalf("record %v", ev.Record)
	}
	if _, ok := ev.Record["secret"]; ok {
		t.Fatal("hidden field in realtime event")
	}
	// Add a record topic: the same change arrives once per subscription.
	if st, _ := subscribe(s, c.ClientId, "", "posts/*", "posts/"+id); st != 204 {
		t.Fatal("resubscribe")
	}
	s.Do("PATCH", "/api/collections/posts/records/"+id, "", map[string]any{"title": "b"})
	names := map[string]bool{}
	for i := 0; i < 2; i++ {
		ev, ok := c.Next(5 * time.Second)
		if !ok || !strings.Contains(ev.Data, `"action":"update"`) {
			t.Fatalf("update event %d: %+v", i, ev)
		}
		names[ev.Event] = true
	}
	if !names["posts/*"] || !names["posts/"+id] {
		t.Fatalf("update names %v", names)
	}
	if st, _ := s.Do("DELETE", "/api/collections/posts/records/"+id, "", nil); st != 204 {
		t.Fatal("delete")
	}
	for i := 0; i < 2; i++ {
		if ev, ok := c.Next(5 * time.Second); !ok || !strings.Contains(ev.Data, `"action":"delete"`) {
			t.Fatalf("delete event %d: %+v", i, ev)
		}
	}
	// Superuser subscribers never see hidden fields either (spec §7.4).
	sc := openSSE(t, s)
	subscribe(s, sc.ClientId, f.su, "posts/*")
	s.Do("POST", "/api/collections/posts/records", "", map[string]any{"title": "c", "secret": "s"})
	if ev := sc.expect("posts/*", "create"); ev.Record["secret"] != nil {
		t.Fatal("hidden field sent to superuser")
	}
	// Unsubscribe (empty list) stops delivery.
	if st, _ := subscribe(s, c.ClientId, ""); st != 204 {
		t.Fatal("unsubscribe")
	}
	c.Quiet(100 * time.Millisecond) // drain the "c" create
	s.Do("POST", "/api/collections/posts/records", "", map[string]any{"title": "d"})
	sc.expect("posts/*", "create") // positive control
	if !c.Quiet(200 * time.Millisecond) {
		t.Fatal("unsubscribed client received")
	}
}

func TestRealtimeRuleFiltered(t *testing.T) {
	f := newRealtimeFixture(t, "owner = @request.auth.id", "owner = @request.auth.id")
	s := f.s
	ca, cb, cg := openSSE(t, s), openSSE(t, s), openSSE(t, s)
	subscribe(s, ca.ClientId, f.alice, "posts/*")
	subscribe(s, cb.ClientId, f.bob, "posts/*")
	subscribe(s, cg.ClientId, "", "posts/*")
	st, body := s.Do("POST", "/api/collections/posts/records", "", map[string]any{"title": "a", "owner": f.aliceId})
	if st != 200 {
		t.Fatalf("create %d %v", st, body)
	}
	ca.expect("posts/*", "create")
	if !cb.Quiet(200*time.Millisecond) || !cg.Quiet(10*time.Millisecond) {
		t.Fatal("subscriber without access received the event")
	}
	// Rule changes apply to existing subscriptions at once.
	if st, _ := s.Do("PATCH", "/api/collections/posts", f.su, map[string]any{"listRule": nil}); st != 200 {
		t.Fatal("patch rule")
	}
	s.Do("POST", "/api/collections/posts/records", "", map[string]any{"title": "b", "owner": f.aliceId})
	if !ca.Quiet(300 * time.Millisecond) {
		t.Fatal("event delivered although listRule is now superuser-only")
	}
	if st, _ := s.Do("PATCH", "/api/collections/posts", f.su, map[string]any{"listRule": ""}); st != 200 {
		t.Fatal("patch rule")
	}
	s.Do("POST", "/api/collections/posts/records", "", map[string]any{"title": "c"})
	ca.expect("posts/*", "create")
	cb.expect("posts/*", "create")
	cg.expect("posts/*", "create")
}

func TestRealtimeOptions(t *testing.T) {
	f := newRealtimeFixture(t, "", "")
	s := f.s
	c := openSSE(t, s)
	opt := func(o string) string { return "posts/*?options=" + url.QueryEscape(o) }
	filtered := opt(`{"query":{"filter":"views > 5"}}`)
	expanded := opt(`{"query":{"expand":"owner"}}`)
	fielded := opt(`{"query":{"fields":"id,title"}}`)
	broken := opt(`{"query":{"filter":"views >"}}`)
	if st, body := subscribe(s, c.ClientId, "", filtered, expanded, fielded, broken); st != 204 {
		t.Fatalf("subscribe %d %v", st, body)
	}
	s.Do("POST", "/api/collections/posts/records", "", map[string]any{"title": "low", "views": 1, "owner": f.aliceId})
	got := map[string]sseEvent{}
	for i := 0; i < 2; i++ {
		ev, ok := c.Next(5 * time.Second)
		if !ok {
			t.Fatalf("got %d events, want 2", i)
		}
		got[ev.Event] = ev
	}
	if !c.Quiet(200 * time.Millisecond) {
		t.Fatal("filtered or broken subscription received a non-matching event")
	}
	if !strings.Contains(got[expanded].Data, `"expand":{"owner":{`) || !strings.Contains(got[expanded].Data, f.aliceId) {
		t.Fatalf("expand: %s", got[expanded].Data)
	}
	var fe rtEvent
	_ = json.Unmarshal([]byte(got[fielded].Data), &fe)
	if len(fe.Record) != 2 || fe.Record["title"] != "low" || fe.Action != "create" {
		t.Fatalf("fields: %s", got[fielded].Data)
	}
	s.Do("POST", "/api/collections/posts/records", "", map[string]any{"title": "high", "views": 10})
	seen := map[string]bool{}
	for i := 0; i < 3; i++ {
		ev, ok := c.Next(5 * time.Second)
		if !ok {
			t.Fatalf("got %d events, want 3", i)
		}
		seen[ev.Event] = true
	}
	if !seen[filtered] || seen[broken] {
		t.Fatalf("events %v", seen)
	}
}

func TestRealtimeAuthBinding(t *testing.T) {
	f := newRealtimeFixture(t, "", "")
	s := f.s
	c := openSSE(t, s)
	cases := []struct {
		name   string
		token  string
		status int
	}{
		{"guest", "", 204},
		{"guest to alice is allowed", f.alice, 204},
		{"alice again", f.alice, 204},
		{"alice to bob refused", f.bob, 403},
		{"alice to guest refused", "", 403},
	}
	for _, tc := range cases {
		st, body := subscribe(s, c.ClientId, tc.token, "posts/*")
		if st != tc.status {
			t.Fatalf("%s: status %d, want %d (%v)", tc.name, st, tc.status, body)
		}
		if st == 403 && body["message"] != "The current and the previous request authorization don't match." {
			t.Fatalf("%s: %v", tc.name, body)
		}
	}
	// Deleting the bound auth record closes the stream.
	other := openSSE(t, s)
	subscribe(s, other.ClientId, f.bob, "posts/*")
	if st, _ := s.Do("DELETE", "/api/collections/users/records/"+f.aliceId, f.su, nil); st != 204 {
		t.Fatal("delete alice")
	}
	if !c.Ended(5 * time.Second) {
		t.Fatal("stream of deleted auth record still open")
	}
	// A password change invalidates bob's tokens: his stream closes too.
	users, _ := s.App.FindCollectionByNameOrId("users")
	recs, _ := s.App.FindRecordsByIds(context.Background(), users, []string{f.bobId})
	recs[0].Set("password", "newpassword1")
	if err := s.App.Save(context.Background(), recs[0]); err != nil {
		t.Fatal(err)
	}
	if !other.Ended(5 * time.Second) {
		t.Fatal("stream with invalidated token still open")
	}
}

func TestRealtimeBadInput(t *testing.T) {
	f := newRealtimeFixture(t, "", "")
	s := f.s
	c := openSSE(t, s)
	if st, _ := subscribe(s, c.ClientId, "", "posts/*"); st != 204 {
		t.Fatal("subscribe")
	}
	many := make([]string, 1001)
	for i := range many {
		many[i] = "t" + string(rune('a'+i%26))
	}
	cases := []struct {
		name   string
		body   string
		status int
		wantIn string
	}{
		{"malformed json", `{"clientId":`, 400, ""},
		{"wrong types", `{"clientId":1,"subscriptions":"x"}`, 400, ""},
		{"missing clientId", `{"subscriptions":["posts/*"]}`, 400, `"clientId":{"code":"validation_required"`},
		{"unknown clientId", `{"clientId":"nope","subscriptions":["posts/*"]}`, 404, "Missing or invalid client id."},
		{"too many topics", toJSON(map[string]any{"clientId": c.ClientId, "subscriptions": many}), 400, `"subscriptions":{"code":"validation_length_too_long"`},
		{"topic too long", toJSON(map[string]any{"clientId": c.ClientId, "subscriptions": []string{strings.Repeat("x", 2501)}}), 400, `"0":{"code":"validation_length_too_long"`},
		{"line break in a topic (SSE event injection)", toJSON(map[string]any{"clientId": c.ClientId, "subscriptions": []string{"posts/*", "posts/*\n\nevent:evil\ndata:x"}}), 400, `"1":{"code":"validation_invalid_subscription"`},
		{"CR in a topic", toJSON(map[string]any{"clientId": c.ClientId, "subscriptions": []string{"news\r"}}), 400, `"0":{"code":"validation_invalid_subscription"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := http.Post(s.URL+"/api/realtime", "application/json", strings.NewReader(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			raw, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tc.status || !strings.Contains(string(raw), tc.wantIn) {
				t.Fatalf("got %d %s, want %d containing %q", resp.StatusCode, raw, tc.status, tc.wantIn)
			}
		})
	}
	// No state change: the original subscription still delivers.
	s.Do("POST", "/api/collections/posts/records", "", map[string]any{"title": "x"})
	c.expect("posts/*", "create")
	// Topics of missing collections are plain custom topics (spec §7.3).
	if st, _ := subscribe(s, c.ClientId, "", "posts/*", "nope/*"); st != 204 {
		t.Fatal("missing collection topic refused")
	}
}

func TestRealtimeHooksAndCustomMessages(t *testing.T) {
	var connects, subscribes atomic.Int32
	s := testenv.StartServer(t, func(app *core.App) error {
		app.OnRealtimeConnectRequest().BindFunc(func(e *core.RealtimeConnectRequestEvent) error {
			connects.Add(1)
			return e.Next()
		})
		app.OnRealtimeSubscribeRequest().BindFunc(func(e *core.RealtimeSubscribeRequestEvent) error {
			subscribes.Add(1)
			e.Subscriptions = append(e.Subscriptions, "extra")
			return e.Next()
		})
		app.OnRealtimeMessageSend().BindFunc(func(e *core.RealtimeMessageEvent) error {
			if e.Message.Name == "secret" {
				return nil // dropped
			}
			return e.Next()
		})
		return nil
	})
	c := openSSE(t, s)
	if st, _ := subscribe(s, c.ClientId, "", "chat", "secret"); st != 204 {
		t.Fatal("subscribe")
	}
	rt := s.App.Realtime()
	if rt == nil {
		t.Fatal("no realtime broker on the app")
	}
	_ = rt.Send("secret", 1)
	_ = rt.Send("chat", map[string]string{"msg": "hi"})
	_ = rt.Send("extra", 2)
	_ = rt.SendToClient(c.ClientId, "direct", true)
	want := []sseEvent{{c.ClientId, "chat", `{"msg":"hi"}`}, {c.ClientId, "extra", "2"}, {c.ClientId, "direct", "true"}}
	for _, w := range want {
		if ev, ok := c.Next(5 * time.Second); !ok || ev != w {
			t.Fatalf("got %+v, want %+v", ev, w)
		}
	}
	if err := rt.SendToClient("nope", "x", 1); err == nil {
		t.Fatal("unknown client accepted")
	}
	if cl, ok := rt.Client(c.ClientId); !ok || !cl.HasSubscription("extra") {
		t.Fatal("client lookup")
	}
	if connects.Load() != 1 || subscribes.Load() != 1 {
		t.Fatalf("hooks fired connect=%d subscribe=%d, want 1/1", connects.Load(), subscribes.Load())
	}
}

func TestRealtimeNoGoroutineLeak(t *testing.T) {
	s := testenv.StartServer(t)
	// warm up the server and the client transport
	for i := 0; i < 5; i++ {
		c := openSSE(t, s)
		subscribe(s, c.ClientId, "", "posts/*")
		c.Close()
	}
	time.Sleep(100 * time.Millisecond)
	before := runtime.NumGoroutine()
	const cycles = 1000
	deadline := time.Now().Add(60 * time.Second)
	for i := 0; i < cycles && time.Now().Before(deadline); i++ {
		resp, err := sseClient.Get(s.URL + "/api/realtime")
		if err != nil {
			t.Fatal(err)
		}
		r := bufio.NewReader(resp.Body)
		if line, err := r.ReadString('\n'); err != nil || !strings.HasPrefix(line, "id:") {
			t.Fatalf("cycle %d: %q %v", i, line, err)
		}
		resp.Body.Close()
	}
	var after int
	for wait := time.Now().Add(10 * time.Second); time.Now().Before(wait); time.Sleep(50 * time.Millisecond) {
		after = runtime.NumGoroutine()
		if after <= before+5 {
			break
		}
	}
	if after > before+5 {
		buf := make([]byte, 1<<16)
		n := runtime.Stack(buf, true)
		t.Fatalf("goroutines before %d after %d\n%s", before, after, buf[:n])
	}
	// every stream's client left the broker
	for wait := time.Now().Add(5 * time.Second); time.Now().Before(wait); time.Sleep(20 * time.Millisecond) {
		if s.App.Realtime().(interface{ Len() int }).Len() == 0 {
			return
		}
	}
	t.Fatalf("broker still holds %d clients", s.App.Realtime().(interface{ Len() int }).Len())
}

func TestRealtimeAuthRecordVisibility(t *testing.T) {
	f := newRealtimeFixture(t, "", "")
	s := f.s
	if st, _ := s.Do("PATCH", "/api/collections/users", f.su, map[string]any{"listRule": "", "updateRule": "id = @request.auth.id"}); st != 200 {
		t.Fatal("users rules")
	}
	self, other, su := openSSE(t, s), openSSE(t, s), openSSE(t, s)
	subscribe(s, self.ClientId, f.alice, "users/*")
	subscribe(s, other.ClientId, f.bob, "users/*")
	subscribe(s, su.ClientId, f.su, "users/*")
	if st, body := s.Do("PATCH", "/api/collections/users/records/"+f.aliceId, f.alice, map[string]any{"name": "Alice"}); st != 200 {
		t.Fatalf("update alice: %d %v", st, body)
	}
	for _, tc := range []struct {
		name  string
		c     *sseConn
		email bool
	}{{"self sees own email", self, true}, {"other user does not", other, false}, {"superuser does", su, true}} {
		ev := tc.c.expect("users/*", "update")
		if _, has := ev.Record["email"]; has != tc.email {
			t.Errorf("%s: email present = %v (%v)", tc.name, has, ev.Record)
		}
		for _, secret := range []string{"password", "tokenKey"} {
			if _, has := ev.Record[secret]; has {
				t.Errorf("%s: %s leaked", tc.name, secret)
			}
		}
	}
	// Superuser-only rule: superusers still receive, others do not.
	if st, _ := s.Do("PATCH", "/api/collections/posts", f.su, map[string]any{"listRule": nil}); st != 200 {
		t.Fatal("posts rule")
	}
	ps, pg := openSSE(t, s), openSSE(t, s)
	subscribe(s, ps.ClientId, f.su, "posts/*")
	subscribe(s, pg.ClientId, "", "posts/*")
	s.Do("POST", "/api/collections/posts/records", "", map[string]any{"title": "su only"})
	ps.expect("posts/*", "create")
	if !pg.Quiet(200 * time.Millisecond) {
		t.Fatal("guest received under a superuser-only rule")
	}
}

// TestOAuth2RedirectToRealtime: /api/oauth2-redirect hands state+code to
// the realtime client subscribed to @oauth2, then unsubscribes it.
func TestOAuth2RedirectToRealtime(t *testing.T) {
	s := testenv.StartServer(t)
	c := openSSE(t, s)
	if st, b := subscribe(s, c.ClientId, "", "@oauth2"); st != 204 {
		t.Fatalf("subscribe: %d %v", st, b)
	}
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noRedirect.Get(s.URL + "/api/oauth2-redirect?state=" + c.ClientId + "&code=abc123")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusTemporaryRedirect || !strings.HasSuffix(resp.Header.Get("Location"), "oauth2-redirect-success") {
		t.Fatalf("redirect: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	ev, ok := c.Next(5 * time.Second)
	if !ok || ev.Event != "@oauth2" || !strings.Contains(ev.Data, `"code":"abc123"`) || !strings.Contains(ev.Data, `"state":"`+c.ClientId+`"`) {
		t.Fatalf("event: %+v %v", ev, ok)
	}
	// Unsubscribed: a replay fails.
	resp, err = noRedirect.Get(s.URL + "/api/oauth2-redirect?state=" + c.ClientId + "&code=again")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if !strings.HasSuffix(resp.Header.Get("Location"), "oauth2-redirect-failure") {
		t.Fatalf("replay: %s", resp.Header.Get("Location"))
	}
	// Unknown state fails too.
	resp, _ = noRedirect.Get(s.URL + "/api/oauth2-redirect?state=nope&code=x")
	resp.Body.Close()
	if !strings.HasSuffix(resp.Header.Get("Location"), "oauth2-redirect-failure") {
		t.Fatalf("unknown state: %s", resp.Header.Get("Location"))
	}
}

// TestRealtimeIdleTimeout: a stream closes after its idle time without
// messages; every message restarts the idle period (spec §7.1; the
// OnRealtimeConnectRequest hook may change the 5-minute default).
func TestRealtimeIdleTimeout(t *testing.T) {
	const idle = 400 * time.Millisecond
	s := testenv.StartServer(t, func(app *core.App) error {
		app.OnRealtimeConnectRequest().BindFunc(func(e *core.RealtimeConnectRequestEvent) error {
			e.IdleTimeout = idle
			return e.Next()
		})
		return nil
	})
	t.Run("closes when idle", func(t *testing.T) {
		c := openSSE(t, s)
		start := time.Now()
		if !c.Ended(5 * time.Second) {
			t.Fatal("idle stream still open after 5s")
		}
		if d := time.Since(start); d < idle/2 {
			t.Fatalf("stream closed after %v, before the idle time %v", d, idle)
		}
	})
	t.Run("messages keep it open", func(t *testing.T) {
		c := openSSE(t, s)
		if st, _ := subscribe(s, c.ClientId, "", "ping"); st != 204 {
			t.Fatal("subscribe")
		}
		// Three messages, each before the previous idle period ends, carry
		// the stream well past one idle time.
		start := time.Now()
		for i := range 3 {
			time.Sleep(idle / 2)
			if err := s.App.Realtime().Send("ping", i); err != nil {
				t.Fatal(err)
			}
			if ev, ok := c.Next(5 * time.Second); !ok || ev.Event != "ping" {
				t.Fatalf("message %d: %+v %v (after %v)", i, ev, ok, time.Since(start))
			}
		}
		if !c.Ended(5 * time.Second) {
			t.Fatal("stream still open after the messages stopped")
		}
	})
}

// TestRealtimeOverHTTP2: where the connection cannot be hijacked (HTTP/2,
// as behind `serve` with a domain and Let's Encrypt) the stream goes
// through the ResponseWriter: connect, subscribe, receive, and the server
// notices the client leaving.
func TestRealtimeOverHTTP2(t *testing.T) {
	s := testenv.StartServerHTTP2(t)
	c := openSSEWith(t, s.Client, s.URL)
	if c.resp.ProtoMajor != 2 || c.resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("proto %s, content type %q", c.resp.Proto, c.resp.Header.Get("Content-Type"))
	}
	body, _ := json.Marshal(map[string]any{"clientId": c.ClientId, "subscriptions": []string{"news"}})
	sub, err := s.Client.Post(s.URL+"/api/realtime", "application/json", bytes.NewReader(body))
	if err != nil || sub.StatusCode != 204 {
		t.Fatalf("subscribe: %v %v", sub, err)
	}
	sub.Body.Close()
	if err := s.App.Realtime().Send("news", map[string]int{"n": 1}); err != nil {
		t.Fatal(err)
	}
	if ev, ok := c.Next(5 * time.Second); !ok || ev.Event != "news" || ev.Data != `{"n":1}` || ev.ID != c.ClientId {
		t.Fatalf("message frame %+v %v", ev, ok)
	}
	c.Close()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if _, ok := s.App.Realtime().Client(c.ClientId); !ok {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("client still registered 5 s after the stream was closed")
}

// TestRealtimeHTTP10: an HTTP/1.0 client gets no chunked framing (it would
// not understand it): the stream is delimited by the connection.
func TestRealtimeHTTP10(t *testing.T) {
	s := testenv.StartServer(t)
	conn, err := net.Dial("tcp", strings.TrimPrefix(s.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.WriteString(conn, "GET /api/realtime HTTP/1.0\r\nHost: x\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	rd := bufio.NewReader(conn)
	var head strings.Builder
	for {
		line, err := rd.ReadString('\n')
		if err != nil {
			t.Fatalf("read head: %v (%q)", err, head.String())
		}
		head.WriteString(line)
		if line == "\r\n" {
			break
		}
	}
	if strings.Contains(strings.ToLower(head.String()), "transfer-encoding: chunked") {
		t.Fatalf("chunked response to an HTTP/1.0 request:\n%s", head.String())
	}
	line, err := rd.ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "id:") {
		t.Fatalf("first body line %q %v, want the PB_CONNECT frame", line, err)
	}
}
