package core

import (
	"strconv"
	"testing"
)

func TestParseRuleCacheBounded(t *testing.T) {
	for i := range ruleCacheMax * 3 {
		if _, err := ParseRule("views > " + strconv.Itoa(i)); err != nil {
			t.Fatal(err)
		}
	}
	n := 0
	ruleCache.Range(func(any, any) bool { n++; return true })
	if n > ruleCacheMax {
		t.Fatalf("rule cache holds %d entries, bound is %d", n, ruleCacheMax)
	}
	// Still correct after starting over.
	e1, err1 := ParseRule("a = 1")
	e2, err2 := ParseRule("a = 1")
	if err1 != nil || err2 != nil || e1 == nil || e2 == nil {
		t.Fatalf("ParseRule after reset: %v %v", err1, err2)
	}
}
