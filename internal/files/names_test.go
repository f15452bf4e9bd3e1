package files

import (
	"regexp"
	"strings"
	"testing"
)

// seqRand returns "1111111111", then "2222222222", …, so that each random
// part of a name is identifiable.
func seqRand() func(n int) string {
	i := 0
	return func(n int) string {
		i++
		return strings.Repeat(string(rune('0'+i%10)), n)
	}
}

var pngHead = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00")

func TestNormalizeFilename(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		original string
		head     []byte
		want     string
	}{
		{"spec example with space", "My Notes.txt", nil, "my_notes_1111111111.txt"},
		{"spec example short name", "a.txt", nil, "a1111111111_2222222222.txt"},
		{"two chars is short", "ab.md", nil, "ab1111111111_2222222222.md"},
		{"three chars is enough", "abc.md", nil, "abc_1111111111.md"},
		{"double extension kept", "archive.tar.gz", nil, "archive_1111111111.tar.gz"},
		{"only last two extensions", "my.photo.2024.jpg", nil, "my_photo_1111111111.2024.jpg"},
		{"camel case split", "CamelCaseName.PNG", nil, "camel_case_name_1111111111.PNG"},
		{"acronyms stay together", "HTTPServer.log", nil, "httpserver_1111111111.log"},
		{"punctuation becomes underscores", "hello   world!!(final).txt", nil, "hello_world_final_1111111111.txt"},
		{"underscores collapse", "__a__b__.txt", nil, "a_b_1111111111.txt"},
		{"non-ascii dropped", "Привет мир.txt", nil, "1111111111_2222222222.txt"},
		{"mixed non-ascii", "café menu.pdf", nil, "caf_menu_1111111111.pdf"},
		{"leading dots trimmed", "...dots", nil, "dots_1111111111"},
		{"leading dots before base", "..My File.txt", nil, "my_file_1111111111.txt"},
		{"hidden file", ".env", nil, "env_1111111111"},
		{"hidden file with content", ".env", []byte("A=1\n"), "env_1111111111.txt"},
		{"repeated dots in extension", "x..txt", nil, "x1111111111_2222222222.txt"},
		{"extension chars cleaned", "report.t<x>t", nil, "report_1111111111.txt"},
		{"extension allowed punctuation", "a_b_c.x+y=z#1", nil, "a_b_c_1111111111.x+y=z#1"},
		{"long extension keeps last 20", "f.abcdefghijklmnopqrstuvwxyz", nil, "f1111111111_2222222222.ghijklmnopqrstuvwxyz"},
		{"base cut to 100", strings.Repeat("x", 150) + ".txt", nil, strings.Repeat("x", 100) + "_1111111111.txt"},
		{"missing extension detected", "no_extension", pngHead, "no_extension_1111111111.png"},
		{"text content gets txt", "README", []byte("plain text\n"), "readme_1111111111.txt"},
		{"no extension no head", "README", nil, "readme_1111111111"},
		{"trailing dot detects", "file.", []byte("plain text\n"), "file_1111111111.txt"},
		{"unix traversal", "../../etc/passwd", nil, "passwd_1111111111"},
		{"windows traversal", `..\..\windows\evil.exe`, nil, "evil_1111111111.exe"},
		{"absolute path", "/abs/path/file.pdf", nil, "file_1111111111.pdf"},
		{"nul byte", "nul\x00byte.txt", nil, "nulbyte_1111111111.txt"},
		{"nul in extension", "x.t\x00xt/", nil, "1111111111_2222222222"},
		{"only dots", "..", nil, "1111111111_2222222222"},
		{"empty", "", nil, "1111111111_2222222222"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := NormalizeFilename(tc.original, tc.head, seqRand()); got != tc.want {
				t.Errorf("NormalizeFilename(%q) = %q, want %q", tc.original, got, tc.want)
			}
		})
	}
}

func TestNormalizeFilenameShape(t *testing.T) {
	t.Parallel()
	// With real randomness, every result is a safe single path element that
	// passes the spec's stored-name rules (1–150 chars, no leading dot).
	shape := regexp.MustCompile(`^[a-z0-9_]+_[a-z0-9]{10}(\.[A-Za-z0-9_.*\-+=#]*)?$`)
	inputs := []string{"My Notes.txt", "a.txt", "../../../x", "\x00", ".", "..", "/", `\`, "a/b/c.tar.gz",
		strings.Repeat("é", 300) + "." + strings.Repeat("e", 300), "x." + strings.Repeat(".", 50)}
	for _, in := range inputs {
		got := NormalizeFilename(in, nil, RandomString)
		if !shape.MatchString(got) || len(got) > 150 || strings.HasPrefix(got, ".") || strings.Contains(got, "..") && !strings.Contains(in, "..") {
			t.Errorf("NormalizeFilename(%q) = %q: bad shape", in, got)
		}
		if err := ValidateKey("c/r/" + got); err != nil {
			t.Errorf("NormalizeFilename(%q) = %q: not a valid key element: %v", in, got, err)
		}
	}
	a, b := NormalizeFilename("same.txt", nil, RandomString), NormalizeFilename("same.txt", nil, RandomString)
	if a == b {
		t.Errorf("two normalisations of the same name collided: %q", a)
	}
}

func TestRandomString(t *testing.T) {
	t.Parallel()
	re := regexp.MustCompile(`^[a-z0-9]{10}$`)
	for range 100 {
		if s := RandomString(10); !re.MatchString(s) {
			t.Fatalf("RandomString(10) = %q", s)
		}
	}
}
