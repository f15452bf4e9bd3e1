package auth

import (
	"context"
	"net/http"
)

// gitLab signs in with a GitLab account (gitlab.com by default; point the
// URLs at a self-hosted instance to use that).
//
// Verified e-mail: /api/v4/user returns the primary address together
// with "confirmed_at" for the token's own user; the address is kept only
// when confirmed_at is set, so a GitLab account still inside its
// unconfirmed grace period cannot claim someone else's address.
type gitLab struct{ *base }

var _ Provider = (*gitLab)(nil)

func newGitLab(cfg Config, client *http.Client) (Provider, error) {
	b, err := newBase(cfg, client, defaults{
		displayName: "GitLab",
		authURL:     "https://gitlab.com/oauth/authorize",
		tokenURL:    "https://gitlab.com/oauth/token",
		userInfoURL: "https://gitlab.com/api/v4/user",
		scopes:      []string{"read_user"},
		pkce:        true,
	})
	if err != nil {
		return nil, err
	}
	return &gitLab{b}, nil
}

// FetchUser maps id, name, username, avatar_url and the confirmed email.
func (p *gitLab) FetchUser(ctx context.Context, tok *Token) (*User, error) {
	raw, err := p.fetchUserJSON(ctx, tok, p.userInfoURL, nil)
	if err != nil {
		return nil, err
	}
	u := newUser(tok, raw)
	u.Id = str(raw, "id")
	u.Name = str(raw, "name")
	u.Username = str(raw, "username")
	u.AvatarURL = str(raw, "avatar_url")
	if str(raw, "confirmed_at") != "" {
		u.Email = str(raw, "email")
	}
	return requireId(p.name, u)
}
