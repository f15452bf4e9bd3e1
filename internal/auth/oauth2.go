package auth

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Provider is one configured OAuth2 provider of an auth collection
// (spec A1, A3, §5.6). Implementations are safe for concurrent use.
type Provider interface {
	// Name returns the provider's config name, e.g. "google" or "oidc2".
	Name() string
	// DisplayName returns Config.DisplayName or the provider's default label.
	DisplayName() string
	// PKCE reports whether the flow uses PKCE (Config.PKCE or the default).
	PKCE() bool
	// Scopes returns the scopes requested in AuthURL.
	Scopes() []string
	// AuthURL returns the authorization URL for A1: client_id,
	// response_type=code, scope, state, the S256 challenge when PKCE is on
	// and codeChallenge is non-empty, provider extras (Apple:
	// response_mode=form_post), ending with "&redirect_uri=" so the
	// client appends its own redirect URL.
	AuthURL(state, codeChallenge string) string
	// Exchange trades an authorization code for a token (A3). The request
	// is bounded by ExchangeTimeout and by ctx. codeVerifier is sent only
	// when PKCE is on; redirectURL must be the one the client used.
	Exchange(ctx context.Context, code, codeVerifier, redirectURL string) (*Token, error)
	// FetchUser loads the provider's account for token. User.Email is ""
	// unless the provider vouches the address is verified (see doc.go).
	FetchUser(ctx context.Context, token *Token) (*User, error)
}

// Token is the result of a code exchange.
type Token struct {
	AccessToken  string
	RefreshToken string
	TokenType    string
	Expiry       time.Time      // zero when the provider sent no expires_in
	IDToken      string         // OpenID Connect id_token, if any
	Raw          map[string]any // the whole token response

	// RememberedName is set by the caller before FetchUser for providers
	// that send the user's name only once, outside the token flow: Apple
	// posts it to the redirect endpoint (A14) and the server remembers it
	// by code for a minute. Providers with a name of their own ignore it.
	RememberedName string
}

// User is a provider account mapped to PocketBase's OAuth2 meta shape
// (spec A3 "meta"). Email is "" when the provider's address is not
// verified; RawUser keeps what the provider returned.
type User struct {
	Id           string
	Name         string
	Username     string
	Email        string
	AvatarURL    string
	AccessToken  string
	RefreshToken string
	Expiry       time.Time
	RawUser      map[string]any
}

// Config is one entry of an auth collection's oauth2.providers (spec §5.6).
// Empty URL fields mean the provider's defaults; they exist so
// self-hosted instances (GitLab, Gitea, OIDC) and tests can point
// elsewhere.
type Config struct {
	Name         string `json:"name"`
	ClientId     string `json:"clientId"`
	ClientSecret string `json:"clientSecret"`
	AuthURL      string `json:"authURL"`     // default: the provider's
	TokenURL     string `json:"tokenURL"`    // default: the provider's
	UserInfoURL  string `json:"userInfoURL"` // default: the provider's
	DisplayName  string `json:"displayName"` // default: the provider's label
	PKCE         *bool  `json:"pkce"`        // nil: the provider's default
	// Extra holds provider-specific options: "jwksURL" (apple, oidc*:
	// where id_token keys are fetched), "issuers" (oidc*: accepted iss
	// values), "trustEmail" (microsoft: see provider_microsoft.go).
	Extra map[string]any `json:"extra"`

	// Now is the clock for token expiries and id_token checks; nil means
	// time.Now.
	Now func() time.Time `json:"-"`
}

// ExchangeTimeout bounds a code exchange (spec A3: 30 s); every other
// provider HTTP call has the same bound, on top of the caller's ctx.
const ExchangeTimeout = 30 * time.Second

// maxResponseBytes caps what we read from a provider, so a misbehaving
// endpoint cannot make us buffer without limit.
const maxResponseBytes = 1 << 20

// ErrUnknownProvider is returned by NewProvider for a name not in
// ProviderNames.
var ErrUnknownProvider = errors.New("unknown oauth2 provider")

type constructor func(cfg Config, client *http.Client) (Provider, error)

