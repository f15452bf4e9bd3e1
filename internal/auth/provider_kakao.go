package auth

import (
	"context"
	"net/http"
)

// kakao signs in with a Kakao account.
//
// Verified e-mail: kakao_account.email is kept only when both
// is_email_valid and is_email_verified are true, as Kakao's own
// guidance for account linking requires.
type kakao struct{ *base }

var _ Provider = (*kakao)(nil)

func newKakao(cfg Config, client *http.Client) (Provider, error) {
	b, err := newBase(cfg, client, defaults{
		displayName: "Kakao",
		authURL:     "https://kauth.kakao.com/oauth/authorize",
		tokenURL:    "https://kauth.kakao.com/oauth/token",
		userInfoURL: "https://kapi.kakao.com/v2/user/me",
		scopes:      []string{"account_email", "profile_nickname", "profile_image"},
		pkce:        false,
	})
	if err != nil {
		return nil, err
	}
	return &kakao{b}, nil
}

// FetchUser maps id, kakao_account.profile.{nickname, profile_image_url}
// and the valid, verified email.
func (p *kakao) FetchUser(ctx context.Context, tok *Token) (*User, error) {
	raw, err := p.fetchUserJSON(ctx, tok, p.userInfoURL, nil)
	if err != nil {
		return nil, err
	}
	u := newUser(tok, raw)
	u.Id = str(raw, "id")
	u.Name = str(raw, "kakao_account", "profile", "nickname")
	u.AvatarURL = str(raw, "kakao_account", "profile", "profile_image_url")
	if truthy(raw, "kakao_account", "is_email_valid") && truthy(raw, "kakao_account", "is_email_verified") {
		u.Email = str(raw, "kakao_account", "email")
	}
	return requireId(p.name, u)
}
