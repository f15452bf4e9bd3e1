package filter

import (
	"errors"
	"fmt"
)

// SyntaxError reports an invalid filter, rule, identifier or sort string.
// Pos is the 0-based byte offset in the parsed string where the problem was
// found; Msg says what is wrong without repeating the position.
type SyntaxError struct {
	Pos int
	Msg string
}

// Error returns "syntax error at position <Pos>: <Msg>".
func (e *SyntaxError) Error() string {
	return fmt.Sprintf("syntax error at position %d: %s", e.Pos, e.Msg)
}

func errorf(pos int, format string, args ...any) *SyntaxError {
	return &SyntaxError{Pos: pos, Msg: fmt.Sprintf(format, args...)}
}

// ErrTooLong is wrapped by CheckLimits when a filter exceeds MaxLength bytes.
var ErrTooLong = errors.New("filter too long")

// ErrTooManyComparisons is wrapped by CheckLimits when a filter has more than
// MaxComparisons comparisons.
var ErrTooManyComparisons = errors.New("too many comparisons in filter")
