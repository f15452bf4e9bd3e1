package core

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

func init() {
	RegisterFieldType("text", func() Field { return &TextField{} })
}

// defaultTextMax is the length limit of a text field whose max is 0
// (spec §5.3 text).
const defaultTextMax = 5000

// DefaultIdPattern is the pattern of the default record id field; a
// primary key with another pattern gets the extra id checks of spec §5.4.
const DefaultIdPattern = "^[a-z0-9]+$"

// DefaultIdAutogeneratePattern generates the default 15-char record ids.
const DefaultIdAutogeneratePattern = "[a-z0-9]{15}"

// TextField is a plain string field; with PrimaryKey it is the record id.
type TextField struct {
	BaseField
	// Min is the minimum length in runes (0: none).
	Min int `json:"min"`
	// Max is the maximum length in runes (0: 5000).
	Max int `json:"max"`
	// Pattern is a Go regular expression non-empty values must match.
	Pattern string `json:"pattern"`
	// AutogeneratePattern generates a value for an empty field on create
	// and for the ":autogenerate" modifier; see GenerateFromPattern for the
	// supported syntax.
	AutogeneratePattern string `json:"autogeneratePattern"`
	Required            bool   `json:"required"`
	PrimaryKey          bool   `json:"primaryKey"`
}

var (
	_ Field           = (*TextField)(nil)
	_ ModifierApplier = (*TextField)(nil)
	_ SaveInterceptor = (*TextField)(nil)
)

// Type returns "text".
func (f *TextField) Type() string { return "text" }

// ColumnType is ColumnTextPK for the primary key, ColumnText otherwise.
func (f *TextField) ColumnType() ColumnType {
	if f.PrimaryKey {
		return ColumnTextPK
	}
	return ColumnText
}

// Normalize casts any input to a string (numbers without trailing zeros).
func (f *TextField) Normalize(raw any) any { return inputString(raw) }

// FromDB returns the column text.
func (f *TextField) FromDB(v any) any { return toString(v) }

// ToDB returns the string.
func (f *TextField) ToDB(v any) any { return toString(v) }

// ValidateValue checks required, rune length, pattern and, for the primary
// key, immutability and the custom-id restrictions of spec §5.4.
func (f *TextField) ValidateValue(ctx context.Context, app *App, r *Record) error {
	v := toString(r.Get(f.Name))
	if f.PrimaryKey && !r.IsNew() {
		if orig := toString(r.Original(f.Name)); orig != "" && v != orig {
			return NewFieldError("validation_pk_change", "The record primary key cannot be changed.", nil)
		}
	}
	if v == "" {
		// spec §5.3: required is forced for a text primary key.
		if f.Required || f.PrimaryKey {
			return ErrRequired()
		}
		return nil
	}
	n := utf8.RuneCountInString(v)
	if f.Min > 0 && n < f.Min {
		return errMinText(f.Min)
	}
	max := f.Max
	if max <= 0 {
		max = defaultTextMax
	}
	if n > max {
		return NewFieldError("validation_max_text_constraint",
			fmt.Sprintf("Must be no more than %d character(s).", max), map[string]any{"max": max})
	}
	if f.Pattern != "" {
		re, err := cachedRegexp(f.Pattern)
		if err != nil || !re.MatchString(v) {
			return errInvalidFormat()
		}
	}
	if f.PrimaryKey && f.Pattern != DefaultIdPattern {
		return validateCustomPK(v)
	}
	return nil
}

// forbiddenPKChars would be unsafe in file paths or URLs; ids name the
// storage directory of a record's files (spec §5.4).
const forbiddenPKChars = "./\\|\"'`<>:?*%$\x00\t\r\n "

// reservedPKNames are Windows device names, which cannot be directories.
var reservedPKNames = []string{"CON", "PRN", "AUX", "NUL",
	"COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9",
	"LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9"}

func validateCustomPK(v string) error {
	if i := strings.IndexAny(v, forbiddenPKChars); i >= 0 {
		return NewFieldError("validation_forbidden_pk_character",
			fmt.Sprintf("%q is not a valid primary key character.", v[i:i+1]), nil)
	}
	if slices.Contains(reservedPKNames, strings.ToUpper(v)) {
		return NewFieldError("validation_reserved_pk", "The primary key is a reserved value.", nil)
	}
	return nil
}

