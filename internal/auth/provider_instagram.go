package auth

import (
	"context"
	"net/http"
)

// instagram signs in with an Instagram professional account through the
// "Instagram API with Instagram Login" (config name "instagram2"; the
// retired Basic Display API was "instagram").
//
// Its token endpoint may answer {"data":[{"access_token",…}]}, which
// parseTokenResponse unwraps.
//
// Verified e-mail: none; Instagram exposes no address, so Email is "".
type instagram struct{ *base }

var _ Provider = (*instagram)(nil)

func newInstagram(cfg Config, client *http.Client) (Provider, error) {
	b, err := newBase(cfg, client, defaults{
		displayName: "Instagram",
		authURL:     "https://www.instagram.com/oauth/authorize",
		tokenURL:    "https://api.instagram.com/oauth/access_token",
		userInfoURL: "https://graph.instagram.com/me?fields=id,username,account_type,name,profile_picture_url",
		scopes:      []string{"instagram_business_basic"},
		pkce:        false,
	})
	if err != nil {
		return nil, err
	}
	return &instagram{b}, nil
}

// FetchUser maps id, name, username and profile_picture_url.
func (p *instagram) FetchUser(ctx context.Context, tok *Token) (*User, error) {
	raw, err := p.fetchUserJSON(ctx, tok, p.userInfoURL, nil)
	if err != nil {
		return nil, err
	}
	u := newUser(tok, raw)
	u.Id = str(raw, "id")
	u.Name = str(raw, "name")
	u.Username = str(raw, "username")
	u.AvatarURL = str(raw, "profile_picture_url")
	return requireId(p.name, u)
}
