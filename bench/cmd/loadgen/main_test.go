package main

import "testing"

func TestCheckLoopback(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		url     string
		wantErr bool
	}{
		{"ipv4 loopback", "http://127.0.0.1:8090", false},
		{"other loopback address", "http://127.0.0.5:8090", false},
		{"localhost", "http://localhost:8090", false},
		{"ipv6 loopback", "http://[::1]:8090", false},
		{"private address refused", "http://10.0.0.1:8090", true},
		{"public name refused", "http://example.com", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if err := checkLoopback(tc.url); (err != nil) != tc.wantErr {
				t.Errorf("checkLoopback(%q) = %v, wantErr %v", tc.url, err, tc.wantErr)
			}
		})
	}
}
