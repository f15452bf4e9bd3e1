package filter

import (
	"strconv"
	"strings"
)

// IdentKind classifies an identifier by its syntactic shape (spec §3.3).
type IdentKind uint8

// The identifier kinds. KindRandom and KindRowID come only from ParseSort.
const (
	KindField          IdentKind = iota + 1 // a.b.c: collection field path (relations, back-relations, JSON keys)
	KindLiteral                             // null, true, false (any case) unless they name a field
	KindMacro                               // @now, @todayStart, @year, ...
	KindRequestAuth                         // @request.auth.<path>
	KindRequestBody                         // @request.body.<path>
	KindRequestQuery                        // @request.query.<path>
	KindRequestHeaders                      // @request.headers.<path>
	KindRequestMethod                       // @request.method
	KindRequestContext                      // @request.context
	KindCollection                          // @collection.<name>[:alias].<path>
	KindRandom                              // @random (sort only)
	KindRowID                               // @rowid (sort only)
)

var kindNames = [...]string{
	KindField: "field", KindLiteral: "literal", KindMacro: "macro",
	KindRequestAuth: "@request.auth", KindRequestBody: "@request.body", KindRequestQuery: "@request.query",
	KindRequestHeaders: "@request.headers", KindRequestMethod: "@request.method",
	KindRequestContext: "@request.context", KindCollection: "@collection",
	KindRandom: "@random", KindRowID: "@rowid",
}

// String returns a short name such as "field" or "@request.body".
func (k IdentKind) String() string {
	if k >= KindField && k <= KindRowID {
		return kindNames[k]
	}
	return "IdentKind(" + strconv.Itoa(int(k)) + ")"
}

// IsRequest reports whether k is one of the @request.* kinds.
func (k IdentKind) IsRequest() bool { return k >= KindRequestAuth && k <= KindRequestContext }

// Modifier is the optional ":name" suffix of an identifier's last segment
// (spec §3.4).
type Modifier uint8

// The modifiers. ModNone means no suffix.
const (
	ModNone    Modifier = iota
	ModIsset            // :isset
	ModChanged          // :changed
	ModLength           // :length
	ModEach             // :each
	ModLower            // :lower
)

var modifierNames = [...]string{ModNone: "", ModIsset: "isset", ModChanged: "changed", ModLength: "length", ModEach: "each", ModLower: "lower"}

// String returns the modifier name without the colon ("" for ModNone).
func (m Modifier) String() string {
	if int(m) < len(modifierNames) {
		return modifierNames[m]
	}
	return "Modifier(" + strconv.Itoa(int(m)) + ")"
}

func lookupModifier(name string) (Modifier, bool) {
	for m := ModIsset; m <= ModLower; m++ {
		if modifierNames[m] == name {
			return m, true
		}
	}
	return ModNone, false
}

// Identifier is a classified identifier. Which fields are set depends on
// Kind:
//
//   - KindField: Path holds every segment ("author", "name" for author.name;
//     back-relations such as "comments_via_post" are ordinary segments).
//   - KindLiteral: Path is the single raw word ("NULL"); the resolver must
//     first try it as a field and fall back to Literal() only if none exists.
//   - KindMacro: Path is empty; Raw is the macro ("@now"), see Macro.
//   - KindRequestAuth/Body/Query/Headers: Path is the part after the prefix,
//     at least one segment (@request.auth.rel.name → ["rel", "name"]).
//   - KindRequestMethod/Context, KindRandom, KindRowID: Path is empty.
//   - KindCollection: Collection and Alias (may be "") name the joined
//     collection and Path is the field path inside it (at least one segment).
//
// Path never contains the modifier; segments are non-empty and made of
// [A-Za-z0-9_]. Which modifier makes sense on which field is left to the
// resolver, which knows the schema.
type Identifier struct {
	Raw        string // as written, including any modifier
	Kind       IdentKind
	Path       []string
	Collection string // KindCollection only
	Alias      string // KindCollection only; "" when no :alias was given
	Modifier   Modifier
	Offset     int // byte offset in the source
}

// Pos returns the byte offset of the identifier.
func (id *Identifier) Pos() int { return id.Offset }

// String returns the identifier as written.
func (id *Identifier) String() string { return id.Raw }

func (*Identifier) operandNode() {}

var _ Operand = (*Identifier)(nil)

// Literal returns the value of a KindLiteral identifier: nil for null, true
// or false for true/false (in any letter case). ok is false for other kinds.
func (id *Identifier) Literal() (value any, ok bool) {
	if id.Kind != KindLiteral {
		return nil, false
	}
	switch strings.ToLower(id.Raw) {
	case "null":
		return nil, true
	case "true":
		return true, true
	case "false":
		return false, true
	}
	return nil, false
}

// requestKinds maps the segment after "@request." to a kind and whether it
// takes a path.
var requestKinds = map[string]struct {
	kind     IdentKind
	wantPath bool
}{
	"auth":    {KindRequestAuth, true},
	"body":    {KindRequestBody, true},
	"query":   {KindRequestQuery, true},
	"headers": {KindRequestHeaders, true},
	"method":  {KindRequestMethod, false},
	"context": {KindRequestContext, false},
}

// ParseIdentifier checks and classifies one identifier, e.g.
// "@request.body.tags:length". It accepts exactly the IDENT token of the
// grammar, then the allowed shapes of spec §3.3; anything else, including
// unknown @-forms and the unsupported @request.data.*, is a *SyntaxError
// whose Pos is a byte offset into raw.
func ParseIdentifier(raw string) (*Identifier, error) {
	return parseIdentifier(raw, 0)
}

