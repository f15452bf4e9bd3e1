package auth

import (
	"context"
	"net/http"
)

// liveChat signs in with a LiveChat (Text) account. Scopes are set in the
// LiveChat app itself, so none are requested.
//
// Verified e-mail: the account's "email" is kept only when
// "email_verified" is true.
type liveChat struct{ *base }

var _ Provider = (*liveChat)(nil)

func newLiveChat(cfg Config, client *http.Client) (Provider, error) {
	b, err := newBase(cfg, client, defaults{
		displayName: "LiveChat",
		authURL:     "https://accounts.livechat.com/",
		tokenURL:    "https://accounts.livechat.com/v2/token",
		userInfoURL: "https://accounts.livechat.com/v2/accounts/me",
		pkce:        true,
	})
	if err != nil {
		return nil, err
	}
	return &liveChat{b}, nil
}

// FetchUser maps account_id, name, avatar_url and the verified email.
func (p *liveChat) FetchUser(ctx context.Context, tok *Token) (*User, error) {
	raw, err := p.fetchUserJSON(ctx, tok, p.userInfoURL, nil)
	if err != nil {
		return nil, err
	}
	u := newUser(tok, raw)
	u.Id = str(raw, "account_id")
	u.Name = str(raw, "name")
	u.AvatarURL = str(raw, "avatar_url")
	if truthy(raw, "email_verified") {
		u.Email = str(raw, "email")
	}
	return requireId(p.name, u)
}
