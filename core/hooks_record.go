package core

import "github.com/basalthq/basalt/core/hook"

// OnRecordValidate fires when a record is validated before a save.
func (app *App) OnRecordValidate(tags ...string) *hook.TaggedHook[*RecordEvent] {
	return tagged(app.onRecordValidate, tags)
}

// OnRecordCreate wraps the whole creation of a record (validation
// included); fires for every create whatever its origin.
func (app *App) OnRecordCreate(tags ...string) *hook.TaggedHook[*RecordEvent] {
	return tagged(app.onRecordCreate, tags)
}

// OnRecordCreateExecute wraps the database insert.
func (app *App) OnRecordCreateExecute(tags ...string) *hook.TaggedHook[*RecordEvent] {
	return tagged(app.onRecordCreateExecute, tags)
}

// OnRecordAfterCreateSuccess fires after the insert committed.
func (app *App) OnRecordAfterCreateSuccess(tags ...string) *hook.TaggedHook[*RecordEvent] {
	return tagged(app.onRecordAfterCreateSuccess, tags)
}

// OnRecordAfterCreateError fires after a create failed or rolled back.
func (app *App) OnRecordAfterCreateError(tags ...string) *hook.TaggedHook[*RecordEvent] {
	return tagged(app.onRecordAfterCreateError, tags)
}

// OnRecordUpdate wraps the whole update of a record.
func (app *App) OnRecordUpdate(tags ...string) *hook.TaggedHook[*RecordEvent] {
	return tagged(app.onRecordUpdate, tags)
}

// OnRecordUpdateExecute wraps the database update.
func (app *App) OnRecordUpdateExecute(tags ...string) *hook.TaggedHook[*RecordEvent] {
	return tagged(app.onRecordUpdateExecute, tags)
}

// OnRecordAfterUpdateSuccess fires after the update committed.
func (app *App) OnRecordAfterUpdateSuccess(tags ...string) *hook.TaggedHook[*RecordEvent] {
	return tagged(app.onRecordAfterUpdateSuccess, tags)
}

// OnRecordAfterUpdateError fires after an update failed or rolled back.
func (app *App) OnRecordAfterUpdateError(tags ...string) *hook.TaggedHook[*RecordEvent] {
	return tagged(app.onRecordAfterUpdateError, tags)
}

// OnRecordDelete wraps the whole deletion of a record.
func (app *App) OnRecordDelete(tags ...string) *hook.TaggedHook[*RecordEvent] {
	return tagged(app.onRecordDelete, tags)
}

// OnRecordDeleteExecute wraps the database delete.
func (app *App) OnRecordDeleteExecute(tags ...string) *hook.TaggedHook[*RecordEvent] {
	return tagged(app.onRecordDeleteExecute, tags)
}

// OnRecordAfterDeleteSuccess fires after the delete committed.
func (app *App) OnRecordAfterDeleteSuccess(tags ...string) *hook.TaggedHook[*RecordEvent] {
	return tagged(app.onRecordAfterDeleteSuccess, tags)
}

// OnRecordAfterDeleteError fires after a delete failed or rolled back.
func (app *App) OnRecordAfterDeleteError(tags ...string) *hook.TaggedHook[*RecordEvent] {
	return tagged(app.onRecordAfterDeleteError, tags)
}

// OnRecordsListRequest wraps GET /api/collections/{c}/records.
func (app *App) OnRecordsListRequest(tags ...string) *hook.TaggedHook[*RecordsListRequestEvent] {
	return tagged(app.onRecordsListRequest, tags)
}

// OnRecordViewRequest wraps GET /api/collections/{c}/records/{id}.
func (app *App) OnRecordViewRequest(tags ...string) *hook.TaggedHook[*RecordRequestEvent] {
	return tagged(app.onRecordViewRequest, tags)
}

// OnRecordCreateRequest wraps POST /api/collections/{c}/records.
func (app *App) OnRecordCreateRequest(tags ...string) *hook.TaggedHook[*RecordRequestEvent] {
	return tagged(app.onRecordCreateRequest, tags)
}

// OnRecordUpdateRequest wraps PATCH /api/collections/{c}/records/{id}.
func (app *App) OnRecordUpdateRequest(tags ...string) *hook.TaggedHook[*RecordRequestEvent] {
	return tagged(app.onRecordUpdateRequest, tags)
}

// OnRecordDeleteRequest wraps DELETE /api/collections/{c}/records/{id}.
func (app *App) OnRecordDeleteRequest(tags ...string) *hook.TaggedHook[*RecordRequestEvent] {
	return tagged(app.onRecordDeleteRequest, tags)
}

// TriggerRecordsListRequest runs the list-request chain with final as the
// default handler (the HTTP layer calls it).
func (app *App) TriggerRecordsListRequest(e *RecordsListRequestEvent, final func(*RecordsListRequestEvent) error) error {
	return app.onRecordsListRequest.Trigger(e, final)
}

// Record request kinds for TriggerRecordRequest.
const (
	RequestView   = "view"
	RequestCreate = "create"
	RequestUpdate = "update"
	RequestDelete = "delete"
)

// TriggerRecordRequest runs the view/create/update/delete request chain
// with final as the default handler.
func (app *App) TriggerRecordRequest(kind string, e *RecordRequestEvent, final func(*RecordRequestEvent) error) error {
	var h *hook.Hook[*RecordRequestEvent]
	switch kind {
	case RequestView:
		h = app.onRecordViewRequest
	case RequestCreate:
		h = app.onRecordCreateRequest
	case RequestUpdate:
		h = app.onRecordUpdateRequest
	case RequestDelete:
		h = app.onRecordDeleteRequest
	default:
		panic("core: unknown record request " + kind)
	}
	return h.Trigger(e, final)
}
