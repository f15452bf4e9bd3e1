package auth

import (
	"context"
	"net/http"
)

// facebook signs in with a Facebook account through the Graph API.
//
// Verified e-mail: Graph returns "email" only when the account has a
// confirmed primary address ("this field will not be returned if no
// valid email address is available"), so a returned address is trusted.
type facebook struct{ *base }

var _ Provider = (*facebook)(nil)

func newFacebook(cfg Config, client *http.Client) (Provider, error) {
	b, err := newBase(cfg, client, defaults{
		displayName: "Facebook",
		authURL:     "https://www.facebook.com/v23.0/dialog/oauth",
		tokenURL:    "https://graph.facebook.com/v23.0/oauth/access_token",
		userInfoURL: "https://graph.facebook.com/v23.0/me?fields=id,name,email,picture.type(large)",
		scopes:      []string{"email", "public_profile"},
		pkce:        true,
	})
	if err != nil {
		return nil, err
	}
	return &facebook{b}, nil
}

// FetchUser maps id, name, email and picture.data.url.
func (p *facebook) FetchUser(ctx context.Context, tok *Token) (*User, error) {
	raw, err := p.fetchUserJSON(ctx, tok, p.userInfoURL, nil)
	if err != nil {
		return nil, err
	}
	u := newUser(tok, raw)
	u.Id = str(raw, "id")
	u.Name = str(raw, "name")
	u.Email = str(raw, "email")
	u.AvatarURL = str(raw, "picture", "data", "url")
	return requireId(p.name, u)
}
