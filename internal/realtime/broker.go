// Package realtime is Basalt's subscription broker (spec §7): connected
// clients with bounded queues, their subscriptions, rule-checked fan-out
// of committed record changes and custom messages, and the Bus that
// links the brokers of several nodes. The SSE wire format lives in
// internal/api; this package knows nothing of HTTP.
package realtime

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/basalthq/basalt/core"
	"github.com/basalthq/basalt/core/hook"
	"github.com/basalthq/basalt/core/telemetry"
)

// Reasons a client is disconnected by the broker.
var (
	// ErrAuthDeleted: the client's bound auth record was deleted.
	ErrAuthDeleted = errors.New("realtime: bound auth record deleted")
	// ErrAuthInvalidated: the bound auth record's tokens were invalidated
	// (password or e-mail change, spec §6.3).
	ErrAuthInvalidated = errors.New("realtime: bound auth token invalidated")
	// ErrBrokerClosed: the broker shut down.
	ErrBrokerClosed = errors.New("realtime: broker closed")
	// ErrClientClosed: the connection ended normally.
	ErrClientClosed = errors.New("realtime: connection closed")
	// ErrAuthMismatch is returned by BindAuth when a client with a bound
	// auth is asked to switch to another (or no) auth (spec §7.2).
	ErrAuthMismatch = errors.New("realtime: auth mismatch")
)

// HookId is the reserved handler id the broker binds to the model hooks
// with (DESIGN §6); binding twice replaces, never duplicates.
const HookId = "__basalt_realtime__"

// Renderer serialises the record object of an event for one group of
// subscribers sharing the same visibility, expand and fields. The API
// layer provides one that applies expand and fields exactly like the REST
// endpoints; the default renders the plain record.
type Renderer interface {
	// RenderRecord returns the JSON of rec (a private copy the renderer
	// may change).
	RenderRecord(ctx context.Context, rec *core.Record, opts RenderOptions) ([]byte, error)
}

// RenderOptions is what one group of subscribers asks of a record.
type RenderOptions struct {
	// Auth is the subscriber's auth (nil for guests); expanded relations
	// are filtered by their viewRules for it.
	Auth *core.Record
	// ShowEmail shows an auth record's e-mail regardless of
	// emailVisibility (self, superuser, manager).
	ShowEmail bool
	Expand    string
	Fields    string
	Query     map[string]string
	Headers   map[string]string
}

// JSONRenderer renders the record with its public fields only.
type JSONRenderer struct{}

var _ Renderer = JSONRenderer{}

// RenderRecord implements Renderer.
func (JSONRenderer) RenderRecord(_ context.Context, rec *core.Record, opts RenderOptions) ([]byte, error) {
	rec.Unhide(false)
	rec.ShowEmail(opts.ShowEmail)
	return json.Marshal(rec)
}

// Config configures a Broker. Zero values mean the defaults.
type Config struct {
	// QueueSize bounds each client's pending messages (default 1024);
	// a client that falls further behind is disconnected.
	QueueSize int
	// Workers is the number of dispatch goroutines (default 4). Changes of
	// one record always go to the same worker, so they stay in order.
	Workers int
	// Bus links brokers of several nodes (default: a private LocalBus).
	Bus Bus
	// Renderer serialises records (default JSONRenderer).
	Renderer Renderer
	// EvalTimeout bounds the rule queries of one event (default 10s).
	EvalTimeout time.Duration
	// Logger receives disconnects of slow clients (default app logger).
	Logger *slog.Logger
	// TrimAfter is the client count past which the broker returns memory
	// to the operating system once half of the clients have left
	// (default 1,000; negative: never).
	TrimAfter int
	// TrimDelay is how long after that moment the memory is released
	// (default 1s), so that the rest of a mass disconnect is included.
	TrimDelay time.Duration
	// Trim releases the memory (default runtime.GC; the runtime returns
	// what it frees to the operating system in the background).
	Trim func()
}

// Broker holds the connected clients and fans committed record changes
// and custom messages out to them. It is safe for concurrent use.
type Broker struct {
	app    *core.App
	cfg    Config
	node   string
	logger *slog.Logger

	mu      sync.RWMutex
	clients map[string]*Client
	byKey   map[string]map[*Subscription]*Client // topic key → subscriptions and their clients
	byAuth  map[string]map[*Client]struct{}      // "collectionId/recordId" → clients

	renderer atomic.Pointer[rendererBox]

	shards   []chan job
	pending  sync.Map // *core.Record → []delivery, delete events between execute and commit
	closed   chan struct{}
	closing  sync.Once
	wg       sync.WaitGroup
	unsubBus func()

	exodus *exodus

	backlog   atomic.Int64 // dispatch jobs enqueued and not yet done
	delivered atomic.Int64
	dropped   atomic.Int64
	// lost counts messages discarded with a slow client's queue (and the
	// one that found it full).
	lost    atomic.Int64
	queries atomic.Int64 // access queries run (tests check the grouping)
}

