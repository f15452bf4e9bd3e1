package core

import (
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
	"time"
)

func TestLogIdOrder(t *testing.T) {
	base := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	prev := ""
	for i := range 1000 {
		id := logId(base.Add(time.Duration(i) * time.Microsecond))
		if len(id) != 15 || strings.Trim(id, "abcdefghijklmnopqrstuvwxyz0123456789") != "" {
			t.Fatalf("logId = %q: want 15 chars of [a-z0-9]", id)
		}
		if id[:10] <= prev {
			t.Fatalf("logId time prefix %q not after %q", id[:10], prev)
		}
		prev = id[:10]
	}
}

func TestRequestLogJSON(t *testing.T) {
	tests := []struct {
		name string
		in   RequestLog
		want map[string]any
	}{
		{"success guest", RequestLog{Method: "GET", URL: "/api/x?a=\"b\"", Status: 200, ExecTime: 1.5, UserAgent: "ua"},
			map[string]any{"auth": "", "details": nil, "execTime": 1.5, "method": "GET", "referer": "", "status": 200.0,
				"type": "request", "url": "/api/x?a=\"b\"", "userAgent": "ua"}},
		{"failure with ip and auth id", RequestLog{Method: "POST", URL: "/api/y", Status: 400, Auth: "users", AuthId: "u1",
			UserIP: "10.0.0.1", RemoteIP: "127.0.0.1", Error: "bad \n input"},
			map[string]any{"auth": "users", "authId": "u1", "details": nil, "error": "bad \n input", "execTime": 0.0,
				"method": "POST", "referer": "", "remoteIP": "127.0.0.1", "status": 400.0, "type": "request", "url": "/api/y",
				"userAgent": "", "userIP": "10.0.0.1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := tt.in.appendJSON(nil)
			var got map[string]any
			if err := json.Unmarshal(raw, &got); err != nil {
				t.Fatalf("invalid JSON %s: %v", raw, err)
			}
			g, _ := json.Marshal(got)
			w, _ := json.Marshal(tt.want)
			if string(g) != string(w) {
				t.Fatalf("got %s\nwant %s", g, w)
			}
		})
	}
}

// TestRequestLogAttrsMatchRow: the log line of a request (LogAttrs) has
// exactly the keys and values of its _logs data object, in every shape
// the entry takes.
func TestRequestLogAttrsMatchRow(t *testing.T) {
	cases := []struct {
		name string
		r    RequestLog
	}{
		{"guest ok", RequestLog{Method: "GET", URL: "/api/x?a=1", Status: 200, ExecTime: 1.25, UserAgent: "ua"}},
		{"failed with ips and ids", RequestLog{Method: "POST", URL: "/api/y", Status: 400, ExecTime: 0.5, Auth: "users",
			AuthId: "abc", UserIP: "1.2.3.4", RemoteIP: "5.6.7.8", Error: "bad", RequestId: "rid-1", Referer: "http://r"}},
		{"quotes and control chars", RequestLog{Method: "GET", URL: "/a\"b\n", Status: 500, Error: "x\ty", RequestId: "r"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var row map[string]any
			if err := json.Unmarshal(c.r.appendJSON(nil), &row); err != nil {
				t.Fatal(err)
			}
			var buf strings.Builder
			slog.New(slog.NewJSONHandler(&buf, nil)).LogAttrs(context.Background(), slog.LevelInfo, "m", c.r.LogAttrs()...)
			var line map[string]any
			if err := json.Unmarshal([]byte(buf.String()), &line); err != nil {
				t.Fatal(err)
			}
			for _, k := range []string{"time", "level", "msg"} {
				delete(line, k)
			}
			a, _ := json.Marshal(row)
			b, _ := json.Marshal(line)
			if string(a) != string(b) {
				t.Errorf("row  %s\nline %s", a, b)
			}
		})
	}
}
