package store

import (
	"context"
	"fmt"
	"testing"

	"github.com/basalthq/basalt/core"
)

// TestValidateViewQueryColumns is the golden table of view column
// inference (spec §5.7) at the store level: which source collection and
// field each column comes from, through table names, aliases, AS renames
// and joins, and the fixed kinds of count/total/cast.
func TestValidateViewQueryColumns(t *testing.T) { forEngines(t, testValidateViewQueryColumns) }

func testValidateViewQueryColumns(t *testing.T) {
	ctx := context.Background()
	s := openTestStore(t)
	people := core.NewBaseCollection("people")
	people.Id = "pbc_people"
	people.Fields = append(people.Fields, &core.TextField{BaseField: core.BaseField{Id: "f_pname", Name: "name"}})
	posts := core.NewBaseCollection("posts")
	posts.Id = "pbc_posts"
	posts.Fields = append(posts.Fields,
		&core.TextField{BaseField: core.BaseField{Id: "f_title", Name: "title"}},
		&core.TextField{BaseField: core.BaseField{Id: "f_name", Name: "name"}},
		&core.NumberField{BaseField: core.BaseField{Id: "f_views", Name: "views"}},
		&core.RelationField{BaseField: core.BaseField{Id: "f_author", Name: "author"}, CollectionId: "pbc_people", MaxSelect: 1})
	for _, c := range []*core.Collection{people, posts} {
		if err := s.SaveCollection(ctx, nil, c); err != nil {
			t.Fatal(err)
		}
	}

	col := func(name, kind, src, field string) string {
		return fmt.Sprintf("%s:%s:%s.%s", name, kind, src, field)
	}
	cases := []struct {
		name, query string
		want        []string
		// sqliteOnly marks a query in SQLite's own SQL (backticks, TOTAL,
		// loose GROUP BY, case-insensitive names): views are written in
		// the engine's SQL.
		sqliteOnly bool
	}{
		{"plain columns resolve in the main table", "SELECT id, title, views FROM posts",
			[]string{col("id", "json", "pbc_posts", "id"), col("title", "json", "pbc_posts", "title"), col("views", "json", "pbc_posts", "views")}, false},
		{"table.column", "SELECT posts.id, posts.title FROM posts",
			[]string{col("id", "json", "pbc_posts", "id"), col("title", "json", "pbc_posts", "title")}, false},
		{"quoted identifiers", "SELECT \"p\".\"id\", `p`.`views` FROM `posts` AS `p`",
			[]string{col("id", "json", "pbc_posts", "id"), col("views", "json", "pbc_posts", "views")}, true},
		{"main-table alias and AS renames", "SELECT p.id, p.title AS headline, p.author AS writer FROM posts p",
			[]string{col("id", "json", "pbc_posts", "id"), col("headline", "json", "pbc_posts", "title"), col("writer", "json", "pbc_posts", "author")}, false},
		{"join with the same column name", "SELECT p.id, p.name AS a, u.name AS b, u.id AS person FROM posts p JOIN people u ON u.id = p.author",
			[]string{col("id", "json", "pbc_posts", "id"), col("a", "json", "pbc_posts", "name"), col("b", "json", "pbc_people", "name"), col("person", "json", "pbc_people", "id")}, false},
		{"aggregates and casts", "SELECT p.id, COUNT(*) AS n, TOTAL(p.views) AS t, CAST(p.views AS int) AS i, CAST(p.views AS real) AS r, CAST(p.title AS text) AS s, CAST(1 AS bool) AS b FROM posts p GROUP BY p.id",
			[]string{col("id", "json", "pbc_posts", "id"), col("n", "numberInt", "", ""), col("t", "number", "", ""), col("i", "numberInt", "", ""), col("r", "number", "", ""), col("s", "text", "", ""), col("b", "bool", "", "")}, true},
		{"expressions and aggregates without a fixed type", "SELECT p.id, p.views + 1 AS v, SUM(p.views) AS s, upper(u.name) AS loud FROM posts p LEFT JOIN people u ON u.id = p.author GROUP BY p.id",
			[]string{col("id", "json", "pbc_posts", "id"), col("v", "json", "", ""), col("s", "json", "", ""), col("loud", "json", "", "")}, true},
		{"subquery in the projection does not end the projection", "SELECT id, name, (SELECT COUNT(*) FROM people) AS n, title FROM posts",
			[]string{col("id", "json", "pbc_posts", "id"), col("name", "json", "pbc_posts", "name"), col("n", "json", "", ""), col("title", "json", "pbc_posts", "title")}, false},
		{"subquery in FROM is not looked into", "SELECT s.id, s.title FROM (SELECT id, title FROM posts) s",
			[]string{col("id", "json", "", ""), col("title", "json", "", "")}, false},
		{"field names match case-insensitively, as SQLite columns", "SELECT ID, p.TITLE FROM posts p",
			[]string{col("ID", "json", "pbc_posts", "id"), col("TITLE", "json", "pbc_posts", "title")}, true},
		{"comma joins", "SELECT p.id, u.name AS b, p.title FROM posts p, people u WHERE u.id = p.author",
			[]string{col("id", "json", "pbc_posts", "id"), col("b", "json", "pbc_people", "name"), col("title", "json", "pbc_posts", "title")}, false},
		{"a subquery's alias does not shadow the outer one", "SELECT p.id, p.title FROM posts p WHERE p.author IN (SELECT p.id FROM people p)",
			[]string{col("id", "json", "pbc_posts", "id"), col("title", "json", "pbc_posts", "title")}, false},
		{"bare column with a join resolves in the main table", "SELECT p.id, title FROM posts p JOIN people u ON u.id = p.author",
			[]string{col("id", "json", "pbc_posts", "id"), col("title", "json", "pbc_posts", "title")}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.sqliteOnly && onPostgres(t) {
				t.Skip("a view query in SQLite's SQL")
			}
			cols, err := s.ValidateViewQuery(ctx, tc.query)
			if err != nil {
				t.Fatal(err)
			}
			got := make([]string, len(cols))
			for i, c := range cols {
				got[i] = col(c.Name, c.Kind, c.SourceCollection, c.SourceField)
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Fatalf("columns\n got %v\nwant %v", got, tc.want)
			}
		})
	}
}
