package core

import (
	"context"
	"sync"
	"time"

	"github.com/basalthq/basalt/core/hook"
)

// RealtimeMessage is one SSE message: Name becomes the "event:" line and
// Data (single-line JSON) the "data:" line (spec §7.1).
type RealtimeMessage struct {
	Name string
	Data []byte
}

// RealtimeClient is one connected SSE client as hooks and Go code see it.
// internal/realtime implements it.
type RealtimeClient interface {
	// Id returns the 40-character client id (the SSE "id:" line).
	Id() string
	// Auth returns the auth record bound by the last subscribe request
	// (nil for guests).
	Auth() *Record
	// Subscriptions returns the current subscription strings, as submitted.
	Subscriptions() []string
	// HasSubscription reports whether sub (exact string, or a topic
	// without options) is among the subscriptions.
	HasSubscription(sub string) bool
	// Unsubscribe removes the given subscriptions (exact strings or bare
	// topics); with no arguments it removes all of them.
	Unsubscribe(subs ...string)
	// Send queues a message for the client. It never blocks: a client
	// whose buffer is full is disconnected and an error returned.
	Send(msg RealtimeMessage) error
}

// Realtime is the realtime broker as core and user code see it: the Go
// API for custom messages (issue "Realtime subscriptions", item 4). The
// server installs one with SetRealtime; internal/realtime provides it.
type Realtime interface {
	// Send JSON-encodes data once and delivers it to every client
	// subscribed to topic (on every node); the event name of each delivery
	// is the client's exact subscription string.
	Send(topic string, data any) error
	// SendToClient JSON-encodes data and delivers it as event name to one
	// client; ErrRealtimeClientNotFound when no node holds the client.
	SendToClient(clientId, name string, data any) error
	// Client returns a client connected to this node.
	Client(clientId string) (RealtimeClient, bool)
}

// ErrRealtimeClientNotFound is returned for unknown client ids (spec §7.2).
var ErrRealtimeClientNotFound = NewNotFoundError("Missing or invalid client id.")

// RealtimeConnectRequestEvent fires on GET /api/realtime before the stream
// starts; the final handler runs the stream until it ends. Handlers may
// shorten IdleTimeout or change WriteTimeout and MaxLifetime.
type RealtimeConnectRequestEvent struct {
	RequestEvent
	Client RealtimeClient
	// IdleTimeout closes the stream when nothing was sent for this long
	// (default 5 minutes, spec §7.1).
	IdleTimeout time.Duration
	// WriteTimeout bounds each write to the stream: a client that stops
	// reading while keeping its connection open is cut off after it. It
	// applies to one write at a time (every write gets a fresh one), never
	// to the stream's life or its quiet periods (default 60 s).
	WriteTimeout time.Duration
	// MaxLifetime, when positive, closes the stream after this long
	// whatever its traffic (default off: the spec sets no such limit).
	MaxLifetime time.Duration
}

// RealtimeSubscribeRequestEvent fires on POST /api/realtime after the
// body and auth binding were checked; handlers may change Subscriptions
// before the final handler applies them.
type RealtimeSubscribeRequestEvent struct {
	RequestEvent
	Client        RealtimeClient
	Subscriptions []string
}

// RealtimeMessageEvent fires before each message is written to a client's
// stream (PB_CONNECT included). Handlers may change Message; a handler
// that does not call Next drops the message.
type RealtimeMessageEvent struct {
	hook.Event
	App     *App
	Context context.Context
	Client  RealtimeClient
	Message *RealtimeMessage
}

// realtimeState holds the realtime hook points and broker of one App.
// It lives beside App (keyed by pointer) so the realtime feature stays in
// its own file.
type realtimeState struct {
	mu          sync.RWMutex
	rt          Realtime
	onConnect   *hook.Hook[*RealtimeConnectRequestEvent]
	onSubscribe *hook.Hook[*RealtimeSubscribeRequestEvent]
	onMessage   *hook.Hook[*RealtimeMessageEvent]
}

func (app *App) realtimeState() *realtimeState {
	app.realtimeOnce.Do(func() {
		app.realtimeVal = &realtimeState{
			onConnect:   &hook.Hook[*RealtimeConnectRequestEvent]{},
			onSubscribe: &hook.Hook[*RealtimeSubscribeRequestEvent]{},
			onMessage:   &hook.Hook[*RealtimeMessageEvent]{},
		}
	})
	return app.realtimeVal
}

// SetRealtime installs the realtime broker (the server does this once).
func (app *App) SetRealtime(r Realtime) {
	st := app.realtimeState()
	st.mu.Lock()
	st.rt = r
	st.mu.Unlock()
}

// Realtime returns the installed broker, nil when none.
func (app *App) Realtime() Realtime {
	st := app.realtimeState()
	st.mu.RLock()
	defer st.mu.RUnlock()
	return st.rt
}

// OnRealtimeConnectRequest wraps GET /api/realtime (the whole stream).
func (app *App) OnRealtimeConnectRequest() *hook.Hook[*RealtimeConnectRequestEvent] {
	return app.realtimeState().onConnect
}

// OnRealtimeSubscribeRequest wraps POST /api/realtime.
func (app *App) OnRealtimeSubscribeRequest() *hook.Hook[*RealtimeSubscribeRequestEvent] {
	return app.realtimeState().onSubscribe
}

// OnRealtimeMessageSend fires before every message written to a client.
func (app *App) OnRealtimeMessageSend() *hook.Hook[*RealtimeMessageEvent] {
	return app.realtimeState().onMessage
}

// TriggerRealtimeConnectRequest runs the connect chain with final as the
// default handler (the HTTP layer calls it).
func (app *App) TriggerRealtimeConnectRequest(e *RealtimeConnectRequestEvent, final func(*RealtimeConnectRequestEvent) error) error {
	return app.realtimeState().onConnect.Trigger(e, final)
}

// TriggerRealtimeSubscribeRequest runs the subscribe chain with final as
// the default handler.
func (app *App) TriggerRealtimeSubscribeRequest(e *RealtimeSubscribeRequestEvent, final func(*RealtimeSubscribeRequestEvent) error) error {
	return app.realtimeState().onSubscribe.Trigger(e, final)
}

// TriggerRealtimeMessageSend runs the message chain with final (the
// write) as the default handler; with no handlers bound it calls final
// directly, so the hot path costs nothing extra.
func (app *App) TriggerRealtimeMessageSend(e *RealtimeMessageEvent, final func(*RealtimeMessageEvent) error) error {
	h := app.realtimeState().onMessage
	if h.Length() == 0 {
		return final(e)
	}
	return h.Trigger(e, final)
}
