package auth

import (
	"context"
	"net/http"
)

// microsoft signs in with a Microsoft (Entra ID / personal) account
// through the "common" tenant; override authURL/tokenURL for a single
// tenant.
//
// Verified e-mail: Graph /me's "mail" is an attribute any tenant admin
// can set to any value and Microsoft does not verify it (the "nOAuth"
// account-takeover class), so by default Email is "". Set
// Extra["trustEmail"] = true only for a single-tenant setup whose
// administrators you trust; then "mail" (or, failing that,
// "userPrincipalName" when it looks like an address) is returned.
type microsoft struct{ *base }

var _ Provider = (*microsoft)(nil)

func newMicrosoft(cfg Config, client *http.Client) (Provider, error) {
	b, err := newBase(cfg, client, defaults{
		displayName: "Microsoft",
		authURL:     "https://login.microsoftonline.com/common/oauth2/v2.0/authorize",
		tokenURL:    "https://login.microsoftonline.com/common/oauth2/v2.0/token",
		userInfoURL: "https://graph.microsoft.com/v1.0/me",
		scopes:      []string{"User.Read"},
		pkce:        true,
	})
	if err != nil {
		return nil, err
	}
	return &microsoft{b}, nil
}

// FetchUser maps id and displayName; the e-mail only when trusted (see
// the type comment). Graph serves no avatar URL (only photo bytes), so
// AvatarURL stays "".
func (p *microsoft) FetchUser(ctx context.Context, tok *Token) (*User, error) {
	raw, err := p.fetchUserJSON(ctx, tok, p.userInfoURL, nil)
	if err != nil {
		return nil, err
	}
	u := newUser(tok, raw)
	u.Id = str(raw, "id")
	u.Name = str(raw, "displayName")
	if p.extraBool("trustEmail") {
		u.Email = str(raw, "mail")
		if upn := str(raw, "userPrincipalName"); u.Email == "" && looksLikeEmail(upn) {
			u.Email = upn
		}
	}
	return requireId(p.name, u)
}

// looksLikeEmail is a cheap shape check (one "@", something on each side);
// real validation belongs to the record's email field.
func looksLikeEmail(s string) bool {
	at := -1
	for i, r := range s {
		if r == '@' {
			if at >= 0 {
				return false
			}
			at = i
		}
	}
	return at > 0 && at < len(s)-1
}
