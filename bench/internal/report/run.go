// Package report holds the loadgen's JSON result format and turns several
// runs (servers × rounds) into medians, ratios and a Markdown report.
package report

import "github.com/basalthq/basalt/bench/internal/stats"

// Run is the JSON document one loadgen invocation prints with -json.
type Run struct {
	// Label names the server (basalt, pocketbase, floor-tx, floor-group…).
	Label string `json:"label"`
	// URL is the server that was measured.
	URL string `json:"url"`
	// Started is the RFC 3339 UTC start time.
	Started string `json:"started"`
	// DurationSec is the per-scenario duration.
	DurationSec float64 `json:"durationSec"`
	// Args are the loadgen arguments.
	Args string `json:"args"`
	// SetupSec is how long the dataset setup took.
	SetupSec float64 `json:"setupSec"`
	// SetupError is set when the setup failed (all results are then invalid).
	SetupError string `json:"setupError,omitempty"`
	// BcryptCost is the effective bcrypt cost of users.password (0 = unknown).
	BcryptCost int `json:"bcryptCost,omitempty"`
	// Results has one summary per scenario (several for realtime).
	Results []stats.Summary `json:"results"`
}