// segment is a dot-separated part of an identifier and its offset.
type segment struct {
	s   string
	pos int
}

func parseIdentifier(raw string, offset int) (*Identifier, error) {
	if err := checkIdentLexeme(raw, offset); err != nil {
		return nil, err
	}
	id := &Identifier{Raw: raw, Offset: offset}

	segs := make([]segment, 0, strings.Count(raw, ".")+1)
	for i, start := 0, 0; i <= len(raw); i++ {
		if i == len(raw) || raw[i] == '.' {
			if i == start {
				return nil, errorf(offset+i, "invalid identifier %q: empty path segment", truncate(raw))
			}
			segs = append(segs, segment{raw[start:i], offset + start})
			start = i + 1
		}
	}

	// Split the modifier off the last segment.
	last := &segs[len(segs)-1]
	if name, mod, found := strings.Cut(last.s, ":"); found && !(raw[0] == '@' && strings.HasPrefix(raw, "@collection.") && len(segs) == 2) {
		modPos := last.pos + len(name)
		m, ok := lookupModifier(mod)
		if !ok {
			return nil, errorf(modPos, "unknown modifier %q in %q (want :isset, :changed, :length, :each or :lower)", ":"+mod, truncate(raw))
		}
		id.Modifier = m
		last.s = name
	}

	switch raw[0] {
	case '#':
		return nil, errorf(offset, "failed to resolve field %q", truncate(raw))
	case '@':
		if err := classifyAt(id, segs); err != nil {
			return nil, err
		}
	default:
		id.Kind = KindField
		if err := checkWords(raw, segs); err != nil {
			return nil, err
		}
		id.Path = words(segs)
		if len(segs) == 1 && id.Modifier == ModNone {
			switch strings.ToLower(raw) {
			case "null", "true", "false":
				id.Kind = KindLiteral
			}
		}
	}
	return id, nil
}

// classifyAt handles identifiers starting with '@'.
func classifyAt(id *Identifier, segs []segment) error {
	raw := id.Raw
	head := segs[0]
	switch head.s {
	case "@request":
		if len(segs) < 2 {
			return errorf(head.pos, "failed to resolve field %q: expected @request.auth, body, query, headers, method or context", truncate(raw))
		}
		if err := checkWords(raw, segs[1:]); err != nil {
			return err
		}
		sub := segs[1]
		if sub.s == "data" {
			return errorf(sub.pos, "@request.data.* is not supported, use @request.body.*")
		}
		rk, ok := requestKinds[sub.s]
		if !ok {
			return errorf(sub.pos, "failed to resolve field %q: unknown @request.%s", truncate(raw), truncate(sub.s))
		}
		id.Kind = rk.kind
		if rk.wantPath && len(segs) < 3 {
			return errorf(sub.pos, "failed to resolve field %q: @request.%s needs a field path, e.g. @request.%s.id", truncate(raw), sub.s, sub.s)
		}
		if !rk.wantPath && len(segs) > 2 {
			return errorf(segs[2].pos, "failed to resolve field %q: @request.%s has no sub-fields", truncate(raw), sub.s)
		}
		if len(segs) > 2 {
			id.Path = words(segs[2:])
		}
		return nil

	case "@collection":
		if len(segs) < 3 {
			return errorf(head.pos, "failed to resolve field %q: expected @collection.<name>[:alias].<field>", truncate(raw))
		}
		name, alias, hasAlias := strings.Cut(segs[1].s, ":")
		if hasAlias {
			if alias == "" || !isWord(alias) {
				return errorf(segs[1].pos+len(name)+1, "invalid collection alias %q in %q", alias, truncate(raw))
			}
		}
		if name == "" || !isWord(name) {
			return errorf(segs[1].pos, "invalid collection name %q in %q", name, truncate(raw))
		}
		if err := checkWords(raw, segs[2:]); err != nil {
			return err
		}
		id.Kind = KindCollection
		id.Collection, id.Alias = name, alias
		id.Path = words(segs[2:])
		return nil
	}

	if len(segs) == 1 && isMacro(head.s) {
		if id.Modifier != ModNone {
			return errorf(head.pos+len(head.s), "modifier %q is not allowed on macro %s", ":"+id.Modifier.String(), head.s)
		}
		id.Kind = KindMacro
		return nil
	}
	return errorf(head.pos, "failed to resolve field %q", truncate(raw))
}

// checkWords verifies that every segment is a non-empty run of
// [A-Za-z0-9_], which also rejects a ':' anywhere but the last segment.
func checkWords(raw string, segs []segment) error {
	for _, sg := range segs {
		for i := 0; i < len(sg.s); i++ {
			if sg.s[i] == ':' {
				return errorf(sg.pos+i, "invalid identifier %q: a modifier is only allowed on the last path segment", truncate(raw))
			}
			if !isWordChar(sg.s[i]) {
				return errorf(sg.pos+i, "invalid character %q in identifier %q", sg.s[i], truncate(raw))
			}
		}
		if sg.s == "" {
			return errorf(sg.pos, "invalid identifier %q: empty path segment", truncate(raw))
		}
	}
	return nil
}

func isWord(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isWordChar(s[i]) {
			return false
		}
	}
	return s != ""
}

func words(segs []segment) []string {
	out := make([]string, len(segs))
	for i, sg := range segs {
		out[i] = sg.s
	}
	return out
}
