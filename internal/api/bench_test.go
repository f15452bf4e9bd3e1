package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/basalthq/basalt/internal/api"
	"github.com/basalthq/basalt/internal/testenv"
)

// benchServer prepares posts with 2,000 rows and returns the in-process
// handler (no sockets: measures our code, not the kernel).
func benchServer(b *testing.B) (http.Handler, []string) {
	return benchServerConfig(b, api.Config{})
}

// benchServerConfig is benchServer with the handler built from cfg.
func benchServerConfig(b *testing.B, cfg api.Config) (http.Handler, []string) {
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
	h, err := api.New(s.App, cfg)
	if err != nil {
		b.Fatal(err)
	}
	return h, ids
}

func BenchmarkRecordsAPI(b *testing.B) {
	h, ids := benchServer(b)
	recordsAPI(b, h, ids)
}

// discardSpans is an exporter that drops what it gets: the traced
// benchmark measures making and batching spans, not a collector.
type discardSpans struct{}

func (discardSpans) ExportSpans(context.Context, []sdktrace.ReadOnlySpan) error { return nil }
func (discardSpans) Shutdown(context.Context) error                             { return nil }

// BenchmarkRecordsAPITraced is BenchmarkRecordsAPI with every request
// traced (always sampled, batched to a discarding exporter).
func BenchmarkRecordsAPITraced(b *testing.B) {
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(discardSpans{}))
	b.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	h, ids := benchServerConfig(b, api.Config{TracerProvider: tp})
	recordsAPI(b, h, ids)
}

func recordsAPI(b *testing.B, h http.Handler, ids []string) {
	run := func(b *testing.B, mk func(i int) *http.Request) {
		b.ReportAllocs()
		b.ResetTimer()
		cpu := startCPU()
		for i := 0; i < b.N; i++ {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, mk(i))
			if rec.Code != 200 {
				b.Fatalf("%d %s", rec.Code, rec.Body.String())
			}
		}
		cpu.report(b)
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
	cpu := startCPU()
	defer cpu.report(b)
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

// authedServer adds to benchServer's posts what the authenticated paths
// need: a signed-in user, a members collection whose row makes the user a
// member, posts' createRule checking that membership through @collection,
// and an uploads collection with a file field.
func authedServer(b *testing.B) (h http.Handler, token string, ids []string) {
	h, ids = benchServer(b)
	do := func(method, path, tok string, body string) map[string]any {
		r := httptest.NewRequest(method, path, bytes.NewReader([]byte(body)))
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("Authorization", tok)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		if rec.Code != 200 {
			b.Fatalf("%s %s: %d %s", method, path, rec.Code, rec.Body.String())
		}
		var out map[string]any
		_ = json.Unmarshal(rec.Body.Bytes(), &out)
		return out
	}
	su := do("POST", "/api/collections/_superusers/auth-with-password", "", `{"identity":"admin@example.com","password":"password123"}`)["token"].(string)
	user := do("POST", "/api/collections/users/records", su, `{"email":"u@example.com","password":"password123","passwordConfirm":"password123"}`)["id"].(string)
	token = do("POST", "/api/collections/users/auth-with-password", "", `{"identity":"u@example.com","password":"password123"}`)["token"].(string)
	do("POST", "/api/collections", su, `{"name":"members","fields":[{"name":"user","type":"relation","collectionId":"_pb_users_auth_","maxSelect":1}]}`)
	do("POST", "/api/collections/members/records", su, `{"user":"`+user+`"}`)
	do("PATCH", "/api/collections/posts", su, `{"createRule":"@collection.members.user ?= @request.auth.id","viewRule":"@request.auth.id != ''"}`)
	do("POST", "/api/collections", su, `{"name":"uploads","createRule":"","fields":[{"name":"title","type":"text"},{"name":"doc","type":"file","maxSelect":1,"maxSize":1048576}]}`)
	return h, token, ids
}

// BenchmarkAuthedAPI measures the paths that load the caller's auth record
// and check a rule with it: a view under a viewRule, a create under a
// @collection membership rule (32 callers, as the bench/ scenario), and a
// 100 KB multipart upload.
func BenchmarkAuthedAPI(b *testing.B) {
	h, token, ids := authedServer(b)
	serve := func(b *testing.B, r *http.Request) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		if rec.Code != 200 {
			b.Fatalf("%d %s", rec.Code, rec.Body.String())
		}
	}
	b.Run("view", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			r := httptest.NewRequest("GET", "/api/collections/posts/records/"+ids[i%len(ids)], nil)
			r.Header.Set("Authorization", token)
			serve(b, r)
		}
	})
	b.Run("create-rule", func(b *testing.B) {
		body := []byte(`{"title":"x","body":"y","views":1,"published":true}`)
		b.SetParallelism(16)
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				r := httptest.NewRequest("POST", "/api/collections/posts/records", bytes.NewReader(body))
				r.Header.Set("Content-Type", "application/json")
				r.Header.Set("Authorization", token)
				serve(b, r)
			}
		})
	})
	b.Run("upload", func(b *testing.B) {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		_ = mw.WriteField("title", "upload")
		fw, _ := mw.CreateFormFile("doc", "doc.txt")
		_, _ = fw.Write(bytes.Repeat([]byte("0123456789abcdef"), 100<<10/16))
		_ = mw.Close()
		body, ctype := buf.Bytes(), mw.FormDataContentType()
		b.SetParallelism(4)
		b.ReportAllocs()
		b.SetBytes(int64(len(body)))
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				r := httptest.NewRequest("POST", "/api/collections/uploads/records", bytes.NewReader(body))
				r.Header.Set("Content-Type", ctype)
				serve(b, r)
			}
		})
	})
}

