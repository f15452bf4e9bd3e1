package auth

import (
	"context"
	"net/http"
)

// planningCenter signs in with a Planning Center account.
//
// Verified e-mail: none. People addresses are entered by church staff
// and carry no verification flag, so Email is "".
type planningCenter struct{ *base }

var _ Provider = (*planningCenter)(nil)

func newPlanningCenter(cfg Config, client *http.Client) (Provider, error) {
	b, err := newBase(cfg, client, defaults{
		displayName: "Planning Center",
		authURL:     "https://api.planningcenteronline.com/oauth/authorize",
		tokenURL:    "https://api.planningcenteronline.com/oauth/token",
		userInfoURL: "https://api.planningcenteronline.com/people/v2/me",
		scopes:      []string{"people"},
		pkce:        true,
	})
	if err != nil {
		return nil, err
	}
	return &planningCenter{b}, nil
}

// FetchUser maps data.id and data.attributes.{name, avatar}.
func (p *planningCenter) FetchUser(ctx context.Context, tok *Token) (*User, error) {
	raw, err := p.fetchUserJSON(ctx, tok, p.userInfoURL, nil)
	if err != nil {
		return nil, err
	}
	u := newUser(tok, raw)
	u.Id = str(raw, "data", "id")
	u.Name = str(raw, "data", "attributes", "name")
	u.AvatarURL = str(raw, "data", "attributes", "avatar")
	return requireId(p.name, u)
}
