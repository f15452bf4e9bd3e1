// Package hook provides typed, prioritised handler chains: the mechanism
// behind every Basalt event (lifecycle, model and request hooks).
//
// A chain is run by Trigger. Each handler receives the event and decides
// whether the chain goes on by calling e.Next(); returning an error without
// calling Next stops the chain and the error reaches the caller. The final
// handlers passed to Trigger run last, after every bound handler, which is
// how the framework's own default behaviour (writing the response, saving
// the record) can be wrapped by user code on both sides.
package hook

import (
	"fmt"
	"sort"
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
}

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
	if cp.Id == "" {
		cp.Id = generateId()
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
// the finalizers in order. It returns the first error a handler returns.
// The event's previous Next function is restored afterwards, so an event
// value may be passed through nested chains.
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

	i := -1
	var next func() error
	next = func() error {
		i++
		switch {
		case i < len(handlers):
			return handlers[i].Func(event)
		case i < total:
			return finalizers[i-len(handlers)](event)
		default:
			// End of this chain: continue the outer chain, if any.
			if prev != nil {
				return prev()
			}
			return nil
		}
	}
	event.setNextFunc(next)
	return next()
}
