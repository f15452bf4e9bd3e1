package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// collectionID is a fixed id reported as collectionId (PocketBase derives
// it from the name; any stable value keeps the JSON shape).
const collectionID = "pbc_1125843985"

const postCols = "author, body, created, id, published, tags, title, updated, views"

const insertSQL = "INSERT INTO posts (id, title, body, views, published, author, tags, created, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"

// benchFilter is the only filter the floor understands (the list scenarios').
const benchFilter = "published=true && views>100"

type server struct {
	rdb, wdb     *sql.DB
	view, insert *sql.Stmt
	mode         string
	maxBatch     int
	writes       chan *writeReq
}

// post is one posts row serialized with PocketBase's keys (alphabetical).
type post struct {
	Author         string          `json:"author"`
	Body           string          `json:"body"`
	CollectionID   string          `json:"collectionId"`
	CollectionName string          `json:"collectionName"`
	Created        string          `json:"created"`
	ID             string          `json:"id"`
	Published      bool            `json:"published"`
	Tags           json.RawMessage `json:"tags"`
	Title          string          `json:"title"`
	Updated        string          `json:"updated"`
	Views          float64         `json:"views"`
}

type scanner interface{ Scan(dest ...any) error }

func scanPost(sc scanner) (post, error) {
	p := post{CollectionID: collectionID, CollectionName: "posts"}
	var tags string
	err := sc.Scan(&p.Author, &p.Body, &p.Created, &p.ID, &p.Published, &tags, &p.Title, &p.Updated, &p.Views)
	p.Tags = json.RawMessage(tags)
	return p, err
}

// postInput is the accepted create body.
type postInput struct {
	Title     string   `json:"title"`
	Body      string   `json:"body"`
	Views     float64  `json:"views"`
	Published bool     `json:"published"`
	Author    string   `json:"author"`
	Tags      []string `json:"tags"`
}

func (p postInput) args(id, ts string) []any {
	tags, _ := json.Marshal(p.Tags)
	if p.Tags == nil {
		tags = []byte("[]")
	}
	return []any{id, p.Title, p.Body, p.Views, p.Published, p.Author, string(tags), ts, ts}
}

func (s *server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/health", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{"message": "API is healthy.", "code": 200, "data": map[string]any{}})
	})
	mux.HandleFunc("GET /api/collections/posts/records/{id}", s.handleView)
	mux.HandleFunc("GET /api/collections/posts/records", s.handleList)
	mux.HandleFunc("POST /api/collections/posts/records", s.handleCreate)
	mux.HandleFunc("GET /api/collections/users/records", s.handleUsers)
	mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) { notFound(w) })
	return mux
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(v); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(bytes.TrimRight(buf.Bytes(), "\n"))
}

func apiError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]any{"data": map[string]any{}, "message": msg, "status": status})
}

func notFound(w http.ResponseWriter) {
	apiError(w, http.StatusNotFound, "The requested resource wasn't found.")
}

func badRequest(w http.ResponseWriter) {
	apiError(w, http.StatusBadRequest, "Something went wrong while processing your request.")
}

func (s *server) handleView(w http.ResponseWriter, r *http.Request) {
	p, err := scanPost(s.view.QueryRowContext(r.Context(), r.PathValue("id")))
	if errors.Is(err, sql.ErrNoRows) {
		notFound(w)
		return
	}
	if err != nil {
		badRequest(w)
		return
	}
	writeJSON(w, http.StatusOK, p)
}

// listEnvelope is PocketBase's list response.
type listEnvelope[T any] struct {
	Items      []T `json:"items"`
	Page       int `json:"page"`
	PerPage    int `json:"perPage"`
	TotalItems int `json:"totalItems"`
	TotalPages int `json:"totalPages"`
}

// pageParams parses page, perPage and skipTotal like PocketBase (§2.1).
func pageParams(r *http.Request) (page, perPage int, skipTotal bool, ok bool) {
	q := r.URL.Query()
	page, perPage = 1, 30
	var err error
	if v := q.Get("page"); v != "" {
		if page, err = strconv.Atoi(v); err != nil {
			return 0, 0, false, false
		}
		page = max(page, 1)
	}
	if v := q.Get("perPage"); v != "" {
		if perPage, err = strconv.Atoi(v); err != nil {
			return 0, 0, false, false
		}
		if perPage <= 0 {
			perPage = 30
		}
		perPage = min(perPage, 1000)
	}
	if v := q.Get("skipTotal"); v != "" {
		if skipTotal, err = strconv.ParseBool(v); err != nil {
			return 0, 0, false, false
		}
	}
	return page, perPage, skipTotal, true
}

