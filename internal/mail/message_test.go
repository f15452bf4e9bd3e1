package mail

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"testing"
	"time"
)

func fixedNow() time.Time { return time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC) }

// countingReader yields 0, 1, 2, … so Message-IDs and boundaries are
// deterministic in tests.
type countingReader struct{ n byte }

func (r *countingReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = r.n
		r.n++
	}
	return len(p), nil
}

func testMessage() *Message {
	return &Message{
		From:    Address{Name: "Acme Support", Email: "support@acme.test"},
		To:      []Address{{Name: "Ann", Email: "ann@example.org"}, {Email: "bob@example.net"}},
		Subject: "Verify your Acme email",
		HTML:    `<p>Hello,</p><p><a href="https://acme.test/_/#/auth/confirm-verification/tok">Verify</a></p>`,
	}
}

type parsedPart struct {
	contentType string
	encoding    string
	body        string
}

// parseMessage reads raw back with net/mail and mime/multipart, decoding
// quoted-printable itself so the transfer encoding header can be checked.
func parseMessage(t *testing.T, raw []byte) (*mail.Message, []parsedPart) {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("ReadMessage: %v", err)
	}
	mediaType, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil {
		t.Fatalf("Content-Type: %v", err)
	}
	decode := func(enc string, r io.Reader) string {
		if enc != "quoted-printable" {
			t.Fatalf("Content-Transfer-Encoding = %q, want quoted-printable", enc)
		}
		b, err := io.ReadAll(quotedprintable.NewReader(r))
		if err != nil {
			t.Fatalf("decode body: %v", err)
		}
		// CRLF is the canonical line end on the wire; compare content.
		return strings.ReplaceAll(string(b), "\r\n", "\n")
	}
	if !strings.HasPrefix(mediaType, "multipart/") {
		enc := msg.Header.Get("Content-Transfer-Encoding")
		return msg, []parsedPart{{msg.Header.Get("Content-Type"), enc, decode(enc, msg.Body)}}
	}
	if mediaType != "multipart/alternative" {
		t.Fatalf("media type = %q, want multipart/alternative", mediaType)
	}
	var parts []parsedPart
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		p, err := mr.NextRawPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("NextRawPart: %v", err)
		}
		enc := p.Header.Get("Content-Transfer-Encoding")
		parts = append(parts, parsedPart{p.Header.Get("Content-Type"), enc, decode(enc, p)})
	}
	return msg, parts
}

