package realtime

import (
	"context"
	"encoding/json"

	"github.com/basalthq/basalt/core"
)

// Send implements core.Realtime: data is encoded once and delivered to
// every local client subscribed to topic, and published to other nodes.
func (b *Broker) Send(topic string, data any) error {
	payload, err := json.Marshal(data)
	if err != nil {
		return err
	}
	b.sendTopic(topic, payload)
	if b.cfg.Bus.Peers() {
		b.publish(Envelope{Kind: KindTopic, Topic: topic, Data: payload})
	}
	return nil
}

func (b *Broker) sendTopic(topic string, payload []byte) {
	key := topicKey(topic)
	b.mu.RLock()
	ds := make([]delivery, 0, len(b.byKey[key]))
	for s, c := range b.byKey[key] {
		if s.Topic == topic {
			ds = append(ds, delivery{c, core.RealtimeMessage{Name: s.Raw, Data: payload}})
		}
	}
	b.mu.RUnlock()
	b.deliver(ds, b.keepingUp(0))
}

// SendToClient implements core.Realtime.
func (b *Broker) SendToClient(clientId, name string, data any) error {
	payload, err := json.Marshal(data)
	if err != nil {
		return err
	}
	if c, ok := b.Lookup(clientId); ok {
		return c.Send(core.RealtimeMessage{Name: name, Data: payload})
	}
	if b.cfg.Bus.Peers() {
		b.publish(Envelope{Kind: KindClient, ClientId: clientId, Name: name, Data: payload})
		return nil
	}
	return core.ErrRealtimeClientNotFound
}

func (b *Broker) publish(env Envelope) {
	env.Node = b.node
	if err := b.cfg.Bus.Publish(context.Background(), env); err != nil {
		b.logger.Warn("realtime: bus publish", "kind", env.Kind, "err", err)
	}
}

// receive handles an envelope from another node. It never does database
// work on the bus's goroutine.
func (b *Broker) receive(env Envelope) {
	if env.Node == b.node {
		return
	}
	switch env.Kind {
	case KindTopic:
		b.sendTopic(env.Topic, env.Data)
	case KindClient:
		if c, ok := b.Lookup(env.ClientId); ok {
			_ = c.Send(core.RealtimeMessage{Name: env.Name, Data: env.Data})
		}
	case KindRecord:
		col, err := b.app.FindCollectionByNameOrId(env.CollectionId)
		if err != nil || !b.hasSubscribers(col, env.RecordId) {
			return
		}
		e := env
		b.enqueue(env.CollectionId+"/"+env.RecordId, job{remote: &e})
	}
}

// loadRemote turns a remote change into deliveries for local clients.
// The event carries the record as it was written; rules are checked
// against the table while the row exists, else (deleted since) against
// the snapshot. An event without a snapshot is the row as it is now, and
// nothing when the row is gone.
func (b *Broker) loadRemote(env *Envelope) {
	col, err := b.app.FindCollectionByNameOrId(env.CollectionId)
	if err != nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), b.cfg.EvalTimeout)
	defer cancel()
	rec := core.NewRecord(col)
	for k, v := range env.Snapshot {
		rec.Set(k, v)
	}
	rec.SetCanonical(core.FieldId, env.RecordId)
	candidate := true
	if env.Action != "delete" {
		if found, err := b.app.FindRecordsByIds(ctx, col, []string{env.RecordId}); err == nil && len(found) > 0 {
			candidate = false
			if env.Snapshot == nil {
				rec = snapshot(found[0])
			}
		} else if env.Snapshot == nil {
			return
		}
	}
	b.deliver(b.prepare(ctx, env.Action, rec, candidate), b.keepingUp(1))
}

func containsFold(s, sub string) bool {
	n := len(sub)
	for i := 0; i+n <= len(s); i++ {
		if equalFoldASCII(s[i:i+n], sub) {
			return true
		}
	}
	return false
}

func equalFoldASCII(a, b string) bool {
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}
