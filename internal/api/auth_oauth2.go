package api

import (
	"bytes"
	"context"
	"errors"
	"io"
	"maps"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/labstack/echo/v5"
	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel/propagation"

	"github.com/basalthq/basalt/core"
	"github.com/basalthq/basalt/internal/auth"
)

// OAuth2 sign-in (spec A3, A14). Account takeover protections, each with a
// regression test in auth_oauth2_test.go:
//
//   - providers only report e-mails they vouch are verified (internal/auth);
//   - linking to an existing unverified account that has an e-mail resets
//     its password, so whoever squatted the address loses access
//     (PocketBase's 2024 unverified-account auto-link advisory);
//   - an unverified account upgraded to verified by the provider's e-mail
//     loses every OAuth2 link it had, so a squatter's own provider
//     identity cannot survive the upgrade (the 2026 stale-link advisory).

// oauth2HTTPClient talks to providers; every call is also bounded by
// auth.ExchangeTimeout.
// Its transport puts each call in a client span of the request's trace
// and sends the W3C traceparent along (nothing when traces are off).
var oauth2HTTPClient = &http.Client{Timeout: auth.ExchangeTimeout,
	Transport: otelhttp.NewTransport(http.DefaultTransport, otelhttp.WithPropagators(propagation.TraceContext{}))}

// maxAvatarBytes caps a downloaded OAuth2 avatar.
const maxAvatarBytes = 5 << 20

func newOAuth2Provider(app *core.App, cfg core.OAuth2ProviderConfig) (auth.Provider, error) {
	return auth.NewProvider(auth.Config{
		Name: cfg.Name, ClientId: cfg.ClientId, ClientSecret: cfg.ClientSecret,
		AuthURL: cfg.AuthURL, TokenURL: cfg.TokenURL, UserInfoURL: cfg.UserInfoURL,
		DisplayName: cfg.DisplayName, PKCE: cfg.PKCE, Extra: cfg.Extra, Now: app.Now,
	}, oauth2HTTPClient)
}

var errOAuth2Failed = core.NewBadRequestError("Failed to authenticate.", nil)

