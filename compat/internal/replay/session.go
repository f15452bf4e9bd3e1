package replay

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/basalthq/basalt/compat/internal/target"
)

// Config says how to run both servers. The Basalt side is configurable so
// the same run can target Basalt on another database engine.
type Config struct {
	// CompatDir is the compat module's directory (the repository root is
	// its parent).
	CompatDir string
	// WorkDir holds the binaries and data directories.
	WorkDir string
	// PBBin and BasaltBin skip the build when set.
	PBBin, BasaltBin string
	// BasaltArgs are appended to Basalt's `serve` command; BasaltEnv is
	// added to its environment (e.g. a database DSN).
	BasaltArgs []string
	BasaltEnv  []string
}

// ConfigFromEnv fills the Basalt side from COMPAT_BASALT_BIN,
// COMPAT_BASALT_ARGS (space-separated) and COMPAT_BASALT_ENV
// (space-separated KEY=VALUE), and the peer from COMPAT_PB_BIN.
func ConfigFromEnv(c Config) Config {
	if v := os.Getenv("COMPAT_PB_BIN"); v != "" {
		c.PBBin = v
	}
	if v := os.Getenv("COMPAT_BASALT_BIN"); v != "" {
		c.BasaltBin = v
	}
	if v := os.Getenv("COMPAT_BASALT_ARGS"); v != "" {
		c.BasaltArgs = strings.Fields(v)
	}
	if v := os.Getenv("COMPAT_BASALT_ENV"); v != "" {
		c.BasaltEnv = strings.Fields(v)
	}
	return c
}

// SeedFromEnv returns COMPAT_SEED when set, else def.
func SeedFromEnv(def uint64) uint64 {
	if v := os.Getenv("COMPAT_SEED"); v != "" {
		if n, err := strconv.ParseUint(v, 10, 64); err == nil {
			return n
		}
	}
	return def
}

// Servers is a running pair.
type Servers struct {
	PB, Basalt *target.Target
}

// Stop stops both servers.
func (s *Servers) Stop() {
	if s.PB != nil {
		s.PB.Stop()
	}
	if s.Basalt != nil {
		s.Basalt.Stop()
	}
}

// Build compiles whatever binary the config does not name.
func Build(ctx context.Context, c Config) (Config, error) {
	if c.PBBin != "" && c.BasaltBin != "" {
		return c, nil
	}
	pb, bs, err := target.Build(ctx, c.CompatDir, c.WorkDir)
	if err != nil {
		return c, err
	}
	if c.PBBin == "" {
		c.PBBin = pb
	}
	if c.BasaltBin == "" {
		c.BasaltBin = bs
	}
	return c, nil
}

// Start starts both servers with fresh data directories.
func Start(ctx context.Context, c Config) (*Servers, error) {
	s := &Servers{}
	var err error
	s.PB, err = target.Start(ctx, target.Spec{Name: "pocketbase", Bin: c.PBBin}, c.WorkDir)
	if err != nil {
		return nil, err
	}
	s.Basalt, err = target.Start(ctx, target.Spec{Name: "basalt", Bin: c.BasaltBin, ExtraArgs: c.BasaltArgs, Env: c.BasaltEnv}, c.WorkDir)
	if err != nil {
		s.PB.Stop()
		return nil, err
	}
	return s, nil
}

// DefaultSeed is a seed from the clock, for runs that do not set one.
func DefaultSeed() uint64 { return uint64(time.Now().UnixNano() % 1_000_000_000) }

// Describe prints how to repeat a run.
func Describe(seed uint64, n int) string {
	return fmt.Sprintf("repeat with: cd compat && go run ./cmd/compat -seed %d -n %d", seed, n)
}
