package core

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
)

func TestRecordHideAndCustom(t *testing.T) {
	t.Parallel()
	c := NewBaseCollection("posts")
	c.Id = "pbc_posts"
	c.Fields.Add(&TextField{BaseField: BaseField{Name: "title"}}, &TextField{BaseField: BaseField{Name: "body"}})
	base := NewRecord(c)
	base.Set("id", "abc")
	base.Set("title", "t")
	base.Set("body", "b")
	for _, tc := range []struct {
		name string
		edit func(r *Record)
		want string
	}{
		{"untouched", func(*Record) {}, `{"collectionId":"pbc_posts","collectionName":"posts","id":"abc","title":"t","body":"b"}`},
		{"hide", func(r *Record) { r.Hide("body", "body", "missing") }, `{"collectionId":"pbc_posts","collectionName":"posts","id":"abc","title":"t"}`},
		{"custom in order, replaced", func(r *Record) {
			r.SetCustom("b", 1)
			r.SetCustom("a", []string{"x"})
			r.SetCustom("b", 2)
		}, `{"collectionId":"pbc_posts","collectionName":"posts","id":"abc","title":"t","body":"b","b":2,"a":["x"]}`},
		{"custom cannot shadow keys", func(r *Record) {
			for _, k := range []string{"", "title", "collectionId", "collectionName", "expand"} {
				r.SetCustom(k, "x")
			}
		}, `{"collectionId":"pbc_posts","collectionName":"posts","id":"abc","title":"t","body":"b"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := base.Clone()
			tc.edit(r)
			if got := string(r.AppendJSON(nil)); got != tc.want {
				t.Fatalf("AppendJSON:\n got %s\nwant %s", got, tc.want)
			}
			pd := r.PublicData()
			if _, hidden := pd["body"]; hidden == strings.Contains(tc.name, "hide") {
				t.Fatalf("PublicData disagrees with AppendJSON on hidden body: %v", pd)
			}
			// A clone's changes never reach the original.
			cl := r.Clone()
			cl.Hide("title")
			cl.SetCustom("z", 1)
			if got := string(r.AppendJSON(nil)); got != tc.want {
				t.Fatalf("clone changed the original: %s", got)
			}
		})
	}
}

// TestEnrichHandlerFailuresLogged: an erroring or panicking handler is
// logged naming the hook, and the record still goes out.
func TestEnrichHandlerFailuresLogged(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	app := NewApp(Config{Logger: slog.New(slog.NewTextHandler(&logs, nil))}, nil)
	app.OnRecordEnrich().BindFunc(func(e *RecordEnrichEvent) error {
		switch e.Record.Id() {
		case "err":
			return errors.New("handler says no")
		case "panic":
			panic("handler blew up")
		}
		return e.Next()
	})
	c := NewBaseCollection("posts")
	for _, id := range []string{"err", "panic", "ok"} {
		r := NewRecord(c)
		r.Set("id", id)
		app.EnrichRecords(context.Background(), nil, false, r)
	}
	out := logs.String()
	for _, want := range []string{"hook=OnRecordEnrich", "handler says no", "handler blew up", "record=err", "record=panic"} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "record=ok") {
		t.Errorf("a passing handler was logged:\n%s", out)
	}
}
