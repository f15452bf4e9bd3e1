package core_test

import (
	"testing"

	"github.com/basalthq/basalt/internal/testenv"
)

// TestCollectionNamesOfInternalTables: a collection may not take the
// name of one of the store's own tables (the cluster tables included).
func TestCollectionNamesOfInternalTables(t *testing.T) {
	s := testenv.StartServer(t)
	token := s.Superuser("root@example.com", "1234567890")
	for _, name := range []string{"_params", "_changes", "_NODES", "_cluster", "_cron_runs"} {
		t.Run(name, func(t *testing.T) {
			st, body := s.Do("POST", "/api/collections", token, map[string]any{"name": name, "type": "base"})
			data, _ := body["data"].(map[string]any)
			if st != 400 || data["name"] == nil {
				t.Fatalf("create %s: %d %v, want 400 on name", name, st, body)
			}
		})
	}
}
