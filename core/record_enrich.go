package core

import (
	"context"
	"slices"

	"github.com/basalthq/basalt/core/hook"
)

// recordEnrich is what OnRecordEnrich handlers changed on one record's
// output: hidden field names and custom keys, in the order added.
type recordEnrich struct {
	hidden []string
	custom []customEntry
}

type customEntry struct {
	name string
	val  any
}

func (x *recordEnrich) isHidden(name string) bool { return slices.Contains(x.hidden, name) }

func (x *recordEnrich) clone() *recordEnrich {
	if x == nil {
		return nil
	}
	return &recordEnrich{hidden: slices.Clone(x.hidden), custom: slices.Clone(x.custom)}
}

func (r *Record) enrichState() *recordEnrich {
	if r.enrich == nil {
		r.enrich = &recordEnrich{}
	}
	return r.enrich
}

// Hide leaves the named fields out of this record's API output (the
// JSON of responses and realtime messages), whatever the caller may
// otherwise see; it changes nothing stored. Meant for OnRecordEnrich.
func (r *Record) Hide(fields ...string) {
	x := r.enrichState()
	for _, f := range fields {
		if !x.isHidden(f) {
			x.hidden = append(x.hidden, f)
		}
	}
}

// SetCustom adds a key that is not a field to this record's API output
// (after the fields, before expand), or replaces one added before; it is
// never stored. Set ignores names that are not fields, so this is how an
// OnRecordEnrich handler adds computed values (PocketBase:
// WithCustomData + Set). A name that is a field, "collectionId",
// "collectionName" or "expand" is ignored: it would duplicate a key.
func (r *Record) SetCustom(name string, v any) {
	if name == "" || name == "collectionId" || name == "collectionName" || name == "expand" || r.collection.Fields.GetByName(name) != nil {
		return
	}
	x := r.enrichState()
	for i := range x.custom {
		if x.custom[i].name == name {
			x.custom[i].val = v
			return
		}
	}
	x.custom = append(x.custom, customEntry{name, v})
}

// RecordEnrichEvent fires once per record (expanded ones included) just
// before it is serialised for an API response or a realtime message.
// Handlers may call Record.Hide and Record.SetCustom; the record is the
// response's own copy.
type RecordEnrichEvent struct {
	hook.Event
	App     *App
	Context context.Context
	Record  *Record
	// Auth is the caller (nil for guests).
	Auth *Record
	// Realtime is true when the record goes out in a realtime message.
	Realtime bool
}

// Tags returns the record's collection id and name.
func (e *RecordEnrichEvent) Tags() []string {
	if e.Record == nil {
		return nil
	}
	return collectionTags(e.Record.Collection())
}

// OnRecordEnrich fires for every record about to be sent to a client
// (list, view, create, update and auth responses, expanded records and
// realtime messages), to hide or add output per request. A handler error
// is logged with the hook's name and the record is sent as it is; not
// calling e.Next() skips the remaining enrich handlers only.
func (app *App) OnRecordEnrich(tags ...string) *hook.TaggedHook[*RecordEnrichEvent] {
	return tagged(&app.extras().enrich, tags)
}

// HasRecordEnrich reports whether any OnRecordEnrich handler is bound,
// so the serialisers skip the walk (and its event) when none is.
func (app *App) HasRecordEnrich() bool { return app.extras().enrich.Length() > 0 }

// EnrichRecords fires OnRecordEnrich for recs and, depth first, for the
// records in their expand. Errors and panics of handlers are logged
// naming the hook; output is never withheld because of them.
func (app *App) EnrichRecords(ctx context.Context, auth *Record, realtime bool, recs ...*Record) {
	if !app.HasRecordEnrich() {
		return
	}
	for _, r := range recs {
		app.enrichOne(ctx, auth, realtime, r, 0)
	}
}

// maxEnrichDepth bounds the walk like the expand depth (spec: 6 levels).
const maxEnrichDepth = 7

func (app *App) enrichOne(ctx context.Context, auth *Record, realtime bool, r *Record, depth int) {
	if r == nil || depth > maxEnrichDepth {
		return
	}
	func() {
		defer func() {
			if p := recover(); p != nil {
				app.logger.Error("OnRecordEnrich handler panicked", "hook", "OnRecordEnrich", "collection", r.collection.Name, "record", r.Id(), "panic", p)
			}
		}()
		e := &RecordEnrichEvent{App: app, Context: ctx, Record: r, Auth: auth, Realtime: realtime}
		if err := app.extras().enrich.Trigger(e); err != nil {
			app.logger.Error("OnRecordEnrich handler failed", "hook", "OnRecordEnrich", "collection", r.collection.Name, "record", r.Id(), "err", err)
		}
	}()
	visit := func(v any) {
		switch x := v.(type) {
		case *Record:
			app.enrichOne(ctx, auth, realtime, x, depth+1)
		case []*Record:
			for _, c := range x {
				app.enrichOne(ctx, auth, realtime, c, depth+1)
			}
		}
	}
	if r.one.name != "" {
		visit(r.one.val)
	}
	for _, v := range r.expand {
		visit(v)
	}
}
