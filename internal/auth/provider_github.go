package auth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// gitHub signs in with a GitHub account.
//
// Verified e-mail: the /user "email" is only the public profile address
// and says nothing about verification, so it is ignored; the address is
// the one /user/emails marks primary and verified. When that list cannot
// be read (an app without the user:email scope gets 403/404) the user
// has no e-mail rather than failing the login.
type gitHub struct{ *base }

var _ Provider = (*gitHub)(nil)

func newGitHub(cfg Config, client *http.Client) (Provider, error) {
	b, err := newBase(cfg, client, defaults{
		displayName: "GitHub",
		authURL:     "https://github.com/login/oauth/authorize",
		tokenURL:    "https://github.com/login/oauth/access_token",
		userInfoURL: "https://api.github.com/user",
		scopes:      []string{"read:user", "user:email"},
		pkce:        true,
	})
	if err != nil {
		return nil, err
	}
	return &gitHub{b}, nil
}

// FetchUser maps id, name, login and avatar_url from /user and the e-mail
// from /user/emails (userInfoURL + "/emails", so enterprise overrides
// work).
func (p *gitHub) FetchUser(ctx context.Context, tok *Token) (*User, error) {
	raw, err := p.fetchUserJSON(ctx, tok, p.userInfoURL, nil)
	if err != nil {
		return nil, err
	}
	u := newUser(tok, raw)
	u.Id = str(raw, "id")
	u.Name = str(raw, "name")
	u.Username = str(raw, "login")
	u.AvatarURL = str(raw, "avatar_url")
	u.Email, err = p.primaryVerifiedEmail(ctx, tok, strings.TrimSuffix(p.userInfoURL, "/")+"/emails", "verified")
	if err != nil {
		return nil, err
	}
	return requireId(p.name, u)
}

// primaryVerifiedEmail reads a GitHub/Gitea-style e-mail list
// ([{"email","primary",verifiedKey}]) and returns the primary verified
// address. A status error (scope not granted) means "no e-mail"; a
// transport error or cancelled ctx fails the call.
func (b *base) primaryVerifiedEmail(ctx context.Context, tok *Token, rawURL, verifiedKey string) (string, error) {
	var list []map[string]any
	err := b.getJSON(ctx, rawURL, tok.AccessToken, nil, &list)
	var se *StatusError
	if errors.As(err, &se) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("oauth2 %s emails: %w", b.name, err)
	}
	for _, e := range list {
		if truthy(e, "primary") && truthy(e, verifiedKey) {
			return str(e, "email"), nil
		}
	}
	return "", nil
}
