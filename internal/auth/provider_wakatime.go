package auth

import (
	"context"
	"net/http"
)

// wakaTime signs in with a WakaTime account. WakaTime separates scopes
// with commas and answers the token call form-encoded unless asked for
// JSON (handled by parseTokenResponse either way).
//
// Verified e-mail: data.email is kept only when data.is_email_confirmed
// is true.
type wakaTime struct{ *base }

var _ Provider = (*wakaTime)(nil)

func newWakaTime(cfg Config, client *http.Client) (Provider, error) {
	b, err := newBase(cfg, client, defaults{
		displayName: "WakaTime",
		authURL:     "https://wakatime.com/oauth/authorize",
		tokenURL:    "https://wakatime.com/oauth/token",
		userInfoURL: "https://wakatime.com/api/v1/users/current",
		scopes:      []string{"email", "read_stats"},
		scopeSep:    ",",
		pkce:        false,
	})
	if err != nil {
		return nil, err
	}
	return &wakaTime{b}, nil
}

// FetchUser maps data.{id, display_name, username, photo} and the
// confirmed email.
func (p *wakaTime) FetchUser(ctx context.Context, tok *Token) (*User, error) {
	raw, err := p.fetchUserJSON(ctx, tok, p.userInfoURL, nil)
	if err != nil {
		return nil, err
	}
	u := newUser(tok, raw)
	u.Id = str(raw, "data", "id")
	u.Name = str(raw, "data", "display_name")
	u.Username = str(raw, "data", "username")
	u.AvatarURL = str(raw, "data", "photo")
	if truthy(raw, "data", "is_email_confirmed") {
		u.Email = str(raw, "data", "email")
	}
	return requireId(p.name, u)
}
