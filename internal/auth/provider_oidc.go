package auth

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
)

// oidc is a generic OpenID Connect provider, offered in three slots
// ("oidc", "oidc2", "oidc3") so one collection can use several IdPs.
// There are no default endpoints: authURL and tokenURL are required,
// userInfoURL is optional. Client credentials go as HTTP Basic
// (client_secret_basic, the OIDC default) with a fallback to form fields.
//
// The user is built from the id_token claims overlaid by the userinfo
// document (whose "sub" must match, OIDC Core §5.3.2). With
// Extra["jwksURL"] set the id_token signature, audience, expiry and
// (with Extra["issuers"]) issuer are verified; without it the id_token is
// trusted as received directly from the token endpoint over TLS (OIDC
// Core §3.1.3.7 allows this for the code flow).
//
// Verified e-mail: "email" is kept only when "email_verified" is true;
// an IdP that omits the claim yields no e-mail.
type oidc struct{ *base }

var _ Provider = (*oidc)(nil)

func newOIDC(cfg Config, client *http.Client) (Provider, error) {
	if cfg.AuthURL == "" || cfg.TokenURL == "" {
		return nil, fmt.Errorf("oauth2 %s: authURL and tokenURL are required", cfg.Name)
	}
	b, err := newBase(cfg, client, defaults{
		displayName: "OpenID Connect",
		scopes:      []string{"openid", "profile", "email"},
		pkce:        true,
		clientAuth:  authAuto,
	})
	if err != nil {
		return nil, err
	}
	if j := b.extraString("jwksURL"); j != "" {
		if err := checkURL(j); err != nil {
			return nil, fmt.Errorf("oauth2 %s: jwksURL: %w", cfg.Name, err)
		}
	}
	return &oidc{b}, nil
}

// FetchUser maps sub, name, preferred_username, picture and the verified
// email (see the type comment for where the claims come from).
func (p *oidc) FetchUser(ctx context.Context, tok *Token) (*User, error) {
	if tok == nil {
		return nil, errors.New("oauth2 oidc user: nil token")
	}
	claims := map[string]any{}
	if tok.IDToken != "" {
		var err error
		if jwks := p.extraString("jwksURL"); jwks != "" {
			claims, err = p.verifyIDToken(ctx, tok.IDToken, idTokenRules{jwksURL: jwks, issuers: p.extraStrings("issuers")})
		} else {
			claims, err = decodeJWTPayload(tok.IDToken)
		}
		if err != nil {
			return nil, fmt.Errorf("oauth2 %s user: %w", p.name, err)
		}
	}
	if p.userInfoURL != "" {
		info, err := p.fetchUserJSON(ctx, tok, p.userInfoURL, nil)
		if err != nil {
			return nil, err
		}
		if sub := str(claims, "sub"); sub != "" && str(info, "sub") != sub {
			return nil, fmt.Errorf("oauth2 %s user: userinfo sub does not match id_token", p.name)
		}
		maps.Copy(claims, info)
	}
	if len(claims) == 0 {
		return nil, fmt.Errorf("oauth2 %s user: no id_token and no userInfoURL", p.name)
	}
	u := newUser(tok, claims)
	u.Id = str(claims, "sub")
	u.Name = str(claims, "name")
	u.Username = str(claims, "preferred_username")
	u.AvatarURL = str(claims, "picture")
	if truthy(claims, "email_verified") {
		u.Email = str(claims, "email")
	}
	return requireId(p.name, u)
}
