package realtime

import (
	"context"
	"hash/fnv"
	"runtime"
	"runtime/debug"
	"sync"

	"github.com/basalthq/basalt/core"
)

// snapshot copies rec for asynchronous use, without per-caller output
// state (callers change expand and visibility right after saving).
func snapshot(rec *core.Record) *core.Record {
	cp := rec.Clone()
	cp.SetExpand(nil)
	cp.Unhide(false)
	cp.ShowEmail(false)
	return cp
}

// changed handles a committed create or update.
func (b *Broker) changed(action string, rec *core.Record) {
	col := rec.Collection()
	if col.IsView() {
		return
	}
	if b.cfg.Bus.Peers() {
		b.publish(Envelope{Kind: KindRecord, Action: action, CollectionId: col.Id, RecordId: rec.Id(), Snapshot: rec.Data()})
	}
	if !b.hasSubscribers(col, rec.Id()) {
		return
	}
	b.enqueue(col.Id+"/"+rec.Id(), job{action: action, rec: snapshot(rec)})
}

func recordKeys(col *core.Collection, id string) []string {
	name, cid := topicKey(col.Name), topicKey(col.Id)
	keys := []string{name + "/*", name, name + "/" + id}
	if cid != name {
		keys = append(keys, cid+"/*", cid, cid+"/"+id)
	}
	return keys
}

func (b *Broker) hasSubscribers(col *core.Collection, id string) bool {
	b.mu.RLock()
	defer b.mu.RUnlock()
	if len(b.byKey) == 0 {
		return false
	}
	for _, k := range recordKeys(col, id) {
		if len(b.byKey[k]) > 0 {
			return true
		}
	}
	return false
}

// gather lists every (client, subscription) interested in record id of col.
func (b *Broker) gather(col *core.Collection, id string) []target {
	keys := recordKeys(col, id)
	b.mu.RLock()
	defer b.mu.RUnlock()
	n := 0
	for _, k := range keys {
		n += len(b.byKey[k])
	}
	out := make([]target, 0, n)
	for _, k := range keys {
		for s, c := range b.byKey[k] {
			out = append(out, target{c, s})
		}
	}
	return out
}

func (b *Broker) enqueue(shardKey string, j job) {
	h := fnv.New32a()
	_, _ = h.Write([]byte(shardKey))
	ch := b.shards[int(h.Sum32()%uint32(len(b.shards)))]
	b.backlog.Add(1)
	select {
	case ch <- j:
	case <-b.closed:
		b.backlog.Add(-1)
	}
}

func (b *Broker) worker(ch chan job) {
	defer b.wg.Done()
	for {
		select {
		case j := <-ch:
			b.run(j)
			b.backlog.Add(-1)
		case <-b.closed:
			return
		}
	}
}

func (b *Broker) run(j job) {
	defer func() {
		if r := recover(); r != nil {
			b.logger.Error("realtime: dispatch panic", "panic", r, "stack", string(debug.Stack()))
		}
	}()
	if j.remote != nil {
		b.loadRemote(j.remote)
		return
	}
	if j.rec != nil {
		ctx, cancel := context.WithTimeout(context.Background(), b.cfg.EvalTimeout)
		j.deliveries = b.prepare(ctx, j.action, j.rec, j.candidate)
		cancel()
	}
	// Direct writes save a wake-up per subscriber while the broker keeps
	// up; with more changes waiting, queued messages let each stream
	// write several in one go.
	b.deliver(j.deliveries, b.keepingUp(1))
}

// keepingUp reports that no dispatch job is waiting besides the caller's
// own (running, 1 for a worker, 0 elsewhere).
func (b *Broker) keepingUp(running int64) bool { return b.backlog.Load() <= running }

// parallelDeliveries is the fan-out from which a job's deliveries are
// spread over every CPU: a send is mostly a write into a socket, and one
// goroutine writing to thousands of subscribers would leave the other
// CPUs idle while the last subscriber waits.
const parallelDeliveries = 256

// deliver sends ds (directly into the connections where possible, see
// Client.Send) and returns once every send was made, so a shard's next
// job cannot overtake this one for any client.
func (b *Broker) deliver(ds []delivery, direct bool) {
	parts := min(runtime.GOMAXPROCS(0), len(ds)/(parallelDeliveries/2))
	if len(ds) < parallelDeliveries || parts < 2 {
		b.sendAll(ds, direct)
		return
	}
	var wg sync.WaitGroup
	size := (len(ds) + parts - 1) / parts
	for start := size; start < len(ds); start += size {
		part := ds[start:min(start+size, len(ds))]
		wg.Go(func() {
			defer func() {
				if r := recover(); r != nil {
					b.logger.Error("realtime: delivery panic", "panic", r, "stack", string(debug.Stack()))
				}
			}()
			b.sendAll(part, direct)
		})
	}
	b.sendAll(ds[:size], direct)
	wg.Wait()
}

