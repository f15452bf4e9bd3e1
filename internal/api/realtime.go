package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime/debug"
	"time"

	"github.com/labstack/echo/v5"

	"github.com/basalthq/basalt/core"
	"github.com/basalthq/basalt/internal/realtime"
)

// realtimeIdleTimeout closes a stream that sent nothing for this long
// (spec §7.1: no keepalive pings, 5 minutes).
const realtimeIdleTimeout = 5 * time.Minute

// registerRealtime registers the realtime SSE routes (spec §7). The
// broker comes from app.Realtime(); when the launcher installed none, one
// is created here and bound to the app's hooks.
func (s *Server) registerRealtime() {
	b, ok := s.app.Realtime().(*realtime.Broker)
	if !ok || b == nil {
		b = realtime.NewBroker(s.app, realtime.Config{Logger: s.logger})
		s.app.SetRealtime(b)
	}
	b.BindHooks()
	b.SetRenderer(&recordRenderer{s: s})
	s.echo.GET("/api/realtime", s.realtimeConnect)
	s.echo.POST("/api/realtime", s.realtimeSubscribe)
	// The OAuth2 all-in-one flow hands the provider's answer to the realtime
	// client whose id is the OAuth2 state (spec §1.4 A14).
	s.SetOAuth2RedirectSink(func(state string, data map[string]string) bool {
		client, ok := s.app.Realtime().Client(state)
		if !ok || !client.HasSubscription(oauth2Topic) {
			return false
		}
		raw, err := json.Marshal(data)
		if err != nil {
			return false
		}
		if err := client.Send(core.RealtimeMessage{Name: oauth2Topic, Data: raw}); err != nil {
			return false
		}
		client.Unsubscribe(oauth2Topic)
		return true
	})
}

// oauth2Topic is the subscription the SDK opens for the OAuth2 redirect.
const oauth2Topic = "@oauth2"

func (s *Server) broker() *realtime.Broker {
	b, _ := s.app.Realtime().(*realtime.Broker)
	return b
}

func (s *Server) realtimeConnect(c *echo.Context) error {
	b := s.broker()
	if b == nil {
		return notFound()
	}
	client := b.NewClient()
	defer b.Disconnect(client)
	writeTimeout := s.cfg.RealtimeWriteTimeout
	if writeTimeout <= 0 {
		writeTimeout = sseWriteTimeout
	}
	ev := &core.RealtimeConnectRequestEvent{RequestEvent: *s.requestEvent(c), Client: client,
		IdleTimeout: realtimeIdleTimeout, WriteTimeout: writeTimeout, MaxLifetime: s.cfg.RealtimeMaxLifetime}
	return s.app.TriggerRealtimeConnectRequest(ev, func(e *core.RealtimeConnectRequestEvent) error {
		return s.stream(c, client, streamLimits{idle: e.IdleTimeout, write: e.WriteTimeout, lifetime: e.MaxLifetime})
	})
}

// streamLimits are the time limits of one stream (see
// core.RealtimeConnectRequestEvent).
type streamLimits struct{ idle, write, lifetime time.Duration }

// stream writes the SSE frames of spec §7.1 until the client goes away,
// the broker drops it, or a time limit is hit. writeTimeout bounds each
// write, not the stream.
func (s *Server) stream(c *echo.Context, client *realtime.Client, lim streamLimits) error {
	idle, writeTimeout := lim.idle, lim.write
	if idle <= 0 {
		idle = realtimeIdleTimeout
	}
	if writeTimeout <= 0 {
		writeTimeout = sseWriteTimeout
	}
	h := c.Response().Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	out, ctx, err := s.startSSE(c, writeTimeout)
	if err != nil {
		return nil // the client is gone already
	}
	defer out.Close()

	id := client.Id()
	idLine := sseIDLine(id)
	write := func(msgs []core.RealtimeMessage) error {
		bp := getFrameBuf()
		defer putFrameBuf(bp)
		buf := (*bp)[:0]
		defer func() { *bp = buf }()
		for i := range msgs {
			m := msgs[i]
			ev := &core.RealtimeMessageEvent{App: s.app, Context: ctx, Client: client, Message: &m}
			err := s.app.TriggerRealtimeMessageSend(ev, func(e *core.RealtimeMessageEvent) error {
				buf = appendEvent(buf, idLine, e.Message.Name, e.Message.Data)
				return nil
			})
			if err != nil {
				return err
			}
		}
		return out.Write(buf)
	}

	connect, _ := json.Marshal(map[string]string{"clientId": id})
	if err := write([]core.RealtimeMessage{{Name: "PB_CONNECT", Data: connect}}); err != nil {
		return nil
	}
	// Broadcasts write straight into the connection while it keeps up;
	// message hooks run here, on the stream's goroutine, so with any bound
	// the stream takes every message.
	onMessage := s.app.OnRealtimeMessageSend()
	client.SetDirect(func(m core.RealtimeMessage) (bool, bool) {
		if onMessage.Length() > 0 {
			return false, false
		}
		return out.tryDirect(idLine, m.Name, m.Data)
	})
	defer client.SetDirect(nil)
	// A client the broker drops (fallen behind, auth gone) may have its
	// stream blocked in a write to a stalled connection.
	client.OnDisconnect(out.abort)
	// One channel drives the loop: messages, disconnects, the request's
	// end and the deadlines all signal Ready. A select over several
	// channels for every message costs more than the message with 1,000s
	// of subscribers.
	stop := context.AfterFunc(ctx, client.Wake)
	defer stop()
	now := time.Now()
	lastWrite := now
	idleTimer := time.AfterFunc(idle, client.Wake)
	defer idleTimer.Stop()
	var endAt time.Time
	if lim.lifetime > 0 {
		endAt = now.Add(lim.lifetime)
		t := time.AfterFunc(lim.lifetime, client.Wake)
		defer t.Stop()
	}
	for range client.Ready() {
		if ctx.Err() != nil {
			return nil
		}
		if client.Gone() {
			if err := client.Err(); err != nil && !errors.Is(err, realtime.ErrClientClosed) && !errors.Is(err, realtime.ErrBrokerClosed) {
				s.logger.DebugContext(ctx, "realtime: stream closed by broker", "clientId", id, "reason", err)
			}
			return nil
		}
		now := time.Now()
		if !endAt.IsZero() && !now.Before(endAt) {
			return nil
		}
		n := 0
		err := client.Drain(func(msgs []core.RealtimeMessage) error {
			n = len(msgs)
			return write(msgs) // also finishes a partial direct write
		})
		if err != nil {
			return nil // client went away mid-write
		}
		if n > 0 {
			// The idle timer is not reset per message; when it fires,
			// the check below re-arms it for what is left.
			lastWrite = now
			continue
		}
		if d := out.lastDirect(); d.After(lastWrite) {
			lastWrite = d
		}
		since := now.Sub(lastWrite)
		if since >= idle {
			return nil
		}
		// Woken early (the timer was set from an older write, or by a
		// direct write that needs finishing): wait for the rest of the
		// idle period.
		idleTimer.Reset(idle - since)
	}
	return nil
}

