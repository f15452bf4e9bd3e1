package auth

import (
	"context"
	"net/http"
)

// patreon signs in with a Patreon account (API v2).
//
// Verified e-mail: the identity's attributes.email is kept only when
// attributes.is_email_verified is true.
type patreon struct{ *base }

var _ Provider = (*patreon)(nil)

func newPatreon(cfg Config, client *http.Client) (Provider, error) {
	b, err := newBase(cfg, client, defaults{
		displayName: "Patreon",
		authURL:     "https://www.patreon.com/oauth2/authorize",
		tokenURL:    "https://www.patreon.com/api/oauth2/token",
		// v2 returns only the attributes named in fields[user].
		userInfoURL: "https://www.patreon.com/api/oauth2/v2/identity?fields%5Buser%5D=full_name,email,vanity,image_url,is_email_verified",
		scopes:      []string{"identity", "identity[email]"},
		pkce:        true,
	})
	if err != nil {
		return nil, err
	}
	return &patreon{b}, nil
}

// FetchUser maps data.id and data.attributes.{full_name, vanity,
// image_url, email}.
func (p *patreon) FetchUser(ctx context.Context, tok *Token) (*User, error) {
	raw, err := p.fetchUserJSON(ctx, tok, p.userInfoURL, nil)
	if err != nil {
		return nil, err
	}
	u := newUser(tok, raw)
	u.Id = str(raw, "data", "id")
	u.Name = str(raw, "data", "attributes", "full_name")
	u.Username = str(raw, "data", "attributes", "vanity")
	u.AvatarURL = str(raw, "data", "attributes", "image_url")
	if truthy(raw, "data", "attributes", "is_email_verified") {
		u.Email = str(raw, "data", "attributes", "email")
	}
	return requireId(p.name, u)
}
