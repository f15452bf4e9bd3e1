package store

import (
	"time"

	"github.com/basalthq/basalt/core"
)

// now is the store's clock for bookkeeping columns; record timestamps
// come from core's injected clock.
var now = time.Now

func nowString() string { return core.FormatTime(now()) }
