package answer

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"
)

// recordedNow is the clock of the run the testdata answers come from.
var recordedNow = time.Date(2026, 12, 7, 23, 19, 27, 0, time.UTC)

// Symbols of the recorded run: the ids each server generated for the same
// logical records.
var (
	pbSyms = Symbols{"pbc_2938395303": "c3_flt", "4kb6ut2dfy8iop9": "r0", "03s4guwr3597mi0": "relrec"}
	bsSyms = Symbols{"pbc_2938395303": "c3_flt", "z9t4o22dj7xbdoc": "r0", "imnup00fzaxjqcv": "relrec"}
)

func load(t *testing.T, name string) map[string]any {
	t.Helper()
	raw, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	a := Decode(200, raw)
	return a.Body.(map[string]any)
}

func normPair(pb, bs Answer) []Diff {
	n := Normalizer{Now: recordedNow}
	pb.Body = n.Normalize(pb.Body, pbSyms, map[string]bool{"$.rels": true})
	bs.Body = n.Normalize(bs.Body, bsSyms, map[string]bool{"$.rels": true})
	return Compare(pb, bs)
}

// TestRecordedPairsAreEqual: the recorded answers differ only in what the
// normaliser legitimately hides (ids, clock-made timestamps, tokens, key
// order).
func TestRecordedPairsAreEqual(t *testing.T) {
	for _, pair := range []struct{ name, pb, bs string }{
		{"error", "error_pocketbase.json", "error_basalt.json"},
		{"record", "record_pocketbase.json", "record_basalt.json"},
	} {
		t.Run(pair.name, func(t *testing.T) {
			status := 200
			if pair.name == "error" {
				status = 400
			}
			if d := normPair(Answer{status, load(t, pair.pb)}, Answer{status, load(t, pair.bs)}); len(d) != 0 {
				t.Fatalf("recorded pair differs: %v", d)
			}
		})
	}
}

// TestNormalizerCannotHideADifference changes one thing in one recorded
// answer and checks the difference is reported, with its kind and path,
// whichever side carries it.
func TestNormalizerCannotHideADifference(t *testing.T) {
	cases := []struct {
		name   string
		file   string
		status int
		mutate func(a *Answer)
		kind   string
		path   string
	}{
		{"status code", "error", 400, func(a *Answer) { a.Status = 422 }, KindStatus, "status"},
		{"error code", "error", 400, func(a *Answer) {
			field(a, "data", "fileToken", "duration")["code"] = "validation_required"
		}, KindCode, "$.data.fileToken.duration.code"},
		{"error nesting level", "error", 400, func(a *Answer) {
			d := field(a, "data")
			d["fileToken"] = map[string]any{"duration": map[string]any{"duration": field(a, "data", "fileToken", "duration")}}
		}, KindNesting, "$.data.fileToken.duration.code"},
		{"error params", "error", 400, func(a *Answer) {
			delete(field(a, "data", "fileToken", "duration", "params"), "threshold")
		}, KindNesting, "$.data.fileToken.duration.params.threshold"},
		{"json type in error", "error", 400, func(a *Answer) { a.Body.(map[string]any)["status"] = "400" }, KindType, "$.status"},
		{"json type in record", "record", 200, func(a *Answer) { a.Body.(map[string]any)["n"] = "3" }, KindType, "$.n"},
		{"json type null", "record", 200, func(a *Answer) { a.Body.(map[string]any)["data"] = nil }, KindType, "$.data"},
		{"missing key", "record", 200, func(a *Answer) { delete(a.Body.(map[string]any), "loc") }, KindKey, "$.loc"},
		{"value the client sent that looks like a date", "record", 200, func(a *Answer) {
			a.Body.(map[string]any)["when"] = "2024-05-06 00:00:00.001Z"
		}, KindValue, "$.when"},
		{"clock-made date far from the run", "record", 200, func(a *Answer) {
			a.Body.(map[string]any)["created"] = "2020-01-01 00:00:00.000Z"
		}, KindValue, "$.created"},
		{"reference to another record", "record", 200, func(a *Answer) {
			a.Body.(map[string]any)["owner"] = a.Body.(map[string]any)["id"]
		}, KindValue, "$.owner"},
		{"unordered list loses an item", "record", 200, func(a *Answer) {
			a.Body.(map[string]any)["rels"] = []any{}
		}, KindLength, "$.rels"},
		{"error message", "error", 400, func(a *Answer) {
			field(a, "data", "fields", "1", "max")["message"] = "Invalid date."
		}, KindMessage, "$.data.fields.1.max.message"},
	}
	for _, c := range cases {
		for _, side := range []string{"pocketbase", "basalt"} {
			t.Run(c.name+"/"+side, func(t *testing.T) {
				pb := Answer{c.status, load(t, c.file+"_pocketbase.json")}
				bs := Answer{c.status, load(t, c.file+"_basalt.json")}
				if side == "pocketbase" {
					c.mutate(&pb)
				} else {
					c.mutate(&bs)
				}
				diffs := normPair(pb, bs)
				for _, d := range diffs {
					if d.Kind == c.kind && d.Path == c.path {
						return
					}
				}
				t.Fatalf("change not reported as %s at %s; got %v", c.kind, c.path, diffs)
			})
		}
	}
}

// field walks a decoded body by keys.
func field(a *Answer, keys ...string) map[string]any {
	m := a.Body.(map[string]any)
	for _, k := range keys {
		m = m[k].(map[string]any)
	}
	return m
}

func TestDecodeKeepsNumbersExact(t *testing.T) {
	a := Decode(200, []byte(`{"n": 9007199254740993}`))
	b, _ := json.Marshal(a.Body)
	if !strings.Contains(string(b), "9007199254740993") {
		t.Fatalf("number rounded: %s", b)
	}
}
