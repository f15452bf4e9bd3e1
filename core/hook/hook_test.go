package hook

import (
	"errors"
	"strings"
	"testing"
)

type testEvent struct {
	Event
	log  []string
	tags []string
}

func (e *testEvent) Tags() []string { return e.tags }

func logger(name string) func(e *testEvent) error {
	return func(e *testEvent) error {
		e.log = append(e.log, name)
		return e.Next()
	}
}

func TestHookTrigger(t *testing.T) {
	errStop := errors.New("stop")
	cases := []struct {
		name    string
		setup   func(h *Hook[*testEvent])
		final   []func(*testEvent) error
		want    string
		wantErr error
	}{
		{
			name:  "empty chain",
			setup: func(h *Hook[*testEvent]) {},
			want:  "",
		},
		{
			name: "binding order with equal priority",
			setup: func(h *Hook[*testEvent]) {
				h.BindFunc(logger("a"))
				h.BindFunc(logger("b"))
				h.BindFunc(logger("c"))
			},
			want: "a,b,c",
		},
		{
			name: "priority orders lower first",
			setup: func(h *Hook[*testEvent]) {
				h.Bind(&Handler[*testEvent]{Func: logger("late"), Priority: 10})
				h.Bind(&Handler[*testEvent]{Func: logger("early"), Priority: -5})
				h.BindFunc(logger("mid"))
			},
			want: "early,mid,late",
		},
		{
			name: "replace by id keeps position",
			setup: func(h *Hook[*testEvent]) {
				h.Bind(&Handler[*testEvent]{Id: "x", Func: logger("x1")})
				h.BindFunc(logger("y"))
				h.Bind(&Handler[*testEvent]{Id: "x", Func: logger("x2")})
			},
			want: "x2,y",
		},
		{
			name: "unbind removes",
			setup: func(h *Hook[*testEvent]) {
				id := h.BindFunc(logger("gone"))
				h.BindFunc(logger("kept"))
				h.Unbind(id, "unknown")
			},
			want: "kept",
		},
		{
			name: "finalizers run after handlers",
			setup: func(h *Hook[*testEvent]) {
				h.BindFunc(logger("h"))
			},
			final: []func(*testEvent) error{logger("f1"), logger("f2")},
			want:  "h,f1,f2",
		},
		{
			name: "error stops the chain",
			setup: func(h *Hook[*testEvent]) {
				h.BindFunc(logger("a"))
				h.BindFunc(func(e *testEvent) error { e.log = append(e.log, "fail"); return errStop })
				h.BindFunc(logger("never"))
			},
			final:   []func(*testEvent) error{logger("never-final")},
			want:    "a,fail",
			wantErr: errStop,
		},
		{
			name: "not calling Next skips the rest without error",
			setup: func(h *Hook[*testEvent]) {
				h.BindFunc(func(e *testEvent) error { e.log = append(e.log, "stop"); return nil })
				h.BindFunc(logger("never"))
			},
			final: []func(*testEvent) error{logger("never-final")},
			want:  "stop",
		},
		{
			name: "code after Next runs after the rest",
			setup: func(h *Hook[*testEvent]) {
				h.BindFunc(func(e *testEvent) error {
					e.log = append(e.log, "before")
					err := e.Next()
					e.log = append(e.log, "after")
					return err
				})
			},
			final: []func(*testEvent) error{logger("final")},
			want:  "before,final,after",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := &Hook[*testEvent]{}
			tc.setup(h)
			e := &testEvent{}
			err := h.Trigger(e, tc.final...)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
			if got := strings.Join(e.log, ","); got != tc.want {
				t.Fatalf("log = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestNestedTriggerRestoresNext(t *testing.T) {
	outer := &Hook[*testEvent]{}
	inner := &Hook[*testEvent]{}
	inner.BindFunc(logger("inner"))
	outer.BindFunc(func(e *testEvent) error {
		if err := inner.Trigger(e); err != nil {
			return err
		}
		return e.Next()
	})
	outer.BindFunc(logger("outer2"))
	e := &testEvent{}
	if err := outer.Trigger(e); err != nil {
		t.Fatal(err)
	}
	// inner's chain end continues the outer chain, so "outer2" runs from
	// within inner's Trigger; the explicit e.Next() afterwards is at the end.
	if got := strings.Join(e.log, ","); !strings.HasPrefix(got, "inner,outer2") {
		t.Fatalf("log = %q", got)
	}
}

// TestNestedFinalizerOnly: an inner chain with no handlers, only its
// finalizer, behaves as the general chain does: its Next continues the
// outer chain, and the outer chain's Next is intact afterwards.
func TestNestedFinalizerOnly(t *testing.T) {
	outer := &Hook[*testEvent]{}
	inner := &Hook[*testEvent]{}
	outer.BindFunc(func(e *testEvent) error {
		if err := inner.Trigger(e, logger("innerFinal")); err != nil {
			return err
		}
		e.log = append(e.log, "back")
		return nil
	})
	outer.BindFunc(logger("outer2"))
	e := &testEvent{}
	if err := outer.Trigger(e, logger("outerFinal")); err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(e.log, ","), "innerFinal,outer2,outerFinal,back"; got != want {
		t.Fatalf("log = %q, want %q", got, want)
	}
	// A finalizer alone with no outer chain: Next ends quietly.
	e = &testEvent{}
	if err := inner.Trigger(e, logger("alone")); err != nil || strings.Join(e.log, ",") != "alone" {
		t.Fatalf("log = %v, err = %v", e.log, err)
	}
}

func TestTaggedHook(t *testing.T) {
	cases := []struct {
		name      string
		tags      []string
		eventTags []string
		want      string
	}{
		{"no tags matches everything", nil, []string{"posts"}, "any,t"},
		{"matching tag runs", []string{"posts"}, []string{"pbc_1", "posts"}, "any,t"},
		{"other tag skipped", []string{"users"}, []string{"pbc_1", "posts"}, "any"},
		{"event without tags skipped", []string{"users"}, nil, "any"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := &Hook[*testEvent]{}
			h.BindFunc(logger("any"))
			NewTaggedHook(h, tc.tags...).BindFunc(logger("t"))
			e := &testEvent{tags: tc.eventTags}
			if err := h.Trigger(e); err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(e.log, ","); got != tc.want {
				t.Fatalf("log = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestConcurrentBindAndTrigger(t *testing.T) {
	h := &Hook[*testEvent]{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; i < 200; i++ {
			id := h.BindFunc(logger("x"))
			h.Unbind(id)
		}
	}()
	for i := 0; i < 200; i++ {
		if err := h.Trigger(&testEvent{}); err != nil {
			t.Fatal(err)
		}
	}
	<-done
}
