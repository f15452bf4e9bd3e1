package cli

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"
)

var nonWord = regexp.MustCompile(`[^a-z0-9]+`)

// createMigrationFile writes migrations/<unix>_<name>.go registering an
// empty up/down pair in core.AppMigrations.
func createMigrationFile(stdout io.Writer, name string, now time.Time) error {
	slug := strings.Trim(nonWord.ReplaceAllString(strings.ToLower(name), "_"), "_")
	if slug == "" {
		return fmt.Errorf("invalid migration name %q", name)
	}
	file := fmt.Sprintf("%d_%s", now.Unix(), slug)
	path := filepath.Join("migrations", file+".go")
	if err := os.MkdirAll("migrations", 0o755); err != nil {
		return err
	}
	src := fmt.Sprintf(`package migrations

import (
	"context"

	"github.com/basalthq/basalt/core"
)

func init() {
	core.AppMigrations.Register(%q, func(ctx context.Context, app *core.App) error {
		// add up queries...
		return nil
	}, func(ctx context.Context, app *core.App) error {
		// add down queries...
		return nil
	})
}
`, file)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.WriteString(src); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "Created "+path)
	return nil
}