func (s *Server) authWithOAuth2(c *echo.Context) error {
	col, err := s.authCollection(c)
	if err != nil {
		return err
	}
	if !col.Auth.OAuth2.Enabled {
		return core.NewForbiddenError("The collection is not configured to allow OAuth2 authentication.")
	}
	var in struct {
		Provider     string         `json:"provider"`
		Code         string         `json:"code"`
		CodeVerifier string         `json:"codeVerifier"`
		RedirectURL  string         `json:"redirectURL"`
		RedirectUrl  string         `json:"redirectUrl"` // deprecated alias
		CreateData   map[string]any `json:"createData"`
		MFAId        string         `json:"mfaId"`
	}
	if err := decodeAuthBody(c, &in); err != nil {
		return err
	}
	if in.RedirectURL == "" {
		in.RedirectURL = in.RedirectUrl
	}
	if in.MFAId == "" {
		in.MFAId = c.QueryParam("mfaId")
	}
	verrs := core.ValidationErrors{}
	var cfg *core.OAuth2ProviderConfig
	for i := range col.Auth.OAuth2.Providers {
		if col.Auth.OAuth2.Providers[i].Name == in.Provider {
			cfg = &col.Auth.OAuth2.Providers[i]
		}
	}
	if in.Provider == "" {
		verrs["provider"] = core.ErrRequired()
	} else if cfg == nil {
		verrs["provider"] = core.NewFieldError("validation_invalid_provider", "Provider with name "+in.Provider+" is missing or is not enabled.", nil)
	}
	if in.Code == "" {
		verrs["code"] = core.ErrRequired()
	}
	if in.RedirectURL == "" {
		verrs["redirectURL"] = core.ErrRequired()
	}
	if len(verrs) > 0 {
		return badRequest("An error occurred while loading the submitted data.", verrs)
	}
	p, err := newOAuth2Provider(s.app, *cfg)
	if err != nil {
		return core.NewInternalError(err)
	}
	ctx := c.Request().Context()
	tok, err := p.Exchange(ctx, in.Code, in.CodeVerifier, in.RedirectURL)
	if err != nil {
		return badRequest("Failed to fetch OAuth2 token.", nil).(*core.Error).WithCause(err)
	}
	tok.RememberedName = s.auth().appleName(in.Code, s.app.Now())
	u, err := p.FetchUser(ctx, tok)
	if err != nil {
		return badRequest("Failed to fetch OAuth2 user.", nil).(*core.Error).WithCause(err)
	}
	ou := &core.OAuth2User{Id: u.Id, Name: u.Name, Username: u.Username, Email: u.Email, AvatarURL: u.AvatarURL,
		AccessToken: u.AccessToken, RefreshToken: u.RefreshToken, RawUser: u.RawUser}
	if !u.Expiry.IsZero() {
		ou.Expiry = core.FormatTime(u.Expiry)
	}
	logged := authOf(c)
	if logged != nil && logged.Collection().Id != col.Id {
		logged = nil
	}
	rec, ext, err := s.findOAuth2Record(ctx, col, p.Name(), u, logged)
	if err != nil {
		return errOAuth2Failed.WithCause(err)
	}
	ev := &core.RecordAuthWithOAuth2RequestEvent{RequestEvent: *s.requestEvent(c), Collection: col, ProviderName: p.Name(),
		OAuth2User: ou, Record: rec, CreateData: in.CreateData, IsNewRecord: rec == nil}
	return s.app.TriggerRecordAuthWithOAuth2Request(ev, func(e *core.RecordAuthWithOAuth2RequestEvent) error {
		var r *core.Record
		var err error
		if e.Record == nil {
			r, err = s.oauth2SignUp(c, col, e.OAuth2User, e.CreateData)
		} else {
			r = e.Record
			err = s.app.RunInTransaction(ctx, func(txCtx context.Context) error {
				return s.oauth2Existing(txCtx, r, e.OAuth2User, logged, ext)
			})
		}
		if err == nil && ext == nil {
			err = s.linkExternalAuth(ctx, col, r, e.ProviderName, e.OAuth2User.Id)
		}
		if err != nil {
			if ce, ok := core.AsError(err); ok && ce.Code != core.CodeInternal {
				return ce
			}
			return errOAuth2Failed.WithCause(err)
		}
		meta := map[string]any{
			"id": e.OAuth2User.Id, "name": e.OAuth2User.Name, "username": e.OAuth2User.Username, "email": e.OAuth2User.Email,
			"avatarURL": e.OAuth2User.AvatarURL, "avatarUrl": e.OAuth2User.AvatarURL, "accessToken": e.OAuth2User.AccessToken,
			"refreshToken": e.OAuth2User.RefreshToken, "expiry": e.OAuth2User.Expiry, "rawUser": e.OAuth2User.RawUser,
			"isNew": e.IsNewRecord,
		}
		return s.authSuccess(c, r, methodOAuth2, in.MFAId, meta)
	})
}

// findOAuth2Record resolves the local record of a provider user (spec A3
// steps 1–3): its _externalAuths link, else the signed-in record of the
// same collection (linking), else the record holding the provider's
// verified e-mail. nil means a sign-up.
func (s *Server) findOAuth2Record(ctx context.Context, col *core.Collection, provider string, u *auth.User, logged *core.Record) (*core.Record, *core.Record, error) {
	ext, err := s.app.FindFirstRecordByFilter(ctx, core.ExternalAuthsCollectionName,
		"collectionRef = {:c} && provider = {:p} && providerId = {:id}", map[string]any{"c": col.Id, "p": provider, "id": u.Id})
	if err == nil && ext != nil {
		recs, ferr := s.app.FindRecordsByIds(ctx, col, []string{ext.GetString("recordRef")})
		if ferr == nil && len(recs) == 1 {
			return recs[0], ext, nil
		}
		// A link to a deleted record is stale: drop it and go on.
		if derr := s.app.Delete(ctx, ext); derr != nil {
			return nil, nil, derr
		}
	} else if err != nil {
		if ce, ok := core.AsError(err); !ok || ce.Code != core.CodeNotFound {
			return nil, nil, err
		}
	}
	if logged != nil {
		return logged, nil, nil
	}
	if u.Email != "" {
		if rec := s.findByEmail(ctx, col, u.Email); rec != nil {
			return rec, nil, nil
		}
	}
	return nil, nil, nil
}

