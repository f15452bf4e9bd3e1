package server_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/basalthq/basalt/core"
	"github.com/basalthq/basalt/internal/store"
	"github.com/basalthq/basalt/internal/store/dialect/postgres/pgtest"
	"github.com/basalthq/basalt/internal/testenv"
)

// node is a cluster member of a test, with its realtime stream.
type node struct {
	*testenv.Server
	events chan testenv.SSEEvent
	client string
}

var clusterSSE = &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}

// listen opens n's realtime stream as a guest and subscribes to topic.
func (n *node) listen(t *testing.T, topic string) {
	t.Helper()
	resp, err := clusterSSE.Get(n.URL + "/api/realtime")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	n.events = make(chan testenv.SSEEvent, 256)
	go func() {
		defer func() { _ = recover() }()
		defer close(n.events)
		testenv.ReadSSE(resp.Body, func(ev testenv.SSEEvent) { n.events <- ev })
	}()
	first, ok := n.next(5 * time.Second)
	if !ok || first.Event != "PB_CONNECT" {
		t.Fatalf("first event %+v %v", first, ok)
	}
	n.client = first.ID
	if st, body := n.Do("POST", "/api/realtime", "", map[string]any{"clientId": n.client, "subscriptions": []string{topic}}); st != 204 {
		t.Fatalf("subscribe on %s: %d %v", n.URL, st, body)
	}
}

func (n *node) next(timeout time.Duration) (testenv.SSEEvent, bool) {
	select {
	case ev, ok := <-n.events:
		return ev, ok
	case <-time.After(timeout):
		return testenv.SSEEvent{}, false
	}
}

// expect reads events until every id of want arrived (each "action:id"),
// failing on any other event or a repeat, then checks that nothing
// follows for a moment (a duplicate would come right behind).
func (n *node) expect(t *testing.T, name string, want ...string) {
	t.Helper()
	left := map[string]bool{}
	for _, w := range want {
		left[w] = true
	}
	for i := 0; len(left) > 0 && i < 100; i++ {
		// Generous: the feed holds rows back while any older transaction
		// of the PostgreSQL cluster runs, and under scripts/test.sh the
		// API suite runs its own transactions on the same cluster.
		ev, ok := n.next(20 * time.Second)
		if !ok {
			t.Fatalf("%s: still waiting for %v", name, left)
		}
		var d struct {
			Action string
			Record struct{ Id string }
		}
		_ = json.Unmarshal([]byte(ev.Data), &d)
		got := d.Action + ":" + d.Record.Id
		if !left[got] {
			t.Fatalf("%s: unexpected or repeated event %s (%s), waiting for %v", name, got, ev.Data, left)
		}
		delete(left, got)
	}
	select {
	case ev := <-n.events:
		t.Fatalf("%s: extra event %+v", name, ev)
	case <-time.After(200 * time.Millisecond):
	}
}

