package auth

import (
	"context"
	"fmt"
	"net/http"
)

// linear signs in with a Linear account; the user comes from its GraphQL
// API.
//
// Verified e-mail: Linear signs users in only through their address
// (magic link) or a Google/SAML identity for it, so an active viewer's
// "email" is trusted; an inactive (suspended) one yields no e-mail.
type linear struct{ *base }

var _ Provider = (*linear)(nil)

func newLinear(cfg Config, client *http.Client) (Provider, error) {
	b, err := newBase(cfg, client, defaults{
		displayName: "Linear",
		authURL:     "https://linear.app/oauth/authorize",
		tokenURL:    "https://api.linear.app/oauth/token",
		userInfoURL: "https://api.linear.app/graphql",
		scopes:      []string{"read"},
		pkce:        true,
	})
	if err != nil {
		return nil, err
	}
	return &linear{b}, nil
}

// FetchUser queries viewer{id displayName name email avatarUrl active}.
func (p *linear) FetchUser(ctx context.Context, tok *Token) (*User, error) {
	if tok == nil || tok.AccessToken == "" {
		return nil, fmt.Errorf("oauth2 %s user: missing access token", p.name)
	}
	var raw map[string]any
	q := map[string]string{"query": "query { viewer { id displayName name email avatarUrl active } }"}
	if err := p.postJSON(ctx, p.userInfoURL, tok.AccessToken, nil, q, &raw); err != nil {
		return nil, fmt.Errorf("oauth2 %s user: %w", p.name, err)
	}
	v, _ := lookup(raw, "data", "viewer").(map[string]any)
	if v == nil {
		return nil, fmt.Errorf("oauth2 %s user: no viewer in response", p.name)
	}
	u := newUser(tok, raw)
	u.Id = str(v, "id")
	u.Name = str(v, "name")
	u.Username = str(v, "displayName")
	u.AvatarURL = str(v, "avatarUrl")
	if truthy(v, "active") {
		u.Email = str(v, "email")
	}
	return requireId(p.name, u)
}