// ValidateSettings checks the length bounds and that both patterns compile
// (the autogenerate one must also be in the generator's subset).
func (f *TextField) ValidateSettings(ctx context.Context, app *App, c *Collection) error {
	errs := ValidationErrors{}
	if f.Min < 0 {
		errs["min"] = errNoLessThan(0)
	} else if f.Max > 0 && f.Min > f.Max {
		errs["min"] = errNoGreaterThan(f.Max)
	}
	if f.Max < 0 {
		errs["max"] = errNoLessThan(0)
	}
	if f.Pattern != "" {
		if _, err := cachedRegexp(f.Pattern); err != nil {
			errs["pattern"] = errInvalidRegex(err)
		}
	}
	if f.AutogeneratePattern != "" {
		if _, err := regexp.Compile(f.AutogeneratePattern); err != nil {
			errs["autogeneratePattern"] = errInvalidRegex(err)
		} else if _, err := GenerateFromPattern(f.AutogeneratePattern); err != nil {
			errs["autogeneratePattern"] = NewFieldError("validation_invalid_regex", err.Error(), nil)
		}
	}
	if f.PrimaryKey && f.Name != FieldId {
		errs["primaryKey"] = NewFieldError("validation_invalid_primary_key",
			"Only the \"id\" field can be marked as primary key.", nil)
	}
	return errs.Filter()
}

// ApplyModifier supports ":autogenerate": the submitted value becomes the
// prefix of a generated string (spec §5.3 modifiers).
func (f *TextField) ApplyModifier(current any, mod Modifier, value any) (any, error) {
	if mod != ModAutogenerate {
		return nil, unsupportedModifier(f, mod)
	}
	prefix := toString(value)
	if f.AutogeneratePattern == "" {
		return prefix, nil
	}
	gen, err := GenerateFromPattern(f.AutogeneratePattern)
	if err != nil {
		return nil, fmt.Errorf("field %s: %w", f.Name, err)
	}
	return prefix + gen, nil
}

// BeforeSave fills an empty value of a new record from the autogenerate
// pattern (how record ids and auth token keys come to be).
func (f *TextField) BeforeSave(r *Record, isNew bool, now time.Time) error {
	if !isNew || f.AutogeneratePattern == "" || toString(r.Get(f.Name)) != "" {
		return nil
	}
	v, err := GenerateFromPattern(f.AutogeneratePattern)
	if err != nil {
		return fmt.Errorf("field %s: %w", f.Name, err)
	}
	r.SetCanonical(f.Name, v)
	return nil
}

func errMinText(min int) *FieldError {
	return NewFieldError("validation_min_text_constraint",
		fmt.Sprintf("Must be at least %d character(s).", min), map[string]any{"min": min})
}

func errInvalidFormat() *FieldError {
	return NewFieldError("validation_invalid_format", "Invalid value format.", nil)
}

func errInvalidRegex(err error) *FieldError {
	return NewFieldError("validation_invalid_regex", "Invalid RegEx pattern: "+err.Error(), nil)
}

// errNoLessThan and errNoGreaterThan are the validator library's threshold
// errors that PocketBase returns for out-of-range options (spec §8.3).
func errNoLessThan(threshold any) *FieldError {
	return NewFieldError("validation_min_greater_equal_than_required",
		fmt.Sprintf("Must be no less than %v.", threshold), map[string]any{"threshold": threshold})
}

func errNoGreaterThan(threshold any) *FieldError {
	return NewFieldError("validation_max_less_equal_than_required",
		fmt.Sprintf("Must be no greater than %v.", threshold), map[string]any{"threshold": threshold})
}

// regexpCache keeps compiled field patterns: they are checked on every
// record save and rarely change.
var regexpCache sync.Map // pattern → *regexp.Regexp

func cachedRegexp(pattern string) (*regexp.Regexp, error) {
	if re, ok := regexpCache.Load(pattern); ok {
		return re.(*regexp.Regexp), nil
	}
	re, err := regexp.Compile(pattern)
	if err != nil {
		return nil, err
	}
	regexpCache.Store(pattern, re)
	return re, nil
}

// patternAtom is one generator step: pick between min and max runes from
// chars.
type patternAtom struct {
	chars    []rune
	min, max int
}

// maxGeneratedLen bounds generated values so a careless pattern cannot
// make every save allocate megabytes.
const maxGeneratedLen = 10000

// GenerateFromPattern returns a crypto-random string matching pattern.
// It supports the subset PocketBase's own defaults use, which is enough
// for ids, token keys and prefixes: a sequence of atoms, each a literal
// character, an escaped character (\d, \w or escaped punctuation) or a
// character class ([a-z0-9_], ranges, escapes, no negation), optionally
// followed by {n} or {n,m}; a leading ^ and trailing $ are ignored.
// Alternation, groups, '.', '*', '+' and '?' are rejected with an error
// because they cannot be generated with a bounded, uniform length.
func GenerateFromPattern(pattern string) (string, error) {
	atoms, err := cachedPattern(pattern)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	var src randomSource
	for _, a := range atoms {
		n := a.min
		if a.max > a.min {
			n += src.index(a.max - a.min + 1)
		}
		for range n {
			b.WriteRune(a.chars[src.index(len(a.chars))])
		}
	}
	return b.String(), nil
}

