package store

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/basalthq/basalt/core"
)

// TestRowCodecRoundTrip: a record rebuilt from its cached row has every
// value and the JSON of the record it was made from, for every field
// type (an auth collection brings password, email, bool and autodates).
func TestRowCodecRoundTrip(t *testing.T) {
	c := core.NewAuthCollection("people")
	c.Id = "pbc_people"
	c.Fields = append(c.Fields,
		&core.TextField{BaseField: base("name")},
		&core.EditorField{BaseField: base("bio")},
		&core.URLField{BaseField: base("site")},
		&core.NumberField{BaseField: base("age")},
		&core.DateField{BaseField: base("born")},
		&core.JSONField{BaseField: base("meta")},
		&core.JSONField{BaseField: base("empty")},
		&core.GeoPointField{BaseField: base("home")},
		&core.SelectField{BaseField: base("role"), Values: []string{"a", "b"}, MaxSelect: 1},
		&core.SelectField{BaseField: base("tags"), Values: []string{"x", "y", "z"}, MaxSelect: 3},
		&core.RelationField{BaseField: base("friend"), CollectionId: "pbc_people", MaxSelect: 1},
		&core.RelationField{BaseField: base("friends"), CollectionId: "pbc_people", MaxSelect: 9},
		&core.FileField{BaseField: base("avatar"), MaxSelect: 1},
		&core.FileField{BaseField: base("docs"), MaxSelect: 5},
	)
	// Column values as the driver hands them over (bools as integers).
	row := map[string]any{
		"id": "p1aaaaaaaaaaaaa", "email": "a@example.com", "emailVisibility": int64(1), "verified": int64(0),
		"password": "$2a$04$abcdefghijklmnopqrstuuQbyWZ1xZ2Xc2Wq2kV0m4ZlA8D9n6/a", "tokenKey": "tk",
		"created": "2026-11-22 10:00:00.000Z", "updated": "2026-11-22 11:00:00.123Z",
		"name": "Ada", "bio": "<p>hi</p>", "site": "https://example.com", "age": 36.5,
		"born": "1990-01-02 03:04:05.000Z", "meta": `{"k":[1,2,{"x":null}]}`, "empty": nil,
		"home": `{"lon":1.5,"lat":-2.25}`, "role": "b", "tags": `["x","z"]`,
		"friend": "p2aaaaaaaaaaaaa", "friends": `["p2aaaaaaaaaaaaa","p3aaaaaaaaaaaaa"]`,
		"avatar": "a_123.png", "docs": `["d1.pdf","d2.pdf"]`,
	}
	r := core.NewRecordFromDB(c, row)
	enc, ok := encodeRow(r)
	if !ok {
		t.Fatal("record not encodable")
	}
	back := decodeRow(c, enc)
	for _, f := range c.Fields {
		if want, got := r.Get(f.GetName()), back.Get(f.GetName()); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: %#v, want %#v", f.GetName(), got, want)
		}
	}
	for _, rec := range []*core.Record{r, back} {
		rec.Unhide(true)
		rec.ShowEmail(true)
	}
	a, errA := json.Marshal(r)
	b, errB := json.Marshal(back)
	if errA != nil || errB != nil || string(a) != string(b) {
		t.Errorf("JSON differs:\n%s\n%s\n%v %v", a, b, errA, errB)
	}
}
