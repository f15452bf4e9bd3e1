//go:build !noadmin

// Package admin embeds the built admin dashboard (dist/) so a plain
// `go build` ships it; build with -tags noadmin to leave it out (smaller
// binary for API-only deployments).
package admin

import (
	"embed"
	"io/fs"
)

//go:embed all:dist
var dist embed.FS

// FS returns the built dashboard files, rooted at dist/.
func FS() fs.FS {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		panic("admin: " + err.Error())
	}
	return sub
}
