package auth

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeIdP is an httptest stand-in for a provider's token and user-info
// endpoints. It records what it was sent.
type fakeIdP struct {
	srv *httptest.Server

	mu         sync.Mutex
	tokenForm  url.Values
	basicUser  string
	basicPass  string
	hasBasic   bool
	tokenAccpt string
	tokenJSON  bool
	userHdrs   map[string]http.Header // path → headers of the last request

	// tokenStatus/tokenBody/tokenType override the token answer.
	tokenStatus int
	tokenBody   string
	tokenCType  string
	// rejectBasic makes the token endpoint answer 401 to Basic auth.
	rejectBasic bool
	// routes maps a GET path to (status, JSON body).
	routes map[string]fakeRoute
	// block makes every handler wait for the request's context.
	block bool
}

type fakeRoute struct {
	status int
	body   any
	public bool // served without a bearer token (JWKS)
}

func newFakeIdP(t *testing.T) *fakeIdP {
	t.Helper()
	f := &fakeIdP{routes: map[string]fakeRoute{}, userHdrs: map[string]http.Header{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeIdP) serve(w http.ResponseWriter, r *http.Request) {
	if f.block {
		// net/http notices a client hanging up (and cancels r.Context())
		// only once the handler has read the request body; without this a
		// stalled POST /token held its handler, and the server's Close,
		// for the whole 5 s, each provider in turn (~75 s of the suite).
		_, _ = io.Copy(io.Discard, r.Body)
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if r.URL.Path == "/token" {
		if r.Method != http.MethodPost {
			http.Error(w, "want POST", http.StatusMethodNotAllowed)
			return
		}
		if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
			var obj map[string]string
			_ = json.NewDecoder(r.Body).Decode(&obj)
			f.tokenForm = url.Values{}
			for k, v := range obj {
				f.tokenForm.Set(k, v)
			}
			f.tokenJSON = true
		} else {
			_ = r.ParseForm()
			f.tokenForm = r.PostForm
		}
		f.basicUser, f.basicPass, f.hasBasic = r.BasicAuth()
		f.tokenAccpt = r.Header.Get("Accept")
		if f.rejectBasic && f.hasBasic {
			http.Error(w, `{"error":"invalid_client"}`, http.StatusUnauthorized)
			return
		}
		if f.tokenStatus != 0 {
			w.Header().Set("Content-Type", or(f.tokenCType, "application/json"))
			w.WriteHeader(f.tokenStatus)
			_, _ = w.Write([]byte(f.tokenBody))
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"access_token":"at-1","refresh_token":"rt-1","token_type":"bearer","expires_in":3600}`))
		return
	}
	f.userHdrs[r.URL.Path] = r.Header.Clone()
	// "OAuth" is Yandex's scheme, a bare token monday.com's.
	authz := r.Header.Get("Authorization")
	if rt, ok := f.routes[r.URL.Path]; (!ok || !rt.public) && authz != "Bearer at-1" && authz != "OAuth at-1" && authz != "at-1" {
		http.Error(w, "bad token", http.StatusUnauthorized)
		return
	}
	rt, ok := f.routes[r.URL.Path]
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(or2(rt.status, http.StatusOK))
	_ = json.NewEncoder(w).Encode(rt.body)
}

func or2(a, b int) int {
	if a != 0 {
		return a
	}
	return b
}

func (f *fakeIdP) config(name, userPath string) Config {
	return Config{
		Name: name, ClientId: "cid", ClientSecret: "csecret",
		AuthURL: f.srv.URL + "/auth", TokenURL: f.srv.URL + "/token", UserInfoURL: f.srv.URL + userPath,
		Now: func() time.Time { return testNow },
	}
}

func TestProvidersExchangeAndFetchUser(t *testing.T) {
	t.Parallel()
	for _, tc := range providerCases() {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFakeIdP(t)
			for path, body := range tc.verified {
				f.routes[path] = fakeRoute{body: body}
			}
			cfg := f.config(tc.name, tc.userPath)
			cfg.Extra = tc.extra
			p, err := NewProvider(cfg, f.srv.Client())
			if err != nil {
				t.Fatal(err)
			}
			if p.PKCE() != tc.pkce {
				t.Errorf("PKCE() = %v, want %v", p.PKCE(), tc.pkce)
			}

			tok, err := p.Exchange(context.Background(), "the-code", "the-verifier", "https://app/api/oauth2-redirect")
			if err != nil {
				t.Fatalf("Exchange: %v", err)
			}
			checkTokenRequest(t, f, tc.clientAuth, tc.pkce)
			if f.tokenJSON != tc.tokenJSON {
				t.Errorf("token request JSON = %v, want %v", f.tokenJSON, tc.tokenJSON)
			}
			if tok.AccessToken != "at-1" || tok.RefreshToken != "rt-1" || !tok.Expiry.Equal(testNow.Add(time.Hour)) {
				t.Errorf("token = %+v", tok)
			}

			u, err := p.FetchUser(context.Background(), tok)
			if err != nil {
				t.Fatalf("FetchUser: %v", err)
			}
			want := tc.want
			want.AccessToken, want.RefreshToken, want.Expiry = "at-1", "rt-1", testNow.Add(time.Hour)
			got := *u
			if got.RawUser == nil {
				t.Error("RawUser is nil")
			}
			got.RawUser = nil
			if !reflect.DeepEqual(got, want) {
				t.Errorf("user:\n got %+v\nwant %+v", got, want)
			}
			for k, v := range tc.userHeader {
				if h := f.userHdrs[tc.userPath].Get(k); h != v {
					t.Errorf("user request header %s = %q, want %q", k, h, v)
				}
			}

			// Unverified e-mail: same flow, e-mail must come back empty.
			for path, body := range tc.unverified {
				f.routes[path] = fakeRoute{body: body}
			}
			cfg.Extra = nil
			p2, err := NewProvider(cfg, f.srv.Client())
			if err != nil {
				t.Fatal(err)
			}
			u2, err := p2.FetchUser(context.Background(), tok)
			if err != nil {
				t.Fatalf("FetchUser (unverified): %v", err)
			}
			if u2.Email != "" {
				t.Errorf("unverified e-mail returned: %q", u2.Email)
			}
			if u2.Id != tc.want.Id {
				t.Errorf("unverified run id = %q, want %q", u2.Id, tc.want.Id)
			}
		})
	}
}

// checkTokenRequest asserts the authorization-code grant fields and the
// client authentication style the provider requires.
func checkTokenRequest(t *testing.T, f *fakeIdP, style clientAuth, pkce bool) {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	form := f.tokenForm
	for k, want := range map[string]string{"grant_type": "authorization_code", "code": "the-code", "redirect_uri": "https://app/api/oauth2-redirect"} {
		if got := form.Get(k); got != want {
			t.Errorf("token form %s = %q, want %q", k, got, want)
		}
	}
	if got, want := form.Get("code_verifier"), map[bool]string{true: "the-verifier"}[pkce]; got != want {
		t.Errorf("code_verifier = %q, want %q", got, want)
	}
	switch style {
	case authInHeader:
		if !f.hasBasic || f.basicUser != "cid" || f.basicPass != "csecret" {
			t.Errorf("basic auth = %v %q %q, want cid/csecret", f.hasBasic, f.basicUser, f.basicPass)
		}
		if form.Has("client_secret") {
			t.Error("client_secret sent in body as well as in the header")
		}
	default:
		if f.hasBasic {
			t.Error("unexpected basic auth")
		}
		if form.Get("client_id") != "cid" || form.Get("client_secret") != "csecret" {
			t.Errorf("body credentials = %q/%q, want cid/csecret", form.Get("client_id"), form.Get("client_secret"))
		}
	}
	if f.tokenAccpt != "application/json" {
		t.Errorf("Accept = %q, want application/json", f.tokenAccpt)
	}
}

func TestProvidersErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range providerCases() {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFakeIdP(t)
			p, err := NewProvider(f.config(tc.name, tc.userPath), f.srv.Client())
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()

			f.tokenStatus, f.tokenBody = http.StatusBadRequest, `{"error":"invalid_grant"}`
			if _, err := p.Exchange(ctx, "c", "v", "r"); err == nil {
				t.Error("Exchange with 400: want error")
			}
			f.tokenStatus, f.tokenBody = http.StatusOK, `{"error":"bad_verification_code","error_description":"gone"}`
			if _, err := p.Exchange(ctx, "c", "v", "r"); err == nil {
				t.Error("Exchange with 200+error body: want error")
			}
			f.tokenStatus, f.tokenBody = http.StatusOK, `{"token_type":"bearer"}`
			if _, err := p.Exchange(ctx, "c", "v", "r"); err == nil {
				t.Error("Exchange without access_token: want error")
			}
			if _, err := p.Exchange(ctx, "", "v", "r"); err == nil {
				t.Error("Exchange with empty code: want error")
			}

			tok := &Token{AccessToken: "at-1"}
			f.routes[strings.SplitN(tc.userPath, "?", 2)[0]] = fakeRoute{status: http.StatusInternalServerError, body: map[string]any{"message": "boom"}}
			if _, err := p.FetchUser(ctx, tok); err == nil {
				t.Error("FetchUser with 500: want error")
			}
			f.routes[tc.userPath] = fakeRoute{body: map[string]any{"unrelated": true}}
			if _, err := p.FetchUser(ctx, tok); err == nil {
				t.Error("FetchUser without an id: want error")
			}
			if _, err := p.FetchUser(ctx, &Token{}); err == nil {
				t.Error("FetchUser without access token: want error")
			}
		})
	}
}

func TestProvidersHonourContext(t *testing.T) {
	t.Parallel()
	for _, tc := range providerCases() {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFakeIdP(t)
			f.block = true
			p, err := NewProvider(f.config(tc.name, tc.userPath), f.srv.Client())
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
			defer cancel()
			start := time.Now()
			_, err = p.Exchange(ctx, "c", "v", "r")
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("Exchange err = %v, want deadline exceeded", err)
			}
			_, err = p.FetchUser(ctx, &Token{AccessToken: "at-1"})
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("FetchUser err = %v, want deadline exceeded", err)
			}
			if d := time.Since(start); d > 3*time.Second {
				t.Errorf("calls took %v; the 5 s server stall was not cut short", d)
			}
		})
	}
}

func TestAuthURLShape(t *testing.T) {
	t.Parallel()
	for _, name := range ProviderNames() {
		for _, pkceOff := range []bool{false, true} {
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				cfg := Config{Name: name, ClientId: "cid 1", ClientSecret: "s"}
				if strings.HasPrefix(name, "oidc") || name == "mailcow" {
					cfg.AuthURL, cfg.TokenURL = "https://idp.example/authorize?tenant=t1", "https://idp.example/token"
					cfg.UserInfoURL = "https://idp.example/userinfo"
				}
				if pkceOff {
					cfg.PKCE = new(bool)
				}
				p, err := NewProvider(cfg, nil)
				if err != nil {
					t.Fatal(err)
				}
				got := p.AuthURL("st8", "chal")
				if !strings.HasSuffix(got, "&redirect_uri=") {
					t.Fatalf("%s does not end with &redirect_uri=", got)
				}
				u, err := url.Parse(got)
				if err != nil {
					t.Fatal(err)
				}
				q := u.Query()
				for k, want := range map[string]string{"client_id": "cid 1", "response_type": "code", "state": "st8", "scope": strings.Join(p.Scopes(), p.(interface{ self() *base }).self().scopeSep), "redirect_uri": ""} {
					if q.Get(k) != want {
						t.Errorf("%s = %q, want %q", k, q.Get(k), want)
					}
				}
				if len(q["redirect_uri"]) != 1 {
					t.Errorf("redirect_uri appears %d times", len(q["redirect_uri"]))
				}
				wantPKCE := p.PKCE()
				if pkceOff && wantPKCE {
					t.Error("pkce:false in config not honoured")
				}
				if gotPKCE := q.Get("code_challenge") == "chal" && q.Get("code_challenge_method") == "S256"; gotPKCE != wantPKCE {
					t.Errorf("challenge present = %v, want %v", gotPKCE, wantPKCE)
				}
				if got := q.Get("response_mode"); (name == "apple") != (got == "form_post") {
					t.Errorf("response_mode = %q", got)
				}
				if cfg.AuthURL != "" && q.Get("tenant") != "t1" {
					t.Error("query of a configured authURL was dropped")
				}
				if p.Name() != name || p.DisplayName() == "" {
					t.Errorf("Name/DisplayName = %q/%q", p.Name(), p.DisplayName())
				}
			})
		}
	}
}

// TestGoogleAuthURLMatchesSpec pins the exact A1 example shape.
func TestGoogleAuthURLMatchesSpec(t *testing.T) {
	t.Parallel()
	p, err := NewProvider(Config{Name: "google", ClientId: "cid123", ClientSecret: "x"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := p.AuthURL("m0FCnTlwb951H9lgjaqe7mFV6OLwPa", "rwHGg6SFB6tl3BMpLvpis3i7omD0zPKo5ZRErFfEDE4")
	want := "https://accounts.google.com/o/oauth2/v2/auth?client_id=cid123&code_challenge=rwHGg6SFB6tl3BMpLvpis3i7omD0zPKo5ZRErFfEDE4&code_challenge_method=S256&response_type=code&scope=https%3A%2F%2Fwww.googleapis.com%2Fauth%2Fuserinfo.profile+https%3A%2F%2Fwww.googleapis.com%2Fauth%2Fuserinfo.email&state=m0FCnTlwb951H9lgjaqe7mFV6OLwPa&redirect_uri="
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestNewProviderRegistry(t *testing.T) {
	t.Parallel()
	names := ProviderNames()
	if !slices.IsSorted(names) {
		t.Errorf("ProviderNames not sorted: %v", names)
	}
	// Spec A3's list of supported names, verbatim.
	spec := strings.Split("apple, bitbucket, box, discord, facebook, gitea, gitee, github, gitlab, google, instagram2, kakao, lark, linear, livechat, mailcow, microsoft, monday, notion, oidc, oidc2, oidc3, patreon, planningcenter, spotify, strava, trakt, twitch, twitter, vk, wakatime, yandex", ", ")
	if !slices.Equal(names, spec) {
		t.Errorf("ProviderNames = %v\nwant spec list %v", names, spec)
	}
	tests := []struct {
		name    string
		cfg     Config
		wantErr bool
		is      error
	}{
		{"unknown", Config{Name: "myspace", ClientId: "c"}, true, ErrUnknownProvider},
		{"empty name", Config{ClientId: "c"}, true, ErrUnknownProvider},
		{"no client id", Config{Name: "github"}, true, nil},
		{"bad url override", Config{Name: "github", ClientId: "c", TokenURL: "ftp://x"}, true, nil},
		{"relative url", Config{Name: "github", ClientId: "c", UserInfoURL: "/user"}, true, nil},
		{"oidc without urls", Config{Name: "oidc2", ClientId: "c"}, true, nil},
		{"oidc bad jwks", Config{Name: "oidc", ClientId: "c", AuthURL: "https://a/x", TokenURL: "https://a/t", Extra: map[string]any{"jwksURL": "nope"}}, true, nil},
		{"ok", Config{Name: "github", ClientId: "c"}, false, nil},
		{"oidc3 ok", Config{Name: "oidc3", ClientId: "c", AuthURL: "https://a/x", TokenURL: "https://a/t"}, false, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := NewProvider(tt.cfg, nil)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("err = %v, want %v", err, tt.is)
			}
		})
	}

	p, err := NewProvider(Config{Name: "gitlab", ClientId: "c", DisplayName: "Our GitLab", PKCE: new(bool)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if p.DisplayName() != "Our GitLab" || p.PKCE() {
		t.Errorf("overrides ignored: %q pkce=%v", p.DisplayName(), p.PKCE())
	}
}

// TestProvidersOwnTimeout: with no deadline on ctx, the provider's own
// per-call bound (ExchangeTimeout, shortened here) still ends a stalled
// call.
func TestProvidersOwnTimeout(t *testing.T) {
	t.Parallel()
	f := newFakeIdP(t)
	f.block = true
	p, err := NewProvider(f.config("github", "/user"), f.srv.Client())
	if err != nil {
		t.Fatal(err)
	}
	p.(interface{ self() *base }).self().timeout = 50 * time.Millisecond
	if _, err := p.Exchange(context.Background(), "c", "v", "r"); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Exchange err = %v, want deadline exceeded", err)
	}
	if _, err := p.FetchUser(context.Background(), &Token{AccessToken: "at-1"}); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("FetchUser err = %v, want deadline exceeded", err)
	}
}
