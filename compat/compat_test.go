package compat_test

import (
	"bytes"
	"context"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/basalthq/basalt/compat/internal/gen"
	"github.com/basalthq/basalt/compat/internal/replay"
)

// shortSteps is the size of the short run: one pass over every case kind
// of the catalog (a case kind is generated once before any repeats).
func shortSteps() int {
	if v, err := strconv.Atoi(os.Getenv("COMPAT_N")); err == nil && v > 0 {
		return v
	}
	return 0 // one pass over the catalog
}

// TestShortDifferentialRun builds PocketBase and Basalt once, replays a
// seeded sequence (COMPAT_SEED, default 1) covering every case kind once
// against both and fails on any difference the allowlist does not
// explain, printing the report.
func TestShortDifferentialRun(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	cfg := replay.ConfigFromEnv(replay.Config{CompatDir: wd, WorkDir: t.TempDir()})
	cfg, err = replay.Build(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := replay.Start(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Stop()
	seed := replay.SeedFromEnv(1)
	n := shortSteps()
	steps := gen.Generate(seed, n)
	if n == 0 {
		steps = gen.GenerateCatalog(seed)
	}
	results := replay.Run(ctx, srv.PB, srv.Basalt, steps, replay.Allowlist)
	s := replay.Summarize(results)
	t.Logf("seed=%d steps=%d allowlisted differences=%d (COMPAT_SEED=%d to repeat)", seed, s.Steps, s.Allowed, seed)
	if s.Differing > 0 || s.Errors > 0 {
		var buf bytes.Buffer
		replay.WriteReport(&buf, seed, results, false)
		t.Fatalf("%d steps differ from PocketBase without an allowlist entry, %d errors:\n%s", s.Differing, s.Errors, buf.String())
	}
}

// TestAllowlistPointsAtCompatibility: every allowlisted difference names
// an entry of COMPATIBILITY.md and a reason.
func TestAllowlistPointsAtCompatibility(t *testing.T) {
	doc, err := os.ReadFile("../COMPATIBILITY.md")
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(strings.Fields(string(doc)), " ")
	ids := map[string]bool{}
	for _, r := range replay.Allowlist {
		t.Run(r.ID, func(t *testing.T) {
			if ids[r.ID] {
				t.Fatalf("duplicate rule id %q", r.ID)
			}
			ids[r.ID] = true
			if r.Doc == "" || !strings.Contains(text, r.Doc) {
				t.Fatalf("rule %q points at %q, which COMPATIBILITY.md does not contain", r.ID, r.Doc)
			}
			if r.Reason == "" {
				t.Fatalf("rule %q gives no reason", r.ID)
			}
		})
	}
}
