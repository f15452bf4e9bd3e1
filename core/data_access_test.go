package core_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/basalthq/basalt/core"
	"github.com/basalthq/basalt/internal/testenv"
)

// dataFixture is an app with users (alice, bob), posts (authored, with a
// status) and comments on posts.
type dataFixture struct {
	app          *core.App
	alice, bob   *core.Record
	superuser    *core.Record
	p1, p2, p3   *core.Record
	comment1     *core.Record
	users, posts *core.Collection
}

func newDataFixture(t *testing.T) *dataFixture {
	t.Helper()
	ctx := context.Background()
	app, err := testenv.OpenApp(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { app.Store().Close() })
	f := &dataFixture{app: app}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	f.users, err = app.FindCollectionByNameOrId("users")
	if err != nil {
		f.users = core.NewAuthCollection("users")
		must(app.SaveCollection(ctx, f.users))
	}
	posts := core.NewBaseCollection("posts")
	must(posts.ApplyJSON([]byte(fmt.Sprintf(`{
		"listRule": "author = @request.auth.id || status = 'public'",
		"viewRule": "author.email = 'alice@example.com' || author = @request.auth.id",
		"fields": [
			{"name": "title", "type": "text"},
			{"name": "status", "type": "text"},
			{"name": "views", "type": "number"},
			{"name": "author", "type": "relation", "collectionId": %q, "maxSelect": 1}
		]}`, f.users.Id))))
	must(app.SaveCollection(ctx, posts))
	f.posts = posts
	comments := core.NewBaseCollection("comments")
	must(comments.ApplyJSON([]byte(fmt.Sprintf(`{"viewRule": "", "fields": [
		{"name": "body", "type": "text"},
		{"name": "post", "type": "relation", "collectionId": %q, "maxSelect": 1}
	]}`, posts.Id))))
	must(app.SaveCollection(ctx, comments))

	user := func(email string) *core.Record {
		r := core.NewRecord(f.users)
		r.Set("email", email)
		r.Set("password", "password123")
		must(app.Save(ctx, r))
		return r
	}
	f.alice, f.bob = user("alice@example.com"), user("bob@example.com")
	sus, err := app.FindCollectionByNameOrId(core.SuperusersCollectionId)
	must(err)
	f.superuser = core.NewRecord(sus)
	f.superuser.Set("email", "root@example.com")
	f.superuser.Set("password", "password123")
	must(app.Save(ctx, f.superuser))

	post := func(title, status string, views int, author *core.Record) *core.Record {
		r := core.NewRecord(posts)
		r.Set("title", title)
		r.Set("status", status)
		r.Set("views", views)
		r.Set("author", author.Id())
		must(app.Save(ctx, r))
		return r
	}
	f.p1 = post("alpha", "public", 10, f.alice)
	f.p2 = post("beta", "draft", 20, f.bob)
	f.p3 = post(`it's "quoted" \ back`, "draft", 30, f.alice)
	f.comment1 = core.NewRecord(comments)
	f.comment1.Set("body", "first")
	f.comment1.Set("post", f.p1.Id())
	must(app.Save(ctx, f.comment1))
	return f
}

func ids(recs []*core.Record) []string {
	out := make([]string, len(recs))
	for i, r := range recs {
		out[i] = r.GetString("title")
	}
	return out
}