// TestClusterNodes runs three nodes on one PostgreSQL schema: realtime,
// caches and crons follow what any node does.
func TestClusterNodes(t *testing.T) {
	dsn := pgtest.DSN(t)
	ctx := context.Background()
	a := &node{Server: testenv.StartNode(t, dsn)}
	// Several serving nodes need S3 file storage (testenv's nodes do not
	// register as serving, so this is what a real cluster would hold); no
	// file is stored here, so the endpoint is never dialled.
	s := a.App.Settings().Clone()
	s.S3 = core.S3Settings{Enabled: true, Endpoint: "http://127.0.0.1:9", Bucket: "b", Region: "r", AccessKey: "k", Secret: "s"}
	if err := a.App.SaveSettings(ctx, s); err != nil {
		t.Fatal(err)
	}
	b := &node{Server: testenv.StartNode(t, dsn)}
	c := &node{Server: testenv.StartNode(t, dsn)}
	token := a.Superuser("root@example.com", "1234567890")

	// A collection created on A is served by B and C at their next request.
	visible := "hidden = false"
	st, body := a.Do("POST", "/api/collections", token, map[string]any{"name": "posts", "type": "base",
		"listRule": visible, "viewRule": visible,
		"fields": []map[string]any{{"name": "title", "type": "text"}, {"name": "hidden", "type": "bool"}}})
	if st != 200 {
		t.Fatalf("create collection: %d %v", st, body)
	}
	for _, n := range []*node{b, c} {
		if st, body := n.Do("GET", "/api/collections/posts/records", "", nil); st != 200 {
			t.Fatalf("new collection on %s: %d %v", n.URL, st, body)
		}
	}

	nodes := []*node{a, b, c}
	for _, n := range nodes {
		n.listen(t, "posts/*")
	}
	create := func(title string, hidden bool) string {
		t.Helper()
		st, body := a.Do("POST", "/api/collections/posts/records", token, map[string]any{"title": title, "hidden": hidden})
		if st != 200 {
			t.Fatalf("create: %d %v", st, body)
		}
		return body["id"].(string)
	}
	posts, err := a.App.FindCollectionByNameOrId("posts")
	if err != nil {
		t.Fatal(err)
	}

	t.Run("writes on A reach every node once, rule-filtered", func(t *testing.T) {
		shown := create("shown", false)
		create("hidden", true)
		rec, err := a.App.FindRecordById(ctx, "posts", shown)
		if err != nil {
			t.Fatal(err)
		}
		if err := a.App.Delete(ctx, rec); err != nil {
			t.Fatal(err)
		}
		for _, n := range nodes {
			n.expect(t, n.URL, "create:"+shown, "delete:"+shown)
		}
	})

	t.Run("a rolled-back write emits nothing", func(t *testing.T) {
		errRollback := errors.New("roll back")
		err := a.App.Store().RunInTx(ctx, func(ctx context.Context) error {
			r := core.NewRecord(posts)
			r.Set("title", "never")
			if err := a.App.Save(ctx, r); err != nil {
				return err
			}
			return errRollback
		})
		if !errors.Is(err, errRollback) {
			t.Fatalf("tx: %v", err)
		}
		after := create("after", false)
		for _, n := range nodes {
			n.expect(t, n.URL, "create:"+after)
		}
	})

	t.Run("a cut listener connection loses nothing", func(t *testing.T) {
		admin, err := sql.Open("pgx", dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer admin.Close()
		name := "basalt-feed " + b.App.Store().(*store.Store).NodeId()
		const q = `SELECT count(*) FROM pg_stat_activity WHERE application_name = $1`
		if _, err := admin.ExecContext(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1`, name); err != nil {
			t.Fatal(err)
		}
		gone := false
		for i := 0; i < 200 && !gone; i++ {
			var n int
			if err := admin.QueryRowContext(ctx, q, name).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if gone = n == 0; !gone {
				time.Sleep(5 * time.Millisecond)
			}
		}
		if !gone {
			t.Fatal("the listener connection did not end")
		}
		missed := create("while B was deaf", false)
		b.expect(t, "B", "create:"+missed)
		c.expect(t, "C", "create:"+missed)
		a.expect(t, "A", "create:"+missed)
	})

	t.Run("a rule changed on A applies on B at the next request", func(t *testing.T) {
		st, body := a.Do("PATCH", "/api/collections/posts", token, map[string]any{"listRule": "hidden = true", "viewRule": "hidden = true"})
		if st != 200 {
			t.Fatalf("update rule: %d %v", st, body)
		}
		st, body = b.Do("GET", "/api/collections/posts/records", "", nil)
		if st != 200 {
			t.Fatalf("list on B: %d %v", st, body)
		}
		items, _ := body["items"].([]any)
		if len(items) != 1 || items[0].(map[string]any)["title"] != "hidden" {
			t.Fatalf("B lists %v under the new rule, want only the hidden post", items)
		}
	})

	t.Run("a cron job runs once per tick across three nodes", func(t *testing.T) {
		var runs atomic.Int32
		for _, n := range nodes {
			if err := n.App.Cron().Add("cluster_tick", "* * * * *", func(context.Context) error {
				runs.Add(1)
				return nil
			}); err != nil {
				t.Fatal(err)
			}
		}
		tick := time.Date(2030, 1, 2, 3, 4, 0, 0, time.UTC)
		for minute := 1; minute <= 2; minute++ {
			var wg sync.WaitGroup
			for _, n := range nodes {
				wg.Add(1)
				go func() {
					defer wg.Done()
					n.App.Cron().Tick(tick)
					n.App.Cron().Wait()
				}()
			}
			wg.Wait()
			if got := runs.Load(); got != int32(minute) {
				t.Fatalf("after %d ticks the job ran %d times across the nodes", minute, got)
			}
			tick = tick.Add(time.Minute)
		}
	})
}
