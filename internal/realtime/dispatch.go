package realtime

import (
	"context"
	"hash/fnv"
	"runtime/debug"

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
	type ck struct {
		c   *Client
		key string
	}
	var pairs []ck
	b.mu.RLock()
	for _, k := range recordKeys(col, id) {
		for c := range b.byKey[k] {
			pairs = append(pairs, ck{c, k})
		}
	}
	b.mu.RUnlock()
	out := make([]target, 0, len(pairs))
	var buf []*Subscription
	for _, p := range pairs {
		buf = p.c.matches(p.key, buf[:0])
		for _, s := range buf {
			out = append(out, target{p.c, s})
		}
	}
	return out
}

func (b *Broker) enqueue(shardKey string, j job) {
	h := fnv.New32a()
	_, _ = h.Write([]byte(shardKey))
	ch := b.shards[int(h.Sum32()%uint32(len(b.shards)))]
	select {
	case ch <- j:
	case <-b.closed:
	}
}

func (b *Broker) worker(ch chan job) {
	defer b.wg.Done()
	for {
		select {
		case j := <-ch:
			b.run(j)
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
	for _, d := range j.deliveries {
		if d.client.Send(d.msg) == nil {
			b.delivered.Add(1)
		}
	}
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

func (b *Broker) evalKeyFor(col *core.Collection, s *Subscription, auth *core.Record) evalKey {
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
			k.auth = authKey(auth)
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
	out := make([]delivery, 0, len(targets))
	for _, t := range targets {
		auth := t.client.Auth()
		ek := b.evalKeyFor(col, t.sub, auth)
		ok, seen := allowed[ek]
		if !seen {
			ok = b.allowed(ctx, col, rec, candidate, t.sub, auth)
			allowed[ek] = ok
		}
		if !ok {
			continue
		}
		show, seen := emails[authKey(auth)]
		if !seen {
			show = b.showEmail(ctx, col, rec, candidate, auth)
			emails[authKey(auth)] = show
		}
		rk := renderKey{showEmail: show, expand: t.sub.Expand(), fields: t.sub.Fields()}
		if rk.expand != "" {
			rk.who = authKey(auth) + "|" + t.sub.optsKey
		}
		payload, seen := payloads[rk]
		if !seen {
			payload = b.render(ctx, action, rec, RenderOptions{Auth: auth, ShowEmail: show, Expand: rk.expand,
				Fields: rk.fields, Query: t.sub.Query, Headers: t.sub.Headers})
			payloads[rk] = payload
		}
		if payload == nil {
			continue
		}
		out = append(out, delivery{t.client, core.RealtimeMessage{Name: t.sub.Raw, Data: payload}})
	}
	return out
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
	return len(res.Records) > 0
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
	n := 0
	for _, d := range b.prepare(ctx, action, snapshot(rec), false) {
		if d.client.Send(d.msg) == nil {
			b.delivered.Add(1)
			n++
		}
	}
	return n
}