type rendererBox struct{ r Renderer }

var _ core.Realtime = (*Broker)(nil)

// job is one unit of dispatch work.
type job struct {
	// ready deliveries (deletes, prepared before the row went away)
	deliveries []delivery
	// or a change to evaluate
	action    string
	rec       *core.Record
	candidate bool // rec is a snapshot: evaluate rules against it, not the table
	// or a remote change to load first
	remote *Envelope
}

type delivery struct {
	client *Client
	msg    core.RealtimeMessage
}

type target struct {
	client *Client
	sub    *Subscription
}

// NewBroker returns a running broker for app. Call BindHooks to feed it
// the app's record changes, and Close to stop it.
func NewBroker(app *core.App, cfg Config) *Broker {
	if cfg.QueueSize <= 0 {
		cfg.QueueSize = 1024
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 4
	}
	if cfg.Bus == nil {
		cfg.Bus = NewLocalBus()
	}
	if cfg.Renderer == nil {
		cfg.Renderer = JSONRenderer{}
	}
	if cfg.EvalTimeout <= 0 {
		cfg.EvalTimeout = 10 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = app.Logger()
	}
	b := &Broker{
		app: app, cfg: cfg, node: newClientId(), logger: cfg.Logger,
		clients: map[string]*Client{},
		byKey:   map[string]map[*Subscription]*Client{},
		byAuth:  map[string]map[*Client]struct{}{},
		closed:  make(chan struct{}),
		exodus:  newExodus(cfg.TrimAfter, cfg.TrimDelay, cfg.Trim, cfg.Logger),
	}
	b.renderer.Store(&rendererBox{cfg.Renderer})
	b.shards = make([]chan job, cfg.Workers)
	for i := range b.shards {
		b.shards[i] = make(chan job, 1024)
		b.wg.Add(1)
		go b.worker(b.shards[i])
	}
	b.unsubBus = cfg.Bus.Subscribe(b.receive)
	b.registerMetrics(app.Metrics())
	// The broker dies with its app, whoever created it.
	app.OnTerminate().Bind(&hook.Handler[*core.TerminateEvent]{Id: HookId + ":" + b.node, Func: func(e *core.TerminateEvent) error {
		b.Close()
		return e.Next()
	}})
	return b
}

// SetRenderer replaces the record renderer.
func (b *Broker) SetRenderer(r Renderer) { b.renderer.Store(&rendererBox{r}) }

// NodeId identifies this broker on the bus.
func (b *Broker) NodeId() string { return b.node }

// BindHooks binds the broker to the app's after-commit record hooks (and
// the delete execute hook, to check access while the row still exists)
// with the reserved id HookId, so binding again (or another broker)
// replaces rather than duplicates.
func (b *Broker) BindHooks() {
	app := b.app
	app.OnRecordAfterCreateSuccess().Bind(&hook.Handler[*core.RecordEvent]{Id: HookId, Func: func(e *core.RecordEvent) error {
		b.changed("create", e.Record)
		return e.Next()
	}})
	app.OnRecordAfterUpdateSuccess().Bind(&hook.Handler[*core.RecordEvent]{Id: HookId, Func: func(e *core.RecordEvent) error {
		b.authUpdated(e.Record)
		b.changed("update", e.Record)
		return e.Next()
	}})
	app.OnRecordDeleteExecute().Bind(&hook.Handler[*core.RecordEvent]{Id: HookId, Func: func(e *core.RecordEvent) error {
		rec := e.Record
		if !rec.Collection().IsView() && b.hasSubscribers(rec.Collection(), rec.Id()) {
			// spec §7.4: delete access is checked before the row is removed,
			// inside the deleting transaction (e.Context carries it).
			if ds := b.prepare(e.Context, "delete", snapshot(rec), false); len(ds) > 0 {
				b.pending.Store(rec, ds)
			}
		}
		err := e.Next()
		if err != nil {
			b.pending.Delete(rec)
		}
		return err
	}})
	app.OnRecordAfterDeleteSuccess().Bind(&hook.Handler[*core.RecordEvent]{Id: HookId, Func: func(e *core.RecordEvent) error {
		rec := e.Record
		if v, ok := b.pending.LoadAndDelete(rec); ok {
			b.enqueue(rec.Collection().Id+"/"+rec.Id(), job{deliveries: v.([]delivery)})
		}
		if !rec.Collection().IsView() && b.cfg.Bus.Peers() {
			b.publish(Envelope{Kind: KindRecord, Action: "delete", CollectionId: rec.Collection().Id,
				RecordId: rec.Id(), Snapshot: rec.Data()})
		}
		b.authDeleted(rec)
		return e.Next()
	}})
	app.OnRecordAfterDeleteError().Bind(&hook.Handler[*core.RecordEvent]{Id: HookId, Func: func(e *core.RecordEvent) error {
		b.pending.Delete(e.Record)
		return e.Next()
	}})
}

