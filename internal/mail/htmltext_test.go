package mail

import (
	"strings"
	"testing"
)

func TestHTMLToText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"empty", "", ""},
		{"plain text", "just text", "just text"},
		{"whitespace collapses", "  a \n\t b   c  ", "a b c"},
		{"inline tags join words", "foo<b>bar</b> baz", "foobar baz"},
		{"paragraphs get a blank line", "<p>one</p><p>two</p>", "one\n\ntwo"},
		{"br is a line break", "one<br>two<br/>three", "one\ntwo\nthree"},
		{"no more than one blank line", "<p>a</p><p></p><div></div><p>b</p>", "a\n\nb"},
		{"divs are lines", "<div>a</div><div>b</div>", "a\nb"},
		{"entities decoded", "Tom &amp; Jerry &lt;3 &quot;x&quot; &#233;", `Tom & Jerry <3 "x" é`},
		{"nbsp is a space", "a&nbsp;b", "a b"},
		{"link keeps its url", `<a href="https://x.test/a?b=1&amp;c=2">Click</a>`, "Click (https://x.test/a?b=1&c=2)"},
		{"link text equal to url", `<a href="https://x.test">https://x.test</a>`, "https://x.test"},
		{"empty link shows url", `see <a href="https://x.test"></a>`, "see https://x.test"},
		{"mailto link with address text", `<a href="mailto:a@x.test">a@x.test</a>`, "a@x.test"},
		{"anchor and script links dropped", `<a href="#top">Top</a> <a href="javascript:alert(1)">X</a>`, "Top X"},
		{"unquoted and single-quoted attributes", `<a href=https://x.test>A</a> <a class='c' href='https://y.test'>B</a>`, "A (https://x.test) B (https://y.test)"},
		{"uppercase tags", `<P>a</P><A HREF="https://x.test">b</A>`, "a\n\nb (https://x.test)"},
		{"unclosed link closed at end", `<a href="https://x.test">go`, "go (https://x.test)"},
		{"script and style skipped", "<style>p{color:red}</style><script>var a = '<p>';</script>text", "text"},
		{"head skipped", "<html><head><title>T</title><meta charset=utf-8></head><body><p>body</p></body></html>", "body"},
		{"unclosed head ends at body", "<head><title>T</title><body>body", "body"},
		{"comments skipped", "a<!-- <p>hidden</p> -->b", "ab"},
		{"doctype skipped", "<!DOCTYPE html><p>x</p>", "x"},
		{"lone less-than is text", "a < b and c<d", "a < b and c<d"},
		{"list items", "<ul><li>one</li><li>two</li></ul>after", "- one\n- two\n\nafter"},
		{"table cells spaced", "<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>", "a b\nc"},
		{"image alt text", `<p>Logo: <img src="x.png" alt="Acme"></p>`, "Logo: Acme"},
		{"leading and trailing breaks trimmed", "<p><br>hello<br></p>", "hello"},
		{"unicode whitespace", "a\u2003\u2003b", "a b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := HTMLToText(tt.in); got != tt.want {
				t.Errorf("HTMLToText(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestHTMLToTextOfALaidOutMail(t *testing.T) {
	t.Parallel()
	body := `<p>Hello from Acme,</p>\n<p><a class="btn" href="https://acme.test/_/#/auth/confirm-verification/tok">Confirm my email</a></p>`
	got := HTMLToText(Layout(body))
	for _, want := range []string{"Acme", "Confirm my email (https://acme.test/_/#/auth/confirm-verification/tok)"} {
		if !strings.Contains(got, want) {
			t.Errorf("text = %q, want it to contain %q", got, want)
		}
	}
	for _, bad := range []string{"{", "<", "color:", "  "} {
		if strings.Contains(got, bad) {
			t.Errorf("text = %q, want no %q", got, bad)
		}
	}
}
