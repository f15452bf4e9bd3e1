package filter

import "testing"

// benchRule is a typical rule: owner check, membership via @collection,
// a body modifier and a macro.
const benchRule = `owner = @request.auth.id || (@collection.memberships.user ?= @request.auth.id && ` +
	`@collection.memberships.group ?= group && @request.body.tags:length <= 2 && created >= @todayStart)`

func BenchmarkParse(b *testing.B) {
	b.ReportAllocs()
	b.SetBytes(int64(len(benchRule)))
	for b.Loop() {
		if _, err := Parse(benchRule); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkString(b *testing.B) {
	e := MustParse(benchRule)
	b.ReportAllocs()
	for b.Loop() {
		_ = e.String()
	}
}