// Close disconnects every client and stops the workers. It is idempotent.
func (b *Broker) Close() {
	b.closing.Do(func() {
		close(b.closed)
		b.unsubBus()
		b.wg.Wait()
		b.mu.RLock()
		all := make([]*Client, 0, len(b.clients))
		for _, c := range b.clients {
			all = append(all, c)
		}
		b.mu.RUnlock()
		for _, c := range all {
			b.drop(c, ErrBrokerClosed)
		}
	})
}

// NewClient registers a new client with a fresh id.
func (b *Broker) NewClient() *Client {
	c := &Client{id: newClientId(), broker: b, subs: map[string]*Subscription{}, akey: authKey(nil), max: b.cfg.QueueSize,
		notify: make(chan struct{}, 1), done: make(chan struct{})}
	select {
	case <-b.closed:
		c.kill(ErrBrokerClosed)
		return c
	default:
	}
	b.mu.Lock()
	b.clients[c.id] = c
	n := len(b.clients)
	b.mu.Unlock()
	b.exodus.count(n)
	return c
}

// Lookup returns a connected client by id.
func (b *Broker) Lookup(id string) (*Client, bool) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	c, ok := b.clients[id]
	return c, ok
}

// Client implements core.Realtime.
func (b *Broker) Client(id string) (core.RealtimeClient, bool) {
	c, ok := b.Lookup(id)
	if !ok {
		return nil, false
	}
	return c, true
}

// Len returns the number of connected clients.
func (b *Broker) Len() int {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return len(b.clients)
}

// Stats are counters of a broker since it started.
type Stats struct {
	// Delivered counts messages queued to clients.
	Delivered int64
	// SlowDisconnects counts clients dropped for falling behind.
	SlowDisconnects int64
	// RuleQueries counts access-check queries (grouping keeps it low).
	RuleQueries int64
	// MemoryReleases counts the times memory was returned to the
	// operating system after most clients had left (Config.TrimAfter).
	MemoryReleases int
}

// Stats returns the broker's counters.
func (b *Broker) Stats() Stats {
	return Stats{Delivered: b.delivered.Load(), SlowDisconnects: b.dropped.Load(), RuleQueries: b.queries.Load(),
		MemoryReleases: b.exodus.releases()}
}

// registerMetrics reports the broker on m; the values are read at scrape
// time, so fan-out pays nothing for them.
func (b *Broker) registerMetrics(m *telemetry.Metrics) {
	m.Func(telemetry.Gauge, "realtime_clients", "Connected realtime (SSE) clients.", nil,
		func() float64 { return float64(b.Len()) })
	m.Func(telemetry.Gauge, "realtime_subscriptions", "Subscriptions of the connected realtime clients.", nil,
		func() float64 { return float64(b.subscriptionCount()) })
	m.Func(telemetry.Counter, "realtime_events_delivered_total", "Realtime messages handed to clients.", nil,
		func() float64 { return float64(b.delivered.Load()) })
	m.Func(telemetry.Counter, "realtime_events_dropped_total", "Realtime messages discarded with the queue of a client too slow to keep up.", nil,
		func() float64 { return float64(b.lost.Load()) })
	m.Func(telemetry.Counter, "realtime_slow_disconnects_total", "Realtime clients disconnected for falling behind.", nil,
		func() float64 { return float64(b.dropped.Load()) })
}

// subscriptionCount sums the subscriptions of the connected clients.
func (b *Broker) subscriptionCount() int {
	b.mu.RLock()
	defer b.mu.RUnlock()
	n := 0
	for _, c := range b.clients {
		c.mu.Lock()
		n += len(c.subs)
		c.mu.Unlock()
	}
	return n
}

