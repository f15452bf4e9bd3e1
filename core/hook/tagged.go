package hook

// Tagger is implemented by events that carry tags (for example the
// collection id and name of a record event), so handlers can be bound to a
// subset of them.
type Tagger interface {
	Resolver

	// Tags lists the event's tags.
	Tags() []string
}

// TaggedHook is a view over a Hook whose handlers only run for events
// carrying at least one of its tags. With no tags it behaves like the
// underlying Hook.
type TaggedHook[T Tagger] struct {
	main *Hook[T]
	tags []string
}

// NewTaggedHook returns a tagged view over h.
func NewTaggedHook[T Tagger](h *Hook[T], tags ...string) *TaggedHook[T] {
	return &TaggedHook[T]{main: h, tags: tags}
}

// CanTriggerOn reports whether handlers of this view run for an event with
// the given tags.
func (h *TaggedHook[T]) CanTriggerOn(eventTags []string) bool {
	if len(h.tags) == 0 {
		return true
	}
	for _, want := range h.tags {
		for _, got := range eventTags {
			if want == got {
				return true
			}
		}
	}
	return false
}

// Bind binds handler to the underlying hook, wrapped so it is skipped (the
// chain continues) for events without a matching tag.
func (h *TaggedHook[T]) Bind(handler *Handler[T]) string {
	if handler == nil || handler.Func == nil {
		panic("hook: Bind with a nil handler")
	}
	fn := handler.Func
	wrapped := *handler
	wrapped.Func = func(e T) error {
		if h.CanTriggerOn(e.Tags()) {
			return fn(e)
		}
		return e.Next()
	}
	return h.main.Bind(&wrapped)
}

// BindFunc is Bind with a generated id and priority 0.
func (h *TaggedHook[T]) BindFunc(fn func(e T) error) string {
	return h.Bind(&Handler[T]{Func: fn})
}

// Unbind removes handlers by id from the underlying hook.
func (h *TaggedHook[T]) Unbind(ids ...string) { h.main.Unbind(ids...) }

// SetFaultReporter sets the underlying hook's name and fault reporter
// (see Hook.SetFaultReporter).
func (h *TaggedHook[T]) SetFaultReporter(name string, fn func(Fault)) {
	h.main.SetFaultReporter(name, fn)
}
