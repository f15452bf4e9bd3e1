// Command compat replays generated request sequences against PocketBase
// v0.36.8 and Basalt side by side and reports every difference no
// allowlist rule explains. It exits 1 when there is one.
//
//	cd compat && go run ./cmd/compat -seed 42 -n 5000 -out /tmp/compat.txt
//
// The Basalt side can be pointed at another build or engine with
// -basalt-bin, -basalt-args and -basalt-env (or COMPAT_BASALT_BIN,
// COMPAT_BASALT_ARGS, COMPAT_BASALT_ENV).
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"

	"github.com/basalthq/basalt/compat/internal/gen"
	"github.com/basalthq/basalt/compat/internal/replay"
)

func main() {
	os.Exit(run())
}

func run() int {
	seed := flag.Uint64("seed", replay.SeedFromEnv(replay.DefaultSeed()), "generator seed (default: COMPAT_SEED or the clock)")
	n := flag.Int("n", 500, "number of steps to generate (whole cases are kept)")
	out := flag.String("out", "", "write the report to this file instead of stdout")
	verbose := flag.Bool("v", false, "also list the allowlisted differences")
	pbBin := flag.String("pb-bin", "", "PocketBase peer binary (default: build ./cmd/pbpeer)")
	bsBin := flag.String("basalt-bin", "", "Basalt binary (default: build the repository root)")
	bsArgs := flag.String("basalt-args", "", "extra arguments for Basalt's serve command (space-separated)")
	bsEnv := flag.String("basalt-env", "", "extra environment for Basalt (space-separated KEY=VALUE)")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	wd, _ := os.Getwd()
	work, err := os.MkdirTemp("", "basalt-compat-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	defer os.RemoveAll(work)
	cfg := replay.ConfigFromEnv(replay.Config{CompatDir: wd, WorkDir: work})
	if *pbBin != "" {
		cfg.PBBin = *pbBin
	}
	if *bsBin != "" {
		cfg.BasaltBin = *bsBin
	}
	if *bsArgs != "" {
		cfg.BasaltArgs = strings.Fields(*bsArgs)
	}
	if *bsEnv != "" {
		cfg.BasaltEnv = strings.Fields(*bsEnv)
	}
	if _, err := os.Stat(filepath.Join(wd, "cmd", "pbpeer")); err != nil && cfg.PBBin == "" {
		fmt.Fprintln(os.Stderr, "compat: run from the compat/ directory (or pass -pb-bin and -basalt-bin)")
		return 2
	}
	fmt.Fprintf(os.Stderr, "compat: seed=%d n=%d\n", *seed, *n)
	cfg, err = replay.Build(ctx, cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	srv, err := replay.Start(ctx, cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	defer srv.Stop()
	results := replay.Run(ctx, srv.PB, srv.Basalt, gen.Generate(*seed, *n), replay.Allowlist)
	var w io.Writer = os.Stdout
	if *out != "" {
		f, err := os.Create(*out)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 2
		}
		defer f.Close()
		w = f
	}
	replay.WriteReport(w, *seed, results, *verbose)
	s := replay.Summarize(results)
	fmt.Fprintf(os.Stderr, "compat: %d steps, %d with unexplained differences, %d allowlisted differences, %d errors\n%s\n",
		s.Steps, s.Differing, s.Allowed, s.Errors, replay.Describe(*seed, *n))
	if s.Differing > 0 || s.Errors > 0 {
		return 1
	}
	return 0
}
