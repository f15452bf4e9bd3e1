package scenario

import (
	"context"
	"errors"
	"math/rand/v2"
	"testing"
	"time"
)

func TestMarkerSeq(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		data   string
		want   int
		wantOK bool
	}{
		{"writer event", `{"action":"create","record":{"id":"x","title":"rt-42","views":1}}`, 42, true},
		{"other post", `{"action":"create","record":{"title":"Post number 1"}}`, 0, false},
		{"garbled number", `{"record":{"title":"rt-4x2"}}`, 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, ok := markerSeq([]byte(tc.data))
			if got != tc.want || ok != tc.wantOK {
				t.Errorf("markerSeq = %d, %v, want %d, %v", got, ok, tc.want, tc.wantOK)
			}
		})
	}
}

func TestLoopBounds(t *testing.T) {
	t.Parallel()
	okOp := func(context.Context, int, *rand.Rand) error { return nil }
	failOp := func(context.Context, int, *rand.Rand) error { return errors.New("boom") }
	tests := []struct {
		name      string
		lim       Limits
		op        Op
		wantReqs  int
		wantValid bool
	}{
		{"stops at max requests", Limits{Duration: 10 * time.Second, Concurrency: 4, MaxRequests: 1000}, okOp, 1000, true},
		{"errors make it invalid", Limits{Duration: 10 * time.Second, Concurrency: 2, MaxRequests: 10}, failOp, 10, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			start := time.Now()
			s := Loop(context.Background(), "x", tc.lim, tc.op)
			if s.Requests != tc.wantReqs || s.Valid != tc.wantValid {
				t.Errorf("requests=%d valid=%v, want %d %v", s.Requests, s.Valid, tc.wantReqs, tc.wantValid)
			}
			if time.Since(start) > 5*time.Second {
				t.Errorf("loop ran %v, expected to stop at the request cap", time.Since(start))
			}
		})
	}
	t.Run("stops at duration", func(t *testing.T) {
		t.Parallel()
		slow := func(ctx context.Context, _ int, _ *rand.Rand) error {
			select {
			case <-time.After(10 * time.Millisecond):
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		s := Loop(context.Background(), "x", Limits{Duration: 200 * time.Millisecond, Concurrency: 2}, slow)
		if s.ElapsedSec > 1 || s.Errors != 0 || !s.Valid {
			t.Errorf("elapsed=%v errors=%d valid=%v", s.ElapsedSec, s.Errors, s.Valid)
		}
	})
}

func TestSelect(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		spec    string
		want    int
		wantErr bool
	}{
		{"all", "all", len(All()), false},
		{"create group", "create", 4, false},
		{"list", "view,list", 2, false},
		{"unknown", "nope", 0, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := Select(tc.spec)
			if (err != nil) != tc.wantErr || len(got) != tc.want {
				t.Errorf("Select(%q) = %d scenarios, err %v; want %d, err %v", tc.spec, len(got), err, tc.want, tc.wantErr)
			}
		})
	}
}
