package auth

import (
	"context"
	"net/http"
)

// twitter signs in with an X (Twitter) account through OAuth 2.0 with
// PKCE, which X requires; the token endpoint wants the client
// credentials as HTTP Basic.
//
// Verified e-mail: none. The v2 users/me endpoint used here returns no
// e-mail, so Email is always "" and account linking relies on the
// provider id.
type twitter struct{ *base }

var _ Provider = (*twitter)(nil)

func newTwitter(cfg Config, client *http.Client) (Provider, error) {
	b, err := newBase(cfg, client, defaults{
		displayName: "X (Twitter)",
		authURL:     "https://x.com/i/oauth2/authorize",
		tokenURL:    "https://api.x.com/2/oauth2/token",
		userInfoURL: "https://api.x.com/2/users/me?user.fields=id,name,username,profile_image_url",
		// users.read needs tweet.read too; offline.access yields a refresh token.
		scopes:     []string{"users.read", "tweet.read", "offline.access"},
		pkce:       true,
		clientAuth: authInHeader,
	})
	if err != nil {
		return nil, err
	}
	return &twitter{b}, nil
}

// FetchUser maps data.{id, name, username, profile_image_url}.
func (p *twitter) FetchUser(ctx context.Context, tok *Token) (*User, error) {
	raw, err := p.fetchUserJSON(ctx, tok, p.userInfoURL, nil)
	if err != nil {
		return nil, err
	}
	u := newUser(tok, raw)
	u.Id = str(raw, "data", "id")
	u.Name = str(raw, "data", "name")
	u.Username = str(raw, "data", "username")
	u.AvatarURL = str(raw, "data", "profile_image_url")
	return requireId(p.name, u)
}
