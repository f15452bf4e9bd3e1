package core

import "github.com/basalthq/basalt/core/hook"

// This file holds the request hooks of the collection, settings and
// batch endpoints (issue #25 item 4). Like the record request hooks,
// the endpoint's default action is the chain's final handler: a handler
// that returns an error answers it in the API error shape, one that
// does not call e.Next() stops the default action (it must then write a
// response itself with e.JSON, or the client gets an empty 200).

// CollectionsListRequestEvent wraps GET /api/collections after filtering
// and paging; handlers may change Collections (the page) or Result.
type CollectionsListRequestEvent struct {
	RequestEvent
	Collections []*Collection
	Result      *ListResult
}

// CollectionRequestEvent wraps a collection view, create, update or
// delete request. For create and update, Collection is the collection
// about to be saved (handlers may change it).
type CollectionRequestEvent struct {
	RequestEvent
	Collection *Collection
}

// Tags returns the collection id and name.
func (e *CollectionRequestEvent) Tags() []string { return collectionTags(e.Collection) }

// SettingsListRequestEvent wraps GET /api/settings; Settings is the
// redacted copy about to be answered (handlers may change it).
type SettingsListRequestEvent struct {
	RequestEvent
	Settings *Settings
}

// SettingsUpdateRequestEvent wraps PATCH /api/settings; NewSettings is
// the patched copy about to be saved (handlers may change it).
type SettingsUpdateRequestEvent struct {
	RequestEvent
	OldSettings *Settings
	NewSettings *Settings
}

// BatchRequest is one sub-request of a batch as the client sent it.
type BatchRequest struct {
	Method  string
	URL     string
	Body    map[string]any
	Headers map[string]string
}

// BatchRequestEvent wraps POST /api/batch after its body was read and
// validated, before the transaction runs; handlers may inspect or change
// the sub-requests (each record sub-request still fires its own hooks).
type BatchRequestEvent struct {
	RequestEvent
	Requests []*BatchRequest
}

// Collection request kinds for TriggerCollectionRequest.
const (
	CollectionRequestView   = "view"
	CollectionRequestCreate = "create"
	CollectionRequestUpdate = "update"
	CollectionRequestDelete = "delete"
)

type requestHooks struct {
	collectionsList  hook.Hook[*CollectionsListRequestEvent]
	collectionView   hook.Hook[*CollectionRequestEvent]
	collectionCreate hook.Hook[*CollectionRequestEvent]
	collectionUpdate hook.Hook[*CollectionRequestEvent]
	collectionDelete hook.Hook[*CollectionRequestEvent]
	settingsList     hook.Hook[*SettingsListRequestEvent]
	settingsUpdate   hook.Hook[*SettingsUpdateRequestEvent]
	batch            hook.Hook[*BatchRequestEvent]
}

// OnCollectionsListRequest wraps GET /api/collections.
func (app *App) OnCollectionsListRequest() *hook.Hook[*CollectionsListRequestEvent] {
	return &app.extras().req.collectionsList
}

// OnCollectionViewRequest wraps GET /api/collections/{collection}.
func (app *App) OnCollectionViewRequest(tags ...string) *hook.TaggedHook[*CollectionRequestEvent] {
	return tagged(&app.extras().req.collectionView, tags)
}

// OnCollectionCreateRequest wraps POST /api/collections; the collection
// is saved (with the OnCollection*/OnModel* hooks) by the default action.
func (app *App) OnCollectionCreateRequest(tags ...string) *hook.TaggedHook[*CollectionRequestEvent] {
	return tagged(&app.extras().req.collectionCreate, tags)
}

// OnCollectionUpdateRequest wraps PATCH /api/collections/{collection}.
func (app *App) OnCollectionUpdateRequest(tags ...string) *hook.TaggedHook[*CollectionRequestEvent] {
	return tagged(&app.extras().req.collectionUpdate, tags)
}

// OnCollectionDeleteRequest wraps DELETE /api/collections/{collection}.
func (app *App) OnCollectionDeleteRequest(tags ...string) *hook.TaggedHook[*CollectionRequestEvent] {
	return tagged(&app.extras().req.collectionDelete, tags)
}

// OnSettingsListRequest wraps GET /api/settings.
func (app *App) OnSettingsListRequest() *hook.Hook[*SettingsListRequestEvent] {
	return &app.extras().req.settingsList
}

// OnSettingsUpdateRequest wraps PATCH /api/settings; saving (and
// OnSettingsUpdate) is the default action.
func (app *App) OnSettingsUpdateRequest() *hook.Hook[*SettingsUpdateRequestEvent] {
	return &app.extras().req.settingsUpdate
}

// OnBatchRequest wraps POST /api/batch; running the transaction is the
// default action.
func (app *App) OnBatchRequest() *hook.Hook[*BatchRequestEvent] {
	return &app.extras().req.batch
}

// TriggerCollectionsListRequest runs OnCollectionsListRequest with final
// as the default action.
func (app *App) TriggerCollectionsListRequest(e *CollectionsListRequestEvent, final func(*CollectionsListRequestEvent) error) error {
	return app.extras().req.collectionsList.Trigger(e, final)
}

// TriggerCollectionRequest runs the view/create/update/delete collection
// request chain of kind (CollectionRequest*) with final as the default.
func (app *App) TriggerCollectionRequest(kind string, e *CollectionRequestEvent, final func(*CollectionRequestEvent) error) error {
	r := &app.extras().req
	h := &r.collectionView
	switch kind {
	case CollectionRequestCreate:
		h = &r.collectionCreate
	case CollectionRequestUpdate:
		h = &r.collectionUpdate
	case CollectionRequestDelete:
		h = &r.collectionDelete
	}
	return h.Trigger(e, final)
}

// TriggerSettingsListRequest runs OnSettingsListRequest.
func (app *App) TriggerSettingsListRequest(e *SettingsListRequestEvent, final func(*SettingsListRequestEvent) error) error {
	return app.extras().req.settingsList.Trigger(e, final)
}

// TriggerSettingsUpdateRequest runs OnSettingsUpdateRequest.
func (app *App) TriggerSettingsUpdateRequest(e *SettingsUpdateRequestEvent, final func(*SettingsUpdateRequestEvent) error) error {
	return app.extras().req.settingsUpdate.Trigger(e, final)
}

// TriggerBatchRequest runs OnBatchRequest.
func (app *App) TriggerBatchRequest(e *BatchRequestEvent, final func(*BatchRequestEvent) error) error {
	return app.extras().req.batch.Trigger(e, final)
}
