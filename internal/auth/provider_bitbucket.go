package auth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// bitbucket signs in with a Bitbucket Cloud account. Its token endpoint
// authenticates the client with HTTP Basic, and it has no PKCE.
//
// Verified e-mail: /2.0/user has no address; /2.0/user/emails lists them
// with "is_primary" and "is_confirmed", and only the primary confirmed
// one is returned (none if the list is unreadable).
type bitbucket struct{ *base }

var _ Provider = (*bitbucket)(nil)

func newBitbucket(cfg Config, client *http.Client) (Provider, error) {
	b, err := newBase(cfg, client, defaults{
		displayName: "Bitbucket",
		authURL:     "https://bitbucket.org/site/oauth2/authorize",
		tokenURL:    "https://bitbucket.org/site/oauth2/access_token",
		userInfoURL: "https://api.bitbucket.org/2.0/user",
		scopes:      []string{"account", "email"},
		pkce:        false,
		clientAuth:  authInHeader,
	})
	if err != nil {
		return nil, err
	}
	return &bitbucket{b}, nil
}

// FetchUser maps uuid (stable, unlike the renamable username),
// display_name, username, links.avatar.href, and the e-mail from
// userInfoURL + "/emails".
func (p *bitbucket) FetchUser(ctx context.Context, tok *Token) (*User, error) {
	raw, err := p.fetchUserJSON(ctx, tok, p.userInfoURL, nil)
	if err != nil {
		return nil, err
	}
	u := newUser(tok, raw)
	u.Id = str(raw, "uuid")
	u.Name = str(raw, "display_name")
	u.Username = str(raw, "username")
	u.AvatarURL = str(raw, "links", "avatar", "href")

	var emails struct {
		Values []map[string]any `json:"values"`
	}
	err = p.getJSON(ctx, strings.TrimSuffix(p.userInfoURL, "/")+"/emails", tok.AccessToken, nil, &emails)
	var se *StatusError
	switch {
	case errors.As(err, &se): // scope not granted: no e-mail
	case err != nil:
		return nil, fmt.Errorf("oauth2 %s emails: %w", p.name, err)
	default:
		for _, e := range emails.Values {
			if truthy(e, "is_primary") && truthy(e, "is_confirmed") {
				u.Email = str(e, "email")
				break
			}
		}
	}
	return requireId(p.name, u)
}
