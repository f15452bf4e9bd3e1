package mail

import (
	"html"
	"strings"
	"unicode"
	"unicode/utf8"
)

// HTMLToText turns an HTML e-mail body into its plain-text alternative: tags
// are dropped, the contents of head, title, script and style are skipped,
// entities are decoded, whitespace runs collapse to one space, block
// elements become line breaks (paragraph-like ones a blank line), list items
// get a "- " prefix and a link keeps its target as "text (url)" so the text
// part stays usable — the auth mails are mostly a link.
//
// It is a tolerant scanner, not an HTML parser: it is meant for our own
// templates and admin-edited ones, not arbitrary web pages (no <pre>
// whitespace preservation, no tables layout).
func HTMLToText(s string) string {
	var (
		w        textWriter
		skip     string // element whose content is being skipped
		inLink   bool
		href     string
		linkFrom int // w.b.Len() when the link opened
	)
	closeLink := func() {
		if !inLink {
			return
		}
		inLink = false
		if href == "" {
			return
		}
		label := strings.TrimSpace(w.b.String()[min(linkFrom, w.b.Len()):])
		switch {
		case label == "":
			w.word(href)
		case label == href, "mailto:"+label == href:
			// The URL is already readable in the text.
		default:
			w.space = true
			w.word("(" + href + ")")
		}
	}

	for i := 0; i < len(s); {
		if s[i] != '<' {
			j := strings.IndexByte(s[i:], '<')
			if j < 0 {
				j = len(s) - i
			}
			if skip == "" {
				w.text(html.UnescapeString(s[i : i+j]))
			}
			i += j
			continue
		}
		if strings.HasPrefix(s[i:], "<!--") {
			end := strings.Index(s[i+4:], "-->")
			if end < 0 {
				break
			}
			i += 4 + end + 3
			continue
		}
		t, n := parseTag(s[i:])
		if n == 0 {
			// A lone "<" as in "a < b" is text.
			if skip == "" {
				w.text("<")
			}
			i++
			continue
		}
		i += n
		if skip != "" {
			// head has an implicit end at <body> when </head> is missing.
			if (t.closing && t.name == skip) || (skip == "head" && t.name == "body" && !t.closing) {
				skip = ""
			}
			continue
		}
		switch t.name {
		case "head", "title", "script", "style", "template", "noscript":
			if !t.closing && !t.selfClosing {
				skip = t.name
			}
		case "br":
			w.newline(1)
		case "p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "table", "blockquote", "pre", "hr":
			w.newline(2)
		case "div", "tr", "section", "article", "header", "footer", "main", "nav", "dl", "dt", "dd", "address", "center":
			w.newline(1)
		case "li":
			w.newline(1)
			if !t.closing {
				w.word("-")
				w.space = true
			}
		case "td", "th":
			w.space = true
		case "a":
			closeLink() // nested or unclosed anchors end the previous link
			if !t.closing {
				inLink = true
				href = usableHref(t.attr("href"))
				// Pending separators land after linkFrom; closeLink trims them.
				linkFrom = w.b.Len()
			}
		case "img":
			if alt := strings.TrimSpace(t.attr("alt")); alt != "" {
				w.space = true
				w.text(alt)
				w.space = true
			}
		}
	}
	closeLink()
	return w.b.String()
}

// usableHref returns href when it is worth showing to a reader, "" for
// in-page anchors and script URLs.
func usableHref(href string) string {
	href = strings.TrimSpace(html.UnescapeString(href))
	lower := strings.ToLower(href)
	if href == "" || strings.HasPrefix(href, "#") || strings.HasPrefix(lower, "javascript:") {
		return ""
	}
	return href
}

// textWriter accumulates words, emitting at most one space between words and
// the largest pending line break before the next word, so output never has
// trailing spaces or more than one blank line in a row.
type textWriter struct {
	b     strings.Builder
	nl    int  // line breaks pending before the next word
	space bool // a space is pending before the next word
}

func (w *textWriter) text(s string) {
	if s == "" {
		return
	}
	if r, _ := utf8.DecodeRuneInString(s); unicode.IsSpace(r) {
		w.space = true
	}
	for i, f := range strings.Fields(s) {
		if i > 0 {
			w.space = true
		}
		w.word(f)
	}
	if r, _ := utf8.DecodeLastRuneInString(s); unicode.IsSpace(r) {
		w.space = true
	}
}

func (w *textWriter) word(s string) {
	w.flush()
	w.b.WriteString(s)
}

// flush writes the pending separator, if any, as a word is about to follow.
func (w *textWriter) flush() {
	if w.b.Len() > 0 {
		if w.nl > 0 {
			w.b.WriteString(strings.Repeat("\n", w.nl))
		} else if w.space {
			w.b.WriteByte(' ')
		}
	}
	w.nl, w.space = 0, false
}

func (w *textWriter) newline(n int) {
	w.nl = max(w.nl, n)
}

// tag is one parsed start or end tag.
type tag struct {
	name        string // lower case; "!" for doctype and similar declarations
	closing     bool
	selfClosing bool
	attrs       [][2]string
}

func (t tag) attr(name string) string {
	for _, a := range t.attrs {
		if a[0] == name {
			return a[1]
		}
	}
	return ""
}

// parseTag parses the tag at the start of s (s[0] == '<') and returns it with
// its length, or n == 0 when s does not start a tag.
func parseTag(s string) (t tag, n int) {
	i := 1
	if i < len(s) && (s[i] == '!' || s[i] == '?') {
		end := strings.IndexByte(s, '>')
		if end < 0 {
			return tag{}, 0
		}
		return tag{name: "!"}, end + 1
	}
	if i < len(s) && s[i] == '/' {
		t.closing = true
		i++
	}
	start := i
	for i < len(s) && (isASCIILetter(s[i]) || (i > start && s[i] >= '0' && s[i] <= '9')) {
		i++
	}
	if i == start {
		return tag{}, 0
	}
	t.name = strings.ToLower(s[start:i])
	for i < len(s) {
		switch c := s[i]; {
		case c == '>':
			return t, i + 1
		case c == '/':
			t.selfClosing = true
			i++
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f':
			i++
		default:
			var name, value string
			name, value, i = parseAttr(s, i)
			t.attrs = append(t.attrs, [2]string{strings.ToLower(name), value})
		}
	}
	return tag{}, 0 // unterminated: treat the "<" as text
}

// parseAttr parses one attribute starting at s[i], returning the index after it.
func parseAttr(s string, i int) (name, value string, next int) {
	start := i
	for i < len(s) && !strings.ContainsRune(" \t\n\r\f=>/", rune(s[i])) {
		i++
	}
	name = s[start:i]
	if i == start {
		return "", "", i + 1 // stray character such as a quote: skip it
	}
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
		i++
	}
	if i >= len(s) || s[i] != '=' {
		return name, "", i
	}
	i++
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
		i++
	}
	if i < len(s) && (s[i] == '"' || s[i] == '\'') {
		q := s[i]
		end := strings.IndexByte(s[i+1:], q)
		if end < 0 {
			return name, s[i+1:], len(s)
		}
		return name, s[i+1 : i+1+end], i + 1 + end + 1
	}
	start = i
	for i < len(s) && !strings.ContainsRune(" \t\n\r\f>", rune(s[i])) {
		i++
	}
	return name, s[start:i], i
}

func isASCIILetter(c byte) bool {
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}
