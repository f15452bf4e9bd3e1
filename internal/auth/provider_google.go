package auth

import (
	"context"
	"net/http"
)

// google signs in with a Google account.
//
// Verified e-mail: the OpenID userinfo document's email is kept only when
// "email_verified" is true ("verified_email" of the older v1 endpoint is
// honoured too, for a userInfoURL override pointing there).
type google struct{ *base }

var _ Provider = (*google)(nil)

func newGoogle(cfg Config, client *http.Client) (Provider, error) {
	b, err := newBase(cfg, client, defaults{
		displayName: "Google",
		authURL:     "https://accounts.google.com/o/oauth2/v2/auth",
		tokenURL:    "https://oauth2.googleapis.com/token",
		userInfoURL: "https://www.googleapis.com/oauth2/v3/userinfo",
		scopes:      []string{"https://www.googleapis.com/auth/userinfo.profile", "https://www.googleapis.com/auth/userinfo.email"},
		pkce:        true,
	})
	if err != nil {
		return nil, err
	}
	return &google{b}, nil
}

// FetchUser maps sub (or v1 "id"), name, picture and the verified email.
func (p *google) FetchUser(ctx context.Context, tok *Token) (*User, error) {
	raw, err := p.fetchUserJSON(ctx, tok, p.userInfoURL, nil)
	if err != nil {
		return nil, err
	}
	u := newUser(tok, raw)
	u.Id = or(str(raw, "sub"), str(raw, "id"))
	u.Name = str(raw, "name")
	u.AvatarURL = str(raw, "picture")
	if truthy(raw, "email_verified") || truthy(raw, "verified_email") {
		u.Email = str(raw, "email")
	}
	return requireId(p.name, u)
}