func TestMessageEncode(t *testing.T) {
	t.Parallel()
	longSubject := strings.Repeat("word ", 40) + "end"
	tests := []struct {
		name      string
		edit      func(*Message)
		wantParts []parsedPart // body compared after trimming
		check     func(t *testing.T, msg *mail.Message, raw []byte)
	}{
		{
			name: "html gets a generated text alternative",
			wantParts: []parsedPart{
				{"text/plain; charset=utf-8", "quoted-printable", "Hello,\n\nVerify (https://acme.test/_/#/auth/confirm-verification/tok)"},
				{"text/html; charset=utf-8", "quoted-printable", `<p>Hello,</p><p><a href="https://acme.test/_/#/auth/confirm-verification/tok">Verify</a></p>`},
			},
		},
		{
			name: "explicit text is kept",
			edit: func(m *Message) { m.Text = "Plain version" },
			wantParts: []parsedPart{
				{"text/plain; charset=utf-8", "quoted-printable", "Plain version"},
				{"text/html; charset=utf-8", "quoted-printable", testMessage().HTML},
			},
		},
		{
			name: "text only is a single part",
			edit: func(m *Message) { m.HTML, m.Text = "", "Just text\nsecond line" },
			wantParts: []parsedPart{
				{"text/plain; charset=utf-8", "quoted-printable", "Just text\nsecond line"},
			},
		},
		{
			name: "long body lines stay short on the wire",
			edit: func(m *Message) { m.HTML, m.Text = "", strings.Repeat("é", 300) },
			wantParts: []parsedPart{
				{"text/plain; charset=utf-8", "quoted-printable", strings.Repeat("é", 300)},
			},
			check: func(t *testing.T, _ *mail.Message, raw []byte) {
				for _, l := range strings.Split(string(raw), "\r\n") {
					if len(l) > 78 {
						t.Errorf("line of %d bytes, want <= 78: %q", len(l), l)
					}
				}
			},
		},
		{
			name: "standard headers",
			check: func(t *testing.T, msg *mail.Message, _ []byte) {
				want := map[string]string{
					"Date":         "Tue, 04 Mar 2025 05:06:07 +0000",
					"Message-Id":   "<000102030405060708090a0b0c0d0e0f@acme.test>",
					"Mime-Version": "1.0",
					"From":         `"Acme Support" <support@acme.test>`,
					"To":           `"Ann" <ann@example.org>, <bob@example.net>`,
					"Subject":      "Verify your Acme email",
				}
				for k, v := range want {
					if got := msg.Header.Get(k); got != v {
						t.Errorf("%s = %q, want %q", k, got, v)
					}
				}
			},
		},
		{
			name: "non-ascii subject and names are encoded",
			edit: func(m *Message) {
				m.Subject = "Vérifiez votre adresse ✓"
				m.From.Name = "Zoë Équipe"
			},
			check: func(t *testing.T, msg *mail.Message, raw []byte) {
				head, _, _ := strings.Cut(string(raw), "\r\n\r\n")
				for _, r := range head {
					if r >= 0x80 {
						t.Fatalf("raw header holds non-ASCII %q", r)
					}
				}
				var dec mime.WordDecoder
				if got, err := dec.DecodeHeader(msg.Header.Get("Subject")); err != nil || got != "Vérifiez votre adresse ✓" {
					t.Errorf("decoded Subject = %q (%v), want the original", got, err)
				}
				from, err := msg.Header.AddressList("From")
				if err != nil || len(from) != 1 || from[0].Name != "Zoë Équipe" {
					t.Errorf("From = %v (%v), want name Zoë Équipe", from, err)
				}
			},
		},
		{
			name: "long subject is folded and unfolds to the original",
			edit: func(m *Message) { m.Subject = longSubject },
			check: func(t *testing.T, msg *mail.Message, raw []byte) {
				head, _, _ := strings.Cut(string(raw), "\r\n\r\n")
				for _, l := range strings.Split(head, "\r\n") {
					if len(l) > 78 {
						t.Errorf("header line of %d bytes, want <= 78", len(l))
					}
				}
				if got := msg.Header.Get("Subject"); got != longSubject {
					t.Errorf("Subject = %q, want %q", got, longSubject)
				}
			},
		},
		{
			name: "display names with specials round-trip",
			edit: func(m *Message) { m.To = []Address{{Name: `Doe, John "JD"`, Email: "jd@example.org"}} },
			check: func(t *testing.T, msg *mail.Message, _ []byte) {
				to, err := msg.Header.AddressList("To")
				if err != nil || len(to) != 1 || to[0].Name != `Doe, John "JD"` || to[0].Address != "jd@example.org" {
					t.Errorf("To = %v (%v), want the original address", to, err)
				}
			},
		},
		{
			name: "extra headers, Message-ID override",
			edit: func(m *Message) {
				m.Headers = map[string]string{"Reply-To": "help@acme.test", "message-id": "<fixed@acme.test>", "X-Note": "café"}
			},
			check: func(t *testing.T, msg *mail.Message, raw []byte) {
				if got := msg.Header.Get("Reply-To"); got != "help@acme.test" {
					t.Errorf("Reply-To = %q", got)
				}
				if got := msg.Header["Message-Id"]; len(got) != 1 || got[0] != "<fixed@acme.test>" {
					t.Errorf("Message-ID = %q, want exactly the override", got)
				}
				var dec mime.WordDecoder
				if got, _ := dec.DecodeHeader(msg.Header.Get("X-Note")); got != "café" {
					t.Errorf("X-Note = %q, want café", got)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := testMessage()
			if tt.edit != nil {
				tt.edit(m)
			}
			raw, err := m.encode(fixedNow(), &countingReader{})
			if err != nil {
				t.Fatalf("encode: %v", err)
			}
			msg, parts := parseMessage(t, raw)
			if tt.wantParts != nil {
				if len(parts) != len(tt.wantParts) {
					t.Fatalf("got %d parts, want %d", len(parts), len(tt.wantParts))
				}
				for i, want := range tt.wantParts {
					got := parts[i]
					got.body = strings.TrimSpace(got.body)
					if got != want {
						t.Errorf("part %d = %+v, want %+v", i, got, want)
					}
				}
			}
			if tt.check != nil {
				tt.check(t, msg, raw)
			}
		})
	}
}

func TestMessageValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		edit func(*Message)
	}{
		{"CRLF in subject", func(m *Message) { m.Subject = "Hi\r\nBcc: x@evil.test" }},
		{"LF in subject", func(m *Message) { m.Subject = "Hi\nthere" }},
		{"NUL in subject", func(m *Message) { m.Subject = "Hi\x00" }},
		{"CRLF in from name", func(m *Message) { m.From.Name = "Acme\r\nBcc: x@evil.test" }},
		{"LF in from email", func(m *Message) { m.From.Email = "a@acme.test\nBcc: x@evil.test" }},
		{"CR in recipient name", func(m *Message) { m.To[0].Name = "Ann\r" }},
		{"LF in recipient email", func(m *Message) { m.To[1].Email = "bob@example.net\n" }},
		{"CRLF in header value", func(m *Message) { m.Headers = map[string]string{"X-A": "1\r\nBcc: x@evil.test"} }},
		{"colon in header name", func(m *Message) { m.Headers = map[string]string{"X-A: b": "1"} }},
		{"space in header name", func(m *Message) { m.Headers = map[string]string{"X A": "1"} }},
		{"empty header name", func(m *Message) { m.Headers = map[string]string{"": "1"} }},
		{"reserved header Bcc", func(m *Message) { m.Headers = map[string]string{"bcc": "x@evil.test"} }},
		{"reserved header Content-Type", func(m *Message) { m.Headers = map[string]string{"Content-Type": "text/plain"} }},
		{"no recipients", func(m *Message) { m.To = nil }},
		{"empty from", func(m *Message) { m.From = Address{} }},
		{"malformed email", func(m *Message) { m.To[0].Email = "not-an-email" }},
		{"email with display part", func(m *Message) { m.To[0].Email = "Ann <ann@example.org>" }},
		{"email in angle brackets", func(m *Message) { m.To[0].Email = "<ann@example.org>" }},
		{"two emails in one", func(m *Message) { m.To[0].Email = "ann@example.org, eve@evil.test" }},
		{"non-ascii email", func(m *Message) { m.To[0].Email = "zoë@example.org" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := testMessage()
			tt.edit(m)
			if err := m.Validate(); !errors.Is(err, ErrInvalidMessage) {
				t.Errorf("Validate() = %v, want ErrInvalidMessage", err)
			}
			if _, err := m.encode(fixedNow(), nil); !errors.Is(err, ErrInvalidMessage) {
				t.Errorf("encode() = %v, want ErrInvalidMessage", err)
			}
		})
	}
	t.Run("nil message", func(t *testing.T) {
		t.Parallel()
		var m *Message
		if err := m.Validate(); !errors.Is(err, ErrInvalidMessage) {
			t.Errorf("Validate() = %v, want ErrInvalidMessage", err)
		}
	})
	t.Run("valid message", func(t *testing.T) {
		t.Parallel()
		m := testMessage()
		m.Headers = map[string]string{"Reply-To": "help@acme.test", "Date": "Mon, 01 Jan 2024 00:00:00 +0000"}
		if err := m.Validate(); err != nil {
			t.Errorf("Validate() = %v, want nil", err)
		}
	})
}

func TestAddressString(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		addr Address
		want string
	}{
		{"bare", Address{Email: "a@example.org"}, "<a@example.org>"},
		{"simple name", Address{Name: "Ann Lee", Email: "a@example.org"}, `"Ann Lee" <a@example.org>`},
		{"comma is quoted", Address{Name: "Lee, Ann", Email: "a@example.org"}, `"Lee, Ann" <a@example.org>`},
		{"quote is escaped", Address{Name: `Ann "A" Lee`, Email: "a@example.org"}, `"Ann \"A\" Lee" <a@example.org>`},
		{"non-ascii is encoded", Address{Name: "Zoë", Email: "z@example.org"}, "=?utf-8?q?Zo=C3=AB?= <z@example.org>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := tt.addr.String()
			if got != tt.want {
				t.Errorf("String() = %s, want %s", got, tt.want)
			}
			back, err := mail.ParseAddress(got)
			if err != nil || back.Name != tt.addr.Name || back.Address != tt.addr.Email {
				t.Errorf("ParseAddress(%s) = %v (%v), want the original", got, back, err)
			}
		})
	}
}
