//go:build !unix

package server

// lockDataDir is a no-op where flock(2) is missing: `backup restore`
// cannot tell whether a server runs, so stop it first.
func lockDataDir(dir string, exclusive bool) (release func(), err error) {
	return func() {}, nil
}
