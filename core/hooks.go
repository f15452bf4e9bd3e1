package core

import "github.com/basalthq/basalt/core/hook"

// hooks holds every hook point of the App, embedded so they read as
// app.OnX(). Model hooks fire for every save whatever its origin; request
// hooks fire for HTTP only and their final handler writes the response
// (DESIGN §6).
type hooks struct {
	onBootstrap      *hook.Hook[*BootstrapEvent]
	onServe          *hook.Hook[*ServeEvent]
	onTerminate      *hook.Hook[*TerminateEvent]
	onSettingsUpdate *hook.Hook[*SettingsUpdateEvent]

	onCollectionValidate           *hook.Hook[*CollectionEvent]
	onCollectionCreate             *hook.Hook[*CollectionEvent]
	onCollectionCreateExecute      *hook.Hook[*CollectionEvent]
	onCollectionAfterCreateSuccess *hook.Hook[*CollectionEvent]
	onCollectionAfterCreateError   *hook.Hook[*CollectionEvent]
	onCollectionUpdate             *hook.Hook[*CollectionEvent]
	onCollectionUpdateExecute      *hook.Hook[*CollectionEvent]
	onCollectionAfterUpdateSuccess *hook.Hook[*CollectionEvent]
	onCollectionAfterUpdateError   *hook.Hook[*CollectionEvent]
	onCollectionDelete             *hook.Hook[*CollectionEvent]
	onCollectionDeleteExecute      *hook.Hook[*CollectionEvent]
	onCollectionAfterDeleteSuccess *hook.Hook[*CollectionEvent]
	onCollectionAfterDeleteError   *hook.Hook[*CollectionEvent]

	onRecordValidate           *hook.Hook[*RecordEvent]
	onRecordCreate             *hook.Hook[*RecordEvent]
	onRecordCreateExecute      *hook.Hook[*RecordEvent]
	onRecordAfterCreateSuccess *hook.Hook[*RecordEvent]
	onRecordAfterCreateError   *hook.Hook[*RecordEvent]
	onRecordUpdate             *hook.Hook[*RecordEvent]
	onRecordUpdateExecute      *hook.Hook[*RecordEvent]
	onRecordAfterUpdateSuccess *hook.Hook[*RecordEvent]
	onRecordAfterUpdateError   *hook.Hook[*RecordEvent]
	onRecordDelete             *hook.Hook[*RecordEvent]
	onRecordDeleteExecute      *hook.Hook[*RecordEvent]
	onRecordAfterDeleteSuccess *hook.Hook[*RecordEvent]
	onRecordAfterDeleteError   *hook.Hook[*RecordEvent]

	onRecordsListRequest  *hook.Hook[*RecordsListRequestEvent]
	onRecordViewRequest   *hook.Hook[*RecordRequestEvent]
	onRecordCreateRequest *hook.Hook[*RecordRequestEvent]
	onRecordUpdateRequest *hook.Hook[*RecordRequestEvent]
	onRecordDeleteRequest *hook.Hook[*RecordRequestEvent]
}

func (app *App) initHooks() {
	h := &app.hooks
	h.onBootstrap = &hook.Hook[*BootstrapEvent]{}
	h.onServe = &hook.Hook[*ServeEvent]{}
	h.onTerminate = &hook.Hook[*TerminateEvent]{}
	h.onSettingsUpdate = &hook.Hook[*SettingsUpdateEvent]{}
	for _, p := range []**hook.Hook[*CollectionEvent]{
		&h.onCollectionValidate, &h.onCollectionCreate, &h.onCollectionCreateExecute,
		&h.onCollectionAfterCreateSuccess, &h.onCollectionAfterCreateError,
		&h.onCollectionUpdate, &h.onCollectionUpdateExecute, &h.onCollectionAfterUpdateSuccess,
		&h.onCollectionAfterUpdateError, &h.onCollectionDelete, &h.onCollectionDeleteExecute,
		&h.onCollectionAfterDeleteSuccess, &h.onCollectionAfterDeleteError,
	} {
		*p = &hook.Hook[*CollectionEvent]{}
	}
	for _, p := range []**hook.Hook[*RecordEvent]{
		&h.onRecordValidate, &h.onRecordCreate, &h.onRecordCreateExecute,
		&h.onRecordAfterCreateSuccess, &h.onRecordAfterCreateError,
		&h.onRecordUpdate, &h.onRecordUpdateExecute, &h.onRecordAfterUpdateSuccess,
		&h.onRecordAfterUpdateError, &h.onRecordDelete, &h.onRecordDeleteExecute,
		&h.onRecordAfterDeleteSuccess, &h.onRecordAfterDeleteError,
	} {
		*p = &hook.Hook[*RecordEvent]{}
	}
	h.onRecordsListRequest = &hook.Hook[*RecordsListRequestEvent]{}
	for _, p := range []**hook.Hook[*RecordRequestEvent]{
		&h.onRecordViewRequest, &h.onRecordCreateRequest, &h.onRecordUpdateRequest, &h.onRecordDeleteRequest,
	} {
		*p = &hook.Hook[*RecordRequestEvent]{}
	}
}