// oauth2Existing applies spec A3 step 5 to an existing record, in the
// caller's transaction.
func (s *Server) oauth2Existing(ctx context.Context, r *core.Record, u *core.OAuth2User, logged, ext *core.Record) error {
	if logged != nil && logged.Id() == r.Id() {
		return nil // the signed-in owner links a provider: nothing to prove
	}
	email := r.GetString(core.FieldEmail)
	verified := r.GetBool(core.FieldVerified)
	if email != "" && !verified {
		// 2024 advisory: the password of an unverified account was set by
		// whoever typed this address, maybe not its owner. Replace it (the
		// tokenKey rotates with it, ending their sessions).
		r.Set(core.FieldPassword, auth.RandomString(30, auth.AlphabetAlphanumeric))
	}
	if email == "" && u.Email != "" && s.findByEmail(ctx, r.Collection(), u.Email) == nil {
		r.Set(core.FieldEmail, u.Email)
		email = u.Email
	}
	if !verified && (email == "" || (u.Email != "" && email == u.Email)) {
		keep := ""
		if ext != nil {
			keep = ext.Id()
		}
		return s.markVerified(ctx, r, keep)
	}
	return s.app.Save(ctx, r)
}

// clearExternalAuths deletes the OAuth2 links of rec except the row keepId.
func (s *Server) clearExternalAuths(ctx context.Context, rec *core.Record, keepId string) error {
	links, err := s.app.FindRecordsByFilter(ctx, core.ExternalAuthsCollectionName,
		"collectionRef = {:c} && recordRef = {:r}", "", 0, 0, map[string]any{"c": rec.Collection().Id, "r": rec.Id()})
	if err != nil {
		return err
	}
	for _, l := range links {
		if l.Id() == keepId {
			continue
		}
		if err := s.app.Delete(ctx, l); err != nil {
			return err
		}
	}
	return nil
}

func (s *Server) linkExternalAuth(ctx context.Context, col *core.Collection, r *core.Record, provider, providerId string) error {
	exts, err := s.app.FindCollectionByNameOrId(core.ExternalAuthsCollectionName)
	if err != nil {
		return err
	}
	row := core.NewRecord(exts)
	row.Set("collectionRef", col.Id)
	row.Set("recordRef", r.Id())
	row.Set("provider", provider)
	row.Set("providerId", providerId)
	return s.app.Save(ctx, row)
}

// oauth2SignUp creates the record of a new provider user (spec A3 step 4):
// createData (non-hidden fields), the provider e-mail, the mapped fields,
// a random password when none is given; the createRule applies with
// @request.context = "oauth2".
func (s *Server) oauth2SignUp(c *echo.Context, col *core.Collection, u *core.OAuth2User, createData map[string]any) (*core.Record, error) {
	if col.Id == core.SuperusersCollectionId || col.CreateRule == nil {
		return nil, errOAuth2Failed
	}
	ctx := c.Request().Context()
	data := maps.Clone(createData)
	if data == nil {
		data = map[string]any{}
	}
	for _, k := range []string{core.FieldVerified, core.FieldTokenKey, core.FieldId, "passwordConfirm", "oldPassword"} {
		delete(data, k)
	}
	if _, ok := data[core.FieldEmail]; !ok && u.Email != "" {
		data[core.FieldEmail] = u.Email
	}
	rec := core.NewRecord(col)
	if err := applyRecordData(s.app, rec, data, false); err != nil {
		return nil, err
	}
	m := col.Auth.OAuth2.MappedFields
	setIfEmpty := func(field, v string) {
		if field == "" || v == "" || col.Fields.GetByName(field) == nil || rec.GetString(field) != "" {
			return
		}
		rec.Set(field, v)
	}
	setIfEmpty(m.Id, u.Id)
	setIfEmpty(m.Name, u.Name)
	if m.Username != "" && u.Username != "" && s.findFirst(ctx, col, m.Username, u.Username) == nil {
		setIfEmpty(m.Username, u.Username)
	}
	if f := col.Fields.GetByName(m.AvatarURL); f != nil && u.AvatarURL != "" && len(rec.GetStringSlice(m.AvatarURL)) == 0 {
		if f.Type() == "file" {
			if file := s.downloadAvatar(ctx, u.AvatarURL); file != nil {
				probe := rec.Clone()
				if applyRecordData(s.app, probe, map[string]any{m.AvatarURL: file}, true) == nil {
					_ = applyRecordData(s.app, rec, map[string]any{m.AvatarURL: file}, true)
				}
			}
		} else {
			rec.Set(m.AvatarURL, u.AvatarURL)
		}
	}
	if pv, _ := rec.Get(core.FieldPassword).(core.PasswordValue); pv.Plain == "" {
		rec.Set(core.FieldPassword, auth.RandomString(30, auth.AlphabetAlphanumeric))
	}
	email := rec.GetString(core.FieldEmail)
	rec.Set(core.FieldVerified, email != "" && email == u.Email)
	if rc, err := ruleClauses(col.CreateRule); err != nil {
		return nil, errOAuth2Failed
	} else if len(rc) > 0 {
		cand := rec.Clone()
		if cand.Id() == "" {
			cand.SetCanonical(core.FieldId, "__pb_create__")
		}
		ri := s.requestInfo(c, resolvedBody(rec, data))
		ri.Context = core.ContextOAuth2
		res, err := s.app.Store().Query(ctx, &core.RecordQuery{Collection: col, Filters: rc, Candidate: cand, Request: ri, Count: true})
		if err != nil || res.Total == 0 {
			return nil, errOAuth2Failed
		}
	}
	if err := s.app.Save(ctx, rec); err != nil {
		var verrs core.ValidationErrors
		if errors.As(err, &verrs) {
			return nil, badRequest("Failed to authenticate.", verrs)
		}
		return nil, err
	}
	return rec, nil
}

