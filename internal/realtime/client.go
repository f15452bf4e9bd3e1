package realtime

import (
	"crypto/rand"
	"errors"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/basalthq/basalt/core"
)

// ErrClientGone is returned when sending to a client that was
// disconnected.
var ErrClientGone = errors.New("realtime: client disconnected")

// ErrSlowClient is the reason a client is disconnected when it fell
// behind past its buffer.
var ErrSlowClient = errors.New("realtime: client fell behind its buffer")

// Client is one SSE connection: its subscriptions, bound auth and a
// bounded message queue drained by the connection's writer. The queue
// grows on demand up to its limit, so idle clients cost almost nothing;
// a client that falls behind past the limit is disconnected rather than
// silently losing events.
type Client struct {
	id     string
	broker *Broker

	mu     sync.Mutex
	auth   *core.Record
	akey   string                   // authKey(auth), kept with it
	subs   map[string]*Subscription // by raw string
	queue  []core.RealtimeMessage
	spare  []core.RealtimeMessage
	max    int
	gone   bool
	reason error
	abort  func() // see OnDisconnect

	notify chan struct{} // cap 1: "queue not empty"
	done   chan struct{} // closed on disconnect

	// wmu is held by whoever writes to the connection: the stream
	// goroutine (Drain) or a sender writing directly. A sender only ever
	// TryLocks it, so a slow connection never blocks a sender.
	wmu    sync.Mutex
	direct atomic.Pointer[DirectWriter]
}

// DirectWriter writes msg to the client's connection from the sender's
// goroutine without blocking. It reports whether msg was taken (written,
// or partly written with the rest kept by the writer) and whether the
// stream goroutine must be woken to finish or to fail the connection.
// When it returns taken == false nothing was written and msg is queued.
type DirectWriter func(msg core.RealtimeMessage) (taken, wake bool)

var _ core.RealtimeClient = (*Client)(nil)

const idAlphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

// newClientId returns 40 random alphanumeric characters (spec §7.1).
func newClientId() string {
	var b [40]byte
	_, _ = rand.Read(b[:])
	for i := range b {
		// 62 does not divide 256 evenly; the tiny bias is irrelevant for
		// an unguessable connection id of 238 bits.
		b[i] = idAlphabet[int(b[i])%len(idAlphabet)]
	}
	return string(b[:])
}

// Id returns the client id.
func (c *Client) Id() string { return c.id }

// Auth returns the bound auth record (nil for guests).
func (c *Client) Auth() *core.Record {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.auth
}

// authState returns the bound auth record and its key.
func (c *Client) authState() (*core.Record, string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.auth, c.akey
}

// Subscriptions returns the subscription strings in no particular order.
func (c *Client) Subscriptions() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]string, 0, len(c.subs))
	for k := range c.subs {
		out = append(out, k)
	}
	return out
}

// HasSubscription reports whether sub is an exact subscription string or
// the topic of one.
func (c *Client) HasSubscription(sub string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.subs[sub]; ok {
		return true
	}
	for _, s := range c.subs {
		if s.Topic == sub {
			return true
		}
	}
	return false
}

// Unsubscribe removes subscriptions by exact string or topic; with no
// arguments, all of them.
func (c *Client) Unsubscribe(subs ...string) {
	c.mu.Lock()
	cur := make([]*Subscription, 0, len(c.subs))
	for _, s := range c.subs {
		if len(subs) > 0 && !slices.Contains(subs, s.Raw) && !slices.Contains(subs, s.Topic) {
			cur = append(cur, s)
		}
	}
	c.mu.Unlock()
	raws := make([]string, len(cur))
	for i, s := range cur {
		raws[i] = s.Raw
	}
	c.broker.SetSubscriptions(c, raws)
}

// SetDirect installs (or with nil removes) the client's direct writer.
// It returns once no direct write is in progress, so the connection may
// be closed after SetDirect(nil).
func (c *Client) SetDirect(w DirectWriter) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if w == nil {
		c.direct.Store(nil)
		return
	}
	c.direct.Store(&w)
}

