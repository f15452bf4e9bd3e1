package auth

import (
	"context"
	"fmt"
	"net/http"
	"strings"
)

// vk signs in with a VK account through the classic oauth.vk.com flow
// (apps created for the newer VK ID can point the URLs there).
//
// Verified e-mail: none. VK returns "email" in the token response, but
// documents no guarantee that it was confirmed, so Email is "" (the
// address stays in Token.Raw).
type vk struct{ *base }

var _ Provider = (*vk)(nil)

func newVK(cfg Config, client *http.Client) (Provider, error) {
	b, err := newBase(cfg, client, defaults{
		displayName: "VK",
		authURL:     "https://oauth.vk.com/authorize",
		tokenURL:    "https://oauth.vk.com/access_token",
		userInfoURL: "https://api.vk.com/method/users.get?fields=photo_max,screen_name&v=5.199",
		scopes:      []string{"email"},
		pkce:        false,
	})
	if err != nil {
		return nil, err
	}
	return &vk{b}, nil
}

// FetchUser maps response[0].{id, first_name + last_name, screen_name,
// photo_max}. VK reports API failures as {"error":{…}} under status 200.
func (p *vk) FetchUser(ctx context.Context, tok *Token) (*User, error) {
	raw, err := p.fetchUserJSON(ctx, tok, p.userInfoURL, nil)
	if err != nil {
		return nil, err
	}
	if _, ok := raw["error"]; ok {
		return nil, fmt.Errorf("oauth2 %s user: api error %.200s", p.name, str(raw, "error", "error_msg"))
	}
	list, _ := raw["response"].([]any)
	if len(list) == 0 {
		return nil, fmt.Errorf("oauth2 %s user: empty response", p.name)
	}
	d, _ := list[0].(map[string]any)
	u := newUser(tok, raw)
	u.Id = str(d, "id")
	u.Name = strings.TrimSpace(str(d, "first_name") + " " + str(d, "last_name"))
	u.Username = str(d, "screen_name")
	u.AvatarURL = str(d, "photo_max")
	return requireId(p.name, u)
}
