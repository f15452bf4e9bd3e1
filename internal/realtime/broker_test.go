package realtime_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/basalthq/basalt/core"
	"github.com/basalthq/basalt/internal/realtime"
	"github.com/basalthq/basalt/internal/testenv"
)

// newApp starts a real app (SQLite in a temp dir) with a "posts"
// collection using the given list and view rules.
func newApp(t testing.TB, listRule, viewRule string) *core.App {
	t.Helper()
	app := testenv.StartServer(t).App
	c := core.NewBaseCollection("posts")
	spec := map[string]any{
		"listRule": listRule, "viewRule": viewRule,
		"fields": []any{
			map[string]any{"name": "title", "type": "text"},
			map[string]any{"name": "published", "type": "bool"},
			map[string]any{"name": "owner", "type": "text"},
			map[string]any{"name": "secret", "type": "text", "hidden": true},
		},
	}
	raw, _ := json.Marshal(spec)
	if err := c.ApplyJSON(raw); err != nil {
		t.Fatal(err)
	}
	if err := app.SaveCollection(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	return app
}

func createPost(t testing.TB, app *core.App, data map[string]any) *core.Record {
	t.Helper()
	col, err := app.FindCollectionByNameOrId("posts")
	if err != nil {
		t.Fatal(err)
	}
	r := core.NewRecord(col)
	for k, v := range data {
		r.Set(k, v)
	}
	if err := app.Save(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	return r
}

// waitMessages collects messages from c until n arrived or the timeout.
func waitMessages(t testing.TB, c *realtime.Client, n int, timeout time.Duration) []core.RealtimeMessage {
	t.Helper()
	var got []core.RealtimeMessage
	deadline := time.After(timeout)
	for len(got) < n {
		select {
		case <-c.Ready():
			for _, m := range c.Take() {
				got = append(got, core.RealtimeMessage{Name: m.Name, Data: append([]byte(nil), m.Data...)})
			}
		case <-deadline:
			return got
		}
	}
	return got
}

// quiet reports that no message arrives within d.
func quiet(c *realtime.Client, d time.Duration) bool {
	select {
	case <-c.Ready():
		return len(c.Take()) == 0
	case <-time.After(d):
		return true
	}
}

func brokerOf(t testing.TB, app *core.App) *realtime.Broker {
	t.Helper()
	b, ok := app.Realtime().(*realtime.Broker)
	if !ok {
		t.Fatal("app has no realtime broker")
	}
	return b
}

func TestBrokerFanOutSharesPayload(t *testing.T) {
	app := newApp(t, "", "")
	b := brokerOf(t, app)
	const n = 50
	clients := make([]*realtime.Client, n)
	for i := range clients {
		clients[i] = b.NewClient()
		if err := b.SetSubscriptions(clients[i], []string{"posts/*"}); err != nil {
			t.Fatal(err)
		}
	}
	rec := createPost(t, app, map[string]any{"title": "hello", "secret": "s3cret"})
	var first []byte
	for i, c := range clients {
		msgs := waitMessages(t, c, 1, 5*time.Second)
		if len(msgs) != 1 {
			t.Fatalf("client %d got %d messages, want 1", i, len(msgs))
		}
		if msgs[0].Name != "posts/*" {
			t.Fatalf("name = %q, want posts/*", msgs[0].Name)
		}
		var ev struct {
			Action string         `json:"action"`
			Record map[string]any `json:"record"`
		}
		if err := json.Unmarshal(msgs[0].Data, &ev); err != nil {
			t.Fatal(err)
		}
		if ev.Action != "create" || ev.Record["id"] != rec.Id() {
			t.Fatalf("event = %s", msgs[0].Data)
		}
		if _, leaked := ev.Record["secret"]; leaked {
			t.Fatalf("hidden field sent: %s", msgs[0].Data)
		}
		if first == nil {
			first = msgs[0].Data
		} else if string(first) != string(msgs[0].Data) {
			t.Fatalf("payloads differ")
		}
	}
	if q := b.Stats().RuleQueries; q != 0 {
		t.Fatalf("empty rule ran %d queries, want 0", q)
	}
	for _, c := range clients {
		b.Disconnect(c)
	}
	if b.Len() != 0 {
		t.Fatalf("clients left: %d", b.Len())
	}
}

func TestBrokerGroupsRuleChecks(t *testing.T) {
	cases := []struct {
		name     string
		rule     string
		subs     func(i int) string
		wantEval int64
	}{
		{"same rule, guests: one query", "published = true", func(int) string { return "posts/*" }, 1},
		{"options ignored by rule: one query", "published = true", func(i int) string {
			return fmt.Sprintf("posts/*?options=%s", `{"query":{"x":"`+fmt.Sprint(i)+`"}}`)
		}, 1},
		{"rule reads query: one query per options", "@request.query.x != ''", func(i int) string {
			return fmt.Sprintf("posts/*?options=%s", `{"query":{"x":"`+fmt.Sprint(i%4)+`"}}`)
		}, 4},
		{"filter groups by filter text", "", func(i int) string {
			return "posts/*?options=" + `{"query":{"filter":"title = 'a` + fmt.Sprint(i%3) + `'"}}`
		}, 3},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			app := newApp(t, tc.rule, tc.rule)
			b := brokerOf(t, app)
			var clients []*realtime.Client
			for i := 0; i < 40; i++ {
				c := b.NewClient()
				if err := b.SetSubscriptions(c, []string{tc.subs(i)}); err != nil {
					t.Fatal(err)
				}
				clients = append(clients, c)
			}
			before := b.Stats().RuleQueries
			createPost(t, app, map[string]any{"title": "a1", "published": true})
			// wait until the event was processed: the worker is done when
			// some client received or the query count settles
			deadline := time.Now().Add(5 * time.Second)
			for time.Now().Before(deadline) && b.Stats().RuleQueries-before < tc.wantEval {
				time.Sleep(5 * time.Millisecond)
			}
			time.Sleep(50 * time.Millisecond)
			if got := b.Stats().RuleQueries - before; got != tc.wantEval {
				t.Fatalf("queries = %d, want %d", got, tc.wantEval)
			}
		})
	}
}

