package filter

import "fmt"

// funcSpec describes the arguments a known function accepts (spec §3.7).
type funcSpec struct {
	minArgs, maxArgs int
	// arg checks argument i (0-based); nil accepts any operand.
	arg func(i int, a Operand) error
}

var functions = map[string]funcSpec{
	// geoDistance(lonA, latA, lonB, latB): the spec allows numbers or
	// identifiers; text or nested calls would never be coordinates.
	"geoDistance": {minArgs: 4, maxArgs: 4, arg: func(i int, a Operand) error {
		switch a.(type) {
		case *Number, *Identifier:
			return nil
		}
		return errorf(a.Pos(), "argument %d of geoDistance must be a number or an identifier, got %s", i+1, operandKind(a))
	}},
	// strftime(format [, time [, modifier...]]): the format must be a text
	// literal so the SQL can bind it; the rest may be anything.
	"strftime": {minArgs: 1, maxArgs: 10, arg: func(i int, a Operand) error {
		if _, ok := a.(*Text); i == 0 && !ok {
			return errorf(a.Pos(), "the format (argument 1) of strftime must be a text literal, got %s", operandKind(a))
		}
		return nil
	}},
}

func (s funcSpec) validate(f *Func) error {
	n := len(f.Args)
	if n < s.minArgs || n > s.maxArgs {
		want := fmt.Sprintf("%d to %d arguments", s.minArgs, s.maxArgs)
		if s.minArgs == s.maxArgs {
			want = fmt.Sprintf("exactly %d arguments", s.minArgs)
		}
		return errorf(f.Offset, "%s expects %s, got %d", f.Name, want, n)
	}
	if s.arg != nil {
		for i, a := range f.Args {
			if err := s.arg(i, a); err != nil {
				return err
			}
		}
	}
	return nil
}

func operandKind(o Operand) string {
	switch o := o.(type) {
	case *Identifier:
		return "identifier " + o.Raw
	case *Number:
		return "number " + o.String()
	case *Text:
		return "text " + truncate(o.String())
	case *Func:
		return "a call to " + o.Name
	}
	return "unknown operand"
}
