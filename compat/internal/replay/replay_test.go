package replay

import (
	"testing"

	"github.com/basalthq/basalt/compat/internal/answer"
	"github.com/basalthq/basalt/compat/internal/gen"
)

// TestCascade: a step is set aside only when a name it depends on exists
// on one server only.
func TestCascade(t *testing.T) {
	pb := map[string]string{"c1_rec": "a", "c1_col": "pbc_1", "mark3": "ok"}
	bs := map[string]string{"c1_rec": "b", "c1_col": "pbc_1"}
	for _, tc := range []struct {
		name, text string
		after      []string
		want       string
	}{
		{"both sides", "/api/collections/c1_col/records/{{c1_rec}}", nil, ""},
		{"symbol on one side", "/api/collections/x/records/{{c9}} {{mark3}}", nil, "mark3"},
		{"earlier write on one side", "/api/settings", []string{"c1_rec", "mark3"}, "mark3"},
		{"unknown everywhere", "/api/collections/nope", []string{"gone"}, ""},
	} {
		if got := cascade(tc.text, tc.after, pb, bs); got != tc.want {
			t.Errorf("%s: cascade = %q, want %q", tc.name, got, tc.want)
		}
	}
}

// TestAllowlistRulesAreNarrow: an allowlist rule explains only the
// difference it names, not another kind or path of the same step.
func TestAllowlistRulesAreNarrow(t *testing.T) {
	st := gen.Step{Case: "#3 record value url", Name: `create record f="javascript:alert(1)"`, Method: "POST"}
	if r := match(Allowlist, st, answer.Diff{Kind: "status", Path: "status", PB: "200", Basalt: "400"}); r == nil || r.ID != "url-schemes" {
		t.Fatalf("the url-scheme status difference is not explained: %v", r)
	}
	for _, d := range []answer.Diff{
		{Kind: "status", Path: "status", PB: "400", Basalt: "200"},
		{Kind: "code", Path: "$.data.f.code", PB: `"a"`, Basalt: `"b"`},
	} {
		if r := match(Allowlist, st, d); r != nil {
			t.Errorf("%v explained by %s", d, r.ID)
		}
	}
	other := st
	other.Case = "#3 record value text"
	if r := match(Allowlist, other, answer.Diff{Kind: "status", Path: "status", PB: "200", Basalt: "400"}); r != nil {
		t.Errorf("a text field status difference explained by %s", r.ID)
	}
}
