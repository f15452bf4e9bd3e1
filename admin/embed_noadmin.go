//go:build noadmin

package admin

import "io/fs"

// FS returns nil: this build carries no dashboard.
func FS() fs.FS { return nil }
