package api

import "testing"

func TestSnakeHeader(t *testing.T) {
	cases := map[string]string{
		"X-Token": "x_token", "User-Agent": "user_agent", "Authorization": "authorization",
		"X--Weird__Name-": "x_weird_name", "-Lead": "lead", "A1-B2": "a1_b2",
	}
	for in, want := range cases {
		if got := snakeHeader(in); got != want {
			t.Errorf("snakeHeader(%q) = %q, want %q", in, got, want)
		}
	}
}
