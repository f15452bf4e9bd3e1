// Package hook provides typed, prioritised handler chains: the mechanism
// behind every Basalt event (lifecycle, model and request hooks).
//
// A chain is run by Trigger. Each handler receives the event and decides
// whether the chain goes on by calling e.Next(); returning an error without
// calling Next stops the chain and the error reaches the caller. The final
// handlers passed to Trigger run last, after every bound handler, which is
// how the framework's own default behaviour (writing the response, saving
// the record) can be wrapped by user code on both sides.
//
// # Faulty handlers
//
// Every bound handler is named by its Id when one was given, else by the
// file:line that bound it. What a faulty handler gets:
//
//   - It panics: the panic is recovered where it happened; Trigger returns
//     a *PanicError naming the handler (the HTTP API answers 500 in its
//     error shape; Go callers get the error instead of a crash).
//     http.ErrAbortHandler is re-panicked, as net/http expects.
//   - It returns an error: the chain stops and the error reaches the
//     caller unchanged (the API answers a *core.Error with its status,
//     anything else with a generic 400).
//   - It returns nil without calling e.Next(): the chain stops there, on
//     purpose or not; the rest of the chain and the default action (the
//     save, the response) do not run and the caller gets nil.
//
// A hook with a fault reporter (SetFaultReporter; every hook of a Basalt
// app has one that logs) is told of each case, with the handler's name,
// so the log says which handler it was.
package hook

import (
	"errors"
	"fmt"
	"net/http"
	"path"
	"runtime"
	"runtime/debug"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
)

// Resolver is what every event type must implement so a chain can be
// threaded through it. Embed Event to get an implementation.
type Resolver interface {
	// Next runs the rest of the chain.
	Next() error

	nextFunc() func() error
	setNextFunc(fn func() error)
}

// Event is the embeddable base of every event. Its zero value is ready.
type Event struct {
	next func() error
}

// Next calls the next handler in the chain; at the end of the chain it is a
// no-op returning nil.
func (e *Event) Next() error {
	if e.next != nil {
		return e.next()
	}
	return nil
}

func (e *Event) nextFunc() func() error { return e.next }

func (e *Event) setNextFunc(fn func() error) { e.next = fn }

// Handler is one link of a chain.
type Handler[T Resolver] struct {
	// Func is the handler itself; it should call e.Next() and return its error.
	Func func(e T) error

	// Id identifies the handler for Unbind and replacement. Binding a handler
	// whose Id is already bound replaces it in place. Empty means "generate one".
	Id string

	// Priority orders handlers: lower runs first; equal priorities keep
	// binding order.
	Priority int

	// source is the file:line that bound the handler (outside this
	// package); generated tells an Id made up by Bind from one given.
	source    string
	generated bool
}

// name is how faults name the handler: its Id when one was given, else
// the place that bound it.
func (h *Handler[T]) name() string {
	if !h.generated || h.source == "" {
		return h.Id
	}
	return h.source
}

// bindSource returns the file:line of the first caller outside this
// package (the user's Bind/BindFunc call), shortened to its last two
// path elements.
func bindSource() string {
	var pcs [16]uintptr
	n := runtime.Callers(3, pcs[:])
	frames := runtime.CallersFrames(pcs[:n])
	for {
		f, more := frames.Next()
		// This package's own tests bind like a user would.
		if !strings.HasPrefix(f.Function, "github.com/basalthq/basalt/core/hook.") || strings.HasSuffix(f.File, "_test.go") {
			dir, file := path.Split(f.File)
			return fmt.Sprintf("%s:%d", path.Join(path.Base(dir), file), f.Line)
		}
		if !more {
			return ""
		}
	}
}

// PanicError is what Trigger returns when a handler (or a default
// action) panicked: the panic, recovered, as an error naming where.
type PanicError struct {
	// Hook is the chain's name (SetFaultReporter), "" if it has none.
	Hook string
	// Handler is the handler's Id, else the file:line that bound it;
	// "default action" for a panic in a Trigger finalizer.
	Handler string
	// Value is the value passed to panic.
	Value any
	// Stack is the panicking goroutine's stack.
	Stack []byte
}

