// Package authztest holds Basalt's differential authorization tests
// (issue #22): generated filters, sorts, fields, expands, realtime
// subscriptions and batch requests are sent by a guest and by a user to
// several copies of one fixture ("worlds") that differ only in data
// those callers cannot see; every answer must be identical. Write rules
// are checked against an oracle evaluated on the real tables.
//
// The package has only test files; run it with
//
//	go test ./internal/authztest
//	go test -fuzz FuzzAuthzRead ./internal/authztest   (long runs)
package authztest