func (s *server) handleList(w http.ResponseWriter, r *http.Request) {
	page, perPage, skipTotal, ok := pageParams(r)
	if !ok {
		badRequest(w)
		return
	}
	q := r.URL.Query()
	where := ""
	switch f := strings.Join(strings.Fields(q.Get("filter")), ""); f {
	case "":
	case strings.ReplaceAll(benchFilter, " ", ""):
		where = " WHERE published = TRUE AND views > 100"
	default:
		badRequest(w)
		return
	}
	order := ""
	switch q.Get("sort") {
	case "":
	case "-created":
		order = " ORDER BY created DESC"
	case "created", "+created":
		order = " ORDER BY created ASC"
	default:
		badRequest(w)
		return
	}
	ctx := r.Context()
	rows, err := s.rdb.QueryContext(ctx, "SELECT "+postCols+" FROM posts"+where+order+" LIMIT ? OFFSET ?", perPage, (page-1)*perPage)
	if err != nil {
		badRequest(w)
		return
	}
	env := listEnvelope[post]{Items: make([]post, 0, perPage), Page: page, PerPage: perPage, TotalItems: -1, TotalPages: -1}
	for rows.Next() {
		p, err := scanPost(rows)
		if err != nil {
			rows.Close()
			badRequest(w)
			return
		}
		env.Items = append(env.Items, p)
	}
	rows.Close()
	if !skipTotal {
		if err := s.rdb.QueryRowContext(ctx, "SELECT COUNT(*) FROM posts"+where).Scan(&env.TotalItems); err != nil {
			badRequest(w)
			return
		}
		env.TotalPages = (env.TotalItems + perPage - 1) / perPage
	}
	writeJSON(w, http.StatusOK, env)
}

// handleUsers lists user ids (enough for the loadgen to discover authors).
func (s *server) handleUsers(w http.ResponseWriter, r *http.Request) {
	page, perPage, _, ok := pageParams(r)
	if !ok {
		badRequest(w)
		return
	}
	rows, err := s.rdb.QueryContext(r.Context(), "SELECT id FROM users LIMIT ? OFFSET ?", perPage, (page-1)*perPage)
	if err != nil {
		badRequest(w)
		return
	}
	defer rows.Close()
	type user struct {
		ID string `json:"id"`
	}
	env := listEnvelope[user]{Items: []user{}, Page: page, PerPage: perPage, TotalItems: -1, TotalPages: -1}
	for rows.Next() {
		var u user
		if err := rows.Scan(&u.ID); err != nil {
			badRequest(w)
			return
		}
		env.Items = append(env.Items, u)
	}
	writeJSON(w, http.StatusOK, env)
}

func (s *server) handleCreate(w http.ResponseWriter, r *http.Request) {
	var in postInput
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&in); err != nil {
		badRequest(w)
		return
	}
	id, ts := newID(), time.Now().UTC().Format(timeLayout)
	var err error
	if s.mode == "group" {
		err = s.enqueue(r.Context(), in.args(id, ts))
	} else {
		err = s.insertTx(r.Context(), in.args(id, ts))
	}
	if err != nil {
		apiError(w, http.StatusBadRequest, "Failed to create record.")
		return
	}
	tags := json.RawMessage("[]")
	if in.Tags != nil {
		tags, _ = json.Marshal(in.Tags)
	}
	writeJSON(w, http.StatusOK, post{Author: in.Author, Body: in.Body, CollectionID: collectionID, CollectionName: "posts",
		Created: ts, ID: id, Published: in.Published, Tags: tags, Title: in.Title, Updated: ts, Views: in.Views})
}

// insertTx runs one insert in its own transaction.
func (s *server) insertTx(ctx context.Context, args []any) error {
	tx, err := s.wdb.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if _, err := tx.StmtContext(ctx, s.insert).ExecContext(ctx, args...); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}
