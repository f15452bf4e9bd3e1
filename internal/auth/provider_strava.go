package auth

import (
	"context"
	"net/http"
	"strings"
)

// strava signs in with a Strava athlete account. Strava separates scopes
// with commas.
//
// Verified e-mail: none; the API exposes no address, so Email is "".
type strava struct{ *base }

var _ Provider = (*strava)(nil)

func newStrava(cfg Config, client *http.Client) (Provider, error) {
	b, err := newBase(cfg, client, defaults{
		displayName: "Strava",
		authURL:     "https://www.strava.com/oauth/authorize",
		tokenURL:    "https://www.strava.com/api/v3/oauth/token",
		userInfoURL: "https://www.strava.com/api/v3/athlete",
		scopes:      []string{"profile:read_all"},
		scopeSep:    ",",
		pkce:        false,
	})
	if err != nil {
		return nil, err
	}
	return &strava{b}, nil
}

// FetchUser maps id, firstname + lastname, username and profile (the
// large avatar URL).
func (p *strava) FetchUser(ctx context.Context, tok *Token) (*User, error) {
	raw, err := p.fetchUserJSON(ctx, tok, p.userInfoURL, nil)
	if err != nil {
		return nil, err
	}
	u := newUser(tok, raw)
	u.Id = str(raw, "id")
	u.Name = strings.TrimSpace(str(raw, "firstname") + " " + str(raw, "lastname"))
	u.Username = str(raw, "username")
	u.AvatarURL = str(raw, "profile")
	return requireId(p.name, u)
}