func TestRawSQLBindsParams(t *testing.T) {
	f := newDataFixture(t)
	ctx := context.Background()
	type row struct {
		Title string `db:"title"`
		Views int    `db:"views"`
	}
	tests := []struct {
		name   string
		run    func() ([]row, error)
		titles []string
	}{
		{"raw select with param", func() (rows []row, err error) {
			err = f.app.DB().NewQuery("SELECT title, views FROM posts WHERE views >= {:min} ORDER BY views").
				Bind(core.Params{"min": 20}).All(ctx, &rows)
			return
		}, []string{"beta", `it's "quoted" \ back`}},
		{"quotes and backslashes stay a value", func() (rows []row, err error) {
			err = f.app.DB().NewQuery("SELECT title, views FROM posts WHERE title = {:t}").
				Bind(core.Params{"t": `it's "quoted" \ back`}).All(ctx, &rows)
			return
		}, []string{`it's "quoted" \ back`}},
		{"injection attempt matches nothing", func() (rows []row, err error) {
			err = f.app.DB().NewQuery("SELECT title, views FROM posts WHERE title = {:t}").
				Bind(core.Params{"t": `x' OR '1'='1`}).All(ctx, &rows)
			return
		}, []string{}},
		{"builder with join and aggregate", func() (rows []row, err error) {
			err = f.app.DB().Select("u.email AS title", "SUM(p.views) AS views").
				From("posts p").InnerJoin("users u", core.NewExpr("u.id = p.author", nil)).
				Where(core.NewExpr("p.status != {:s}", core.Params{"s": "archived"})).
				GroupBy("u.email").OrderBy("views DESC").All(ctx, &rows)
			return
		}, []string{"alice@example.com", "bob@example.com"}},
		{"builder and-where and limit", func() (rows []row, err error) {
			err = f.app.DB().Select("title", "views").From("posts").
				Where(core.NewExpr("views > {:v}", core.Params{"v": 5})).
				AndWhere(core.NewExpr("status = {:s}", core.Params{"s": "draft"})).
				OrderBy("views ASC").Limit(1).All(ctx, &rows)
			return
		}, []string{"beta"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, err := tt.run()
			if err != nil {
				t.Fatal(err)
			}
			got := []string{}
			for _, r := range rows {
				got = append(got, r.Title)
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.titles) {
				t.Fatalf("got %q, want %q", got, tt.titles)
			}
		})
	}
	// Sum check of the aggregate: alice 10+30.
	var sum int
	if err := f.app.DB().Select("SUM(views)").From("posts").Where(core.NewExpr("author = {:a}", core.Params{"a": f.alice.Id()})).Row(ctx, &sum); err != nil || sum != 40 {
		t.Fatalf("sum = %d, %v; want 40", sum, err)
	}
}

// TestRawWriteInvalidatesRecordCache: a raw UPDATE is seen by the next
// FindRecordById, which reads through the coherent record cache.
func TestRawWriteInvalidatesRecordCache(t *testing.T) {
	f := newDataFixture(t)
	ctx := context.Background()
	tests := []struct {
		name  string
		write func(ctx context.Context, title string) error
	}{
		{"NewQuery Execute", func(ctx context.Context, title string) error {
			_, err := f.app.DB().NewQuery("UPDATE posts SET title = {:t} WHERE id = {:id}").
				Bind(core.Params{"t": title, "id": f.p1.Id()}).Execute(ctx)
			return err
		}},
		{"Update builder", func(ctx context.Context, title string) error {
			res, err := f.app.DB().Update("posts", core.Params{"title": title}, core.NewExpr("id = {:id}", core.Params{"id": f.p1.Id()})).Execute(ctx)
			if err == nil && res.RowsAffected != 1 {
				return fmt.Errorf("rows affected %d", res.RowsAffected)
			}
			return err
		}},
		{"inside RunInTransaction", func(ctx context.Context, title string) error {
			return f.app.RunInTransaction(ctx, func(ctx context.Context) error {
				_, err := f.app.DB().NewQuery("UPDATE posts SET title = {:t} WHERE id = {:id}").
					Bind(core.Params{"t": title, "id": f.p1.Id()}).Execute(ctx)
				return err
			})
		}},
		// A record save in the same group makes its commit one the cache
		// follows by the changed records: the raw statement must say it
		// changed something unknown, or p1 stays cached.
		{"beside a record save", func(ctx context.Context, title string) error {
			return f.app.RunInTransaction(ctx, func(ctx context.Context) error {
				f.p2.Set("views", 21)
				if err := f.app.Save(ctx, f.p2); err != nil {
					return err
				}
				_, err := f.app.DB().NewQuery("UPDATE posts SET title = {:t} WHERE id = {:id}").
					Bind(core.Params{"t": title, "id": f.p1.Id()}).Execute(ctx)
				return err
			})
		}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Warm the cache.
			for range 2 {
				if _, err := f.app.FindRecordById(ctx, "posts", f.p1.Id()); err != nil {
					t.Fatal(err)
				}
			}
			want := fmt.Sprintf("raw %d", i)
			if err := tt.write(ctx, want); err != nil {
				t.Fatal(err)
			}
			r, err := f.app.FindRecordById(ctx, "posts", f.p1.Id())
			if err != nil {
				t.Fatal(err)
			}
			if got := r.GetString("title"); got != want {
				t.Fatalf("FindRecordById after raw write: title %q, want %q", got, want)
			}
		})
	}
}

