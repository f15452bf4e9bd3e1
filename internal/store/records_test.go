package store

import (
	"context"
	"slices"
	"testing"
)

func TestExistingIds(t *testing.T) {
	s, cols := execStore(t)
	tests := []struct {
		name string
		ids  []string
		want []string
	}{
		{"none asked", nil, nil},
		{"one present", []string{"p1"}, []string{"p1"}},
		{"missing dropped", []string{"p1", "nope", "p3"}, []string{"p1", "p3"}},
		{"all missing", []string{"x", "y"}, []string{}},
		{"case-sensitive", []string{"P1"}, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.ExistingIds(context.Background(), cols["posts"], tt.ids)
			if err != nil {
				t.Fatal(err)
			}
			slices.Sort(got)
			if !slices.Equal(got, tt.want) || (tt.want == nil) != (got == nil) {
				t.Fatalf("ExistingIds(%v) = %#v, want %#v", tt.ids, got, tt.want)
			}
		})
	}
}