// Send delivers msg without blocking. When the client has a direct
// writer, nothing is queued and nobody is writing, the message is written
// at once on the caller's goroutine: a broadcast then costs one write
// per subscriber instead of a wake-up and a write. Otherwise it is
// queued for the stream goroutine; a full queue disconnects the client.
func (c *Client) Send(msg core.RealtimeMessage) error { return c.send(msg, true) }

// send is Send; with direct false the message is always queued, so a
// backlogged stream writes many messages at once.
func (c *Client) send(msg core.RealtimeMessage, direct bool) error {
	if w := c.direct.Load(); direct && w != nil && c.wmu.TryLock() {
		taken, wake := c.writeDirect(w, msg)
		if wake {
			c.Wake()
		}
		if taken {
			return nil
		}
	}
	c.mu.Lock()
	if c.gone {
		c.mu.Unlock()
		return ErrClientGone
	}
	if len(c.queue) >= c.max {
		c.broker.lost.Add(int64(len(c.queue)) + 1)
		c.mu.Unlock()
		c.broker.drop(c, ErrSlowClient)
		return ErrSlowClient
	}
	c.queue = append(c.queue, msg)
	c.mu.Unlock()
	select {
	case c.notify <- struct{}{}:
	default:
	}
	return nil
}

// writeDirect runs w with the write lock TryLock took, and releases it
// even when w panics: a lock left held would block the stream (Drain)
// and SetDirect forever. The panic goes on to the sender's recover.
func (c *Client) writeDirect(w *DirectWriter, msg core.RealtimeMessage) (taken, wake bool) {
	defer c.wmu.Unlock()
	c.mu.Lock()
	idle := !c.gone && len(c.queue) == 0
	c.mu.Unlock()
	if idle {
		taken, wake = (*w)(msg)
	}
	return taken, wake
}

// Ready is signalled when messages are waiting, when the client is
// disconnected, and on Wake; call Take (and check Done) then.
func (c *Client) Ready() <-chan struct{} { return c.notify }

// Wake signals Ready without queuing anything, so a writer that waits on
// Ready alone can re-check its own conditions (deadlines, a closed
// request).
func (c *Client) Wake() {
	select {
	case c.notify <- struct{}{}:
	default:
	}
}

// Gone reports whether the client was disconnected.
func (c *Client) Gone() bool {
	select {
	case <-c.done:
		return true
	default:
		return false
	}
}

// Done is closed when the client is disconnected (slow, auth deleted,
// broker closed); Err tells why.
func (c *Client) Done() <-chan struct{} { return c.done }

// Err returns why the client was disconnected (nil while connected).
func (c *Client) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.reason
}

// Take returns the queued messages and empties the queue. The returned
// slice is valid until the next Take.
func (c *Client) Take() []core.RealtimeMessage {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := c.queue
	c.queue = c.spare[:0]
	c.spare = out
	if cap(c.queue) > 256 {
		c.queue = nil // let a burst's big buffer go
	}
	return out
}

// Drain hands the queued messages (possibly none) to write while holding
// the client's write lock, so a direct write can neither interleave with
// them nor overtake them.
func (c *Client) Drain(write func([]core.RealtimeMessage) error) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	return write(c.Take())
}

// kill marks the client gone; it reports whether this call did it.
func (c *Client) kill(reason error) bool {
	c.mu.Lock()
	if c.gone {
		c.mu.Unlock()
		return false
	}
	c.gone = true
	c.reason = reason
	c.queue, c.spare = nil, nil
	abort := c.abort
	c.abort = nil
	close(c.done)
	c.mu.Unlock()
	c.Wake()
	if abort != nil {
		abort()
	}
	return true
}

// OnDisconnect sets fn to be called (once, on the disconnecting
// goroutine) when the broker disconnects the client, so a stream writer
// blocked on a stalled connection can be cut off at once instead of at
// its write timeout. A client already gone calls fn now.
func (c *Client) OnDisconnect(fn func()) {
	c.mu.Lock()
	if !c.gone {
		c.abort = fn
		c.mu.Unlock()
		return
	}
	c.mu.Unlock()
	if fn != nil {
		fn()
	}
}
