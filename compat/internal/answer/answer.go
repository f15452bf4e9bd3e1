// Package answer normalises the answers of two servers to the same request
// (ids created during the run become symbolic names, clock-made timestamps
// and tokens become placeholders, unordered lists are sorted) and reports
// every remaining difference: status, error code, error nesting, keys, JSON
// types, array lengths and values.
package answer

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Answer is one server's decoded answer.
type Answer struct {
	Status int
	// Body is the decoded JSON body (nil for an empty body); a body that
	// is not JSON is kept as a string prefixed with "text:".
	Body any
}

// Decode builds an Answer from a status and a raw body.
func Decode(status int, raw []byte) Answer {
	a := Answer{Status: status}
	if len(strings.TrimSpace(string(raw))) == 0 {
		return a
	}
	var v any
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		a.Body = "text:" + string(raw)
		return a
	}
	a.Body = v
	return a
}

// Symbols maps ids one server generated during the run to the symbolic
// names the sequence gave them, so references to the same logical object
// compare equal across servers.
type Symbols map[string]string

// Normalizer holds what normalisation needs besides the symbols.
type Normalizer struct {
	// Now is the wall clock the run started at: datetimes within a day of
	// it were made by the server's clock and become "<now>"; any other
	// datetime (a value the sequence sent) is compared as is.
	Now time.Time
}

