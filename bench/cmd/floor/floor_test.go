package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// startFloor serves a freshly seeded floor (users, posts) in the given mode.
func startFloor(t *testing.T, mode string, users, posts int) *httptest.Server {
	t.Helper()
	rdb, wdb, err := openDBs(filepath.Join(t.TempDir(), "data.db"), 4)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rdb.Close(); wdb.Close() })
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	if err := seed(ctx, wdb, users, posts); err != nil {
		t.Fatal(err)
	}
	s, err := newServer(rdb, wdb, mode, 64)
	if err != nil {
		t.Fatal(err)
	}
	if mode == "group" {
		go s.groupWriter(ctx)
	}
	srv := httptest.NewServer(s.routes())
	t.Cleanup(srv.Close)
	return srv
}

func getJSON(t *testing.T, u string, out any) int {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if out != nil {
		_ = json.NewDecoder(resp.Body).Decode(out)
	}
	return resp.StatusCode
}

func TestFloorRecordsAPI(t *testing.T) {
	t.Parallel()
	for _, mode := range []string{"tx", "group"} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			srv := startFloor(t, mode, 5, 50)
			base := srv.URL + "/api/collections/posts/records"
			filter := url.QueryEscape("published=true && views>100")
			tests := []struct {
				name       string
				query      string
				wantStatus int
				wantItems  int
				wantTotal  int // -1 with skipTotal; 0 = do not check
			}{
				{"list all", "?perPage=100", 200, 50, 50},
				{"bench filter with totals", "?perPage=5&sort=-created&filter=" + filter, 200, 5, 0},
				{"skipTotal", "?perPage=5&skipTotal=1&filter=" + filter, 200, 5, -1},
				{"unknown filter refused", "?filter=title%3D1", 400, 0, 0},
				{"bad perPage", "?perPage=x", 400, 0, 0},
			}
			for _, tc := range tests {
				var env listEnvelope[map[string]any]
				if got := getJSON(t, base+tc.query, &env); got != tc.wantStatus {
					t.Fatalf("%s: status %d, want %d", tc.name, got, tc.wantStatus)
				}
				if tc.wantStatus != 200 {
					continue
				}
				if len(env.Items) != tc.wantItems || (tc.wantTotal != 0 && env.TotalItems != tc.wantTotal) {
					t.Errorf("%s: %d items total %d, want %d total %d", tc.name, len(env.Items), env.TotalItems, tc.wantItems, tc.wantTotal)
				}
			}

			// Concurrent creates, then every created record is viewable.
			var wg sync.WaitGroup
			ids := make([]string, 20)
			for i := range ids {
				wg.Go(func() {
					body := fmt.Sprintf(`{"title":"t%d","views":3,"published":true,"tags":["go"]}`, i)
					resp, err := http.Post(base, "application/json", strings.NewReader(body))
					if err != nil {
						t.Error(err)
						return
					}
					defer resp.Body.Close()
					var p post
					_ = json.NewDecoder(resp.Body).Decode(&p)
					if resp.StatusCode != 200 || len(p.ID) != 15 || p.CollectionName != "posts" {
						t.Errorf("create: status %d record %+v", resp.StatusCode, p)
					}
					ids[i] = p.ID
				})
			}
			wg.Wait()
			for _, id := range ids {
				var rec map[string]any
				if got := getJSON(t, base+"/"+id, &rec); got != 200 || rec["title"] == nil || rec["tags"] == nil {
					t.Errorf("view %s: status %d body %v", id, got, rec)
				}
			}
			if got := getJSON(t, base+"/nope", nil); got != 404 {
				t.Errorf("view missing: status %d, want 404", got)
			}
		})
	}
}