// sendAll sends ds on the caller's goroutine and returns how many were
// taken.
func (b *Broker) sendAll(ds []delivery, direct bool) int {
	n := 0
	for _, d := range ds {
		if d.client.send(d.msg, direct) == nil {
			n++
		}
	}
	b.delivered.Add(int64(n))
	return n
}

// evalKey identifies subscribers for whom one access check answers for
// all: same rule kind, same filter and, only where the rule can see them,
// the same auth and options.
type evalKey struct {
	list    bool
	auth    string
	opts    string
	filter  string
	invalid bool
}

// renderKey identifies subscribers who receive byte-identical payloads.
type renderKey struct {
	showEmail bool
	expand    string
	fields    string
	who       string // auth + options, only when expanding
}

func ruleUses(rule *string, what ...string) bool {
	if rule == nil {
		return false
	}
	for _, w := range what {
		if containsFold(*rule, w) {
			return true
		}
	}
	return false
}

func (b *Broker) evalKeyFor(col *core.Collection, s *Subscription, auth *core.Record, akey string) evalKey {
	k := evalKey{list: s.RecordId == "*", filter: s.Filter(), invalid: s.Invalid || s.badFilter}
	rule := col.ViewRule
	if k.list {
		rule = col.ListRule
	}
	switch {
	case isSuperuser(auth):
		k.auth = "su"
	case rule == nil:
		k.auth = "deny"
	default:
		if s.filter != nil || ruleUses(rule, "@request.auth") {
			k.auth = akey
		}
		if ruleUses(rule, "@request.query", "@request.headers") {
			k.opts = s.optsKey
		}
	}
	return k
}

// prepare evaluates access for every interested subscription and renders
// the payloads: one rule query per eval group, one serialisation per
// distinct payload.
func (b *Broker) prepare(ctx context.Context, action string, rec *core.Record, candidate bool) []delivery {
	col, err := b.app.FindCollectionByNameOrId(rec.Collection().Id)
	if err != nil || col.IsView() {
		return nil // collection gone
	}
	targets := b.gather(col, rec.Id())
	if len(targets) == 0 {
		return nil
	}
	allowed := map[evalKey]bool{}
	payloads := map[renderKey][]byte{}
	emails := map[string]bool{}
	// Subscribers with the same subscription string and auth receive the
	// same payload (or none): with thousands of them, one lookup each.
	type memoKey struct{ raw, auth string }
	memo := map[memoKey][]byte{}
	out := make([]delivery, 0, len(targets))
	for _, t := range targets {
		auth, akey := t.client.authState()
		mk := memoKey{t.sub.Raw, akey}
		payload, seen := memo[mk]
		if !seen {
			payload = b.payloadFor(ctx, action, col, rec, candidate, t.sub, auth, akey, allowed, emails, payloads)
			memo[mk] = payload
		}
		if payload == nil {
			continue
		}
		out = append(out, delivery{t.client, core.RealtimeMessage{Name: t.sub.Raw, Data: payload}})
	}
	return out
}

// payloadFor checks one subscription's access and renders its payload
// (nil when it receives nothing), sharing the rule checks and renders of
// subscribers in the same groups.
func (b *Broker) payloadFor(ctx context.Context, action string, col *core.Collection, rec *core.Record, candidate bool,
	sub *Subscription, auth *core.Record, akey string,
	allowed map[evalKey]bool, emails map[string]bool, payloads map[renderKey][]byte) []byte {
	ek := b.evalKeyFor(col, sub, auth, akey)
	ok, seen := allowed[ek]
	if !seen {
		ok = b.allowed(ctx, col, rec, candidate, sub, auth)
		allowed[ek] = ok
	}
	if !ok {
		return nil
	}
	show, seen := emails[akey]
	if !seen {
		show = b.showEmail(ctx, col, rec, candidate, auth)
		emails[akey] = show
	}
	rk := renderKey{showEmail: show, expand: sub.Expand(), fields: sub.Fields()}
	if rk.expand != "" {
		rk.who = akey + "|" + sub.optsKey
	}
	payload, seen := payloads[rk]
	if !seen {
		payload = b.render(ctx, action, rec, RenderOptions{Auth: auth, ShowEmail: show, Expand: rk.expand,
			Fields: rk.fields, Query: sub.Query, Headers: sub.Headers})
		payloads[rk] = payload
	}
	return payload
}

