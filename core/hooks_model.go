package core

import (
	"context"
	"math"
	"strings"

	"github.com/basalthq/basalt/core/hook"
)

// Model is what the OnModel* hooks see: anything Basalt saves as a row,
// today *Record and *Collection (PocketBase fires its model hooks for
// every model save; Basalt has no other models a user can save).
type Model interface {
	// PK returns the primary key (the id).
	PK() any
	// TableName returns the table the model lives in: a record's
	// collection name, or "_collections" for a collection.
	TableName() string
}

// CollectionsTableName is the TableName of every *Collection.
const CollectionsTableName = "_collections"

// PK returns the record id.
func (r *Record) PK() any { return r.Id() }

// TableName returns the name of the record's collection.
func (r *Record) TableName() string { return r.collection.Name }

// PK returns the collection id.
func (c *Collection) PK() any { return c.Id }

// TableName returns "_collections".
func (c *Collection) TableName() string { return CollectionsTableName }

var (
	_ Model = (*Record)(nil)
	_ Model = (*Collection)(nil)
)

// ModelEvent is a model hook event. Model is a *Record or a *Collection;
// handlers that change Context pass it on to the record/collection hooks.
type ModelEvent struct {
	hook.Event
	App     *App
	Context context.Context
	Model   Model
	// Error is set on After*Error events.
	Error error
}

// Tags returns the model's table name and, for records, their
// collection id, so OnModelCreate("posts") or ("_collections") filters.
func (e *ModelEvent) Tags() []string {
	switch m := e.Model.(type) {
	case *Record:
		return []string{m.collection.Id, m.collection.Name}
	case nil:
		return nil
	}
	return []string{e.Model.TableName()}
}

// Model hook stages, in firing order for one save.
const (
	modelValidate = iota
	modelCreate
	modelCreateExecute
	modelAfterCreateSuccess
	modelAfterCreateError
	modelUpdate
	modelUpdateExecute
	modelAfterUpdateSuccess
	modelAfterUpdateError
	modelDelete
	modelDeleteExecute
	modelAfterDeleteSuccess
	modelAfterDeleteError
	modelStages
)

// modelHooks are created, and proxied into the record and collection
// chains, the first time an OnModel* accessor is called. Until then the
// record and collection chains hold no extra handler, so an app without
// model hooks pays nothing on the record hot path (hook.Hook's
// zero-handler fast path stays taken).
type modelHooks struct {
	stages [modelStages]*hook.Hook[*ModelEvent]
}

// proxyPriority runs the model proxies before any user record/collection
// handler, as PocketBase's model hooks wrap its record/collection hooks.
const proxyPriority = math.MinInt32

func (app *App) modelHooks() *modelHooks {
	x := app.extras()
	x.modelOnce.Do(func() {
		m := &modelHooks{}
		for i := range m.stages {
			m.stages[i] = &hook.Hook[*ModelEvent]{}
		}
		recordHooks := [modelStages]*hook.Hook[*RecordEvent]{
			app.onRecordValidate,
			app.onRecordCreate, app.onRecordCreateExecute, app.onRecordAfterCreateSuccess, app.onRecordAfterCreateError,
			app.onRecordUpdate, app.onRecordUpdateExecute, app.onRecordAfterUpdateSuccess, app.onRecordAfterUpdateError,
			app.onRecordDelete, app.onRecordDeleteExecute, app.onRecordAfterDeleteSuccess, app.onRecordAfterDeleteError,
		}
		collectionHooks := [modelStages]*hook.Hook[*CollectionEvent]{
			app.onCollectionValidate,
			app.onCollectionCreate, app.onCollectionCreateExecute, app.onCollectionAfterCreateSuccess, app.onCollectionAfterCreateError,
			app.onCollectionUpdate, app.onCollectionUpdateExecute, app.onCollectionAfterUpdateSuccess, app.onCollectionAfterUpdateError,
			app.onCollectionDelete, app.onCollectionDeleteExecute, app.onCollectionAfterDeleteSuccess, app.onCollectionAfterDeleteError,
		}
		for i := range m.stages {
			mh := m.stages[i]
			mh.SetFaultReporter(strings.Replace(recordHooks[i].Name(), "OnRecord", "OnModel", 1), app.reportHookFault)
			recordHooks[i].Bind(&hook.Handler[*RecordEvent]{Id: "__basalt_model_proxy__", Priority: proxyPriority, Func: func(e *RecordEvent) error {
				if mh.Length() == 0 {
					return e.Next()
				}
				me := &ModelEvent{App: e.App, Context: e.Context, Model: e.Record, Error: e.Error}
				return mh.Trigger(me, func(me *ModelEvent) error {
					e.Context = me.Context
					return e.Next()
				})
			}})
			collectionHooks[i].Bind(&hook.Handler[*CollectionEvent]{Id: "__basalt_model_proxy__", Priority: proxyPriority, Func: func(e *CollectionEvent) error {
				if mh.Length() == 0 {
					return e.Next()
				}
				me := &ModelEvent{App: e.App, Context: e.Context, Model: e.Collection, Error: e.Error}
				return mh.Trigger(me, func(me *ModelEvent) error {
					e.Context = me.Context
					return e.Next()
				})
			}})
		}
		x.model = m
	})
	return x.model
}

