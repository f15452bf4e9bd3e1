package testenv

import (
	"bufio"
	"io"
	"strings"
)

// SSEEvent is one event of a realtime stream as tests read it.
type SSEEvent struct{ ID, Event, Data string }

// ReadSSE reads the events of a realtime stream from r until it ends,
// handing each to emit. It is the tests' plain reader for Basalt's own
// frames (one data line per event); internal/api's FuzzSSEEvent holds the
// full WHATWG parser that checks the framing itself.
func ReadSSE(r io.Reader, emit func(SSEEvent)) {
	br, ok := r.(*bufio.Reader)
	if !ok {
		br = bufio.NewReader(r)
	}
	var ev SSEEvent
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			return
		}
		line = strings.TrimSuffix(line, "\n")
		switch {
		case line == "":
			emit(ev)
			ev = SSEEvent{}
		case strings.HasPrefix(line, "id:"):
			ev.ID = line[3:]
		case strings.HasPrefix(line, "event:"):
			ev.Event = line[6:]
		case strings.HasPrefix(line, "data:"):
			ev.Data = line[5:]
		}
	}
}