// OnBootstrap fires once the store is open and migrations have run.
func (app *App) OnBootstrap() *hook.Hook[*BootstrapEvent] { return app.onBootstrap }

// OnServe fires before the HTTP server starts; bind custom routes here.
func (app *App) OnServe() *hook.Hook[*ServeEvent] { return app.onServe }

// OnTerminate fires on graceful shutdown.
func (app *App) OnTerminate() *hook.Hook[*TerminateEvent] { return app.onTerminate }

// OnSettingsUpdate fires when settings are saved.
func (app *App) OnSettingsUpdate() *hook.Hook[*SettingsUpdateEvent] { return app.onSettingsUpdate }

func tagged[T hook.Tagger](h *hook.Hook[T], tags []string) *hook.TaggedHook[T] {
	return hook.NewTaggedHook(h, tags...)
}

// OnCollectionValidate fires when a collection is validated before a save.
func (app *App) OnCollectionValidate(tags ...string) *hook.TaggedHook[*CollectionEvent] {
	return tagged(app.onCollectionValidate, tags)
}

// OnCollectionCreate wraps the whole creation of a collection.
func (app *App) OnCollectionCreate(tags ...string) *hook.TaggedHook[*CollectionEvent] {
	return tagged(app.onCollectionCreate, tags)
}

// OnCollectionCreateExecute wraps the database write of a creation.
func (app *App) OnCollectionCreateExecute(tags ...string) *hook.TaggedHook[*CollectionEvent] {
	return tagged(app.onCollectionCreateExecute, tags)
}

// OnCollectionAfterCreateSuccess fires after a creation committed.
func (app *App) OnCollectionAfterCreateSuccess(tags ...string) *hook.TaggedHook[*CollectionEvent] {
	return tagged(app.onCollectionAfterCreateSuccess, tags)
}

// OnCollectionAfterCreateError fires after a creation failed.
func (app *App) OnCollectionAfterCreateError(tags ...string) *hook.TaggedHook[*CollectionEvent] {
	return tagged(app.onCollectionAfterCreateError, tags)
}

// OnCollectionUpdate wraps the whole update of a collection.
func (app *App) OnCollectionUpdate(tags ...string) *hook.TaggedHook[*CollectionEvent] {
	return tagged(app.onCollectionUpdate, tags)
}

// OnCollectionUpdateExecute wraps the database write of an update.
func (app *App) OnCollectionUpdateExecute(tags ...string) *hook.TaggedHook[*CollectionEvent] {
	return tagged(app.onCollectionUpdateExecute, tags)
}

// OnCollectionAfterUpdateSuccess fires after an update committed.
func (app *App) OnCollectionAfterUpdateSuccess(tags ...string) *hook.TaggedHook[*CollectionEvent] {
	return tagged(app.onCollectionAfterUpdateSuccess, tags)
}

// OnCollectionAfterUpdateError fires after an update failed.
func (app *App) OnCollectionAfterUpdateError(tags ...string) *hook.TaggedHook[*CollectionEvent] {
	return tagged(app.onCollectionAfterUpdateError, tags)
}

// OnCollectionDelete wraps the whole deletion of a collection.
func (app *App) OnCollectionDelete(tags ...string) *hook.TaggedHook[*CollectionEvent] {
	return tagged(app.onCollectionDelete, tags)
}

// OnCollectionDeleteExecute wraps the database write of a deletion.
func (app *App) OnCollectionDeleteExecute(tags ...string) *hook.TaggedHook[*CollectionEvent] {
	return tagged(app.onCollectionDeleteExecute, tags)
}

// OnCollectionAfterDeleteSuccess fires after a deletion committed.
func (app *App) OnCollectionAfterDeleteSuccess(tags ...string) *hook.TaggedHook[*CollectionEvent] {
	return tagged(app.onCollectionAfterDeleteSuccess, tags)
}

// OnCollectionAfterDeleteError fires after a deletion failed.
func (app *App) OnCollectionAfterDeleteError(tags ...string) *hook.TaggedHook[*CollectionEvent] {
	return tagged(app.onCollectionAfterDeleteError, tags)
}
