package core

import "testing"

// TestRandomSourceIsUniform: the buffered source refills itself many
// times over and stays uniform (each of 36 characters within ±25% of its
// expected count over 72,000 draws; a stuck or biased buffer is far off).
func TestRandomSourceIsUniform(t *testing.T) {
	t.Parallel()
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	counts := map[byte]int{}
	var src randomSource
	const draws = 72000
	for range draws {
		counts[alphabet[src.index(len(alphabet))]]++
	}
	want := draws / len(alphabet)
	for i := range len(alphabet) {
		if n := counts[alphabet[i]]; n < want*3/4 || n > want*5/4 {
			t.Fatalf("%q drawn %d times, want about %d", alphabet[i], n, want)
		}
	}
	ids := map[string]bool{}
	for range 1000 {
		id, _ := GenerateFromPattern("[a-z0-9]{15}")
		if len(id) != 15 || ids[id] {
			t.Fatalf("id %q (len %d, repeated %v)", id, len(id), ids[id])
		}
		ids[id] = true
	}
}
