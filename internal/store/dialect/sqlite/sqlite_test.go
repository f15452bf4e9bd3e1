package sqlite_test

import (
	"path/filepath"
	"testing"

	"github.com/basalthq/basalt/internal/store/dialect/dialecttest"
	"github.com/basalthq/basalt/internal/store/dialect/sqlite"
)

func TestConformance(t *testing.T) {
	dialecttest.Run(t, sqlite.Dialect{}, filepath.Join(t.TempDir(), "c.db"))
}
