package auth

import (
	"context"
	"net/http"
	"net/url"
)

// yandex signs in with a Yandex ID. Its user API wants the
// "Authorization: OAuth <token>" scheme.
//
// Verified e-mail: default_email is the account's own Yandex mailbox or
// an external address Yandex confirmed before listing it, so it is
// trusted.
type yandex struct{ *base }

var _ Provider = (*yandex)(nil)

func newYandex(cfg Config, client *http.Client) (Provider, error) {
	b, err := newBase(cfg, client, defaults{
		displayName: "Yandex",
		authURL:     "https://oauth.yandex.com/authorize",
		tokenURL:    "https://oauth.yandex.com/token",
		userInfoURL: "https://login.yandex.ru/info?format=json",
		scopes:      []string{"login:email", "login:avatar", "login:info"},
		pkce:        true,
	})
	if err != nil {
		return nil, err
	}
	return &yandex{b}, nil
}

// FetchUser maps id, real_name, login, default_email and the avatar built
// from default_avatar_id.
func (p *yandex) FetchUser(ctx context.Context, tok *Token) (*User, error) {
	if tok == nil {
		tok = &Token{}
	}
	raw, err := p.fetchUserJSON(ctx, tok, p.userInfoURL, map[string]string{"Authorization": "OAuth " + tok.AccessToken})
	if err != nil {
		return nil, err
	}
	u := newUser(tok, raw)
	u.Id = str(raw, "id")
	u.Name = str(raw, "real_name")
	u.Username = str(raw, "login")
	u.Email = str(raw, "default_email")
	if id := str(raw, "default_avatar_id"); id != "" && !truthy(raw, "is_avatar_empty") {
		u.AvatarURL = "https://avatars.yandex.net/get-yapic/" + url.PathEscape(id) + "/islands-200"
	}
	return requireId(p.name, u)
}
