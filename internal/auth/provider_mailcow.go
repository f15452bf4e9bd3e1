package auth

import (
	"context"
	"fmt"
	"net/http"
)

// mailcow signs in with a mailbox of a self-hosted mailcow server. There
// are no default endpoints: authURL, tokenURL and userInfoURL are
// required (https://<host>/oauth/authorize, /oauth/token, /oauth/profile).
//
// Verified e-mail: the account is the mailbox itself, so its address is
// owned by construction and trusted, but only while the mailbox is
// active.
type mailcow struct{ *base }

var _ Provider = (*mailcow)(nil)

func newMailcow(cfg Config, client *http.Client) (Provider, error) {
	if cfg.AuthURL == "" || cfg.TokenURL == "" || cfg.UserInfoURL == "" {
		return nil, fmt.Errorf("oauth2 %s: authURL, tokenURL and userInfoURL are required", cfg.Name)
	}
	b, err := newBase(cfg, client, defaults{
		displayName: "mailcow",
		scopes:      []string{"profile"},
		pkce:        false,
	})
	if err != nil {
		return nil, err
	}
	return &mailcow{b}, nil
}

// FetchUser maps id, full_name, username and the active mailbox address.
func (p *mailcow) FetchUser(ctx context.Context, tok *Token) (*User, error) {
	raw, err := p.fetchUserJSON(ctx, tok, p.userInfoURL, nil)
	if err != nil {
		return nil, err
	}
	u := newUser(tok, raw)
	u.Id = str(raw, "id")
	u.Name = str(raw, "full_name")
	u.Username = str(raw, "username")
	// mailcow reports active as 1/0 (or true/false).
	if active := str(raw, "active"); active == "1" || truthy(raw, "active") {
		u.Email = str(raw, "email")
	}
	return requireId(p.name, u)
}
