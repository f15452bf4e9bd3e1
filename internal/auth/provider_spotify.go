package auth

import (
	"context"
	"net/http"
)

// spotify signs in with a Spotify account.
//
// Verified e-mail: never. Spotify documents /v1/me's "email" as "as
// entered by the user … this email address is unverified", so Email is
// always "" (the address stays in RawUser for display).
type spotify struct{ *base }

var _ Provider = (*spotify)(nil)

func newSpotify(cfg Config, client *http.Client) (Provider, error) {
	b, err := newBase(cfg, client, defaults{
		displayName: "Spotify",
		authURL:     "https://accounts.spotify.com/authorize",
		tokenURL:    "https://accounts.spotify.com/api/token",
		userInfoURL: "https://api.spotify.com/v1/me",
		scopes:      []string{"user-read-private", "user-read-email"},
		pkce:        true,
	})
	if err != nil {
		return nil, err
	}
	return &spotify{b}, nil
}

// FetchUser maps id, display_name and the first profile image.
func (p *spotify) FetchUser(ctx context.Context, tok *Token) (*User, error) {
	raw, err := p.fetchUserJSON(ctx, tok, p.userInfoURL, nil)
	if err != nil {
		return nil, err
	}
	u := newUser(tok, raw)
	u.Id = str(raw, "id")
	u.Name = str(raw, "display_name")
	if imgs, ok := raw["images"].([]any); ok && len(imgs) > 0 {
		if img, ok := imgs[0].(map[string]any); ok {
			u.AvatarURL = str(img, "url")
		}
	}
	return requireId(p.name, u)
}
