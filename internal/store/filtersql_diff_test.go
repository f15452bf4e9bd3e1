package store

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/basalthq/basalt/core"
	"github.com/basalthq/basalt/internal/store/dialect/postgres/pgtest"
)

// Differential filter tests (issue #26): the same filter over the same
// rows gives the same ids on SQLite and PostgreSQL. SQLite is the
// reference: its results are the ones the golden and execution tests pin.

// diffStores opens execStore's schema and rows on both engines (skipping
// without a PostgreSQL server, see pgtest.DSN).
func diffStores(t *testing.T) (lite, pg *Store, liteCols, pgCols map[string]*core.Collection) {
	t.Helper()
	if !pgtest.Available() {
		pgtest.DSN(t) // skips, or fails under BASALT_REQUIRE_POSTGRES=1
	}
	withFixedNow(t)
	lite, liteCols = execStoreOn(t, false)
	pg, pgCols = execStoreOn(t, true)
	return lite, pg, liteCols, pgCols
}

// outcome is what a query answered: its ids (in order when sorted,
// else as a sorted set) or that it failed.
func outcome(t *testing.T, s *Store, fc filterCase, cols map[string]*core.Collection) string {
	t.Helper()
	q := fc.recordQuery(t, cols)
	q.Count = true
	res, err := s.Query(t.Context(), q)
	if err != nil {
		return "error"
	}
	ids := make([]string, len(res.Records))
	for i, r := range res.Records {
		ids[i] = r.Id()
	}
	if fc.sort == "" {
		sortStrings(ids)
	}
	return fmt.Sprintf("%s (total %d)", strings.Join(ids, ","), res.Total)
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

// TestFilterDifferentialGoldenCases runs every golden translation case
// on both engines.
func TestFilterDifferentialGoldenCases(t *testing.T) {
	lite, pg, liteCols, pgCols := diffStores(t)
	for _, fc := range filterCases {
		if strings.Contains(fc.sort, "@random") {
			continue // no order to compare
		}
		t.Run(fc.name, func(t *testing.T) {
			want := outcome(t, lite, fc, liteCols)
			if got := outcome(t, pg, fc, pgCols); got != want {
				t.Errorf("postgres: %s\nsqlite:   %s", got, want)
			}
		})
	}
}

// diffAtoms are comparisons over execStore's posts whose operands have
// one type each (text with text, numbers with numbers...): the part of
// the filter language both engines must agree on. Mixed-type
// comparisons are documented as differing (README, PostgreSQL).
var diffAtoms = []string{
	`title = "Hello world"`, `title != "Third_x"`, `title ~ "o"`, `title !~ "%x"`, `title ~ "SECOND"`,
	`title > "S"`, `title <= "Second 100%"`, `status = ""`, `status != ""`, `status ?= "pub"`,
	`views > 6`, `views >= 7`, `views < 10`, `views = 5`, `views != 7.0`, `views > "6"`,
	`published = true`, `published != false`, `published = false`,
	`author = null`, `author != ""`, `author.name = "User One"`, `author.name ~ "two"`, `author.email ?~ "example"`,
	`cats.name ?= "Tabby"`, `cats.name = "Tabby"`, `cats.name != "Siamese"`, `cats.name ?~ "a"`, `cats.owner.name ?= "User Two"`,
	`cats:length > 1`, `cats:length = 0`, `tags:length >= 1`, `tags:each ?= "a"`, `tags:each != "z"`, `tags ~ "b"`,
	`comments_via_post.msg ?= "nice"`, `comments_via_post.msg = "nice"`, `comments_via_post.msg ?~ "ea"`,
	`meta.k = "V"`, `meta.k:lower = "v"`, `meta.arr.0 = 1`, `meta.arr.1 > 1`, `meta = null`, `meta.k != null`,
	`geoDistance(loc.lon, loc.lat, 23.3, 42.7) < 5`, `geoDistance(loc.lon, loc.lat, 0, 0) > 100`,
	`strftime('%Y', created) = '2025'`, `strftime('%m', created) > '05'`, `strftime('%Y-%m-%d', created, 'start of month') = '2025-06-01'`,
	`created < @now`, `created > @yearStart`, `created >= "2025-01-01"`,
	`@collection.cats.name ?= "Siamese"`, `@collection.comments.post ?= id`, `title:lower ~ "third"`,
	`@request.auth.id = author`, `@request.auth.name ?= author.name`, `@request.auth.id != ""`,
}

// TestFilterDifferentialGenerated combines diffAtoms into random filters
// (seeded, bounded: 200 filters of up to 3 atoms) and compares the ids.
func TestFilterDifferentialGenerated(t *testing.T) {
	lite, pg, liteCols, pgCols := diffStores(t)
	rng := rand.New(rand.NewPCG(26, 1))
	sorts := []string{"", "title", "-views", "-created,title", "author.name,id"}
	matched := 0 // filters matching at least one record
	for i := range 200 {
		n := 1 + rng.IntN(3)
		var b strings.Builder
		for j := range n {
			if j > 0 {
				b.WriteString([]string{" && ", " || "}[rng.IntN(2)])
			}
			atom := diffAtoms[rng.IntN(len(diffAtoms))]
			if rng.IntN(4) == 0 {
				atom = "(" + atom + ")"
			}
			b.WriteString(atom)
		}
		fc := filterCase{rule: b.String(), sort: sorts[rng.IntN(len(sorts))], as: []string{"", "user", "super"}[rng.IntN(3)]}
		fc.ruleSort = true
		want := outcome(t, lite, fc, liteCols)
		if want == "error" {
			// Every atom is valid: an error means the generator is broken
			// and the comparison proves nothing.
			t.Errorf("#%d %s (as %q) failed on SQLite", i, fc.rule, fc.as)
		}
		if !strings.HasPrefix(want, " ") {
			matched++
		}
		if got := outcome(t, pg, fc, pgCols); got != want {
			t.Errorf("#%d %s (sort %q, as %q):\npostgres: %s\nsqlite:   %s", i, fc.rule, fc.sort, fc.as, got, want)
		}
	}
	if matched < 60 {
		t.Errorf("only %d of 200 generated filters matched anything: the data or atoms no longer exercise the engines", matched)
	}
}