func (s *Server) findFirst(ctx context.Context, col *core.Collection, field, value string) *core.Record {
	if col.Fields.GetByName(field) == nil {
		return nil
	}
	rec, err := s.app.FindFirstRecordByField(ctx, col, field, value)
	if err != nil {
		return nil
	}
	return rec
}

// downloadAvatar fetches a provider avatar (http(s) only, bounded in time
// and size); nil on any failure, which only means "no avatar".
func (s *Server) downloadAvatar(ctx context.Context, raw string) *core.File {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, raw, nil)
	if err != nil {
		return nil
	}
	res, err := oauth2HTTPClient.Do(req)
	if err != nil {
		return nil
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return nil
	}
	body, err := io.ReadAll(io.LimitReader(res.Body, maxAvatarBytes+1))
	if err != nil || len(body) == 0 || len(body) > maxAvatarBytes {
		return nil
	}
	name := path.Base(u.Path)
	if name == "" || name == "/" || name == "." || !strings.Contains(name, ".") {
		name = "avatar"
	}
	return &core.File{OriginalName: name, Size: int64(len(body)), Open: func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(body)), nil
	}}
}

// oauth2Redirect is A14: the provider redirects here, and the code is
// handed to the realtime client whose id is the state.
func (s *Server) oauth2Redirect(c *echo.Context) error {
	req := c.Request()
	status := http.StatusTemporaryRedirect
	var state, code, errText, user string
	if req.Method == http.MethodPost {
		status = http.StatusSeeOther
		if strings.HasPrefix(req.Header.Get("Content-Type"), "multipart/form-data") {
			_ = req.ParseMultipartForm(1 << 20)
			if req.MultipartForm != nil {
				// Files past 1 MB went to temp files: gone with the request.
				defer req.MultipartForm.RemoveAll()
			}
		} else {
			_ = req.ParseForm()
		}
		state, code, errText, user = req.PostFormValue("state"), req.PostFormValue("code"), req.PostFormValue("error"), req.PostFormValue("user")
	} else {
		q := req.URL.Query()
		state, code, errText = q.Get("state"), q.Get("code"), q.Get("error")
	}
	const failure = "../_/#/auth/oauth2-redirect-failure"
	const success = "../_/#/auth/oauth2-redirect-success"
	if state == "" {
		return c.Redirect(status, failure)
	}
	st := s.auth()
	var sink oauth2SinkFunc
	if p := st.oauth2Sink.Load(); p != nil {
		sink = *p
	}
	data := map[string]string{"state": state, "code": code}
	if errText != "" {
		data["error"] = errText
	}
	// Apple posts the user's name only here; it is kept for the client's
	// auth-with-oauth2 call, so before the code reaches the client. A code
	// that reaches no waiting client (a made-up state: the sink is
	// single-use per state, it unsubscribes) has its name dropped at
	// once, so a flood of redirects stores nothing.
	name := ""
	if user != "" && code != "" {
		name = auth.ParseAppleUserName(user)
	}
	if name != "" {
		st.rememberAppleName(code, name, s.app.Now())
	}
	if sink == nil || !sink(state, data) || errText != "" || code == "" {
		if name != "" {
			st.appleName(code, s.app.Now())
		}
		return c.Redirect(status, failure)
	}
	return c.Redirect(status, success)
}
