package auth

import (
	"strings"
	"testing"
)

func TestHashAndCheckPassword(t *testing.T) {
	t.Parallel()
	// Cost 4 keeps the table fast; TestHashPasswordCost checks the default.
	h, err := HashPassword("correct horse", 4)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		hash  string
		plain string
		want  bool
	}{
		{"right password", h, "correct horse", true},
		{"wrong password", h, "correct horsE", false},
		{"empty password", h, "", false},
		{"empty hash", "", "correct horse", false},
		{"malformed hash", "not-bcrypt", "correct horse", false},
	}
	for _, tt := range tests {
		if got := CheckPassword(tt.hash, tt.plain); got != tt.want {
			t.Errorf("%s: CheckPassword = %v, want %v", tt.name, got, tt.want)
		}
		if got := CheckPasswordOrDummy(tt.hash, tt.plain); got != tt.want {
			t.Errorf("%s: CheckPasswordOrDummy = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestHashPasswordCost(t *testing.T) {
	t.Parallel()
	if h, err := HashPassword("x", 0); err != nil || !strings.HasPrefix(h, "$2a$10$") {
		t.Errorf("cost 0: %q, %v; want the default cost 10", h, err)
	}
	if h, err := HashPassword("x", 4); err != nil || !strings.HasPrefix(h, "$2a$04$") {
		t.Errorf("cost 4: %q, %v", h, err)
	}
	for _, cost := range []int{-1, 3, 32} {
		if _, err := HashPassword("x", cost); err == nil {
			t.Errorf("cost %d accepted", cost)
		}
	}
	if _, err := HashPassword(strings.Repeat("a", 73), 4); err == nil {
		t.Error("73-byte password accepted; bcrypt would silently ignore the tail")
	}
}

// TestCheckPasswordOrDummyDoesTheWork counts bcrypt comparisons rather
// than timing them: the unknown-user path must compare exactly once, like
// the known-user path.
func TestCheckPasswordOrDummyDoesTheWork(t *testing.T) {
	t.Parallel()
	real, err := HashPassword("pw", 4)
	if err != nil {
		t.Fatal(err)
	}
	var compared [][]byte
	c := defaultChecker
	inner := c.compare
	c.compare = func(hash, plain []byte) error {
		compared = append(compared, hash)
		return inner(hash, plain)
	}

	if c.checkOrDummy("", "pw") {
		t.Error("unknown user matched")
	}
	if len(compared) != 1 {
		t.Fatalf("unknown user: %d comparisons, want 1", len(compared))
	}
	if !strings.HasPrefix(string(compared[0]), "$2a$10$") {
		t.Errorf("dummy hash %q is not a cost-10 bcrypt hash", compared[0])
	}
	// The dummy is real bcrypt work: a genuine compare against it fails
	// with a mismatch, not a malformed-hash shortcut.
	if err := inner(compared[0], []byte("pw")); err == nil || strings.Contains(err.Error(), "hashedSecret too short") {
		t.Errorf("dummy compare err = %v, want mismatch", err)
	}

	compared = nil
	if c.checkOrDummy(real, "nope") {
		t.Error("wrong password matched")
	}
	if !c.checkOrDummy(real, "pw") {
		t.Error("right password rejected")
	}
	if len(compared) != 2 {
		t.Errorf("known user: %d comparisons, want 2", len(compared))
	}

	// The plain check does no work for an unknown user; that is why login
	// paths must use the dummy variant.
	compared = nil
	if c.check("", "pw") || len(compared) != 0 {
		t.Errorf("check(\"\") = compared %d times, want 0", len(compared))
	}
}