// Error names the handler and the panic value.
func (e *PanicError) Error() string {
	if e.Hook != "" {
		return fmt.Sprintf("hook %s: handler %s panicked: %v", e.Hook, e.Handler, e.Value)
	}
	return fmt.Sprintf("hook handler %s panicked: %v", e.Handler, e.Value)
}

// Unwrap returns the panic value when it is an error.
func (e *PanicError) Unwrap() error {
	err, _ := e.Value.(error)
	return err
}

// Fault is what a fault reporter hears of: exactly one of Panic, Err
// and Stopped is set.
type Fault struct {
	// Hook is the chain's name given to SetFaultReporter.
	Hook string
	// Handler names the handler: its Id, else the file:line that bound it.
	Handler string
	// Panic is the recovered panic (its error is what Trigger returned).
	Panic *PanicError
	// Err is the error the handler returned (not one it passed on from
	// e.Next()).
	Err error
	// Stopped reports that the handler returned nil without calling
	// e.Next(), so the default action did not run.
	Stopped bool
	// Event is the event the chain ran for.
	Event any
}

// defaultAction names the finalizers of a Trigger in faults.
const defaultAction = "default action"

var handlerSeq atomic.Uint64

func generateId() string {
	return fmt.Sprintf("@%d", handlerSeq.Add(1))
}

// Hook is a chain of handlers for events of type T. The zero value is ready
// to use and safe for concurrent Bind and Trigger.
type Hook[T Resolver] struct {
	mu       sync.RWMutex
	handlers []*Handler[T]
	sorted   []*Handler[T] // cache of handlers ordered by priority; nil = stale

	name   string
	report func(Fault)
}

// SetFaultReporter names the chain and sets fn to be told of each faulty
// handler (see the package doc): a panic, an error it returned, or a
// return without e.Next() that skipped the default action. fn runs on
// the triggering goroutine and must not trigger this hook. Call it
// before the hook is used.
func (h *Hook[T]) SetFaultReporter(name string, fn func(Fault)) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.name, h.report = name, fn
}

// Name returns the chain's name given to SetFaultReporter.
func (h *Hook[T]) Name() string {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return h.name
}

// Bind adds (or, for an already bound Id, replaces) a handler and returns
// its id.
func (h *Hook[T]) Bind(handler *Handler[T]) string {
	if handler == nil || handler.Func == nil {
		panic("hook: Bind with a nil handler")
	}
	h.mu.Lock()
	defer h.mu.Unlock()

	cp := *handler
	cp.source, cp.generated = bindSource(), false
	if cp.Id == "" {
		cp.Id = generateId()
		cp.generated = true
	}
	for i, existing := range h.handlers {
		if existing.Id == cp.Id {
			h.handlers[i] = &cp
			h.sorted = nil
			return cp.Id
		}
	}
	h.handlers = append(h.handlers, &cp)
	h.sorted = nil
	return cp.Id
}

// BindFunc adds a handler function with a generated id and priority 0.
func (h *Hook[T]) BindFunc(fn func(e T) error) string {
	return h.Bind(&Handler[T]{Func: fn})
}

// Unbind removes the handlers with the given ids; unknown ids are ignored.
func (h *Hook[T]) Unbind(ids ...string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	kept := h.handlers[:0:0]
	for _, existing := range h.handlers {
		remove := false
		for _, id := range ids {
			if existing.Id == id {
				remove = true
				break
			}
		}
		if !remove {
			kept = append(kept, existing)
		}
	}
	h.handlers = kept
	h.sorted = nil
}

// UnbindAll removes every handler.
func (h *Hook[T]) UnbindAll() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.handlers = nil
	h.sorted = nil
}

