package realtime

import (
	"context"
	"sync"
)

// EnvelopeKind says what an Envelope carries.
type EnvelopeKind int

// Envelope kinds.
const (
	// KindRecord is a committed record change: every node evaluates the
	// rules for its own clients.
	KindRecord EnvelopeKind = iota + 1
	// KindTopic is a custom message for every client subscribed to Topic.
	KindTopic
	// KindClient is a custom message for one client, wherever it is.
	KindClient
)

// Envelope is what nodes tell each other. It holds plain data only, so a
// network bus can encode it as JSON.
type Envelope struct {
	// Node is the id of the publishing broker; brokers ignore their own.
	Node string       `json:"node"`
	Kind EnvelopeKind `json:"kind"`

	// Record changes: Action is "create", "update" or "delete"; Snapshot
	// holds the record's field values as written (receivers render it,
	// and check rules against it when the row is gone).
	Action       string         `json:"action,omitempty"`
	CollectionId string         `json:"collectionId,omitempty"`
	RecordId     string         `json:"recordId,omitempty"`
	Snapshot     map[string]any `json:"snapshot,omitempty"`

	// Custom messages.
	Topic    string `json:"topic,omitempty"`
	ClientId string `json:"clientId,omitempty"`
	Name     string `json:"name,omitempty"`
	Data     []byte `json:"data,omitempty"`
}

// Bus connects the brokers of several nodes. The in-process LocalBus
// serves one process (or tests with several brokers); a PostgreSQL
// LISTEN/NOTIFY or NATS implementation adds real nodes without touching
// the broker or the SSE handler.
type Bus interface {
	// Publish sends env to every other subscriber. It must not block on
	// slow receivers for long.
	Publish(ctx context.Context, env Envelope) error
	// Subscribe registers fn for envelopes published by others and
	// returns a function that removes it.
	Subscribe(fn func(Envelope)) (unsubscribe func())
	// Peers reports whether anyone besides the caller may receive
	// messages, so a lone node skips building envelopes.
	Peers() bool
}

// LocalBus is an in-process Bus: Publish calls every subscriber
// synchronously on the caller's goroutine.
type LocalBus struct {
	mu   sync.RWMutex
	seq  int
	subs map[int]func(Envelope)
}

var _ Bus = (*LocalBus)(nil)

// NewLocalBus returns an empty in-process bus.
func NewLocalBus() *LocalBus { return &LocalBus{subs: map[int]func(Envelope){}} }

// Publish implements Bus.
func (b *LocalBus) Publish(_ context.Context, env Envelope) error {
	b.mu.RLock()
	fns := make([]func(Envelope), 0, len(b.subs))
	for _, fn := range b.subs {
		fns = append(fns, fn)
	}
	b.mu.RUnlock()
	for _, fn := range fns {
		fn(env)
	}
	return nil
}

// Subscribe implements Bus.
func (b *LocalBus) Subscribe(fn func(Envelope)) func() {
	b.mu.Lock()
	b.seq++
	id := b.seq
	b.subs[id] = fn
	b.mu.Unlock()
	return func() {
		b.mu.Lock()
		delete(b.subs, id)
		b.mu.Unlock()
	}
}

// Peers implements Bus: true when more than one broker is attached.
func (b *LocalBus) Peers() bool {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return len(b.subs) > 1
}