// TestRawWriteFollowsTransaction: a DB() write with the transaction's
// ctx commits and rolls back with it, and the transaction reads its own
// raw write.
func TestRawWriteFollowsTransaction(t *testing.T) {
	f := newDataFixture(t)
	ctx := context.Background()
	errAbort := errors.New("abort")
	tests := []struct {
		name    string
		fail    bool
		wantCnt int
	}{
		{"commit", false, 1},
		{"rollback", true, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			title := "tx-" + tt.name
			err := f.app.RunInTransaction(ctx, func(ctx context.Context) error {
				if _, err := f.app.DB().Insert("posts", core.Params{"id": "tx" + tt.name[:6], "title": title, "status": "x", "views": 0, "author": ""}).Execute(ctx); err != nil {
					return err
				}
				var n int
				if err := f.app.DB().NewQuery("SELECT COUNT(*) FROM posts WHERE title = {:t}").Bind(core.Params{"t": title}).Row(ctx, &n); err != nil {
					return err
				}
				if n != 1 {
					return fmt.Errorf("transaction does not see its own raw insert: %d", n)
				}
				if tt.fail {
					return errAbort
				}
				return nil
			})
			if tt.fail != errors.Is(err, errAbort) || (!tt.fail && err != nil) {
				t.Fatalf("RunInTransaction: %v", err)
			}
			n, err := f.app.CountRecords(ctx, "posts", core.Filter("title = {:t}", map[string]any{"t": title}))
			if err != nil {
				t.Fatal(err)
			}
			if int(n) != tt.wantCnt {
				t.Fatalf("after %s: %d rows, want %d", tt.name, n, tt.wantCnt)
			}
		})
	}
}

// TestRawWritesQueueConcurrently: concurrent DB() writes outside a
// transaction go through the write queue: none fails with SQLITE_BUSY.
func TestRawWritesQueueConcurrently(t *testing.T) {
	f := newDataFixture(t)
	ctx := context.Background()
	const writers, each = 8, 25
	var wg sync.WaitGroup
	errs := make(chan error, writers*each)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				_, err := f.app.DB().NewQuery("UPDATE posts SET views = views + 1 WHERE id = {:id}").
					Bind(core.Params{"id": f.p2.Id()}).Execute(ctx)
				if err != nil {
					errs <- fmt.Errorf("writer %d #%d: %w", w, i, err)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	r, err := f.app.FindRecordById(ctx, "posts", f.p2.Id())
	if err != nil {
		t.Fatal(err)
	}
	if got := int(r.GetFloat("views")); got != 20+writers*each {
		t.Fatalf("views = %d, want %d", got, 20+writers*each)
	}
}

func TestRecordQueryAndFinders(t *testing.T) {
	f := newDataFixture(t)
	ctx := context.Background()
	tests := []struct {
		name string
		run  func() ([]*core.Record, error)
		want []string
	}{
		{"filter sort", func() ([]*core.Record, error) {
			return f.app.RecordQuery("posts").Filter("views > {:v}", map[string]any{"v": 5}).Sort("-views").All(ctx)
		}, []string{`it's "quoted" \ back`, "beta", "alpha"}},
		{"filters are and-ed", func() ([]*core.Record, error) {
			return f.app.RecordQuery("posts").Filter("status = {:s}", map[string]any{"s": "draft"}).
				Filter("author = {:a}", map[string]any{"a": f.alice.Id()}).All(ctx)
		}, []string{`it's "quoted" \ back`}},
		{"limit offset", func() ([]*core.Record, error) {
			return f.app.RecordQuery("posts").Sort("views").Limit(1).Offset(1).All(ctx)
		}, []string{"beta"}},
		{"offset alone", func() ([]*core.Record, error) {
			return f.app.RecordQuery("posts").Sort("views").Offset(2).All(ctx)
		}, []string{`it's "quoted" \ back`}},
		{"param with quotes is a value", func() ([]*core.Record, error) {
			return f.app.RecordQuery("posts").Filter("title = {:t}", map[string]any{"t": `it's "quoted" \ back`}).All(ctx)
		}, []string{`it's "quoted" \ back`}},
		{"param injection matches nothing", func() ([]*core.Record, error) {
			return f.app.RecordQuery("posts").Filter("title = {:t}", map[string]any{"t": `x' || title != '`}).All(ctx)
		}, []string{}},
		{"relation path in filter", func() ([]*core.Record, error) {
			return f.app.RecordQuery("posts").Filter("author.email = {:e}", map[string]any{"e": "bob@example.com"}).All(ctx)
		}, []string{"beta"}},
		{"FindAllRecords", func() ([]*core.Record, error) {
			return f.app.FindAllRecords(ctx, "posts", core.Filter("status = 'draft'", nil), core.Filter("views < {:v}", map[string]any{"v": 25}))
		}, []string{"beta"}},
		{"FindAllRecords no filter", func() ([]*core.Record, error) {
			recs, err := f.app.FindAllRecords(ctx, f.posts.Id)
			if len(recs) != 3 {
				return nil, fmt.Errorf("got %d records", len(recs))
			}
			return recs[:0], err
		}, []string{}},
		{"FindFirstRecordByData", func() ([]*core.Record, error) {
			r, err := f.app.FindFirstRecordByData(ctx, "posts", "title", "beta")
			return []*core.Record{r}, err
		}, []string{"beta"}},
		{"One", func() ([]*core.Record, error) {
			r, err := f.app.RecordQuery("posts").Sort("-views").One(ctx)
			return []*core.Record{r}, err
		}, []string{`it's "quoted" \ back`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			recs, err := tt.run()
			if err != nil {
				t.Fatal(err)
			}
			if got := ids(recs); fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
		})
	}

	errTests := []struct {
		name string
		run  func() error
	}{
		{"unknown collection", func() error { _, err := f.app.RecordQuery("nope").All(ctx); return err }},
		{"bad filter", func() error { _, err := f.app.FindAllRecords(ctx, "posts", core.Filter("title ==", nil)); return err }},
		{"unknown field", func() error { _, err := f.app.FindAllRecords(ctx, "posts", core.Filter("nope = 1", nil)); return err }},
		{"bad sort", func() error { _, err := f.app.RecordQuery("posts").Sort("title;drop").All(ctx); return err }},
		{"FindFirstRecordByData none", func() error {
			_, err := f.app.FindFirstRecordByData(ctx, "posts", "title", "missing")
			return err
		}},
	}
	for _, tt := range errTests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.run(); err == nil {
				t.Fatal("no error")
			}
		})
	}

	counts := []struct {
		name    string
		filters []core.RecordFilter
		want    int64
	}{
		{"all", nil, 3},
		{"filtered", []core.RecordFilter{core.Filter("status = {:s}", map[string]any{"s": "draft"})}, 2},
		{"none", []core.RecordFilter{core.Filter("views > 1000", nil)}, 0},
	}
	for _, tt := range counts {
		t.Run("CountRecords "+tt.name, func(t *testing.T) {
			n, err := f.app.CountRecords(ctx, "posts", tt.filters...)
			if err != nil || n != tt.want {
				t.Fatalf("CountRecords = %d, %v; want %d", n, err, tt.want)
			}
		})
	}
}

