// Package setup creates (or reuses) the benchmark dataset on any
// PocketBase-compatible server through its public API: the users auth
// collection with N users, a posts base collection with M posts, a members
// collection for @collection rules and an uploads collection with a file
// field.
package setup

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sync"

	"github.com/basalthq/basalt/bench/internal/client"
)

// Options says how big the dataset is. Zero values mean the sizes.
type Options struct {
	// Users is the number of users (default 100).
	Users int
	// Posts is the number of seeded posts (default 10,000).
	Posts int
	// Workers is the number of concurrent seeding requests (default 16).
	Workers int
	// Log, if set, receives progress lines.
	Log func(format string, args ...any)
}

func (o *Options) defaults() {
	if o.Users <= 0 {
		o.Users = 100
	}
	if o.Posts <= 0 {
		o.Posts = 10000
	}
	if o.Workers <= 0 {
		o.Workers = 16
	}
	if o.Log == nil {
		o.Log = func(string, ...any) {}
	}
}

// Dataset is what the scenarios need to know about the seeded data.
type Dataset struct {
	UserIDs    []string
	UserEmails []string
	PostIDs    []string
	// Reused is true when the posts were already there and were kept.
	Reused bool
	// Created counts the records this setup created (users+posts+members).
	Created int
}

// Run ensures the dataset exists using the superuser client su and returns
// it. A second run on the same server reuses everything that is already
// correct and resets (drops and reseeds) the posts when their count differs.
func Run(ctx context.Context, su *client.Client, opt Options) (*Dataset, error) {
	opt.defaults()
	ds := &Dataset{}
	usersID, err := ensureUsersCollection(ctx, su)
	if err != nil {
		return nil, err
	}
	if err := ensureUsers(ctx, su, opt, ds); err != nil {
		return nil, err
	}
	for _, sp := range specs(usersID) {
		if err := ensureCollection(ctx, su, sp, opt); err != nil {
			return nil, err
		}
	}
	if err := ensureMembers(ctx, su, opt, ds); err != nil {
		return nil, err
	}
	if err := ensurePosts(ctx, su, usersID, opt, ds); err != nil {
		return nil, err
	}
	return ds, nil
}

// ensureUsersCollection reuses the users auth collection (PocketBase ships
// one) or creates it, and makes its records publicly listable/viewable so
// expand=author works for guests.
func ensureUsersCollection(ctx context.Context, su *client.Client) (string, error) {
	var col struct {
		ID string `json:"id"`
	}
	rules := map[string]any{"listRule": "", "viewRule": ""}
	err := su.Do(ctx, http.MethodGet, "/api/collections/"+Users, nil, &col)
	if client.IsStatus(err, http.StatusNotFound) {
		body := map[string]any{"name": Users, "type": "auth",
			"fields": []field{textField("name")}, "listRule": "", "viewRule": ""}
		if err := su.Do(ctx, http.MethodPost, "/api/collections", body, &col); err != nil {
			return "", fmt.Errorf("create users collection: %w", err)
		}
		return col.ID, nil
	}
	if err != nil {
		return "", fmt.Errorf("get users collection: %w", err)
	}
	if err := su.Do(ctx, http.MethodPatch, "/api/collections/"+Users, rules, nil); err != nil {
		return "", fmt.Errorf("patch users rules: %w", err)
	}
	return col.ID, nil
}

func ensureUsers(ctx context.Context, su *client.Client, opt Options, ds *Dataset) error {
	have, err := items(ctx, su, Users, "email ~ 'bench-user-'", "id,email")
	if err != nil {
		return fmt.Errorf("list users: %w", err)
	}
	byEmail := map[string]string{}
	for _, it := range have {
		byEmail[str(it["email"])] = str(it["id"])
	}
	ds.UserIDs = make([]string, opt.Users)
	ds.UserEmails = make([]string, opt.Users)
	var missing []int
	for i := range opt.Users {
		ds.UserEmails[i] = UserEmail(i)
		if id, ok := byEmail[UserEmail(i)]; ok {
			ds.UserIDs[i] = id
		} else {
			missing = append(missing, i)
		}
	}
	opt.Log("users: %d present, %d to create", opt.Users-len(missing), len(missing))
	err = parallel(ctx, len(missing), opt.Workers, func(k int) error {
		i := missing[k]
		var rec struct {
			ID string `json:"id"`
		}
		body := map[string]any{"email": UserEmail(i), "password": UserPassword, "passwordConfirm": UserPassword,
			"verified": true, "emailVisibility": false, "name": fmt.Sprintf("User %d", i)}
		if err := su.Do(ctx, http.MethodPost, "/api/collections/"+Users+"/records", body, &rec); err != nil {
			return fmt.Errorf("create user %d: %w", i, err)
		}
		ds.UserIDs[i] = rec.ID
		return nil
	})
	ds.Created += len(missing)
	return err
}