type subscribeBody struct {
	ClientId      string   `json:"clientId"`
	Subscriptions []string `json:"subscriptions"`
}

func (s *Server) realtimeSubscribe(c *echo.Context) error {
	b := s.broker()
	if b == nil {
		return notFound()
	}
	raw, err := readBody(c)
	if err != nil {
		return err
	}
	var body subscribeBody
	if len(bytes.TrimSpace(raw)) > 0 {
		if err := json.Unmarshal(raw, &body); err != nil {
			return badRequest("An error occurred while loading the submitted data.", nil).(*core.Error).WithCause(err)
		}
	}
	if errs := realtime.ValidateSubscribe(body.ClientId, body.Subscriptions); errs != nil {
		return badRequest("", errs)
	}
	client, ok := b.Lookup(body.ClientId)
	if !ok {
		return core.ErrRealtimeClientNotFound
	}
	auth := authOf(c)
	if cur := client.Auth(); cur != nil && (auth == nil || auth.Collection().Id != cur.Collection().Id || auth.Id() != cur.Id()) {
		return core.NewForbiddenError("The current and the previous request authorization don't match.")
	}
	ev := &core.RealtimeSubscribeRequestEvent{RequestEvent: *s.requestEvent(c), Client: client, Subscriptions: body.Subscriptions}
	return s.app.TriggerRealtimeSubscribeRequest(ev, func(e *core.RealtimeSubscribeRequestEvent) error {
		if err := b.BindAuth(client, auth); err != nil {
			if errors.Is(err, realtime.ErrAuthMismatch) {
				return core.NewForbiddenError("The current and the previous request authorization don't match.")
			}
			return core.ErrRealtimeClientNotFound
		}
		if err := b.SetSubscriptions(client, e.Subscriptions); err != nil {
			return core.ErrRealtimeClientNotFound
		}
		return c.NoContent(http.StatusNoContent)
	})
}

// recordRenderer renders realtime records exactly like the REST
// endpoints: expand with per-caller viewRules (@request.context =
// "expand") and ?fields, through the same code, on a synthetic request
// that carries the subscription's options.
type recordRenderer struct{ s *Server }

func (r *recordRenderer) RenderRecord(ctx context.Context, rec *core.Record, o realtime.RenderOptions) (raw []byte, err error) {
	defer func() {
		if p := recover(); p != nil {
			r.s.logger.Error("realtime: render panic", "panic", p, "stack", string(debug.Stack()))
			err = errors.New("render panic")
		}
	}()
	rec.Unhide(false) // hidden fields never go out, even to superusers (spec §7.4)
	rec.ShowEmail(o.ShowEmail)
	if o.Expand == "" && o.Fields == "" {
		r.s.app.EnrichRecords(ctx, o.Auth, true, rec)
		return json.Marshal(rec)
	}
	q := url.Values{}
	for k, v := range o.Query {
		q.Set(k, v)
	}
	req := httptest.NewRequestWithContext(ctx, http.MethodGet, "/api/realtime?"+q.Encode(), nil)
	for k, v := range o.Headers {
		req.Header.Set(k, v)
	}
	ec := r.s.echo.NewContext(req, httptest.NewRecorder())
	if o.Auth != nil {
		ec.Set(authKey, o.Auth)
	}
	if o.Expand != "" {
		r.s.expandRecords(ec, []*core.Record{rec})
	}
	r.s.app.EnrichRecords(ctx, o.Auth, true, rec)
	raw, err = json.Marshal(rec)
	if err != nil || o.Fields == "" {
		return raw, err
	}
	return pickFields(raw, o.Fields)
}
