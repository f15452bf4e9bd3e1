// Package compat is Basalt's differential compatibility harness: it
// replays generated request sequences against a real PocketBase v0.36.8
// and Basalt side by side and reports every difference no allowlist rule
// (each pointing at COMPATIBILITY.md) explains. The short run is
// TestShortDifferentialRun; the long run is `go run ./cmd/compat`.
package compat