func TestCanAccessRecord(t *testing.T) {
	f := newDataFixture(t)
	ctx := context.Background()
	guest := &core.RequestInfo{Method: "GET", Context: core.ContextDefault}
	as := func(r *core.Record) *core.RequestInfo {
		return &core.RequestInfo{Method: "GET", Context: core.ContextDefault, Auth: r}
	}
	list, view := f.posts.ListRule, f.posts.ViewRule
	tests := []struct {
		name   string
		record *core.Record
		ri     *core.RequestInfo
		rule   *string
		want   bool
	}{
		{"guest list public post", f.p1, guest, list, true},
		{"guest list draft", f.p2, guest, list, false},
		{"nil request list draft", f.p2, nil, list, false},
		{"author lists own draft", f.p2, as(f.bob), list, true},
		{"other user list draft", f.p2, as(f.alice), list, false},
		{"guest view via relation (alice's post)", f.p3, guest, view, true},
		{"guest view bob's post", f.p2, guest, view, false},
		{"bob views own post", f.p2, as(f.bob), view, true},
		{"alice views bob's post", f.p2, as(f.alice), view, false},
		{"superuser on any rule", f.p2, as(f.superuser), view, true},
		{"nil rule: user refused", f.p1, as(f.alice), nil, false},
		{"nil rule: guest refused", f.p1, guest, nil, false},
		{"nil rule: superuser", f.p1, as(f.superuser), nil, true},
		{"empty rule: guest", f.p2, guest, core.StrPtr(""), true},
		{"request rule", f.p1, &core.RequestInfo{Method: "GET", Query: map[string]string{"k": "v"}}, core.StrPtr("@request.query.k = 'v'"), true},
		{"request rule mismatch", f.p1, &core.RequestInfo{Method: "GET", Query: map[string]string{"k": "w"}}, core.StrPtr("@request.query.k = 'v'"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := f.app.CanAccessRecord(ctx, tt.record, tt.ri, tt.rule)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Fatalf("CanAccessRecord = %v, want %v", got, tt.want)
			}
		})
	}
	if _, err := f.app.CanAccessRecord(ctx, f.p1, guest, core.StrPtr("title ==")); err == nil {
		t.Fatal("a broken rule gave no error")
	}
}

