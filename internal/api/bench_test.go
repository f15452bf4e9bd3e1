package api_test

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/basalthq/basalt/internal/api"
	"github.com/basalthq/basalt/internal/testenv"
)

// benchServer prepares posts with 2,000 rows and returns the in-process
// handler (no sockets: measures our code, not the kernel).
func benchServer(b *testing.B) (http.Handler, []string) {
	s := testenv.StartServer(b)
	su := s.Superuser("admin@example.com", "password123")
	st, body := s.Do("POST", "/api/collections", su, map[string]any{"name": "posts", "listRule": "", "viewRule": "", "createRule": "",
		"fields": []any{
			map[string]any{"name": "title", "type": "text"}, map[string]any{"name": "body", "type": "text"},
			map[string]any{"name": "views", "type": "number"}, map[string]any{"name": "published", "type": "bool"},
			map[string]any{"name": "created", "type": "autodate", "onCreate": true},
		},
		"indexes": []string{"CREATE INDEX idx_posts_created ON posts (created)"}})
	if st != 200 {
		b.Fatalf("collection: %d %v", st, body)
	}
	var ids []string
	for i := 0; i < 2000; i++ {
		st, r := s.Do("POST", "/api/collections/posts/records", "", map[string]any{"title": fmt.Sprintf("post %d", i), "body": "lorem ipsum dolor sit amet", "views": i % 500, "published": i%2 == 0})
		if st != 200 {
			b.Fatal(r)
		}
		ids = append(ids, r["id"].(string))
	}
	h, err := api.New(s.App, api.Config{})
	if err != nil {
		b.Fatal(err)
	}
	return h, ids
}

func BenchmarkRecordsAPI(b *testing.B) {
	h, ids := benchServer(b)
	run := func(b *testing.B, mk func(i int) *http.Request) {
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, mk(i))
			if rec.Code != 200 {
				b.Fatalf("%d %s", rec.Code, rec.Body.String())
			}
		}
	}
	b.Run("view", func(b *testing.B) {
		run(b, func(i int) *http.Request {
			return httptest.NewRequest("GET", "/api/collections/posts/records/"+ids[i%len(ids)], nil)
		})
	})
	b.Run("list", func(b *testing.B) {
		run(b, func(i int) *http.Request {
			return httptest.NewRequest("GET", "/api/collections/posts/records?perPage=30&filter=published%3Dtrue%20%26%26%20views%3E100&sort=-created", nil)
		})
	})
	b.Run("list-skipTotal", func(b *testing.B) {
		run(b, func(i int) *http.Request {
			return httptest.NewRequest("GET", "/api/collections/posts/records?perPage=30&skipTotal=1&filter=published%3Dtrue%20%26%26%20views%3E100&sort=-created", nil)
		})
	})
	b.Run("create", func(b *testing.B) {
		run(b, func(i int) *http.Request {
			r := httptest.NewRequest("POST", "/api/collections/posts/records", bytes.NewReader([]byte(`{"title":"x","body":"y","views":1,"published":true}`)))
			r.Header.Set("Content-Type", "application/json")
			return r
		})
	})
}

// BenchmarkCreateParallel measures creates from 32 concurrent callers,
// where group commit batches the writer's transactions.
func BenchmarkCreateParallel(b *testing.B) {
	h, _ := benchServer(b)
	body := []byte(`{"title":"x","body":"y","views":1,"published":true}`)
	b.SetParallelism(16)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			r := httptest.NewRequest("POST", "/api/collections/posts/records", bytes.NewReader(body))
			r.Header.Set("Content-Type", "application/json")
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, r)
			if rec.Code != 200 {
				b.Errorf("%d %s", rec.Code, rec.Body.String())
				return
			}
		}
	})
}