// Length reports how many handlers are bound.
func (h *Hook[T]) Length() int {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return len(h.handlers)
}

func (h *Hook[T]) ordered() []*Handler[T] {
	h.mu.RLock()
	s := h.sorted
	h.mu.RUnlock()
	if s != nil || h.Length() == 0 {
		return s
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.sorted == nil {
		s = make([]*Handler[T], len(h.handlers))
		copy(s, h.handlers)
		sort.SliceStable(s, func(i, j int) bool { return s[i].Priority < s[j].Priority })
		h.sorted = s
	}
	return h.sorted
}

// Trigger runs the chain for event: the bound handlers by priority, then
// the finalizers in order. It returns the first error a handler returns
// (a panic becomes a *PanicError). The event's previous Next function is
// restored afterwards, so an event value may be passed through nested
// chains.
func (h *Hook[T]) Trigger(event T, finalizers ...func(e T) error) error {
	handlers := h.ordered()
	total := len(handlers) + len(finalizers)
	if total == 0 {
		return nil
	}
	if len(handlers) == 0 && len(finalizers) == 1 {
		// A chain of one: its Next already continues the outer chain, so
		// the closure and the event's bookkeeping are not needed.
		return finalizers[0](event)
	}

	prev := event.nextFunc()
	defer event.setNextFunc(prev)

	// st.i is the link running; st.last is the result of the latest link
	// to return: when a handler returns an error, it tells one passed on
	// from e.Next() from its own. One struct, so the closure captures one
	// heap object, as it did when it held i alone.
	st := &chainState{i: -1}
	var next func() error
	next = func() error {
		st.i++
		switch idx := st.i; {
		case idx < len(handlers):
			st.last = nil
			err := h.call(handlers[idx], event, &st.last)
			st.last = err
			return err
		case idx < total:
			err := h.callFinal(finalizers[idx-len(handlers)], event)
			st.last = err
			return err
		default:
			// End of this chain: continue the outer chain, if any.
			if prev != nil {
				return prev()
			}
			return nil
		}
	}
	event.setNextFunc(next)
	err := next()
	if err == nil && st.i < len(handlers) && len(finalizers) > 0 && h.report != nil {
		// handlers[st.i] was the last to run and did not call e.Next().
		h.report(Fault{Hook: h.name, Handler: handlers[st.i].name(), Stopped: true, Event: event})
	}
	return err
}

// chainState is one Trigger's position in its chain.
type chainState struct {
	i    int
	last error
}

// call runs one bound handler, turning its panic into a *PanicError and
// reporting the faults that are its own.
func (h *Hook[T]) call(hd *Handler[T], event T, last *error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = h.recovered(p, hd.name(), event)
		}
	}()
	err = hd.Func(event)
	// An error while the rest of the chain answered nil (or was never
	// asked) is the handler's own; one returned after e.Next() failed is
	// passed on, however wrapped (errors of non-comparable types such as
	// validation maps defeat errors.Is), and was reported where it began.
	if err != nil && h.report != nil && *last == nil {
		var pe *PanicError
		if !errors.As(err, &pe) {
			h.report(Fault{Hook: h.name, Handler: hd.name(), Err: err, Event: event})
		}
	}
	return err
}

// callFinal runs a finalizer (the framework's default action), turning
// its panic into a *PanicError so no bound handler is blamed for it.
func (h *Hook[T]) callFinal(fn func(T) error, event T) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = h.recovered(p, defaultAction, event)
		}
	}()
	return fn(event)
}

func (h *Hook[T]) recovered(p any, handler string, event T) error {
	if p == http.ErrAbortHandler {
		panic(p) // net/http's way to abort a response; not a fault
	}
	pe := &PanicError{Hook: h.name, Handler: handler, Value: p, Stack: debug.Stack()}
	if h.report != nil {
		h.report(Fault{Hook: h.name, Handler: handler, Panic: pe, Event: event})
	}
	return pe
}
