package tests

import (
	"fmt"
	"maps"
	"math"
	"reflect"
	"strings"
	"sync"

	"github.com/basalthq/basalt/core"
	"github.com/basalthq/basalt/core/hook"
)

// eventCounter counts how often each hook of an app fires.
type eventCounter struct {
	mu     sync.Mutex
	counts map[string]int
}

func (c *eventCounter) inc(name string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.counts == nil {
		c.counts = map[string]int{}
	}
	c.counts[name]++
}

func (c *eventCounter) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.counts = map[string]int{}
}

func (c *eventCounter) snapshot() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return maps.Clone(c.counts)
}

// counterId prefixes the ids of the counting handlers (one per hook
// name), so user code can tell them apart and nobody replaces them by
// accident.
const counterId = "__basaltTestsEventCounter__"

// bindAll binds a counting handler, first in its chain, to every hook of
// app: every method On* of *core.App that takes nothing (or only tags)
// and returns a hook with BindFunc. Found by reflection, so a hook added
// to core is counted without touching the harness.
func (c *eventCounter) bindAll(app *core.App) error {
	v := reflect.ValueOf(app)
	resolver := reflect.TypeFor[hook.Resolver]()
	errType := reflect.TypeFor[error]()
	for i := 0; i < v.NumMethod(); i++ {
		m := v.Type().Method(i)
		if !strings.HasPrefix(m.Name, "On") {
			continue
		}
		mt := v.Method(i).Type()
		if mt.NumOut() != 1 || (mt.NumIn() != 0 && !(mt.NumIn() == 1 && mt.IsVariadic())) {
			continue
		}
		h := v.Method(i).Call(nil)[0]
		bind := h.MethodByName("Bind")
		if !bind.IsValid() || bind.Type().NumIn() != 1 {
			continue
		}
		handlerPtr := bind.Type().In(0) // *hook.Handler[T]
		if handlerPtr.Kind() != reflect.Pointer {
			continue
		}
		handler := reflect.New(handlerPtr.Elem())
		fn := handler.Elem().FieldByName("Func")
		if !fn.IsValid() || fn.Type().NumIn() != 1 || !fn.Type().In(0).Implements(resolver) || fn.Type().Out(0) != errType {
			return fmt.Errorf("tests: %s: unexpected hook shape %s", m.Name, fn.Type())
		}
		name := m.Name
		fn.Set(reflect.MakeFunc(fn.Type(), func(args []reflect.Value) []reflect.Value {
			c.inc(name)
			err := args[0].Interface().(hook.Resolver).Next()
			if err == nil {
				return []reflect.Value{reflect.Zero(errType)}
			}
			return []reflect.Value{reflect.ValueOf(&err).Elem()}
		}))
		handler.Elem().FieldByName("Id").SetString(counterId + name)
		handler.Elem().FieldByName("Priority").SetInt(math.MinInt32)
		bind.Call([]reflect.Value{handler})
	}
	return nil
}
