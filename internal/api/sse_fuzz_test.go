package api

import (
	"bytes"
	"io"
	"net/http/httputil"
	"strings"
	"testing"
)

// parsedEvent is one event as an SSE client dispatches it.
type parsedEvent struct{ id, name, data string }

// parseSSE is an SSE parser after WHATWG HTML §9.2.6 ("Interpreting an
// event stream"), on bytes: lines end at CR LF, LF or CR; a line starting
// with ':' is a comment; "field:value" loses one leading space of its
// value; data lines are joined with LF; an id with a NUL is ignored; the
// last id persists; an event with no data line is not dispatched; an
// empty event type means "message". A trailing event without its blank
// line is not dispatched.
func parseSSE(stream []byte) []parsedEvent {
	var (
		out               []parsedEvent
		lastId, eventType string
		data              strings.Builder
		hasData           bool
	)
	for len(stream) > 0 {
		end := bytes.IndexAny(stream, "\r\n")
		if end < 0 {
			break // an unterminated line is never processed
		}
		line := string(stream[:end])
		next := end + 1
		if stream[end] == '\r' && next < len(stream) && stream[next] == '\n' {
			next++
		}
		stream = stream[next:]
		switch {
		case line == "":
			if hasData {
				d := strings.TrimSuffix(data.String(), "\n")
				name := eventType
				if name == "" {
					name = "message"
				}
				out = append(out, parsedEvent{id: lastId, name: name, data: d})
			}
			data.Reset()
			hasData = false
			eventType = ""
			continue
		case line[0] == ':':
			continue
		}
		field, value := line, ""
		if i := strings.IndexByte(line, ':'); i >= 0 {
			field, value = line[:i], line[i+1:]
			value = strings.TrimPrefix(value, " ")
		}
		switch field {
		case "event":
			eventType = value
		case "data":
			data.WriteString(value)
			data.WriteByte('\n')
			hasData = true
		case "id":
			if !strings.Contains(value, "\x00") {
				lastId = value
			}
		}
	}
	return out
}

// wantEvent is what appendEvent promises a parser reads back.
func wantEvent(id, name string, data []byte) parsedEvent {
	drop := strings.NewReplacer("\r", "", "\n", "")
	id = strings.ReplaceAll(drop.Replace(id), "\x00", "")
	name = drop.Replace(name)
	if name == "" {
		name = "message"
	}
	d := strings.ReplaceAll(string(data), "\r\n", "\n")
	d = strings.ReplaceAll(d, "\r", "\n")
	return parsedEvent{id: id, name: name, data: d}
}

// FuzzSSEEvent: whatever id, event name and data a frame is written with
// (line breaks of any kind, NUL, leading spaces, invalid UTF-8, megabytes),
// the stream — framed in chunks as on the wire — parses back into
// exactly the event written (as wantEvent normalises it), followed by the
// next event untouched: nothing in a value starts a field or an event of
// its own. Seeds in testdata/fuzz/FuzzSSEEvent.
func FuzzSSEEvent(f *testing.F) {
	f.Add("abc", "posts/*", []byte(`{"action":"create"}`))
	f.Add("abc", "posts\n\nevent:evil\ndata:x", []byte("a\n\ndata:b\r\rid:x\n"))
	f.Add("a\x00b", " lead", []byte(" data with a leading space"))
	f.Add("", "", []byte(""))
	f.Add("id\r", "e\r\nv", []byte(strings.Repeat("x\r\n", 1<<16)))
	f.Fuzz(func(t *testing.T, id, name string, data []byte) {
		var wire []byte
		frame := appendEvent(nil, sseIDLine(id), name, data)
		wire = appendChunk(wire, frame)
		next := appendEvent(nil, sseIDLine("next"), "PB_NEXT", []byte(`{"n":1}`))
		wire = appendChunk(wire, next)
		wire = append(wire, "0\r\n\r\n"...)
		stream, err := io.ReadAll(httputil.NewChunkedReader(bytes.NewReader(wire)))
		if err != nil {
			t.Fatalf("chunked framing: %v", err)
		}
		got := parseSSE(stream)
		want := []parsedEvent{wantEvent(id, name, data), {id: "next", name: "PB_NEXT", data: `{"n":1}`}}
		if len(got) != len(want) {
			t.Fatalf("parsed %d events, want 2:\n got %q\nframe %q", len(got), got, frame)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("event %d:\n got %q\nwant %q\nframe %q", i, got[i], want[i], frame)
			}
		}
	})
}

// TestAppendEventKeepsPocketBaseFrames: an ordinary frame is
// PocketBase's, byte for byte.
func TestAppendEventKeepsPocketBaseFrames(t *testing.T) {
	got := string(appendEvent(nil, sseIDLine("cid"), "posts/*", []byte(`{"action":"create"}`)))
	if want := "id:cid\nevent:posts/*\ndata:{\"action\":\"create\"}\n\n"; got != want {
		t.Fatalf("frame %q, want %q", got, want)
	}
}

// BenchmarkAppendEvent: one frame of a typical record event (the
// fan-out writes one per subscriber).
func BenchmarkAppendEvent(b *testing.B) {
	data := []byte(`{"action":"create","record":{"collectionId":"pbc_1234567890","collectionName":"posts","id":"abcdefghijklmno","title":"hello world","views":42,"created":"2026-12-07 21:00:00.000Z","updated":"2026-12-07 21:00:00.000Z"}}`)
	buf := make([]byte, 0, 1024)
	id := sseIDLine("abcdefghijABCDEFGHIJ0123456789abcdefghij")
	b.ReportAllocs()
	for b.Loop() {
		buf = appendEvent(buf[:0], id, "posts/*", data)
	}
}