func TestBrokerRuleFilteredAndPerAuth(t *testing.T) {
	app := newApp(t, "owner = @request.auth.id", "owner = @request.auth.id")
	b := brokerOf(t, app)
	users, err := app.FindCollectionByNameOrId("users")
	if err != nil {
		t.Fatal(err)
	}
	mkUser := func(email string) *core.Record {
		u := core.NewRecord(users)
		u.Set("email", email)
		u.Set("password", "password123")
		if err := app.Save(context.Background(), u); err != nil {
			t.Fatal(err)
		}
		return u
	}
	alice, bob := mkUser("alice@example.com"), mkUser("bob@example.com")
	ca, cb, guest := b.NewClient(), b.NewClient(), b.NewClient()
	for c, u := range map[*realtime.Client]*core.Record{ca: alice, cb: bob} {
		if err := b.BindAuth(c, u); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []*realtime.Client{ca, cb, guest} {
		if err := b.SetSubscriptions(c, []string{"posts/*"}); err != nil {
			t.Fatal(err)
		}
	}
	createPost(t, app, map[string]any{"title": "mine", "owner": alice.Id()})
	if got := waitMessages(t, ca, 1, 5*time.Second); len(got) != 1 {
		t.Fatalf("owner got %d messages, want 1", len(got))
	}
	if !quiet(cb, 200*time.Millisecond) || !quiet(guest, 10*time.Millisecond) {
		t.Fatal("a subscriber without access received the event")
	}
	// Switching to another record is refused; re-binding the same is fine.
	if err := b.BindAuth(ca, bob); !errors.Is(err, realtime.ErrAuthMismatch) {
		t.Fatalf("BindAuth other = %v, want realtime.ErrAuthMismatch", err)
	}
	if err := b.BindAuth(ca, alice); err != nil {
		t.Fatalf("BindAuth same = %v", err)
	}
	// Deleting the bound auth record disconnects its clients.
	if err := app.Delete(context.Background(), alice); err != nil {
		t.Fatal(err)
	}
	select {
	case <-ca.Done():
		if !errors.Is(ca.Err(), realtime.ErrAuthDeleted) {
			t.Fatalf("reason = %v", ca.Err())
		}
	case <-time.After(5 * time.Second):
		t.Fatal("client of deleted auth record still connected")
	}
	// A password change invalidates tokens: disconnect.
	bob.Set("password", "another123")
	if err := app.Save(context.Background(), bob); err != nil {
		t.Fatal(err)
	}
	select {
	case <-cb.Done():
		if !errors.Is(cb.Err(), realtime.ErrAuthInvalidated) {
			t.Fatalf("reason = %v", cb.Err())
		}
	case <-time.After(5 * time.Second):
		t.Fatal("client with invalidated token still connected")
	}
}

func TestBrokerSlowClientDisconnected(t *testing.T) {
	app := newApp(t, "", "")
	b := realtime.NewBroker(app, realtime.Config{QueueSize: 4})
	t.Cleanup(b.Close)
	slow, fast := b.NewClient(), b.NewClient()
	for _, c := range []*realtime.Client{slow, fast} {
		if err := b.SetSubscriptions(c, []string{"news"}); err != nil {
			t.Fatal(err)
		}
	}
	got := 0
	for i := 0; i < 10; i++ {
		if err := b.Send("news", map[string]int{"n": i}); err != nil {
			t.Fatal(err)
		}
		got += len(fast.Take()) // the fast client keeps up
	}
	if got != 10 {
		t.Fatalf("fast client got %d, want 10", got)
	}
	select {
	case <-slow.Done():
	default:
		t.Fatal("slow client still connected")
	}
	if !errors.Is(slow.Err(), realtime.ErrSlowClient) {
		t.Fatalf("reason = %v", slow.Err())
	}
	if _, ok := b.Lookup(slow.Id()); ok {
		t.Fatal("slow client still registered")
	}
	if drops := b.Stats().SlowDisconnects; drops != 1 {
		t.Fatalf("drops = %d, want 1", drops)
	}
	if err := slow.Send(core.RealtimeMessage{Name: "x"}); !errors.Is(err, realtime.ErrClientGone) {
		t.Fatalf("send to gone client = %v", err)
	}
}

func TestBrokerDeleteCheckedBeforeRemoval(t *testing.T) {
	app := newApp(t, "published = true", "published = true")
	b := brokerOf(t, app)
	rec := createPost(t, app, map[string]any{"title": "x", "published": true})
	c := b.NewClient()
	if err := b.SetSubscriptions(c, []string{"posts/" + rec.Id(), "posts/*?options=" + `{"query":{"fields":"id"}}`}); err != nil {
		t.Fatal(err)
	}
	if err := app.Delete(context.Background(), rec); err != nil {
		t.Fatal(err)
	}
	msgs := waitMessages(t, c, 2, 5*time.Second)
	if len(msgs) != 2 {
		t.Fatalf("got %d messages, want 2", len(msgs))
	}
	for _, m := range msgs {
		if !strings.Contains(string(m.Data), `"action":"delete"`) {
			t.Fatalf("message %s", m.Data)
		}
	}
}

func TestBrokerTwoNodesOverBus(t *testing.T) {
	app := newApp(t, "", "")
	bus := realtime.NewLocalBus()
	a := realtime.NewBroker(app, realtime.Config{Bus: bus})
	a.BindHooks() // node A sees the writes
	bNode := realtime.NewBroker(app, realtime.Config{Bus: bus})
	t.Cleanup(a.Close)
	t.Cleanup(bNode.Close)
	if !bus.Peers() {
		t.Fatal("bus should report peers")
	}
	c := bNode.NewClient()
	if err := bNode.SetSubscriptions(c, []string{"posts/*", "chat"}); err != nil {
		t.Fatal(err)
	}
	rec := createPost(t, app, map[string]any{"title": "remote"})
	if err := app.Delete(context.Background(), rec); err != nil {
		t.Fatal(err)
	}
	if err := a.Send("chat", "hi"); err != nil {
		t.Fatal(err)
	}
	if err := a.SendToClient(c.Id(), "direct", 1); err != nil {
		t.Fatal(err)
	}
	msgs := waitMessages(t, c, 4, 5*time.Second)
	var names []string
	for _, m := range msgs {
		names = append(names, m.Name+":"+string(m.Data[:min(len(m.Data), 20)]))
	}
	joined := strings.Join(names, " | ")
	for _, want := range []string{`posts/*:{"action":"create"`, `posts/*:{"action":"delete"`, `chat:"hi"`, `direct:1`} {
		if !strings.Contains(joined, want) {
			t.Fatalf("node B got %q, missing %q", joined, want)
		}
	}
}

// TestBrokerRemoteDeleteChecksSnapshot: a delete seen on another node is
// checked against the deleted record's snapshot (the row is gone); that
// check only counts matching rows, and it used to be read as "no record
// matched", so a rule or filter dropped every remote delete.
func TestBrokerRemoteDeleteChecksSnapshot(t *testing.T) {
	app := newApp(t, "published = true", "published = true")
	bus := realtime.NewLocalBus()
	a := realtime.NewBroker(app, realtime.Config{Bus: bus})
	a.BindHooks() // node A sees the writes
	bNode := realtime.NewBroker(app, realtime.Config{Bus: bus})
	t.Cleanup(a.Close)
	t.Cleanup(bNode.Close)
	rec := createPost(t, app, map[string]any{"title": "gone", "published": true})
	c := bNode.NewClient()
	subs := []string{
		"posts/*",
		"posts/" + rec.Id(),
		"posts/*?options=" + `{"query":{"filter":"title = 'gone'"}}`,
		"posts/*?options=" + `{"query":{"filter":"title = 'other'"}}`,
	}
	if err := bNode.SetSubscriptions(c, subs); err != nil {
		t.Fatal(err)
	}
	if err := app.Delete(context.Background(), rec); err != nil {
		t.Fatal(err)
	}
	// One event's deliveries to one client are queued together, in
	// subscription order: the three matching ones arrive as one batch.
	msgs := waitMessages(t, c, 3, 5*time.Second)
	got := map[string]bool{}
	for _, m := range msgs {
		if !strings.Contains(string(m.Data), `"action":"delete"`) {
			t.Fatalf("message %s %s", m.Name, m.Data)
		}
		got[m.Name] = true
	}
	for i, sub := range subs {
		if want := i < 3; got[sub] != want {
			t.Errorf("remote delete delivered to %q = %v, want %v (got %d messages)", sub, got[sub], want, len(msgs))
		}
	}
}

func TestBrokerCustomTopicsAndUnknownClient(t *testing.T) {
	app := newApp(t, "", "")
	b := brokerOf(t, app)
	c := b.NewClient()
	opt := `chat?options={"headers":{"x":"1"}}`
	if err := b.SetSubscriptions(c, []string{"chat", opt, "", "chat"}); err != nil {
		t.Fatal(err)
	}
	if got := len(c.Subscriptions()); got != 2 {
		t.Fatalf("subscriptions = %d, want 2 (empty skipped, duplicates merged)", got)
	}
	if err := b.Send("chat", map[string]string{"m": "x"}); err != nil {
		t.Fatal(err)
	}
	msgs := waitMessages(t, c, 2, time.Second)
	if len(msgs) != 2 || msgs[0].Name == msgs[1].Name {
		t.Fatalf("got %v, want one per subscription", msgs)
	}
	if err := b.SendToClient("nope", "x", 1); !errors.Is(err, core.ErrRealtimeClientNotFound) {
		t.Fatalf("unknown client = %v", err)
	}
	c.Unsubscribe("chat")
	if err := b.Send("chat", 1); err != nil {
		t.Fatal(err)
	}
	if !quiet(c, 50*time.Millisecond) {
		t.Fatal("unsubscribed client received")
	}
	if c.HasSubscription("chat") {
		t.Fatal("still subscribed")
	}
}
