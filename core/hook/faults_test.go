package hook

import (
	"errors"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// line is the caller's line, to name binding places in expectations.
func line() int {
	_, _, l, _ := runtime.Caller(1)
	return l
}

// TestFaultsNameTheHandler: a panic, an error of the handler's own and a
// return without Next each reach the reporter once, naming the handler
// that did it (its Id, else the file:line that bound it), and the caller
// gets the documented result.
func TestFaultsNameTheHandler(t *testing.T) {
	errOwn := errors.New("own error")
	cases := []struct {
		name    string
		setup   func(h *Hook[*testEvent]) string // returns the expected handler name
		final   bool
		wantErr string // substring of Trigger's error; "" = nil
		kind    string // "panic", "err", "stopped" or "" (no report)
	}{
		{name: "panic, named by id", setup: func(h *Hook[*testEvent]) string {
			h.Bind(&Handler[*testEvent]{Id: "boom", Func: func(*testEvent) error { panic("kaboom") }})
			return "boom"
		}, final: true, wantErr: "hook test: handler boom panicked: kaboom", kind: "panic"},
		{name: "panic, named by its binding place", setup: func(h *Hook[*testEvent]) string {
			h.BindFunc(func(*testEvent) error { panic("kaboom") })
			l := line() - 1
			return "hook/faults_test.go:" + strconv.Itoa(l)
		}, final: true, wantErr: "panicked: kaboom", kind: "panic"},
		{name: "panic deeper in the chain blames the deeper handler", setup: func(h *Hook[*testEvent]) string {
			h.Bind(&Handler[*testEvent]{Id: "outer", Func: func(e *testEvent) error { return e.Next() }})
			h.Bind(&Handler[*testEvent]{Id: "inner", Func: func(*testEvent) error { panic("deep") }})
			return "inner"
		}, final: true, wantErr: "handler inner panicked", kind: "panic"},
		{name: "panic in the default action blames no handler", setup: func(h *Hook[*testEvent]) string {
			h.Bind(&Handler[*testEvent]{Id: "outer", Func: func(e *testEvent) error { return e.Next() }})
			return defaultAction
		}, final: true, wantErr: "handler default action panicked: final", kind: "panic"},
		{name: "own error reported once, passing it on is not", setup: func(h *Hook[*testEvent]) string {
			h.Bind(&Handler[*testEvent]{Id: "outer", Func: func(e *testEvent) error { return e.Next() }})
			h.Bind(&Handler[*testEvent]{Id: "failing", Func: func(*testEvent) error { return errOwn }})
			return "failing"
		}, final: true, wantErr: "own error", kind: "err"},
		{name: "an error of a non-comparable type is passed on unreported", setup: func(h *Hook[*testEvent]) string {
			h.Bind(&Handler[*testEvent]{Id: "outer", Func: func(e *testEvent) error { return e.Next() }})
			h.Bind(&Handler[*testEvent]{Id: "validator", Func: func(*testEvent) error { return mapErr{"title": "required"} }})
			return "validator"
		}, final: true, wantErr: "invalid fields", kind: "err"},
		{name: "forgot Next skips the default action", setup: func(h *Hook[*testEvent]) string {
			h.Bind(&Handler[*testEvent]{Id: "forgetful", Func: func(*testEvent) error { return nil }})
			return "forgetful"
		}, final: true, kind: "stopped"},
		{name: "no default action, no stop to report", setup: func(h *Hook[*testEvent]) string {
			h.Bind(&Handler[*testEvent]{Id: "forgetful", Func: func(*testEvent) error { return nil }})
			return ""
		}},
		{name: "default action error is no handler fault", setup: func(h *Hook[*testEvent]) string {
			h.Bind(&Handler[*testEvent]{Id: "outer", Func: func(e *testEvent) error { return e.Next() }})
			return ""
		}, final: true, wantErr: "invalid", kind: ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := &Hook[*testEvent]{}
			var faults []Fault
			h.SetFaultReporter("test", func(f Fault) { faults = append(faults, f) })
			want := tc.setup(h)
			var finals []func(*testEvent) error
			if tc.final {
				finals = append(finals, func(*testEvent) error {
					switch {
					case strings.Contains(tc.name, "panic in the default"):
						panic("final")
					case strings.Contains(tc.name, "default action error"):
						return errors.New("invalid")
					}
					return nil
				})
			}
			err := h.Trigger(&testEvent{}, finals...)
			if (err == nil) != (tc.wantErr == "") || (err != nil && !strings.Contains(err.Error(), tc.wantErr)) {
				t.Fatalf("Trigger error %v, want %q", err, tc.wantErr)
			}
			if tc.kind == "" {
				if len(faults) != 0 {
					t.Fatalf("reported %+v, want nothing", faults)
				}
				return
			}
			if len(faults) != 1 {
				t.Fatalf("reported %d faults (%+v), want 1", len(faults), faults)
			}
			f := faults[0]
			got := map[bool]string{f.Panic != nil: "panic", f.Err != nil: "err", f.Stopped: "stopped"}[true]
			if got != tc.kind || f.Handler != want || f.Hook != "test" {
				t.Fatalf("fault %s by %q of %q, want %s by %q of \"test\"", got, f.Handler, f.Hook, tc.kind, want)
			}
			var pe *PanicError
			if tc.kind == "panic" && (!errors.As(err, &pe) || pe.Handler != want || len(pe.Stack) == 0) {
				t.Fatalf("error %v is not a *PanicError naming %q with a stack", err, want)
			}
		})
	}
}

// TestAbortHandlerPanicPassesThrough: net/http's abort panic is not a
// fault; it reaches the server, which aborts the response.
func TestAbortHandlerPanicPassesThrough(t *testing.T) {
	h := &Hook[*testEvent]{}
	reported := false
	h.SetFaultReporter("test", func(Fault) { reported = true })
	h.BindFunc(func(*testEvent) error { panic(http.ErrAbortHandler) })
	defer func() {
		if p := recover(); p != http.ErrAbortHandler || reported {
			t.Fatalf("recovered %v (reported %v), want http.ErrAbortHandler unreported", p, reported)
		}
	}()
	_ = h.Trigger(&testEvent{}, func(*testEvent) error { return nil })
}

// mapErr is an error whose type cannot be compared with ==, like
// core.ValidationErrors.
type mapErr map[string]string

func (mapErr) Error() string { return "invalid fields" }