func (b *Broker) render(ctx context.Context, action string, rec *core.Record, opts RenderOptions) []byte {
	raw, err := b.renderer.Load().r.RenderRecord(ctx, rec.Clone(), opts)
	if err != nil {
		b.logger.Warn("realtime: render record", "collection", rec.Collection().Name, "id", rec.Id(), "err", err)
		return nil
	}
	out := make([]byte, 0, len(raw)+32)
	out = append(out, `{"action":"`...)
	out = append(out, action...)
	out = append(out, `","record":`...)
	out = append(out, raw...)
	out = append(out, '}')
	return out
}

func requestInfo(auth *core.Record, s *Subscription) *core.RequestInfo {
	ri := &core.RequestInfo{Auth: auth, Method: "GET", Context: core.ContextRealtime,
		Query: map[string]string{}, Headers: map[string]string{}, Body: map[string]any{}}
	if s != nil {
		for k, v := range s.Query {
			ri.Query[k] = v
		}
		for k, v := range s.Headers {
			ri.Headers[k] = v
		}
	}
	return ri
}

// allowed answers spec §7.4's access check for one subscription.
func (b *Broker) allowed(ctx context.Context, col *core.Collection, rec *core.Record, candidate bool, s *Subscription, auth *core.Record) bool {
	if s.Invalid || s.badFilter {
		return false
	}
	su := isSuperuser(auth)
	rule := col.ViewRule
	if s.RecordId == "*" {
		rule = col.ListRule
	}
	var filters []core.FilterClause
	if !su {
		if rule == nil {
			return false
		}
		if *rule != "" {
			expr, err := core.ParseRule(*rule)
			if err != nil {
				return false
			}
			filters = append(filters, core.FilterClause{Expr: expr})
		}
	}
	if s.filter != nil {
		f := s.Filter()
		if !su && (containsFold(f, "@collection.") || containsFold(f, "@request.")) {
			return false
		}
		filters = append(filters, *s.filter)
	}
	if len(filters) == 0 {
		return true
	}
	return b.matches(ctx, col, rec, candidate, filters, requestInfo(auth, s), su)
}

func (b *Broker) matches(ctx context.Context, col *core.Collection, rec *core.Record, candidate bool, filters []core.FilterClause, ri *core.RequestInfo, su bool) bool {
	q := &core.RecordQuery{Collection: col, Ids: []string{rec.Id()}, Filters: filters, Request: ri, Superuser: su}
	if candidate {
		q.Candidate = rec
	}
	b.queries.Add(1)
	res, err := b.app.Store().Query(ctx, q)
	if err != nil {
		b.logger.Debug("realtime: access query failed", "collection", col.Name, "err", err)
		return false
	}
	// A check against a snapshot (candidate) only counts: it returns Total
	// and no records.
	return len(res.Records) > 0 || res.Total > 0
}

// showEmail tells whether auth may see rec's e-mail (spec §4.5).
func (b *Broker) showEmail(ctx context.Context, col *core.Collection, rec *core.Record, candidate bool, auth *core.Record) bool {
	if !col.IsAuth() || auth == nil || rec.GetBool(core.FieldEmailVisibility) {
		return false
	}
	if isSuperuser(auth) || (auth.Collection().Id == col.Id && auth.Id() == rec.Id()) {
		return true
	}
	if col.Auth == nil || col.Auth.ManageRule == nil || *col.Auth.ManageRule == "" {
		return false
	}
	expr, err := core.ParseRule(*col.Auth.ManageRule)
	if err != nil {
		return false
	}
	return b.matches(ctx, col, rec, candidate, []core.FilterClause{{Expr: expr}}, requestInfo(auth, nil), false)
}

// Broadcast evaluates and delivers one committed record change now, on
// the caller's goroutine (the hooks do the same asynchronously). It
// returns how many messages were queued. Use it to announce changes made
// outside App.Save, or to replay one.
func (b *Broker) Broadcast(ctx context.Context, action string, rec *core.Record) int {
	return b.sendAll(b.prepare(ctx, action, snapshot(rec), false), true)
}
