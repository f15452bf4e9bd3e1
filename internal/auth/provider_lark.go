package auth

import (
	"context"
	"fmt"
	"net/http"
)

// lark signs in with a Lark (Feishu international) account. Its v2 token
// endpoint takes a JSON body.
//
// Verified e-mail: none. Lark's user_info "email" and "enterprise_email"
// are set by the tenant's administrators, not verified by Lark, so Email
// is "" (both stay in RawUser).
type lark struct{ *base }

var _ Provider = (*lark)(nil)

func newLark(cfg Config, client *http.Client) (Provider, error) {
	b, err := newBase(cfg, client, defaults{
		displayName: "Lark",
		authURL:     "https://accounts.larksuite.com/open-apis/authen/v1/authorize",
		tokenURL:    "https://open.larksuite.com/open-apis/authen/v2/oauth/token",
		userInfoURL: "https://open.larksuite.com/open-apis/authen/v1/user_info",
		pkce:        true,
		tokenJSON:   true,
	})
	if err != nil {
		return nil, err
	}
	return &lark{b}, nil
}

// FetchUser maps data.{union_id (stable across one developer's apps),
// name, avatar_url}. A non-zero "code" is an API error even under 200.
func (p *lark) FetchUser(ctx context.Context, tok *Token) (*User, error) {
	raw, err := p.fetchUserJSON(ctx, tok, p.userInfoURL, nil)
	if err != nil {
		return nil, err
	}
	if c := str(raw, "code"); c != "" && c != "0" {
		return nil, fmt.Errorf("oauth2 %s user: api code %s", p.name, c)
	}
	u := newUser(tok, raw)
	u.Id = or(str(raw, "data", "union_id"), str(raw, "data", "open_id"))
	u.Name = str(raw, "data", "name")
	u.AvatarURL = str(raw, "data", "avatar_url")
	return requireId(p.name, u)
}
