package core

import (
	"context"
	"fmt"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"
)

func init() {
	RegisterFieldType("password", func() Field { return &PasswordField{} })
}

// maxPasswordLen is the longest allowed password: bcrypt only reads 72
// bytes, so PocketBase caps the max option at 71 (spec §5.3 password).
const maxPasswordLen = 71

// defaultPasswordCost is the bcrypt cost used when the cost option is 0
// (DESIGN §10: at least 10).
const defaultPasswordCost = bcrypt.DefaultCost

// PasswordField stores a bcrypt hash; its canonical value is PasswordValue.
type PasswordField struct {
	BaseField
	// Min is the minimum length in characters (0: none).
	Min int `json:"min"`
	// Max is the maximum length in characters (0: 71; at most 71).
	Max int `json:"max"`
	// Pattern is a Go regular expression new passwords must match.
	Pattern string `json:"pattern"`
	// Cost is the bcrypt cost (0: 10).
	Cost     int  `json:"cost"`
	Required bool `json:"required"`
}

var (
	_ Field           = (*PasswordField)(nil)
	_ SaveInterceptor = (*PasswordField)(nil)
	_ Outputter       = (*PasswordField)(nil)
)

// Type returns "password".
func (f *PasswordField) Type() string { return "password" }

// ColumnType is ColumnText (the bcrypt hash).
func (f *PasswordField) ColumnType() ColumnType { return ColumnText }

// Normalize turns a plain string into a PasswordValue to be hashed on
// save; "" (and nil) is the empty password, which required rejects.
func (f *PasswordField) Normalize(raw any) any {
	switch x := raw.(type) {
	case PasswordValue:
		return x
	case *PasswordValue:
		if x != nil {
			return *x
		}
		return PasswordValue{}
	case nil:
		return PasswordValue{}
	}
	return PasswordValue{Plain: inputString(raw)}
}

// FromDB wraps the stored hash.
func (f *PasswordField) FromDB(v any) any { return PasswordValue{Hash: toString(v)} }

// ToDB returns the hash; BeforeSave must have run for a new plain text.
func (f *PasswordField) ToDB(v any) any { return passwordValue(v).Hash }

func passwordValue(v any) PasswordValue {
	switch x := v.(type) {
	case PasswordValue:
		return x
	case *PasswordValue:
		if x != nil {
			return *x
		}
	}
	return PasswordValue{}
}

// ValidateValue checks required and, when a new plain text is set, its
// length and pattern. The stored hash itself is never re-validated.
func (f *PasswordField) ValidateValue(ctx context.Context, app *App, r *Record) error {
	pv := passwordValue(r.Get(f.Name))
	if pv.Plain == "" {
		if f.Required && pv.Hash == "" {
			return ErrRequired()
		}
		return nil
	}
	n := utf8.RuneCountInString(pv.Plain)
	// PocketBase's password errors carry no params (unlike text's).
	if f.Min > 0 && n < f.Min {
		return NewFieldError("validation_min_text_constraint", fmt.Sprintf("Must be at least %d character(s).", f.Min), nil)
	}
	max := f.Max
	if max <= 0 || max > maxPasswordLen {
		max = maxPasswordLen
	}
	// bcrypt's limit is in bytes, so multi-byte text is also bounded by it.
	if n > max || len(pv.Plain) > maxPasswordLen {
		return NewFieldError("validation_max_text_constraint",
			fmt.Sprintf("Must be less than %d character(s).", max), nil)
	}
	if f.Pattern != "" {
		re, err := cachedRegexp(f.Pattern)
		if err != nil || !re.MatchString(pv.Plain) {
			return errInvalidFormat()
		}
	}
	return nil
}

// ValidateSettings checks the length bounds (max ≤ 71), the pattern and
// the bcrypt cost range.
func (f *PasswordField) ValidateSettings(ctx context.Context, app *App, c *Collection) error {
	errs := ValidationErrors{}
	if f.Min < 0 {
		// PocketBase's rule is Min(1) (0 is "unset" and skipped).
		errs["min"] = errNoLessThan(1)
	} else if f.Min > maxPasswordLen {
		errs["min"] = errNoGreaterThan(maxPasswordLen)
	}
	switch {
	case f.Max < 0:
		errs["max"] = errNoLessThan(0)
	case f.Max > maxPasswordLen:
		errs["max"] = errNoGreaterThan(maxPasswordLen)
	case f.Max > 0 && f.Max < f.Min:
		errs["max"] = errNoLessThan(f.Min)
	}
	if f.Pattern != "" {
		if _, err := cachedRegexp(f.Pattern); err != nil {
			errs["pattern"] = errInvalidRegex(err)
		}
	}
	if f.Cost != 0 {
		if f.Cost < bcrypt.MinCost {
			errs["cost"] = errNoLessThan(bcrypt.MinCost)
		} else if f.Cost > bcrypt.MaxCost {
			errs["cost"] = errNoGreaterThan(bcrypt.MaxCost)
		}
	}
	return errs.Filter()
}

// BeforeSave hashes a pending plain text with the field's cost and clears
// it, so the plain text never outlives the save.
func (f *PasswordField) BeforeSave(r *Record, isNew bool, now time.Time) error {
	pv := passwordValue(r.Get(f.Name))
	if pv.Plain == "" {
		return nil
	}
	cost := f.Cost
	if cost == 0 {
		cost = defaultPasswordCost
	}
	// ValidateSettings keeps Cost within MinCost..MaxCost, so x/crypto's
	// silent "below MinCost means DefaultCost" never applies here.
	hash, err := bcrypt.GenerateFromPassword([]byte(pv.Plain), cost)
	if err != nil {
		return fmt.Errorf("field %s: hash password: %w", f.Name, err)
	}
	r.SetCanonical(f.Name, PasswordValue{Hash: string(hash)})
	return nil
}

// Output hides the value: auth collections never output it and other
// collections always show "" (spec §5.3, Appendix B.16).
func (f *PasswordField) Output(r *Record) (any, bool) {
	if c := r.Collection(); c != nil && c.IsAuth() {
		return nil, false
	}
	return "", true
}

// IsPassword marks the kind for the save pipeline, which hashes passwords
// only after validation has seen the plain text.
func (f *PasswordField) IsPassword() bool { return true }
