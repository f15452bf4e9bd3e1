package auth

import (
	"context"
	"net/http"
)

// notionVersion is the Notion-Version header the user call is written for.
const notionVersion = "2022-06-28"

// notion signs in with a Notion account (public integration). The token
// endpoint wants HTTP Basic and a JSON body; /v1/users/me returns the bot
// user whose owner is the signing-in person.
//
// Verified e-mail: Notion accounts sign in with an e-mailed code or a
// Google/Apple identity for that address, so the owner's
// person.email is trusted.
type notion struct{ *base }

var _ Provider = (*notion)(nil)

func newNotion(cfg Config, client *http.Client) (Provider, error) {
	b, err := newBase(cfg, client, defaults{
		displayName: "Notion",
		authURL:     "https://api.notion.com/v1/oauth/authorize",
		tokenURL:    "https://api.notion.com/v1/oauth/token",
		userInfoURL: "https://api.notion.com/v1/users/me",
		pkce:        false,
		clientAuth:  authInHeader,
		tokenJSON:   true,
		authParams:  map[string]string{"owner": "user"},
	})
	if err != nil {
		return nil, err
	}
	return &notion{b}, nil
}

// FetchUser maps bot.owner.user.{id, name, avatar_url, person.email}.
func (p *notion) FetchUser(ctx context.Context, tok *Token) (*User, error) {
	raw, err := p.fetchUserJSON(ctx, tok, p.userInfoURL, map[string]string{"Notion-Version": notionVersion})
	if err != nil {
		return nil, err
	}
	owner := []string{"bot", "owner", "user"}
	u := newUser(tok, raw)
	u.Id = str(raw, append(owner, "id")...)
	u.Name = str(raw, append(owner, "name")...)
	u.AvatarURL = str(raw, append(owner, "avatar_url")...)
	u.Email = str(raw, append(owner, "person", "email")...)
	return requireId(p.name, u)
}
