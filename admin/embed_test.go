//go:build !noadmin

package admin

import (
	"io/fs"
	"regexp"
	"strings"
	"testing"
)

// TestBuiltPageFitsTheCSP: the committed build runs under the dashboard's
// Content-Security-Policy (internal/api: script-src 'self', style-src
// 'self'), so index.html carries no inline script, no inline style and no
// inline event handler — a Vite or index.html change that inlines one
// fails here rather than as a blank page in the browser.
func TestBuiltPageFitsTheCSP(t *testing.T) {
	page, err := fs.ReadFile(FS(), "index.html")
	if err != nil {
		t.Fatal(err)
	}
	html := string(page)
	scripts := regexp.MustCompile(`(?is)<script\b([^>]*)>(.*?)</script>`).FindAllStringSubmatch(html, -1)
	if len(scripts) == 0 {
		t.Fatal("no <script> in index.html")
	}
	for _, s := range scripts {
		if !strings.Contains(s[1], "src=") || strings.TrimSpace(s[2]) != "" {
			t.Errorf("inline script: %s", s[0])
		}
	}
	for name, re := range map[string]string{
		"style element":   `(?i)<style\b`,
		"style attribute": `(?i)\sstyle\s*=`,
		"event handler":   `(?i)\son[a-z]+\s*=`,
		"javascript: URL": `(?i)javascript:`,
	} {
		if m := regexp.MustCompile(re).FindString(html); m != "" {
			t.Errorf("%s in index.html: %q", name, m)
		}
	}
	// every script and stylesheet it names is in the build (same origin)
	for _, m := range regexp.MustCompile(`(?i)(?:src|href)="\./([^"]+)"`).FindAllStringSubmatch(html, -1) {
		if _, err := fs.Stat(FS(), m[1]); err != nil {
			t.Errorf("index.html names %s, not in dist: %v", m[1], err)
		}
	}
}