var (
	datetimeRe = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d+)?Z$`)
	jwtRe      = regexp.MustCompile(`^eyJ[\w-]*\.[\w-]*\.[\w-]*$`)
	idRe       = regexp.MustCompile(`^[a-z0-9]{15}$`)
	wordRe     = regexp.MustCompile(`[A-Za-z0-9_]{10,}`)
)

// Normalize returns a normalised copy of v (decoded JSON) for the server
// whose generated ids are syms. unordered lists the paths (as reported in
// Diff.Path, e.g. "$.items") of arrays whose order the API leaves
// unspecified; they are sorted by their normalised JSON.
func (n Normalizer) Normalize(v any, syms Symbols, unordered map[string]bool) any {
	return n.walk("$", "", v, syms, unordered)
}

// Random replaces the values at the given paths (regular expressions over
// Diff.Path) with "<random>": values both servers draw at random, such as
// the suffix of a scaffold's index names. v must be normalised already.
func Random(v any, paths []*regexp.Regexp) any {
	if len(paths) == 0 {
		return v
	}
	return random("$", v, paths)
}

func random(path string, v any, paths []*regexp.Regexp) any {
	for _, p := range paths {
		if p.MatchString(path) {
			return "<random>"
		}
	}
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = random(path+"."+k, e, paths)
		}
	case []any:
		for i, e := range x {
			x[i] = random(path+"."+strconv.Itoa(i), e, paths)
		}
	}
	return v
}

func (n Normalizer) walk(path, key string, v any, syms Symbols, unordered map[string]bool) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = n.walk(path+"."+k, k, e, syms, unordered)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = n.walk(path+"."+strconv.Itoa(i), "", e, syms, unordered)
		}
		if unordered[path] {
			sort.SliceStable(out, func(i, j int) bool { return canon(out[i]) < canon(out[j]) })
		}
		return out
	case string:
		return n.str(key, x, syms)
	}
	return v
}

func (n Normalizer) str(key, s string, syms Symbols) string {
	if name, ok := syms[s]; ok {
		return "<@" + name + ">"
	}
	if datetimeRe.MatchString(s) {
		layout := "2006-01-02 15:04:05.000Z"
		if strings.Contains(s, "T") {
			layout = time.RFC3339Nano
		}
		if t, err := time.Parse(layout, s); err == nil && !n.Now.IsZero() {
			if d := t.Sub(n.Now); d > -24*time.Hour && d < 24*time.Hour {
				return "<now>"
			}
		}
		return s
	}
	if jwtRe.MatchString(s) {
		return "<jwt>"
	}
	if key == "id" && idRe.MatchString(s) {
		return "<id>"
	}
	// Ids inside longer strings (index names, rules, queries).
	if len(syms) > 0 {
		s = wordRe.ReplaceAllStringFunc(s, func(w string) string {
			if name, ok := syms[w]; ok {
				return "<@" + name + ">"
			}
			return w
		})
	}
	return s
}

func canon(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// Kinds of difference.
const (
	KindStatus  = "status"  // HTTP status
	KindCode    = "code"    // an error `code` value
	KindNesting = "nesting" // a key of an error's data tree on one side only
	KindKey     = "key"     // a key of a success body on one side only
	KindType    = "type"    // JSON types differ
	KindLength  = "length"  // array lengths differ
	KindMessage = "message" // a `message` text differs
	KindValue   = "value"   // any other scalar differs
)

// Diff is one difference between the two answers.
type Diff struct {
	Kind   string
	Path   string // "$" is the body; "$.data.name.code"
	PB     string // PocketBase's side (a value, a type or "(absent)")
	Basalt string
}

func (d Diff) String() string {
	return fmt.Sprintf("%-7s %s: pocketbase=%s basalt=%s", d.Kind, d.Path, d.PB, d.Basalt)
}

// Compare reports every difference between two normalised answers.
func Compare(pb, bs Answer) []Diff {
	var out []Diff
	if pb.Status != bs.Status {
		out = append(out, Diff{Kind: KindStatus, Path: "status", PB: strconv.Itoa(pb.Status), Basalt: strconv.Itoa(bs.Status)})
	}
	// A success on one side and an error on the other: the bodies are of
	// different kinds and their key-by-key comparison says nothing more.
	if (pb.Status >= 400) != (bs.Status >= 400) {
		return out
	}
	isErr := pb.Status >= 400
	compare("$", "", pb.Body, bs.Body, isErr, &out)
	return out
}

const absent = "(absent)"

// TypeOf names the JSON type of a decoded value.
func TypeOf(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case bool:
		return "bool"
	case json.Number, float64, int:
		return "number"
	case string:
		if strings.HasPrefix(x, "text:") {
			return "text"
		}
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

func short(v any) string {
	b, _ := json.Marshal(v)
	s := string(b)
	if len(s) > 120 {
		s = s[:117] + "..."
	}
	return s
}

func compare(path, key string, a, b any, isErr bool, out *[]Diff) {
	ta, tb := TypeOf(a), TypeOf(b)
	if ta != tb {
		*out = append(*out, Diff{Kind: KindType, Path: path, PB: ta + " " + short(a), Basalt: tb + " " + short(b)})
		return
	}
	switch x := a.(type) {
	case map[string]any:
		y := b.(map[string]any)
		keys := make([]string, 0, len(x)+len(y))
		for k := range x {
			keys = append(keys, k)
		}
		for k := range y {
			if _, ok := x[k]; !ok {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		for _, k := range keys {
			av, aok := x[k]
			bv, bok := y[k]
			p := path + "." + k
			switch {
			case aok && bok:
				compare(p, k, av, bv, isErr, out)
			case aok:
				*out = append(*out, Diff{Kind: keyKind(p, isErr), Path: p, PB: short(av), Basalt: absent})
			default:
				*out = append(*out, Diff{Kind: keyKind(p, isErr), Path: p, PB: absent, Basalt: short(bv)})
			}
		}
	case []any:
		y := b.([]any)
		if len(x) != len(y) {
			*out = append(*out, Diff{Kind: KindLength, Path: path, PB: strconv.Itoa(len(x)), Basalt: strconv.Itoa(len(y))})
		}
		for i := 0; i < len(x) && i < len(y); i++ {
			compare(path+"."+strconv.Itoa(i), "", x[i], y[i], isErr, out)
		}
	default:
		if short(a) == short(b) {
			return
		}
		kind := KindValue
		switch {
		case key == "code" && isErr:
			kind = KindCode
		case key == "message":
			kind = KindMessage
		}
		*out = append(*out, Diff{Kind: kind, Path: path, PB: short(a), Basalt: short(b)})
	}
}

func keyKind(path string, isErr bool) string {
	if isErr && strings.HasPrefix(path, "$.data.") {
		return KindNesting
	}
	return KindKey
}
