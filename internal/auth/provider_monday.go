package auth

import (
	"context"
	"fmt"
	"net/http"
)

// monday signs in with a monday.com account; the user comes from its
// GraphQL API, which takes the token without a "Bearer" prefix.
//
// Verified e-mail: me.email is kept only when me.is_verified is true and
// the user is enabled.
type monday struct{ *base }

var _ Provider = (*monday)(nil)

func newMonday(cfg Config, client *http.Client) (Provider, error) {
	b, err := newBase(cfg, client, defaults{
		displayName: "monday.com",
		authURL:     "https://auth.monday.com/oauth2/authorize",
		tokenURL:    "https://auth.monday.com/oauth2/token",
		userInfoURL: "https://api.monday.com/v2",
		scopes:      []string{"me:read"},
		pkce:        false,
	})
	if err != nil {
		return nil, err
	}
	return &monday{b}, nil
}

// FetchUser queries me{id enabled email name photo_small is_verified}.
func (p *monday) FetchUser(ctx context.Context, tok *Token) (*User, error) {
	if tok == nil || tok.AccessToken == "" {
		return nil, fmt.Errorf("oauth2 %s user: missing access token", p.name)
	}
	var raw map[string]any
	q := map[string]string{"query": "query { me { id enabled email name photo_small is_verified } }"}
	if err := p.postJSON(ctx, p.userInfoURL, tok.AccessToken, map[string]string{"Authorization": tok.AccessToken}, q, &raw); err != nil {
		return nil, fmt.Errorf("oauth2 %s user: %w", p.name, err)
	}
	me, _ := lookup(raw, "data", "me").(map[string]any)
	if me == nil {
		return nil, fmt.Errorf("oauth2 %s user: no me in response", p.name)
	}
	u := newUser(tok, raw)
	u.Id = str(me, "id")
	u.Name = str(me, "name")
	u.AvatarURL = str(me, "photo_small")
	if truthy(me, "enabled") && truthy(me, "is_verified") {
		u.Email = str(me, "email")
	}
	return requireId(p.name, u)
}
