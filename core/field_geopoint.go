package core

import (
	"context"
	"encoding/json"
	"strings"
)

func init() {
	RegisterFieldType("geoPoint", func() Field { return &GeoPointField{} })
}

// GeoPointField holds a longitude/latitude pair; (0,0) is its empty value.
type GeoPointField struct {
	BaseField
	// Required rejects the (0,0) point.
	Required bool `json:"required"`
}

var _ Field = (*GeoPointField)(nil)

// Type returns "geoPoint".
func (f *GeoPointField) Type() string { return "geoPoint" }

// ColumnType is ColumnGeoPoint.
func (f *GeoPointField) ColumnType() ColumnType { return ColumnGeoPoint }

// Normalize accepts a GeoPoint, an object {"lon","lat"} (numbers or
// numeric strings) or the same object as JSON text; anything else is (0,0).
func (f *GeoPointField) Normalize(raw any) any { return toGeoPoint(raw) }

// FromDB decodes the stored JSON text.
func (f *GeoPointField) FromDB(v any) any { return toGeoPoint(v) }

// ToDB encodes the point as JSON text.
func (f *GeoPointField) ToDB(v any) any {
	b, _ := json.Marshal(toGeoPoint(v)) // two floats always marshal
	return string(b)
}

func toGeoPoint(raw any) GeoPoint {
	switch x := raw.(type) {
	case GeoPoint:
		return x
	case *GeoPoint:
		if x != nil {
			return *x
		}
	case map[string]any:
		return GeoPoint{Lon: geoNumber(x["lon"]), Lat: geoNumber(x["lat"])}
	case string:
		return geoPointFromJSON([]byte(x))
	case []byte:
		return geoPointFromJSON(x)
	case JSONRaw:
		return geoPointFromJSON(x)
	}
	return GeoPoint{}
}

// geoNumber reads a coordinate: only a JSON number counts, as decoding
// the object into PocketBase's point struct leaves any other value 0.
func geoNumber(v any) float64 {
	switch v.(type) {
	case float64, float32, int, int64, json.Number:
		return ToFloat(v)
	}
	return 0
}

func geoPointFromJSON(b []byte) GeoPoint {
	if s := strings.TrimSpace(string(b)); s == "" || s[0] != '{' {
		return GeoPoint{}
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return GeoPoint{}
	}
	return toGeoPoint(m)
}

// ValidateValue checks required ((0,0) counts as empty) and the ranges.
func (f *GeoPointField) ValidateValue(ctx context.Context, app *App, r *Record) error {
	p := toGeoPoint(r.Get(f.Name))
	if p.Lon == 0 && p.Lat == 0 {
		if f.Required {
			return ErrRequired()
		}
		return nil
	}
	if !(p.Lat >= -90 && p.Lat <= 90) { // the negated form also rejects NaN
		return NewFieldError("validation_invalid_latitude", "Latitude must be between -90 and 90 degrees.", nil)
	}
	if !(p.Lon >= -180 && p.Lon <= 180) {
		return NewFieldError("validation_invalid_longitude", "Longitude must be between -180 and 180 degrees.", nil)
	}
	return nil
}

// ValidateSettings has nothing to check.
func (f *GeoPointField) ValidateSettings(ctx context.Context, app *App, c *Collection) error {
	return nil
}
