package mail

import (
	"strings"
	"testing"
)

func TestLayout(t *testing.T) {
	t.Parallel()
	body := "<p>Hello <b>you</b></p>"
	page := Layout(body)
	if !strings.HasPrefix(page, "<!DOCTYPE html>") || !strings.Contains(page, body) || !strings.HasSuffix(strings.TrimSpace(page), "</html>") {
		t.Errorf("Layout() does not wrap the body in a document: %q", page)
	}
}