func (app *App) modelHook(stage int, tags []string) *hook.TaggedHook[*ModelEvent] {
	return tagged(app.modelHooks().stages[stage], tags)
}

// OnModelValidate fires when a record or collection is validated before
// a save, ahead of OnRecordValidate/OnCollectionValidate. Tags are
// collection names or ids, or "_collections" for collection saves.
// Not calling e.Next() skips validation, like the record hook.
func (app *App) OnModelValidate(tags ...string) *hook.TaggedHook[*ModelEvent] {
	return app.modelHook(modelValidate, tags)
}

// OnModelCreate wraps every record and collection create, ahead of
// OnRecordCreate/OnCollectionCreate. Returning an error aborts the save
// with it; not calling e.Next() skips the save (nothing is written).
func (app *App) OnModelCreate(tags ...string) *hook.TaggedHook[*ModelEvent] {
	return app.modelHook(modelCreate, tags)
}

// OnModelCreateExecute fires inside the create transaction, right before
// the write; an error rolls the transaction back.
func (app *App) OnModelCreateExecute(tags ...string) *hook.TaggedHook[*ModelEvent] {
	return app.modelHook(modelCreateExecute, tags)
}

// OnModelAfterCreateSuccess fires after a create was committed; its
// errors are logged, the save already happened.
func (app *App) OnModelAfterCreateSuccess(tags ...string) *hook.TaggedHook[*ModelEvent] {
	return app.modelHook(modelAfterCreateSuccess, tags)
}

// OnModelAfterCreateError fires after a create failed in its transaction
// (e.Error); its errors are logged.
func (app *App) OnModelAfterCreateError(tags ...string) *hook.TaggedHook[*ModelEvent] {
	return app.modelHook(modelAfterCreateError, tags)
}

// OnModelUpdate wraps every record and collection update (see OnModelCreate).
func (app *App) OnModelUpdate(tags ...string) *hook.TaggedHook[*ModelEvent] {
	return app.modelHook(modelUpdate, tags)
}

// OnModelUpdateExecute fires inside the update transaction, right before the write.
func (app *App) OnModelUpdateExecute(tags ...string) *hook.TaggedHook[*ModelEvent] {
	return app.modelHook(modelUpdateExecute, tags)
}

// OnModelAfterUpdateSuccess fires after an update was committed.
func (app *App) OnModelAfterUpdateSuccess(tags ...string) *hook.TaggedHook[*ModelEvent] {
	return app.modelHook(modelAfterUpdateSuccess, tags)
}

// OnModelAfterUpdateError fires after an update failed in its transaction.
func (app *App) OnModelAfterUpdateError(tags ...string) *hook.TaggedHook[*ModelEvent] {
	return app.modelHook(modelAfterUpdateError, tags)
}

// OnModelDelete wraps every record and collection delete (see OnModelCreate).
func (app *App) OnModelDelete(tags ...string) *hook.TaggedHook[*ModelEvent] {
	return app.modelHook(modelDelete, tags)
}

// OnModelDeleteExecute fires inside the delete transaction, right before the delete.
func (app *App) OnModelDeleteExecute(tags ...string) *hook.TaggedHook[*ModelEvent] {
	return app.modelHook(modelDeleteExecute, tags)
}

// OnModelAfterDeleteSuccess fires after a delete was committed.
func (app *App) OnModelAfterDeleteSuccess(tags ...string) *hook.TaggedHook[*ModelEvent] {
	return app.modelHook(modelAfterDeleteSuccess, tags)
}

// OnModelAfterDeleteError fires after a delete failed in its transaction.
func (app *App) OnModelAfterDeleteError(tags ...string) *hook.TaggedHook[*ModelEvent] {
	return app.modelHook(modelAfterDeleteError, tags)
}
