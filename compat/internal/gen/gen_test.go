package gen

import (
	"encoding/json"
	"strings"
	"testing"
)

func dump(steps []Step) string {
	b, _ := json.Marshal(steps)
	return string(b)
}

// TestGenerateIsRepeatable: a seed gives the same steps, another seed
// other steps, and the catalog run covers every case kind.
func TestGenerateIsRepeatable(t *testing.T) {
	if dump(Generate(5, 300)) != dump(Generate(5, 300)) {
		t.Fatal("the same seed gave different steps")
	}
	if dump(Generate(5, 300)) == dump(Generate(6, 300)) {
		t.Fatal("different seeds gave the same steps")
	}
	steps := GenerateCatalog(1)
	seen := map[string]bool{}
	for _, s := range steps {
		_, kind, _ := strings.Cut(s.Case, " ")
		seen[kind] = true
	}
	for _, m := range Catalog() {
		if !seen[m.Name] {
			t.Errorf("catalog run lacks case kind %q", m.Name)
		}
	}
	// The 14 field kinds each have option and record-value cases.
	for _, k := range fieldKinds {
		if !seen["record value "+k] || !seen["field "+k+" option name"] {
			t.Errorf("field kind %s is not covered", k)
		}
	}
	if len(fieldKinds) != 14 {
		t.Fatalf("%d field kinds, want 14", len(fieldKinds))
	}
}
