package openapi

import (
	"github.com/basalthq/basalt/core"
)

// authPaths adds the auth endpoints of the auth collection c (spec §4):
// only the sign-in methods its options enable, and the e-mail flows.
func (g *gen) authPaths(c *core.Collection) {
	n := c.Name
	base := "/api/collections/" + n
	g.schemas[n+"_AuthResponse"] = obj{
		"type":     "object",
		"required": []any{"token", "record"},
		"properties": obj{
			"token":  obj{"type": "string", "description": "Send it as the Authorization header."},
			"record": ref(n + "_Record"),
			"meta":   obj{"type": "object", "description": "OAuth2 only: the provider's user data (id, name, email, avatarURL, rawUser, isNew, accessToken, refreshToken, expiry)."},
		},
	}
	authOK := okJSON("Signed in: the token and the record.", ref(n+"_AuthResponse"))
	mfa := okJSON("Multi-factor authentication is required: sign in again with a second method, sending this mfaId.", obj{
		"type": "object", "required": []any{"mfaId"}, "properties": obj{"mfaId": obj{"type": "string"}},
	})
	post := func(action, summary, desc string, body obj, responses obj, bearer bool) {
		op := obj{
			"operationId":     n + "_" + action,
			"tags":            []any{n},
			"summary":         summary,
			"description":     desc,
			"x-basalt-action": action,
			"responses":       responses,
		}
		if body != nil {
			op["requestBody"] = obj{"required": true, "content": jsonContent(body)}
		}
		if bearer {
			op["security"] = []any{obj{"bearerAuth": []any{}}}
		}
		g.paths[base+"/"+action] = obj{"post": op}
	}
	str := obj{"type": "string"}
	bodyOf := func(required []any, props obj) obj {
		return obj{"type": "object", "required": required, "properties": props}
	}
	authRule, _ := g.ruleDoc("authRule", authRuleOf(c))

	g.paths[base+"/auth-methods"] = obj{"get": obj{
		"operationId":     n + "_authMethods",
		"tags":            []any{n},
		"summary":         "List the sign-in methods of " + n,
		"description":     "Open to everyone.",
		"x-basalt-action": "auth-methods",
		"responses":       obj{"200": okJSON("The enabled methods.", ref("AuthMethods"))},
	}}
	if c.Auth != nil && c.Auth.PasswordAuth.Enabled {
		idf := make([]any, 0, len(c.Auth.PasswordAuth.IdentityFields))
		for _, f := range c.Auth.PasswordAuth.IdentityFields {
			idf = append(idf, f)
		}
		post("auth-with-password", "Sign in to "+n+" with an identity and a password",
			"The identity is matched against the identity fields "+joinAny(idf)+". The record must then pass the auth rule. "+authRule,
			bodyOf([]any{"identity", "password"}, obj{
				"identity":      obj{"type": "string", "description": "The value of one of the identity fields."},
				"password":      obj{"type": "string", "writeOnly": true},
				"identityField": obj{"type": "string", "enum": idf, "description": "Match only this identity field."},
				"mfaId":         str,
			}),
			obj{"200": authOK, "400": respRef("BadRequest"), "401": mfa, "429": respRef("TooMany")}, false)
	}
	if c.Auth != nil && c.Auth.OTP.Enabled {
		post("request-otp", "Send a one-time password to a "+n+" e-mail",
			"Answers the same whether or not the e-mail belongs to a record.",
			bodyOf([]any{"email"}, obj{"email": str}),
			obj{"200": okJSON("The id to sign in with.", ref("OTPRequest")), "400": respRef("BadRequest"), "429": respRef("TooMany")}, false)
		post("auth-with-otp", "Sign in to "+n+" with a one-time password", authRule,
			bodyOf([]any{"otpId", "password"}, obj{"otpId": str, "password": obj{"type": "string", "writeOnly": true}, "mfaId": str}),
			obj{"200": authOK, "400": respRef("BadRequest"), "401": mfa, "429": respRef("TooMany")}, false)
	}
	if c.Auth != nil && c.Auth.OAuth2.Enabled {
		post("auth-with-oauth2", "Sign in to "+n+" with an OAuth2 provider",
			"Exchanges the provider's authorization code (PKCE verifier from auth-methods); a new user is created with createData when none is linked. "+authRule,
			bodyOf([]any{"provider", "code", "redirectURL"}, obj{
				"provider": str, "code": str, "codeVerifier": str, "redirectURL": str,
				"createData": obj{"type": "object", "description": "Fields of the record created for a new user."},
				"mfaId":      str,
			}),
			obj{"200": authOK, "400": respRef("BadRequest"), "401": mfa}, false)
	}
	post("auth-refresh", "Refresh a "+n+" auth token",
		"Returns a new token and the current record for the caller's token.",
		nil, obj{"200": authOK, "401": respRef("Unauthorized"), "403": respRef("Forbidden"), "404": respRef("NotFound")}, true)
	email := bodyOf([]any{"email"}, obj{"email": str})
	token := bodyOf([]any{"token"}, obj{"token": str})
	done := func() obj { return obj{"204": noContent, "400": respRef("BadRequest")} }
	post("request-verification", "E-mail a verification link for a "+n+" record", "Answers 204 whether or not the e-mail belongs to a record.", email, done(), false)
	post("confirm-verification", "Confirm a "+n+" e-mail with the token from the link", "", token, done(), false)
	post("request-password-reset", "E-mail a password-reset link for a "+n+" record", "Answers 204 whether or not the e-mail belongs to a record.", email, done(), false)
	post("confirm-password-reset", "Set a new "+n+" password with the token from the link", "Every token issued before is invalidated.",
		bodyOf([]any{"token", "password", "passwordConfirm"}, obj{"token": str, "password": obj{"type": "string", "writeOnly": true}, "passwordConfirm": obj{"type": "string", "writeOnly": true}}), done(), false)
	req := done()
	req["401"] = respRef("Unauthorized")
	post("request-email-change", "E-mail a confirmation link to a new address for the signed-in "+n+" record", "",
		bodyOf([]any{"newEmail"}, obj{"newEmail": str}), req, true)
	post("confirm-email-change", "Change a "+n+" e-mail with the token from the link and the current password", "",
		bodyOf([]any{"token", "password"}, obj{"token": str, "password": obj{"type": "string", "writeOnly": true}}), done(), false)
	if g.opts.Superuser {
		g.paths[base+"/impersonate/{id}"] = obj{"post": obj{
			"operationId":     n + "_impersonate",
			"tags":            []any{n},
			"summary":         "Get a non-refreshable token for any " + n + " record",
			"description":     "**Superusers only.**",
			"x-basalt-action": "impersonate",
			"security":        []any{obj{"bearerAuth": []any{}}},
			"parameters":      []any{obj{"name": "id", "in": "path", "required": true, "schema": str}},
			"requestBody":     obj{"content": jsonContent(obj{"type": "object", "properties": obj{"duration": obj{"type": "integer", "description": "Token lifetime in seconds (0: the collection's default)."}}})},
			"responses":       obj{"200": authOK, "400": respRef("BadRequest"), "401": respRef("Unauthorized"), "403": respRef("Forbidden"), "404": respRef("NotFound")},
		}}
	}
}

// authRuleOf is the auth rule of c ("" when it has no auth options).
func authRuleOf(c *core.Collection) *string {
	if c.Auth == nil {
		empty := ""
		return &empty
	}
	if c.Auth.AuthRule == nil {
		return nil
	}
	return c.Auth.AuthRule
}

func joinAny(list []any) string {
	s := ""
	for i, v := range list {
		if i > 0 {
			s += ", "
		}
		s += v.(string)
	}
	if s == "" {
		return "(none)"
	}
	return s
}