func TestExpandRecords(t *testing.T) {
	f := newDataFixture(t)
	ctx := context.Background()
	email := func(v any) string {
		if r, ok := v.(*core.Record); ok {
			return r.GetString("email")
		}
		return fmt.Sprintf("%T", v)
	}
	tests := []struct {
		name   string
		ri     *core.RequestInfo
		check  func(t *testing.T, posts []*core.Record, failed map[string]error)
		expand []string
	}{
		{"forward relation, no request", nil, func(t *testing.T, posts []*core.Record, failed map[string]error) {
			for _, p := range posts {
				want := "alice@example.com"
				if p.Id() == f.p2.Id() {
					want = "bob@example.com"
				}
				if got := email(p.Expand()["author"]); got != want {
					t.Fatalf("post %s author = %s, want %s", p.GetString("title"), got, want)
				}
			}
		}, []string{"author"}},
		{"back relation", nil, func(t *testing.T, posts []*core.Record, failed map[string]error) {
			for _, p := range posts {
				got, _ := p.Expand()["comments_via_post"].([]*core.Record)
				if p.Id() == f.p1.Id() {
					if len(got) != 1 || got[0].GetString("body") != "first" {
						t.Fatalf("comments_via_post of p1 = %v", got)
					}
				} else if len(got) != 0 {
					t.Fatalf("comments_via_post of %s = %v", p.GetString("title"), got)
				}
			}
		}, []string{"comments_via_post"}},
		{"unknown path fails", nil, func(t *testing.T, posts []*core.Record, failed map[string]error) {
			if failed["nope"] == nil {
				t.Fatalf("failed = %v", failed)
			}
		}, []string{"nope"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			posts, err := f.app.FindAllRecords(ctx, "posts")
			if err != nil {
				t.Fatal(err)
			}
			failed := f.app.ExpandRecords(ctx, posts, tt.expand, tt.ri)
			tt.check(t, posts, failed)
		})
	}
	// users' viewRule is owner-only: expanding a comment's post's author,
	// a guest gets the post (comments and posts are viewable here) but
	// not the author, alice gets herself, a superuser gets anyone.
	authorOf := func(ri *core.RequestInfo) (post, author *core.Record) {
		t.Helper()
		c, err := f.app.FindRecordById(ctx, "comments", f.comment1.Id())
		if err != nil {
			t.Fatal(err)
		}
		if failed := f.app.ExpandRecord(ctx, c, []string{"post.author"}, ri); len(failed) != 0 {
			t.Fatal(failed)
		}
		post, _ = c.Expand()["post"].(*core.Record)
		if post != nil {
			author, _ = post.Expand()["author"].(*core.Record)
		}
		return post, author
	}
	access := []struct {
		name       string
		ri         *core.RequestInfo
		wantAuthor bool
	}{
		{"guest", &core.RequestInfo{Method: "GET"}, false},
		{"bob", &core.RequestInfo{Method: "GET", Auth: f.bob}, false},
		{"alice", &core.RequestInfo{Method: "GET", Auth: f.alice}, true},
		{"superuser", &core.RequestInfo{Method: "GET", Auth: f.superuser}, true},
	}
	for _, tt := range access {
		t.Run("view rule "+tt.name, func(t *testing.T) {
			post, author := authorOf(tt.ri)
			if post == nil || post.Id() != f.p1.Id() {
				t.Fatalf("comment's post = %v", post)
			}
			if (author != nil) != tt.wantAuthor || (author != nil && author.Id() != f.alice.Id()) {
				t.Fatalf("post's author = %v, want expanded: %v", author, tt.wantAuthor)
			}
		})
	}
}

// TestRawWriteWithOuterContextFailsFast: inside RunInTransaction, a DB()
// write with the outer ctx fails with ErrWriteOutsideTransaction (as a
// record save does) instead of waiting for the busy writer; the
// transaction rolls back.
func TestRawWriteWithOuterContextFailsFast(t *testing.T) {
	f := newDataFixture(t)
	outer := context.Background()
	err := f.app.RunInTransaction(outer, func(ctx context.Context) error {
		_, err := f.app.DB().Delete("posts", core.NewExpr("id = {:id}", core.Params{"id": f.p1.Id()})).Execute(outer)
		return err
	})
	if !errors.Is(err, core.ErrWriteOutsideTransaction) {
		t.Fatalf("RunInTransaction = %v, want ErrWriteOutsideTransaction", err)
	}
	if _, err := f.app.FindRecordById(outer, "posts", f.p1.Id()); err != nil {
		t.Fatalf("p1 after the failed transaction: %v", err)
	}
}