var patternCache sync.Map // pattern → []patternAtom (read-only once stored)

// cachedPattern parses each distinct pattern once: ids are generated on
// every create, so parsing per call showed up in profiles.
func cachedPattern(pattern string) ([]patternAtom, error) {
	if v, ok := patternCache.Load(pattern); ok {
		return v.([]patternAtom), nil
	}
	atoms, err := parsePattern(pattern)
	if err != nil {
		return nil, err
	}
	patternCache.Store(pattern, atoms)
	return atoms, nil
}

func parsePattern(pattern string) ([]patternAtom, error) {
	p := []rune(strings.TrimPrefix(pattern, "^"))
	if n := len(p); n > 0 && p[n-1] == '$' && (n < 2 || p[n-2] != '\\') {
		p = p[:n-1]
	}
	var atoms []patternAtom
	total := 0
	for i := 0; i < len(p); {
		var chars []rune
		switch c := p[i]; c {
		case '[':
			end, set, err := parseClass(p, i+1)
			if err != nil {
				return nil, fmt.Errorf("pattern %q: %w", pattern, err)
			}
			chars, i = set, end+1
		case '\\':
			if i+1 >= len(p) {
				return nil, fmt.Errorf("pattern %q: trailing backslash", pattern)
			}
			set, err := escapeSet(p[i+1])
			if err != nil {
				return nil, fmt.Errorf("pattern %q: %w", pattern, err)
			}
			chars, i = set, i+2
		case '(', ')', '|', '*', '+', '?', '.', '{', '}', ']', '^', '$':
			return nil, fmt.Errorf("pattern %q: %q is not supported for generation", pattern, c)
		default:
			chars, i = []rune{c}, i+1
		}
		a := patternAtom{chars: chars, min: 1, max: 1}
		if i < len(p) && p[i] == '{' {
			end := slices.Index(p[i:], '}')
			if end < 0 {
				return nil, fmt.Errorf("pattern %q: unclosed {", pattern)
			}
			spec := string(p[i+1 : i+end])
			lo, hi, ok := strings.Cut(spec, ",")
			if _, err := fmt.Sscanf(lo, "%d", &a.min); err != nil || a.min < 0 {
				return nil, fmt.Errorf("pattern %q: bad count {%s}", pattern, spec)
			}
			a.max = a.min
			if ok {
				if _, err := fmt.Sscanf(hi, "%d", &a.max); err != nil || a.max < a.min {
					return nil, fmt.Errorf("pattern %q: bad count {%s}", pattern, spec)
				}
			}
			i += end + 1
		}
		total += a.max
		if total > maxGeneratedLen {
			return nil, fmt.Errorf("pattern %q: generates more than %d characters", pattern, maxGeneratedLen)
		}
		atoms = append(atoms, a)
	}
	if len(atoms) == 0 {
		return nil, fmt.Errorf("pattern %q: nothing to generate", pattern)
	}
	return atoms, nil
}

// parseClass reads a character class body starting at p[start] and
// returns the index of its closing ']' and its distinct characters.
func parseClass(p []rune, start int) (int, []rune, error) {
	if start < len(p) && p[start] == '^' {
		return 0, nil, fmt.Errorf("negated classes are not supported for generation")
	}
	var set []rune
	add := func(rs ...rune) {
		for _, r := range rs {
			if !slices.Contains(set, r) {
				set = append(set, r)
			}
		}
	}
	for i := start; i < len(p); i++ {
		c := p[i]
		switch {
		case c == ']' && i > start:
			if len(set) == 0 {
				return 0, nil, fmt.Errorf("empty character class")
			}
			return i, set, nil
		case c == '\\':
			if i+1 >= len(p) {
				return 0, nil, fmt.Errorf("trailing backslash")
			}
			s, err := escapeSet(p[i+1])
			if err != nil {
				return 0, nil, err
			}
			add(s...)
			i++
		case i+2 < len(p) && p[i+1] == '-' && p[i+2] != ']':
			hi := p[i+2]
			if hi < c {
				return 0, nil, fmt.Errorf("invalid range %c-%c", c, hi)
			}
			for r := c; r <= hi; r++ {
				add(r)
			}
			i += 2
		default:
			add(c)
		}
	}
	return 0, nil, fmt.Errorf("unclosed character class")
}

func escapeSet(c rune) ([]rune, error) {
	const digits = "0123456789"
	const word = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ" + digits + "_"
	switch {
	case c == 'd':
		return []rune(digits), nil
	case c == 'w':
		return []rune(word), nil
	case c < utf8.RuneSelf && strings.ContainsRune(`\.+*?()|[]{}^$-/`, c):
		return []rune{c}, nil
	}
	return nil, fmt.Errorf(`escape \%c is not supported for generation`, c)
}
