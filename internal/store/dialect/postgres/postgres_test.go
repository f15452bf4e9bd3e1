package postgres_test

import (
	"testing"

	"github.com/basalthq/basalt/internal/store/dialect/dialecttest"
	"github.com/basalthq/basalt/internal/store/dialect/postgres"
	"github.com/basalthq/basalt/internal/store/dialect/postgres/pgtest"
)

func TestConformance(t *testing.T) {
	dialecttest.Run(t, postgres.Dialect{}, pgtest.DSN(t))
}
