package files

import (
	"crypto/rand"
	"regexp"
	"strings"
	"unicode"

	"github.com/gabriel-vasile/mimetype"
)

// RandomAlphabet is the alphabet of the random parts of stored file names
// (spec §5.3: 10 random [a-z0-9] chars).
const RandomAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789"

// RandomString returns n cryptographically random characters from
// RandomAlphabet. It is the default for NormalizeFilename's rand argument;
// tests inject a deterministic one.
func RandomString(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("files: crypto/rand failed: " + err.Error()) // never happens on supported platforms
	}
	for i := range b {
		// 256 % 36 != 0 leaves a tiny bias, irrelevant for name uniqueness.
		b[i] = RandomAlphabet[int(b[i])%len(RandomAlphabet)]
	}
	return string(b)
}

// extInvalidChars matches what PocketBase strips from extensions.
var extInvalidChars = regexp.MustCompile(`[^\w.*\-+=#]+`)

var repeatedDots = regexp.MustCompile(`\.{2,}`)

// snakeSplit splits a name at any run of non-word (ASCII \W) characters or
// underscores, as PocketBase's inflector.Snakecase does.
var snakeSplit = regexp.MustCompile(`[\W_]+`)

// NormalizeFilename returns the stored name for an uploaded file whose
// client-supplied name is original (spec §5.3):
//
//	<snake_cased base name>_<10 random [a-z0-9]><cleaned extension>
//
// Only the last path element of original is used (both "/" and "\" count as
// separators), NUL bytes are dropped and leading dots are trimmed, so
// traversal attempts like "../../etc/passwd" cannot reach the key. The base
// name is snake_cased (characters other than ASCII letters and digits become
// separators), cut to 100 chars, and padded with 10 random chars when shorter than
// 3. The extension keeps a double extension (".tar.gz"), loses characters
// outside [A-Za-z0-9_.*\-+=#] and repeated dots, is cut to its last 20 chars, and when empty is
// derived from head (the first bytes of the content; nil disables this).
// rand(n) returns n random [a-z0-9] chars; pass RandomString in production.
func NormalizeFilename(original string, head []byte, rand func(n int) string) string {
	name := strings.ReplaceAll(original, "\x00", "")
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	// Leading dots are trimmed first (spec §5.3), so ".env" is a base name
	// rather than an extension and "..x.txt" cannot yield a dotted extension.
	name = strings.TrimLeft(name, ".")

	originalExt := extractExtension(name)
	cleanExt := extInvalidChars.ReplaceAllString(originalExt, "")
	// "...dots" would give the extension "..dots"; one dot is enough.
	cleanExt = repeatedDots.ReplaceAllString(cleanExt, ".")
	if strings.Trim(cleanExt, ".") == "" {
		cleanExt = ""
		if head != nil {
			cleanExt = mimetype.Detect(head).Extension()
		}
	}
	if n := len(cleanExt); n > 20 {
		// Multibyte safe: the regexp left ASCII only.
		cleanExt = "." + cleanExt[n-20:]
	}

	cleanName := snakeCase(strings.TrimSuffix(name, originalExt))
	if n := len(cleanName); n < 3 {
		cleanName += rand(10)
	} else if n > 100 {
		// Multibyte safe: snakeCase keeps ASCII word characters only.
		cleanName = cleanName[:100]
	}
	return cleanName + "_" + rand(10) + cleanExt
}

// extractExtension returns the extension with its dot, keeping one level of
// double extension: "a.tar.gz" → ".tar.gz", "a.b.tar.gz" → ".tar.gz",
// "a.txt" → ".txt", "a" → "". Unlike filepath.Ext it mirrors PocketBase.
func extractExtension(name string) string {
	primary := strings.LastIndex(name, ".")
	if primary < 0 {
		return ""
	}
	if secondary := strings.LastIndex(name[:primary], "."); secondary >= 0 {
		return name[secondary:]
	}
	return name[primary:]
}

// snakeCase mirrors PocketBase's inflector.Snakecase: split at non-word
// characters and underscores, join with "_", insert "_" before an upper-case
// letter that follows a lower-case one, lower-case everything.
func snakeCase(s string) string {
	var b strings.Builder
	for _, word := range snakeSplit.Split(s, -1) {
		if word == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('_')
		}
		for i := 0; i < len(word); i++ {
			c := word[i] // ASCII only: \W split off everything else
			if i > 0 && unicode.IsUpper(rune(c)) && !unicode.IsUpper(rune(word[i-1])) {
				b.WriteByte('_')
			}
			b.WriteByte(c)
		}
	}
	return strings.ToLower(b.String())
}
