package core

import (
	"context"
	"testing"
)

func TestGeoPointFieldNormalize(t *testing.T) {
	t.Parallel()
	f := &GeoPointField{BaseField: BaseField{Name: "loc"}}
	for _, tc := range []struct {
		name string
		in   any
		want GeoPoint
	}{
		{"nil", nil, GeoPoint{}},
		{"object", map[string]any{"lon": 23.3, "lat": 42.7}, GeoPoint{Lon: 23.3, Lat: 42.7}},
		// Only JSON numbers count, as decoding into PocketBase's point struct (issue 28).
		{"object strings", map[string]any{"lon": "1.5", "lat": "-2"}, GeoPoint{}},
		{"object mixed", map[string]any{"lon": "1.5", "lat": -2.0}, GeoPoint{Lat: -2}},
		{"json text", `{"lon":10,"lat":20}`, GeoPoint{Lon: 10, Lat: 20}},
		{"bytes", []byte(`{"lat":5}`), GeoPoint{Lat: 5}},
		{"value", GeoPoint{Lon: 1, Lat: 2}, GeoPoint{Lon: 1, Lat: 2}},
		{"pointer", &GeoPoint{Lon: 3, Lat: 4}, GeoPoint{Lon: 3, Lat: 4}},
		{"garbage string", "here", GeoPoint{}},
		{"number", 5.0, GeoPoint{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := f.Normalize(tc.in); got != tc.want {
				t.Fatalf("got %#v, want %#v", got, tc.want)
			}
		})
	}
}

func TestGeoPointFieldDB(t *testing.T) {
	t.Parallel()
	f := &GeoPointField{BaseField: BaseField{Name: "loc"}}
	if got := f.ToDB(GeoPoint{Lon: 23.3, Lat: 42.7}); got != `{"lon":23.3,"lat":42.7}` {
		t.Fatalf("ToDB: got %#v", got)
	}
	if got := f.FromDB(`{"lon":23.3,"lat":42.7}`); got != (GeoPoint{Lon: 23.3, Lat: 42.7}) {
		t.Fatalf("FromDB: got %#v", got)
	}
	if got := f.ToDB(f.FromDB(nil)); got != `{"lon":0,"lat":0}` {
		t.Fatalf("empty: got %#v", got)
	}
	if f.ColumnType() != ColumnGeoPoint {
		t.Fatal("wrong column type")
	}
}

func TestGeoPointFieldValidate(t *testing.T) {
	t.Parallel()
	lat := NewFieldError("validation_invalid_latitude", "Latitude must be between -90 and 90 degrees.", nil)
	lon := NewFieldError("validation_invalid_longitude", "Longitude must be between -180 and 180 degrees.", nil)
	for _, tc := range []struct {
		name     string
		required bool
		value    GeoPoint
		want     *FieldError
	}{
		{"zero optional", false, GeoPoint{}, nil},
		{"zero required", true, GeoPoint{}, ErrRequired()},
		{"valid required", true, GeoPoint{Lon: 0, Lat: 1}, nil},
		{"edges", false, GeoPoint{Lon: -180, Lat: 90}, nil},
		{"lat over", false, GeoPoint{Lon: 1, Lat: 90.1}, lat},
		{"lat under", false, GeoPoint{Lat: -91}, lat},
		{"lon over", false, GeoPoint{Lon: 180.5}, lon},
		{"lon under", false, GeoPoint{Lon: -181, Lat: 1}, lon},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := &GeoPointField{BaseField: BaseField{Name: "loc"}, Required: tc.required}
			checkFieldErr(t, f.ValidateValue(context.Background(), nil, newRecordWith(f, tc.value)), tc.want)
		})
	}
	if err := (&GeoPointField{}).ValidateSettings(context.Background(), nil, nil); err != nil {
		t.Fatal(err)
	}
}

func TestGeoPointFieldJSON(t *testing.T) {
	t.Parallel()
	checkFieldJSON(t, &GeoPointField{BaseField: BaseField{Id: "g", Name: "loc"}, Required: true}, "required")
}
