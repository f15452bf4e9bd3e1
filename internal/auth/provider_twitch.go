package auth

import (
	"context"
	"fmt"
	"net/http"
)

// twitch signs in with a Twitch account.
//
// Verified e-mail: Helix documents "email" as "the user's verified email
// address" and returns it only with the user:read:email scope, so it is
// trusted as is.
type twitch struct{ *base }

var _ Provider = (*twitch)(nil)

func newTwitch(cfg Config, client *http.Client) (Provider, error) {
	b, err := newBase(cfg, client, defaults{
		displayName: "Twitch",
		authURL:     "https://id.twitch.tv/oauth2/authorize",
		tokenURL:    "https://id.twitch.tv/oauth2/token",
		userInfoURL: "https://api.twitch.tv/helix/users",
		scopes:      []string{"user:read:email"},
		// Twitch's authorization-code flow does not document PKCE.
		pkce: false,
	})
	if err != nil {
		return nil, err
	}
	return &twitch{b}, nil
}

// FetchUser maps data[0].{id, display_name, login, profile_image_url,
// email}. Helix rejects calls without the Client-Id header.
func (p *twitch) FetchUser(ctx context.Context, tok *Token) (*User, error) {
	raw, err := p.fetchUserJSON(ctx, tok, p.userInfoURL, map[string]string{"Client-Id": p.clientId})
	if err != nil {
		return nil, err
	}
	data, _ := raw["data"].([]any)
	if len(data) == 0 {
		return nil, fmt.Errorf("oauth2 %s user: empty data", p.name)
	}
	d, _ := data[0].(map[string]any)
	u := newUser(tok, raw)
	u.Id = str(d, "id")
	u.Name = str(d, "display_name")
	u.Username = str(d, "login")
	u.AvatarURL = str(d, "profile_image_url")
	u.Email = str(d, "email")
	return requireId(p.name, u)
}
