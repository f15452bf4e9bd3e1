package realtime_test

import (
	"context"
	"fmt"
	"net/url"
	"runtime"
	"testing"

	"github.com/basalthq/basalt/core"
	"github.com/basalthq/basalt/internal/realtime"
)

// fanOutBench subscribes n clients (sub(i) gives each one's subscription)
// and measures one record change evaluated, serialised and queued to all
// of them, with every queue drained after each round.
func fanOutBench(b *testing.B, rule string, n int, sub func(i int) string) {
	app := newApp(b, rule, rule)
	br := realtime.NewBroker(app, realtime.Config{})
	b.Cleanup(br.Close)
	clients := make([]*realtime.Client, n)
	for i := range clients {
		clients[i] = br.NewClient()
		if err := br.SetSubscriptions(clients[i], []string{sub(i)}); err != nil {
			b.Fatal(err)
		}
	}
	rec := createPost(b, app, map[string]any{"title": "bench", "published": true})
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if got := br.Broadcast(ctx, "update", rec); got != n {
			b.Fatalf("delivered %d, want %d", got, n)
		}
		for _, c := range clients {
			c.Take()
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(br.Stats().RuleQueries)/float64(b.N), "queries/op")
}

func BenchmarkFanOut1000NoRule(b *testing.B) {
	fanOutBench(b, "", 1000, func(int) string { return "posts/*" })
}

func BenchmarkFanOut1000SharedRule(b *testing.B) {
	fanOutBench(b, "published = true", 1000, func(int) string { return "posts/*" })
}

func BenchmarkFanOut1000TenFieldSets(b *testing.B) {
	fanOutBench(b, "", 1000, func(i int) string {
		return "posts/*?options=" + url.QueryEscape(fmt.Sprintf(`{"query":{"fields":"id,title%s"}}`, []string{"", ",owner", ",published", ",created", ",updated", ",id", ",title", ",collectionId", ",collectionName", ",owner,published"}[i%10]))
	})
}

func BenchmarkSendTopic1000(b *testing.B) {
	app := newApp(b, "", "")
	br := realtime.NewBroker(app, realtime.Config{})
	b.Cleanup(br.Close)
	clients := make([]*realtime.Client, 1000)
	for i := range clients {
		clients[i] = br.NewClient()
		_ = br.SetSubscriptions(clients[i], []string{"chat"})
	}
	msg := map[string]string{"text": "hello"}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := br.Send("chat", msg); err != nil {
			b.Fatal(err)
		}
		for _, c := range clients {
			c.Take()
		}
	}
}

func BenchmarkClientSendTake(b *testing.B) {
	app := newApp(b, "", "")
	br := realtime.NewBroker(app, realtime.Config{})
	b.Cleanup(br.Close)
	c := br.NewClient()
	msg := core.RealtimeMessage{Name: "posts/*", Data: []byte(`{"action":"create"}`)}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := c.Send(msg); err != nil {
			b.Fatal(err)
		}
		if i%64 == 63 {
			c.Take()
		}
	}
}

// TestIdleClientFootprint keeps the broker's own cost per idle client
// small (the SSE connection's buffers and goroutine come on top).
func TestIdleClientFootprint(t *testing.T) {
	app := newApp(t, "", "")
	br := realtime.NewBroker(app, realtime.Config{})
	t.Cleanup(br.Close)
	const n = 10000
	before := heapInUse()
	clients := make([]*realtime.Client, n)
	for i := range clients {
		clients[i] = br.NewClient()
		_ = br.SetSubscriptions(clients[i], []string{"posts/*", "posts/abc"})
	}
	per := (heapInUse() - before) / n
	t.Logf("broker heap per idle client with 2 subscriptions: %d bytes", per)
	if per > 4096 {
		t.Fatalf("per-client broker footprint %d bytes, want <= 4096", per)
	}
	for _, c := range clients {
		br.Disconnect(c)
	}
	if br.Len() != 0 {
		t.Fatalf("clients left %d", br.Len())
	}
}

func heapInUse() int64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapInuse)
}