// BenchmarkListExpand measures what ?expand=author adds to a 30-record
// page whose authors are 100 users (the bench/ list_expand scenario): the
// pair of sub-benchmarks shows the expand cost in our own code.
func BenchmarkListExpand(b *testing.B) {
	s := testenv.StartServer(b)
	su := s.Superuser("admin@example.com", "password123")
	var users []string
	for i := 0; i < 100; i++ {
		st, r := s.Do("POST", "/api/collections/users/records", su, map[string]any{"email": fmt.Sprintf("u%d@example.com", i), "name": fmt.Sprintf("user %d", i), "password": "password123", "passwordConfirm": "password123"})
		if st != 200 {
			b.Fatal(r)
		}
		users = append(users, r["id"].(string))
	}
	st, body := s.Do("PATCH", "/api/collections/users", su, map[string]any{"viewRule": ""})
	if st != 200 {
		b.Fatal(body)
	}
	st, body = s.Do("POST", "/api/collections", su, map[string]any{"name": "posts", "listRule": "", "viewRule": "",
		"fields": []any{
			map[string]any{"name": "title", "type": "text"}, map[string]any{"name": "views", "type": "number"},
			map[string]any{"name": "author", "type": "relation", "collectionId": "_pb_users_auth_", "maxSelect": 1},
			map[string]any{"name": "created", "type": "autodate", "onCreate": true},
		}})
	if st != 200 {
		b.Fatalf("collection: %d %v", st, body)
	}
	for i := 0; i < 1000; i++ {
		st, r := s.Do("POST", "/api/collections/posts/records", su, map[string]any{"title": fmt.Sprintf("post %d", i), "views": i, "author": users[i%len(users)]})
		if st != 200 {
			b.Fatal(r)
		}
	}
	h, err := api.New(s.App, api.Config{})
	if err != nil {
		b.Fatal(err)
	}
	for _, q := range []struct{ name, query string }{{"plain", ""}, {"expand", "&expand=author"}} {
		b.Run(q.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				r := httptest.NewRequest("GET", fmt.Sprintf("/api/collections/posts/records?perPage=30&page=%d&sort=-created%s", 1+i%30, q.query), nil)
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, r)
				if rec.Code != 200 {
					b.Fatalf("%d %s", rec.Code, rec.Body.String())
				}
			}
		})
	}
}