// providers is the registry. A map literal rather than init-time
// registration: a duplicate name is a compile error and the full list is
// visible in one place.
var providers = map[string]constructor{
	"apple":          newApple,
	"bitbucket":      newBitbucket,
	"box":            newBox,
	"discord":        newDiscord,
	"facebook":       newFacebook,
	"gitea":          newGitea,
	"gitee":          newGitee,
	"github":         newGitHub,
	"gitlab":         newGitLab,
	"google":         newGoogle,
	"instagram2":     newInstagram,
	"kakao":          newKakao,
	"lark":           newLark,
	"linear":         newLinear,
	"livechat":       newLiveChat,
	"mailcow":        newMailcow,
	"microsoft":      newMicrosoft,
	"monday":         newMonday,
	"notion":         newNotion,
	"oidc":           newOIDC,
	"oidc2":          newOIDC,
	"oidc3":          newOIDC,
	"patreon":        newPatreon,
	"planningcenter": newPlanningCenter,
	"spotify":        newSpotify,
	"strava":         newStrava,
	"trakt":          newTrakt,
	"twitch":         newTwitch,
	"twitter":        newTwitter,
	"vk":             newVK,
	"wakatime":       newWakaTime,
	"yandex":         newYandex,
}

// ProviderNames returns the sorted names NewProvider accepts.
func ProviderNames() []string {
	names := make([]string, 0, len(providers))
	for n := range providers {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// NewProvider builds the provider cfg.Name with cfg's overrides. httpClient
// nil means http.DefaultClient. It fails for an unknown name
// (ErrUnknownProvider), a missing client id, or unusable URLs; callers
// skip providers that fail (spec A1).
func NewProvider(cfg Config, httpClient *http.Client) (Provider, error) {
	c, ok := providers[cfg.Name]
	if !ok {
		return nil, fmt.Errorf("%w: %q", ErrUnknownProvider, cfg.Name)
	}
	if httpClient == nil {
		httpClient = http.DefaultClient
	}
	return c(cfg, httpClient)
}

// clientAuth is how a token endpoint wants the client credentials.
type clientAuth int

const (
	authInBody   clientAuth = iota // client_id + client_secret form fields
	authInHeader                   // HTTP Basic (RFC 6749 §2.3.1)
	authAuto                       // Basic first, body on 400/401 (OIDC servers differ)
)

// defaults is what a provider file declares about its real service.
type defaults struct {
	displayName string
	authURL     string
	tokenURL    string
	userInfoURL string
	scopes      []string
	pkce        bool
	clientAuth  clientAuth
	authParams  map[string]string // extra query parameters on AuthURL
	scopeSep    string            // "" means " " (Strava and WakaTime want ",")
	tokenJSON   bool              // token request body as JSON, not a form (Lark, Notion, Trakt)
}

// base implements everything but FetchUser from a Config and defaults;
// provider types embed it.
type base struct {
	name        string
	displayName string
	clientId    string
	secret      string
	authURL     string
	tokenURL    string
	userInfoURL string
	scopes      []string
	pkce        bool
	clientAuth  clientAuth
	authParams  map[string]string
	scopeSep    string
	tokenJSON   bool
	extra       map[string]any
	client      *http.Client
	now         func() time.Time
	timeout     time.Duration // per HTTP call; ExchangeTimeout, shortened only by tests
}

func newBase(cfg Config, client *http.Client, d defaults) (*base, error) {
	b := &base{
		name:        cfg.Name,
		displayName: or(cfg.DisplayName, d.displayName),
		clientId:    cfg.ClientId,
		secret:      cfg.ClientSecret,
		authURL:     or(cfg.AuthURL, d.authURL),
		tokenURL:    or(cfg.TokenURL, d.tokenURL),
		userInfoURL: or(cfg.UserInfoURL, d.userInfoURL),
		scopes:      d.scopes,
		pkce:        d.pkce,
		clientAuth:  d.clientAuth,
		authParams:  d.authParams,
		scopeSep:    or(d.scopeSep, " "),
		tokenJSON:   d.tokenJSON,
		extra:       cfg.Extra,
		client:      client,
		now:         cfg.Now,
		timeout:     ExchangeTimeout,
	}
	if cfg.PKCE != nil {
		b.pkce = *cfg.PKCE
	}
	if b.now == nil {
		b.now = time.Now
	}
	if b.clientId == "" {
		return nil, fmt.Errorf("oauth2 %s: clientId is required", cfg.Name)
	}
	for _, u := range []struct{ name, v string }{{"authURL", b.authURL}, {"tokenURL", b.tokenURL}, {"userInfoURL", b.userInfoURL}} {
		if u.v == "" && u.name == "userInfoURL" {
			continue // optional for apple and oidc (id_token carries the user)
		}
		if err := checkURL(u.v); err != nil {
			return nil, fmt.Errorf("oauth2 %s: %s: %w", cfg.Name, u.name, err)
		}
	}
	return b, nil
}

func checkURL(s string) error {
	if s == "" {
		return errors.New("required")
	}
	u, err := url.Parse(s)
	if err != nil {
		return err
	}
	if (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return fmt.Errorf("%q is not an absolute http(s) URL", s)
	}
	return nil
}

func or(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// The methods below implement Provider for every embedding type; see the
// interface for their contracts.

func (b *base) Name() string        { return b.name }
func (b *base) DisplayName() string { return b.displayName }
func (b *base) PKCE() bool          { return b.pkce }
func (b *base) Scopes() []string    { return slices.Clone(b.scopes) }

// self gives tests the shared state behind a Provider.
func (b *base) self() *base { return b }

// AuthURL builds the A1 authorization URL (see Provider.AuthURL).
func (b *base) AuthURL(state, codeChallenge string) string {
	u, err := url.Parse(b.authURL)
	if err != nil {
		return "" // unreachable: checked in newBase
	}
	q := u.Query()
	q.Set("client_id", b.clientId)
	q.Set("response_type", "code")
	if len(b.scopes) > 0 {
		q.Set("scope", strings.Join(b.scopes, b.scopeSep))
	}
	q.Set("state", state)
	if b.pkce && codeChallenge != "" {
		q.Set("code_challenge", codeChallenge)
		q.Set("code_challenge_method", "S256")
	}
	for k, v := range b.authParams {
		q.Set(k, v)
	}
	q.Del("redirect_uri")
	// The SDK appends its redirect URL, so this must come last (spec A1).
	u.RawQuery = q.Encode() + "&redirect_uri="
	return u.String()
}

// Exchange performs the code grant (see Provider.Exchange).
func (b *base) Exchange(ctx context.Context, code, codeVerifier, redirectURL string) (*Token, error) {
	return b.exchange(ctx, code, codeVerifier, redirectURL, nil)
}

// exchange posts the authorization-code grant. extraForm lets a provider
// add fields.
func (b *base) exchange(ctx context.Context, code, codeVerifier, redirectURL string, extraForm url.Values) (*Token, error) {
	if code == "" {
		return nil, errors.New("oauth2 exchange: empty code")
	}
	ctx, cancel := context.WithTimeout(ctx, b.timeout)
	defer cancel()

	form := url.Values{}
	form.Set("grant_type", "authorization_code")
	form.Set("code", code)
	form.Set("redirect_uri", redirectURL)
	if b.pkce && codeVerifier != "" {
		form.Set("code_verifier", codeVerifier)
	}
	for k, vs := range extraForm {
		form[k] = vs
	}

	style := b.clientAuth
	if style == authAuto {
		style = authInHeader
	}
	body, ctype, err := b.postToken(ctx, form, style)
	var se *StatusError
	if err != nil && b.clientAuth == authAuto && errors.As(err, &se) && (se.Status == http.StatusBadRequest || se.Status == http.StatusUnauthorized) {
		// Like golang.org/x/oauth2's auto-detection: a server that only
		// takes client_secret_post rejects Basic before it consumes the code.
		body, ctype, err = b.postToken(ctx, form, authInBody)
	}
	if err != nil {
		return nil, fmt.Errorf("oauth2 %s exchange: %w", b.name, err)
	}
	tok, err := parseTokenResponse(body, ctype, b.now())
	if err != nil {
		return nil, fmt.Errorf("oauth2 %s exchange: %w", b.name, err)
	}
	return tok, nil
}

func (b *base) postToken(ctx context.Context, form url.Values, style clientAuth) ([]byte, string, error) {
	f := url.Values{}
	for k, vs := range form {
		f[k] = vs
	}
	if style == authInBody {
		f.Set("client_id", b.clientId)
		f.Set("client_secret", b.secret)
	}
	var req *http.Request
	var err error
	if b.tokenJSON {
		obj := map[string]string{}
		for k := range f {
			obj[k] = f.Get(k)
		}
		body, _ := json.Marshal(obj) // a map of strings always encodes
		req, err = http.NewRequestWithContext(ctx, http.MethodPost, b.tokenURL, bytes.NewReader(body))
		if err != nil {
			return nil, "", err
		}
		req.Header.Set("Content-Type", "application/json")
	} else {
		req, err = http.NewRequestWithContext(ctx, http.MethodPost, b.tokenURL, strings.NewReader(f.Encode()))
		if err != nil {
			return nil, "", err
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.Header.Set("Accept", "application/json") // GitHub answers form-encoded otherwise
	if style == authInHeader {
		// RFC 6749 §2.3.1: both parts are form-encoded before base64.
		req.SetBasicAuth(url.QueryEscape(b.clientId), url.QueryEscape(b.secret))
	}
	return b.do(req)
}
