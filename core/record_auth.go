package core

import (
	"errors"
	"fmt"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/basalthq/basalt/core/hook"
)

// Token types a TokenIssuer signs; they are the "type" claim PocketBase
// tokens carry and say which endpoint accepts the token.
const (
	TokenTypeAuth          = "auth"
	TokenTypeFile          = "file"
	TokenTypeVerification  = "verification"
	TokenTypePasswordReset = "passwordReset"
	TokenTypeEmailChange   = "emailChange"
)

// TokenRequest says what token a TokenIssuer should sign.
type TokenRequest struct {
	// Type is one of the TokenType* constants.
	Type string
	// Refreshable marks an auth token that auth-refresh may renew.
	Refreshable bool
	// Duration overrides the collection's configured duration (0: keep it).
	Duration time.Duration
	// NewEmail is the target address of an email-change token.
	NewEmail string
}

// TokenIssuer signs record tokens. core holds no token format (the JWT
// code lives in internal/auth, which core may not import); the HTTP
// server registers one with SetTokenIssuer when it is built, so the
// tokens of Record.NewAuthToken and friends are exactly the ones its
// endpoints accept.
type TokenIssuer interface {
	IssueRecordToken(r *Record, req TokenRequest) (string, error)
}

// ErrNoTokenIssuer is returned by the token methods of Record before an
// HTTP server was built.
var ErrNoTokenIssuer = errors.New("core: no token issuer registered: record tokens can only be created once the HTTP server " +
	"is built (create them in OnServe routes, request hooks or after the server started)")

type tokenIssuerBox struct{ TokenIssuer }

// tokenIssuer is process-wide like PocketBase's Record.NewAuthToken,
// which needs no app either: a record carries its collection (secret,
// duration) and its tokenKey, which is all a signature depends on.
var tokenIssuer atomic.Pointer[tokenIssuerBox]

// SetTokenIssuer registers the issuer of record tokens (nil removes it).
// The HTTP server calls it when it is built; the last one built wins.
func SetTokenIssuer(ti TokenIssuer) {
	if ti == nil {
		tokenIssuer.Store(nil)
		return
	}
	tokenIssuer.Store(&tokenIssuerBox{ti})
}

func (r *Record) issueToken(req TokenRequest) (string, error) {
	if r == nil || r.collection == nil {
		return "", errors.New("core: cannot create a token for a nil record")
	}
	if !r.collection.IsAuth() {
		return "", fmt.Errorf("core: cannot create a %s token for a record of %q: only records of auth collections have tokens", req.Type, r.collection.Name)
	}
	if r.IsNew() || r.Id() == "" || r.TokenKey() == "" {
		return "", fmt.Errorf("core: cannot create a %s token for an unsaved record: save it with app.Save first", req.Type)
	}
	b := tokenIssuer.Load()
	if b == nil {
		return "", ErrNoTokenIssuer
	}
	return b.IssueRecordToken(r, req)
}

// NewAuthToken returns a refreshable auth token for the record with the
// collection's auth-token duration (PocketBase's Record.NewAuthToken).
func (r *Record) NewAuthToken() (string, error) {
	return r.issueToken(TokenRequest{Type: TokenTypeAuth, Refreshable: true})
}

// NewStaticAuthToken returns a non-refreshable auth token valid for
// duration (0: the collection's auth-token duration), like impersonate.
func (r *Record) NewStaticAuthToken(duration time.Duration) (string, error) {
	if duration < 0 {
		return "", errors.New("core: NewStaticAuthToken: duration must be >= 0 (0 uses the collection's auth token duration)")
	}
	return r.issueToken(TokenRequest{Type: TokenTypeAuth, Duration: duration})
}

// NewFileToken returns a token for protected files (?token=).
func (r *Record) NewFileToken() (string, error) {
	return r.issueToken(TokenRequest{Type: TokenTypeFile})
}

// NewVerificationToken returns the token confirm-verification accepts.
func (r *Record) NewVerificationToken() (string, error) {
	return r.issueToken(TokenRequest{Type: TokenTypeVerification})
}

// NewPasswordResetToken returns the token confirm-password-reset accepts.
func (r *Record) NewPasswordResetToken() (string, error) {
	return r.issueToken(TokenRequest{Type: TokenTypePasswordReset})
}

// NewEmailChangeToken returns the token confirm-email-change accepts to
// change the record's email to newEmail.
func (r *Record) NewEmailChangeToken(newEmail string) (string, error) {
	if newEmail == "" {
		return "", errors.New("core: NewEmailChangeToken: newEmail is empty; pass the address the email should change to")
	}
	return r.issueToken(TokenRequest{Type: TokenTypeEmailChange, NewEmail: newEmail})
}

// RecordAuthResponse writes PocketBase's auth response {token, record,
// meta?} for record from a custom route (e.g. a custom login), signing a
// fresh refreshable auth token and firing OnRecordAuthRequest like the
// built-in auth endpoints; authMethod names the method for the hook
// (e.g. "password" or a custom name), meta is omitted when nil. The
// record shows its email; hidden fields, password and tokenKey stay out.
func RecordAuthResponse(e *RequestEvent, record *Record, authMethod string, meta any) error {
	if e == nil || record == nil {
		return errors.New("core: RecordAuthResponse needs the request event and the authenticated record")
	}
	token, err := record.NewAuthToken()
	if err != nil {
		return err
	}
	ev := &RecordAuthRequestEvent{RequestEvent: *e, Collection: record.Collection(), Record: record, Token: token, Meta: meta, AuthMethod: authMethod}
	ev.RequestEvent.Event = hook.Event{}
	err = e.App.TriggerRecordAuthRequest(ev, func(ae *RecordAuthRequestEvent) error {
		r := ae.Record.Clone()
		r.ShowEmail(true)
		data := r.PublicData()
		delete(data, FieldTokenKey)
		delete(data, FieldPassword)
		out := map[string]any{"token": ae.Token, "record": data}
		if ae.Meta != nil {
			out["meta"] = ae.Meta
		}
		return ae.JSON(http.StatusOK, out)
	})
	if ev.Written() {
		e.MarkWritten()
	}
	return err
}
