package auth

import (
	"context"
	"net/http"
)

// box signs in with a Box account.
//
// Verified e-mail: none. /2.0/users/me's "login" is the sign-in address,
// but Box exposes no flag saying it was confirmed, so Email is "" (the
// login stays in RawUser).
type box struct{ *base }

var _ Provider = (*box)(nil)

func newBox(cfg Config, client *http.Client) (Provider, error) {
	b, err := newBase(cfg, client, defaults{
		displayName: "Box",
		authURL:     "https://account.box.com/api/oauth2/authorize",
		tokenURL:    "https://api.box.com/oauth2/token",
		userInfoURL: "https://api.box.com/2.0/users/me",
		scopes:      []string{"root_readwrite"},
		pkce:        false, // Box's authorization-code flow has no PKCE
	})
	if err != nil {
		return nil, err
	}
	return &box{b}, nil
}

// FetchUser maps id, name and avatar_url.
func (p *box) FetchUser(ctx context.Context, tok *Token) (*User, error) {
	raw, err := p.fetchUserJSON(ctx, tok, p.userInfoURL, nil)
	if err != nil {
		return nil, err
	}
	u := newUser(tok, raw)
	u.Id = str(raw, "id")
	u.Name = str(raw, "name")
	u.AvatarURL = str(raw, "avatar_url")
	return requireId(p.name, u)
}
