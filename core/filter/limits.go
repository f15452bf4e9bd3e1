package filter

import "fmt"

// Limits the API applies to the client "filter" query parameter (spec §2.1).
// Rules are not limited: they are written by superusers.
const (
	// MaxLength is the longest accepted filter in bytes.
	MaxLength = 3500
	// MaxComparisons is the largest accepted number of comparisons.
	MaxComparisons = 200
)

// CountComparisons returns the number of Comparison nodes in e.
func CountComparisons(e Expr) int {
	n := 0
	Walk(e, func(n2 Node) bool {
		switch n2.(type) {
		case *Comparison:
			n++
			return false // operands contain no comparisons
		}
		return true
	})
	return n
}

// CheckLimits returns an error wrapping ErrTooLong when src is longer than
// MaxLength bytes, or ErrTooManyComparisons when e (the parse of src; may be
// nil when only the length is to be checked) has more than MaxComparisons
// comparisons.
func CheckLimits(src string, e Expr) error {
	if len(src) > MaxLength {
		return fmt.Errorf("%w: %d bytes, max %d", ErrTooLong, len(src), MaxLength)
	}
	if e == nil {
		return nil
	}
	if n := CountComparisons(e); n > MaxComparisons {
		return fmt.Errorf("%w: %d, max %d", ErrTooManyComparisons, n, MaxComparisons)
	}
	return nil
}
