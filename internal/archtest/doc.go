// Package archtest enforces the import direction of DESIGN §3 and the
// dialect boundary of DESIGN §4.
package archtest
