package core

import (
	"crypto/subtle"
	"math"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// This file holds the typed accessors PocketBase users call on records
// (issue #25 item 5). Every getter casts leniently like PocketBase's
// spf13/cast based getters: a missing field or an uncastable value gives
// the zero value, never a panic.

// GetInt returns a field value as an int: numbers are truncated toward
// zero, numeric strings parse ("12" → 12), true is 1, anything else 0.
func (r *Record) GetInt(name string) int {
	f := ToFloat(r.data[name])
	if math.IsNaN(f) || math.IsInf(f, 0) || f > math.MaxInt64 || f < math.MinInt64 {
		return 0
	}
	return int(f)
}

// GetDateTime returns a date field (or any value holding a date string or
// time.Time) as a UTC time; the zero time when empty or unparsable.
func (r *Record) GetDateTime(name string) time.Time {
	switch x := r.data[name].(type) {
	case time.Time:
		return x.UTC()
	case *time.Time:
		if x != nil {
			return x.UTC()
		}
		return time.Time{}
	}
	t, _ := ParseTime(toString(r.data[name]))
	return t
}

// Email returns the email of an auth record ("" for other records).
func (r *Record) Email() string { return r.GetString(FieldEmail) }

// SetEmail sets the email of an auth record; it is a no-op on records of
// collections without an email field, like Set.
func (r *Record) SetEmail(email string) { r.Set(FieldEmail, email) }

// EmailVisibility reports whether the email of an auth record is public.
func (r *Record) EmailVisibility() bool { return r.GetBool(FieldEmailVisibility) }

// SetEmailVisibility sets whether the email of an auth record is public.
func (r *Record) SetEmailVisibility(v bool) { r.Set(FieldEmailVisibility, v) }

// Verified reports whether an auth record's email is verified.
func (r *Record) Verified() bool { return r.GetBool(FieldVerified) }

// SetVerified sets the verified flag of an auth record.
func (r *Record) SetVerified(v bool) { r.Set(FieldVerified, v) }

// TokenKey returns the auth record's token key, part of every token's
// signing key.
func (r *Record) TokenKey() string { return r.GetString(FieldTokenKey) }

// RefreshTokenKey gives the auth record a new random token key, which
// invalidates every token issued before; Save persists it.
func (r *Record) RefreshTokenKey() { r.Set(FieldTokenKey, RandomToken(50)) }

// SetPassword sets a new plain-text password on an auth record (or on a
// record's "password" field). Like any field value it is validated
// (min/max/pattern) and bcrypt-hashed when the record is saved; the
// plain text never reaches the store.
func (r *Record) SetPassword(password string) { r.Set(FieldPassword, password) }

// ValidatePassword reports whether password matches the record's
// password: against the stored bcrypt hash, or, for a password set but
// not saved yet, against the pending plain text (constant time). An
// empty password never matches.
func (r *Record) ValidatePassword(password string) bool {
	if password == "" {
		return false
	}
	pv := passwordValue(r.data[FieldPassword])
	if pv.Plain != "" {
		return subtle.ConstantTimeCompare([]byte(pv.Plain), []byte(password)) == 1
	}
	if pv.Hash == "" {
		return false
	}
	return bcrypt.CompareHashAndPassword([]byte(pv.Hash), []byte(password)) == nil
}
