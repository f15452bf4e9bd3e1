// Package auth provides Basalt's authentication primitives: the HS256 JWTs
// PocketBase clients expect (spec §6), bcrypt password hashing with
// equal-work checks for unknown accounts, crypto-random identifiers and
// secrets (spec §10.5), PKCE helpers, the Apple client-secret generator
// (spec S5) and one OAuth2 provider per file (spec A1, A3, §5.6).
//
// The package imports nothing else from Basalt: it speaks in its own small
// types (Claims, Config, Token, User) and the integrator adapts them to
// core. Nothing here reads the clock or global randomness deep inside
// logic where a test would care: token checks take a now argument,
// providers take Config.Now, and random helpers have Reader-based variants.
//
// Files: tokens.go (Sign, ParseUnverified, Verify), password.go,
// random.go, oauth2.go (Provider, Config, registry, code exchange),
// oauth2_http.go (bounded HTTP and JSON plumbing), idtoken.go (JWKS
// verification of id_tokens), and provider_<name>.go, one per provider,
// each stating its default endpoints, scopes, client-auth style, PKCE
// default and user mapping.
//
// Security contract shared by every OAuth2 provider: User.Email is only
// filled when the provider itself vouches that the address is verified.
// An unverified address is returned as "" (the raw value stays in
// User.RawUser), so callers can link existing accounts by e-mail (A3 step 3)
// without an account-takeover hole. Each provider file documents its rule.
package auth