// Disconnect removes c (the connection ended); its queue is discarded.
func (b *Broker) Disconnect(c *Client) { b.drop(c, ErrClientClosed) }

func (b *Broker) drop(c *Client, reason error) {
	if !c.kill(reason) {
		return
	}
	if errors.Is(reason, ErrSlowClient) {
		b.dropped.Add(1)
		b.logger.Warn("realtime: disconnecting slow client", "clientId", c.id, "queue", c.max)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.clients, c.id)
	b.exodus.count(len(b.clients))
	c.mu.Lock()
	subs := c.subs
	auth := c.auth
	c.subs = map[string]*Subscription{}
	c.mu.Unlock()
	for _, s := range subs {
		b.unindex(s)
	}
	if auth != nil {
		b.unindexAuth(c, authKey(auth))
	}
}

func (b *Broker) unindex(s *Subscription) {
	m := b.byKey[s.key]
	if m == nil {
		return
	}
	delete(m, s)
	if len(m) == 0 {
		delete(b.byKey, s.key)
	}
}

func (b *Broker) unindexAuth(c *Client, key string) {
	if m := b.byAuth[key]; m != nil {
		delete(m, c)
		if len(m) == 0 {
			delete(b.byAuth, key)
		}
	}
}

// SetSubscriptions replaces c's subscriptions with subs (empty strings
// skipped, duplicates merged).
func (b *Broker) SetSubscriptions(c *Client, subs []string) error {
	parsed := make(map[string]*Subscription, len(subs))
	for _, raw := range subs {
		if raw == "" {
			continue
		}
		if _, ok := parsed[raw]; !ok {
			parsed[raw] = ParseSubscription(raw)
		}
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	c.mu.Lock()
	if c.gone {
		c.mu.Unlock()
		return ErrClientGone
	}
	old := c.subs
	c.subs = parsed
	c.mu.Unlock()
	for _, s := range old {
		b.unindex(s)
	}
	for _, s := range parsed {
		m := b.byKey[s.key]
		if m == nil {
			m = map[*Subscription]*Client{}
			b.byKey[s.key] = m
		}
		m[s] = c
	}
	return nil
}

// BindAuth stores auth on c (spec §7.2): guest → any auth is allowed, a
// bound auth may only be confirmed by the same record (ErrAuthMismatch).
func (b *Broker) BindAuth(c *Client, auth *core.Record) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gone {
		return ErrClientGone
	}
	if c.auth != nil {
		if auth == nil || authKey(auth) != authKey(c.auth) {
			return ErrAuthMismatch
		}
	}
	if c.auth != nil {
		b.unindexAuth(c, authKey(c.auth))
	}
	if auth != nil {
		auth = snapshot(auth) // a private copy: callers keep changing theirs
	}
	c.auth = auth
	c.akey = authKey(auth)
	if auth != nil {
		k := c.akey
		m := b.byAuth[k]
		if m == nil {
			m = map[*Client]struct{}{}
			b.byAuth[k] = m
		}
		m[c] = struct{}{}
	}
	return nil
}

func authKey(r *core.Record) string {
	if r == nil {
		return "guest"
	}
	return r.Collection().Id + "/" + r.Id()
}

func isSuperuser(r *core.Record) bool {
	return r != nil && r.Collection().Id == core.SuperusersCollectionId
}

// authUpdated refreshes the stored copy of a bound auth record, or
// disconnects its clients when its tokens were invalidated.
func (b *Broker) authUpdated(rec *core.Record) {
	if !rec.Collection().IsAuth() {
		return
	}
	clients := b.authClients(authKey(rec))
	if len(clients) == 0 {
		return
	}
	fresh := snapshot(rec)
	for _, c := range clients {
		c.mu.Lock()
		old := c.auth
		invalid := old != nil && old.GetString(core.FieldTokenKey) != fresh.GetString(core.FieldTokenKey)
		if !invalid {
			c.auth = fresh
		}
		c.mu.Unlock()
		if invalid {
			b.drop(c, ErrAuthInvalidated)
		}
	}
}

func (b *Broker) authDeleted(rec *core.Record) {
	if !rec.Collection().IsAuth() {
		return
	}
	for _, c := range b.authClients(authKey(rec)) {
		b.drop(c, ErrAuthDeleted)
	}
}

func (b *Broker) authClients(key string) []*Client {
	b.mu.RLock()
	defer b.mu.RUnlock()
	m := b.byAuth[key]
	out := make([]*Client, 0, len(m))
	for c := range m {
		out = append(out, c)
	}
	return out
}
