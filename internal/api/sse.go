package api

import (
	"bytes"
	"strings"
)

// appendEvent appends one SSE frame (spec §7.1: the client id on the id
// line) that an SSE parser (WHATWG HTML §9.2.6) reads back as exactly
// one event with these fields, whatever the strings hold
// (FuzzSSEEvent). The common frame is PocketBase's byte for byte:
// "id:…\nevent:…\ndata:…\n\n". What the format cannot carry is changed,
// never allowed to start a field or an event of its own:
//   - a line break in data starts another "data:" line, which parsers
//     join with LF: CR LF and a lone CR arrive as LF;
//   - the id and the event name cannot hold a line break: CR and LF are
//     dropped from them (subscriptions with one are refused at subscribe,
//     so only names from Go code can have one), and NUL from the id
//     (parsers ignore an id with a NUL);
//   - a value starting with a space gets the one space parsers strip.
//
// The id line is the same for every event of a stream, so it is built
// once (sseIDLine) and passed in.
func appendEvent(dst []byte, idLine []byte, name string, data []byte) []byte {
	dst = append(dst, idLine...)
	dst = appendField(dst, "event:", name, false)
	for {
		// Two IndexByte scans (vectorised) cost a fraction of one IndexAny
		// over a typical record's JSON, which has no line break at all.
		i := bytes.IndexByte(data, '\n')
		if j := bytes.IndexByte(data, '\r'); j >= 0 && (i < 0 || j < i) {
			i = j
		}
		if i < 0 {
			break
		}
		dst = appendData(dst, data[:i])
		if data[i] == '\r' && i+1 < len(data) && data[i+1] == '\n' {
			i++
		}
		data = data[i+1:]
	}
	dst = appendData(dst, data)
	return append(dst, '\n')
}

// sseIDLine returns the id line of a stream's events (see appendEvent).
func sseIDLine(clientId string) []byte {
	return appendField(nil, "id:", clientId, true)
}

func appendData(dst, line []byte) []byte {
	dst = append(dst, "data:"...)
	if len(line) > 0 && line[0] == ' ' {
		dst = append(dst, ' ')
	}
	dst = append(dst, line...)
	return append(dst, '\n')
}

// appendField appends "<field><value>\n" with the value's line breaks
// (and with noNUL its NULs) dropped.
func appendField(dst []byte, field, value string, noNUL bool) []byte {
	for i := 0; i < len(value); i++ {
		if value[i] <= '\r' { // one compare per byte for NUL, LF and CR (ids and names are short)
			value = cleanField(value, noNUL)
			break
		}
	}
	dst = append(dst, field...)
	if value != "" && value[0] == ' ' {
		dst = append(dst, ' ')
	}
	dst = append(dst, value...)
	return append(dst, '\n')
}

func cleanField(value string, noNUL bool) string {
	var b strings.Builder
	for i := 0; i < len(value); i++ {
		switch c := value[i]; {
		case c == '\r' || c == '\n':
		case c == 0 && noNUL:
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}
