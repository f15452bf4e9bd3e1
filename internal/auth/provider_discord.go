package auth

import (
	"context"
	"net/http"
	"net/url"
)

// discord signs in with a Discord account.
//
// Verified e-mail: /users/@me's "email" is kept only when "verified" is
// true.
type discord struct{ *base }

var _ Provider = (*discord)(nil)

func newDiscord(cfg Config, client *http.Client) (Provider, error) {
	b, err := newBase(cfg, client, defaults{
		displayName: "Discord",
		authURL:     "https://discord.com/oauth2/authorize",
		tokenURL:    "https://discord.com/api/oauth2/token",
		userInfoURL: "https://discord.com/api/users/@me",
		scopes:      []string{"identify", "email"},
		pkce:        true,
	})
	if err != nil {
		return nil, err
	}
	return &discord{b}, nil
}

// FetchUser maps id, global_name (falling back to username), username,
// the avatar hash turned into a CDN URL, and the verified email.
func (p *discord) FetchUser(ctx context.Context, tok *Token) (*User, error) {
	raw, err := p.fetchUserJSON(ctx, tok, p.userInfoURL, nil)
	if err != nil {
		return nil, err
	}
	u := newUser(tok, raw)
	u.Id = str(raw, "id")
	u.Username = str(raw, "username")
	u.Name = or(str(raw, "global_name"), u.Username)
	if h := str(raw, "avatar"); h != "" && u.Id != "" {
		// Discord returns only a hash; the image lives on its CDN.
		u.AvatarURL = "https://cdn.discordapp.com/avatars/" + url.PathEscape(u.Id) + "/" + url.PathEscape(h) + ".png"
	}
	if truthy(raw, "verified") {
		u.Email = str(raw, "email")
	}
	return requireId(p.name, u)
}
