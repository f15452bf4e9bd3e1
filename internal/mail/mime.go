package mail

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"maps"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/textproto"
	"slices"
	"strings"
	"time"
)

// maxHeaderLine is the line length RFC 5322 §2.1.1 recommends; headers are
// folded at spaces to stay under it where the value allows.
const maxHeaderLine = 78

// encode validates m and renders it as an RFC 5322 / MIME message with CRLF
// line endings: Date and Message-ID from now and random (injected so tests
// are deterministic), a multipart/alternative body (plain text first, HTML
// last, the preferred part) when m has HTML, quoted-printable bodies, and an
// RFC 2047 encoded subject.
func (m *Message) encode(now time.Time, random io.Reader) ([]byte, error) {
	if err := m.Validate(); err != nil {
		return nil, err
	}
	id, err := randomHex(random, 16)
	if err != nil {
		return nil, fmt.Errorf("mail: message id: %w", err)
	}

	var buf bytes.Buffer
	headers := map[string]string{
		"Date":       now.Format(time.RFC1123Z),
		"Message-Id": "<" + id + "@" + domainOf(m.From.Email) + ">",
	}
	for k, v := range m.Headers {
		// Validate allowed only non-structural names, so this can only
		// override Date and Message-ID or add new headers. A non-ASCII
		// value is encoded as one RFC 2047 text, fine for free text but
		// not for address lists (keep those ASCII).
		headers[textproto.CanonicalMIMEHeaderKey(k)] = mime.QEncoding.Encode("utf-8", v)
	}
	writeHeader(&buf, "Date", headers["Date"])
	writeHeader(&buf, "Message-ID", headers["Message-Id"])
	delete(headers, "Date")
	delete(headers, "Message-Id")
	writeHeader(&buf, "From", m.From.String())
	to := make([]string, len(m.To))
	for i, a := range m.To {
		to[i] = a.String()
	}
	writeHeader(&buf, "To", strings.Join(to, ", "))
	writeHeader(&buf, "Subject", mime.QEncoding.Encode("utf-8", m.Subject))
	for _, k := range slices.Sorted(maps.Keys(headers)) {
		writeHeader(&buf, k, headers[k])
	}
	writeHeader(&buf, "MIME-Version", "1.0")

	text := m.Text
	if text == "" && m.HTML != "" {
		text = HTMLToText(m.HTML)
	}
	if m.HTML == "" {
		writeHeader(&buf, "Content-Type", "text/plain; charset=utf-8")
		writeHeader(&buf, "Content-Transfer-Encoding", "quoted-printable")
		buf.WriteString("\r\n")
		if err := writeQP(&buf, text); err != nil {
			return nil, err
		}
		return buf.Bytes(), nil
	}

	boundary, err := randomHex(random, 20)
	if err != nil {
		return nil, fmt.Errorf("mail: boundary: %w", err)
	}
	mw := multipart.NewWriter(&buf)
	if err := mw.SetBoundary(boundary); err != nil {
		return nil, fmt.Errorf("mail: boundary: %w", err)
	}
	writeHeader(&buf, "Content-Type", mime.FormatMediaType("multipart/alternative", map[string]string{"boundary": boundary}))
	buf.WriteString("\r\n")
	for _, part := range []struct{ typ, body string }{
		{"text/plain; charset=utf-8", text},
		{"text/html; charset=utf-8", m.HTML},
	} {
		pw, err := mw.CreatePart(textproto.MIMEHeader{
			"Content-Type":              {part.typ},
			"Content-Transfer-Encoding": {"quoted-printable"},
		})
		if err != nil {
			return nil, fmt.Errorf("mail: body part: %w", err)
		}
		if err := writeQP(pw, part.body); err != nil {
			return nil, err
		}
	}
	if err := mw.Close(); err != nil {
		return nil, fmt.Errorf("mail: body: %w", err)
	}
	return buf.Bytes(), nil
}

// writeQP writes body quoted-printable encoded, which keeps lines under 76
// characters and the message 7-bit clean whatever the body holds.
func writeQP(w io.Writer, body string) error {
	qw := quotedprintable.NewWriter(w)
	if _, err := io.WriteString(qw, body); err != nil {
		return fmt.Errorf("mail: encode body: %w", err)
	}
	if err := qw.Close(); err != nil {
		return fmt.Errorf("mail: encode body: %w", err)
	}
	return nil
}

// writeHeader writes "key: value" folded at spaces so that lines stay under
// maxHeaderLine where possible. Folding only inserts CRLF before existing
// whitespace, so unfolding restores the value exactly (RFC 5322 §2.2.3).
// Values were checked for CR/LF by Validate, so no line can be injected.
func writeHeader(buf *bytes.Buffer, key, value string) {
	line := key + ": " + value
	minCut := len(key) + 2 // never fold before the value starts
	for len(line) > maxHeaderLine {
		cut := strings.LastIndexByte(line[:maxHeaderLine+1], ' ')
		if cut < minCut {
			// A word longer than the line: fold at the next space instead.
			next := strings.IndexByte(line[maxHeaderLine+1:], ' ')
			if next < 0 {
				break
			}
			cut = maxHeaderLine + 1 + next
		}
		buf.WriteString(line[:cut])
		buf.WriteString("\r\n")
		line = line[cut:]
		minCut = 1 // a continuation line starts with the space kept from the cut
	}
	buf.WriteString(line)
	buf.WriteString("\r\n")
}

// randomHex reads n bytes from random (crypto/rand when nil) as hex.
func randomHex(random io.Reader, n int) (string, error) {
	if random == nil {
		random = rand.Reader
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(random, b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}

// domainOf returns the domain of an e-mail address for the Message-ID, so
// IDs are unique per sending domain as RFC 5322 §3.6.4 recommends.
func domainOf(email string) string {
	if i := strings.LastIndexByte(email, '@'); i >= 0 && i < len(email)-1 {
		return email[i+1:]
	}
	return "localhost"
}

// nowOr returns now(), or time.Now() when now is nil.
func nowOr(now func() time.Time) time.Time {
	if now == nil {
		return time.Now()
	}
	return now()
}
