package core

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"strings"

	"github.com/basalthq/basalt/core/hook"
)

// nameHooks gives every hook of the app its name (the accessor's name,
// "OnRecordCreate") and the app's fault reporter, so a faulty handler is
// logged naming the handler and its chain. The hooks are found by
// reflection over the On* accessors, so a hook added later is covered
// without a list to keep in sync; OnModel* are skipped (asking for them
// proxies them into the record chains, which must stay free until a
// model hook is bound) and named in modelHooks instead.
func (app *App) nameHooks() {
	v := reflect.ValueOf(app)
	t := v.Type()
	report := reflect.ValueOf(app.reportHookFault)
	for i := 0; i < t.NumMethod(); i++ {
		name := t.Method(i).Name
		if !strings.HasPrefix(name, "On") || strings.HasPrefix(name, "OnModel") {
			continue
		}
		m := v.Method(i)
		if mt := m.Type(); mt.NumOut() != 1 || (mt.NumIn() != 0 && !(mt.NumIn() == 1 && mt.IsVariadic())) {
			continue
		}
		set := m.Call(nil)[0].MethodByName("SetFaultReporter")
		if set.IsValid() {
			set.Call([]reflect.Value{reflect.ValueOf(name), report})
		}
	}
}

// reportHookFault logs a faulty hook handler (see core/hook's package
// doc for what the caller gets): the handler is named by its id, else by
// the file:line that bound it.
func (app *App) reportHookFault(f hook.Fault) {
	attrs := []any{"hook", f.Hook, "handler", f.Handler}
	switch {
	case f.Panic != nil:
		app.logger.Error("hook handler panicked", append(attrs, "panic", fmt.Sprint(f.Panic.Value), "stack", string(f.Panic.Stack))...)
	case f.Err != nil:
		// An intended answer (a 4xx *Error without a hidden cause) is
		// no fault worth a warning.
		level := slog.LevelWarn
		var verrs ValidationErrors
		if ce, ok := AsError(f.Err); (ok && ce.Code != CodeInternal && ce.Cause == nil) || errors.As(f.Err, &verrs) {
			level = slog.LevelDebug
		}
		app.logger.Log(context.Background(), level, "hook handler returned an error", append(attrs, "err", f.Err)...)
	case f.Stopped:
		// A request hook that wrote its own response stopped on purpose.
		level := slog.LevelWarn
		if w, ok := f.Event.(interface{ Written() bool }); ok && w.Written() {
			level = slog.LevelDebug
		}
		app.logger.Log(context.Background(), level, "hook handler returned without calling e.Next(): the rest of the chain and the default action did not run", attrs...)
	}
}
