package auth

import (
	"context"
	"net/http"
)

// trakt signs in with a Trakt account. Its token endpoint takes a JSON
// body and every API call needs the trakt-api-version and
// trakt-api-key (client id) headers.
//
// Verified e-mail: none; Trakt exposes no address, so Email is "".
type trakt struct{ *base }

var _ Provider = (*trakt)(nil)

func newTrakt(cfg Config, client *http.Client) (Provider, error) {
	b, err := newBase(cfg, client, defaults{
		displayName: "Trakt",
		authURL:     "https://trakt.tv/oauth/authorize",
		tokenURL:    "https://api.trakt.tv/oauth/token",
		userInfoURL: "https://api.trakt.tv/users/settings",
		pkce:        false,
		tokenJSON:   true,
	})
	if err != nil {
		return nil, err
	}
	return &trakt{b}, nil
}

// FetchUser maps user.{ids.uuid (stable, unlike the slug), name,
// username, images.avatar.full}.
func (p *trakt) FetchUser(ctx context.Context, tok *Token) (*User, error) {
	raw, err := p.fetchUserJSON(ctx, tok, p.userInfoURL, map[string]string{"trakt-api-version": "2", "trakt-api-key": p.clientId})
	if err != nil {
		return nil, err
	}
	u := newUser(tok, raw)
	u.Id = str(raw, "user", "ids", "uuid")
	u.Name = str(raw, "user", "name")
	u.Username = str(raw, "user", "username")
	u.AvatarURL = str(raw, "user", "images", "avatar", "full")
	return requireId(p.name, u)
}
