package auth

import (
	"context"
	"net/http"
	"strings"
)

// gitea signs in with a Gitea account (gitea.com by default; point the
// URLs at a self-hosted instance to use that).
//
// Verified e-mail: /user's "email" carries no verification flag, so, as
// for GitHub, the address is the primary one that /user/emails marks
// "verified"; none if that list is unreadable.
type gitea struct{ *base }

var _ Provider = (*gitea)(nil)

func newGitea(cfg Config, client *http.Client) (Provider, error) {
	b, err := newBase(cfg, client, defaults{
		displayName: "Gitea",
		authURL:     "https://gitea.com/login/oauth/authorize",
		tokenURL:    "https://gitea.com/login/oauth/access_token",
		userInfoURL: "https://gitea.com/api/v1/user",
		scopes:      []string{"read:user", "user:email"},
		pkce:        true,
	})
	if err != nil {
		return nil, err
	}
	return &gitea{b}, nil
}

// FetchUser maps id, full_name, login, avatar_url and the primary
// verified address of userInfoURL + "/emails".
func (p *gitea) FetchUser(ctx context.Context, tok *Token) (*User, error) {
	raw, err := p.fetchUserJSON(ctx, tok, p.userInfoURL, nil)
	if err != nil {
		return nil, err
	}
	u := newUser(tok, raw)
	u.Id = str(raw, "id")
	u.Name = str(raw, "full_name")
	u.Username = str(raw, "login")
	u.AvatarURL = str(raw, "avatar_url")
	u.Email, err = p.primaryVerifiedEmail(ctx, tok, strings.TrimSuffix(p.userInfoURL, "/")+"/emails", "verified")
	if err != nil {
		return nil, err
	}
	return requireId(p.name, u)
}