// ensureCollection creates sp, or patches its rules and indexes when it
// exists with the expected fields, or drops and recreates it otherwise.
func ensureCollection(ctx context.Context, su *client.Client, sp spec, opt Options) error {
	var col struct {
		Fields []map[string]any `json:"fields"`
	}
	err := su.Do(ctx, http.MethodGet, "/api/collections/"+sp.name, nil, &col)
	switch {
	case client.IsStatus(err, http.StatusNotFound):
	case err != nil:
		return fmt.Errorf("get %s: %w", sp.name, err)
	case fieldsMatch(col.Fields, sp.fields):
		body := map[string]any{"indexes": sp.indexes}
		for k, v := range sp.rules {
			body[k] = v
		}
		if err := su.Do(ctx, http.MethodPatch, "/api/collections/"+sp.name, body, nil); err != nil {
			return fmt.Errorf("patch %s: %w", sp.name, err)
		}
		opt.Log("collection %s: reused", sp.name)
		return nil
	default:
		opt.Log("collection %s: schema differs, recreating", sp.name)
		if err := su.Do(ctx, http.MethodDelete, "/api/collections/"+sp.name, nil, nil); err != nil {
			return fmt.Errorf("delete %s: %w", sp.name, err)
		}
	}
	body := map[string]any{"name": sp.name, "type": "base", "fields": sp.fields, "indexes": sp.indexes}
	for k, v := range sp.rules {
		body[k] = v
	}
	if err := su.Do(ctx, http.MethodPost, "/api/collections", body, nil); err != nil {
		return fmt.Errorf("create %s: %w", sp.name, err)
	}
	opt.Log("collection %s: created", sp.name)
	return nil
}

// fieldsMatch reports whether every wanted field exists with the same type.
func fieldsMatch(have []map[string]any, want []field) bool {
	types := map[string]string{}
	for _, f := range have {
		types[str(f["name"])] = str(f["type"])
	}
	for _, f := range want {
		if types[str(f["name"])] != str(f["type"]) {
			return false
		}
	}
	return true
}

func ensureMembers(ctx context.Context, su *client.Client, opt Options, ds *Dataset) error {
	have, err := items(ctx, su, Members, "", "id,user")
	if err != nil {
		return fmt.Errorf("list members: %w", err)
	}
	present := map[string]bool{}
	for _, it := range have {
		present[str(it["user"])] = true
	}
	var missing []string
	for _, id := range ds.UserIDs {
		if !present[id] {
			missing = append(missing, id)
		}
	}
	ds.Created += len(missing)
	return parallel(ctx, len(missing), opt.Workers, func(k int) error {
		body := map[string]any{"user": missing[k], "role": "member"}
		return su.Do(ctx, http.MethodPost, "/api/collections/"+Members+"/records", body, nil)
	})
}

func ensurePosts(ctx context.Context, su *client.Client, usersID string, opt Options, ds *Dataset) error {
	n, err := su.Count(ctx, Posts, "")
	if err != nil {
		return fmt.Errorf("count posts: %w", err)
	}
	if n == opt.Posts {
		ds.Reused = true
		opt.Log("posts: %d present, reused", n)
	} else {
		if n != 0 {
			opt.Log("posts: %d present, want %d: resetting", n, opt.Posts)
			if err := su.Do(ctx, http.MethodDelete, "/api/collections/"+Posts, nil, nil); err != nil {
				return fmt.Errorf("drop posts: %w", err)
			}
			if err := ensureCollection(ctx, su, specs(usersID)[0], opt); err != nil {
				return err
			}
		}
		if err := seedPosts(ctx, su, opt, ds); err != nil {
			return err
		}
	}
	ids, err := su.IDs(ctx, Posts, "", 0)
	if err != nil {
		return fmt.Errorf("list post ids: %w", err)
	}
	ds.PostIDs = ids
	return nil
}

func seedPosts(ctx context.Context, su *client.Client, opt Options, ds *Dataset) error {
	opt.Log("posts: seeding %d", opt.Posts)
	ds.Created += opt.Posts
	return parallel(ctx, opt.Posts, opt.Workers, func(i int) error {
		body := PostData(i, ds.UserIDs[i%len(ds.UserIDs)])
		if err := su.Do(ctx, http.MethodPost, "/api/collections/"+Posts+"/records", body, nil); err != nil {
			return fmt.Errorf("create post %d: %w", i, err)
		}
		return nil
	})
}

// items lists every record of a collection (superuser view).
func items(ctx context.Context, su *client.Client, collection, filter, fields string) ([]map[string]any, error) {
	var out []map[string]any
	for page := 1; page < 1000; page++ {
		q := fmt.Sprintf("/api/collections/%s/records?page=%d&perPage=500&skipTotal=1&fields=%s", collection, page, fields)
		if filter != "" {
			q += "&filter=" + escape(filter)
		}
		var res client.ListResult
		err := su.Do(ctx, http.MethodGet, q, nil, &res)
		if client.IsStatus(err, http.StatusNotFound) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		out = append(out, res.Items...)
		if len(res.Items) < 500 {
			break
		}
	}
	return out, nil
}

// parallel runs fn(0..n-1) on up to workers goroutines and returns the
// first error (the others are still awaited).
func parallel(ctx context.Context, n, workers int, fn func(i int) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	next := make(chan int)
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	for range min(workers, max(n, 1)) {
		wg.Go(func() {
			for i := range next {
				if err := fn(i); err != nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
					cancel()
				}
			}
		})
	}
	for i := range n {
		select {
		case next <- i:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
	}
	close(next)
	wg.Wait()
	if len(errs) > 0 {
		return errors.Join(slices.Clip(errs[:1])...)
	}
	return ctx.Err()
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

// BcryptCost returns the effective bcrypt cost of the users collection's
// password field (a stored 0 means the default, 10), so auth-with-password
// figures can be compared at the same cost.
func BcryptCost(ctx context.Context, su *client.Client) (int, error) {
	var col struct {
		Fields []struct {
			Type string  `json:"type"`
			Cost float64 `json:"cost"`
		} `json:"fields"`
	}
	if err := su.Do(ctx, http.MethodGet, "/api/collections/"+Users, nil, &col); err != nil {
		return 0, err
	}
	for _, f := range col.Fields {
		if f.Type == "password" {
			if f.Cost == 0 {
				return 10, nil
			}
			return int(f.Cost), nil
		}
	}
	return 0, fmt.Errorf("users has no password field")
}
