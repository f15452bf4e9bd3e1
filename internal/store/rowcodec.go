package store

import (
	"encoding/binary"
	"math"

	"github.com/basalthq/basalt/core"
)

// The record cache keeps each record as one byte slice of its column
// values (what Field.ToDB writes to the database), not as the loaded
// record: a slice holds no pointers for the garbage collector to follow,
// where a loaded record is a map and a boxed value per field. With the
// cache full (~10,000 records) the pointer-rich form made every later
// allocation-heavy request pay for marking it (bench/RESULTS.md, 22:10).
// A hit rebuilds the record with core.NewRecordFromValues, the same call
// a database read ends in, so both give the same record.

// Value tags of an encoded row.
const (
	rowNil byte = iota
	rowString
	rowFloat
	rowInt
	rowFalse
	rowTrue
)

// encodeRow encodes r's column values in c.Fields order; ok is false when
// a value has a type the encoding does not know (the record is then not
// cached).
func encodeRow(r *core.Record) (row []byte, ok bool) {
	fields := r.Collection().Fields
	row = make([]byte, 0, 64*len(fields))
	for _, f := range fields {
		switch v := f.ToDB(r.Get(f.GetName())).(type) {
		case nil:
			row = append(row, rowNil)
		case string:
			row = append(row, rowString)
			row = binary.AppendUvarint(row, uint64(len(v)))
			row = append(row, v...)
		case float64:
			row = append(row, rowFloat)
			row = binary.LittleEndian.AppendUint64(row, math.Float64bits(v))
		case int64:
			row = append(row, rowInt)
			row = binary.LittleEndian.AppendUint64(row, uint64(v))
		case bool:
			if v {
				row = append(row, rowTrue)
			} else {
				row = append(row, rowFalse)
			}
		default:
			return nil, false
		}
	}
	return row, true
}

// decodeRow rebuilds a loaded record of c from a row encodeRow made with
// the same collection version.
func decodeRow(c *core.Collection, row []byte) *core.Record {
	vals := make([]any, len(c.Fields))
	for i := range vals {
		tag := row[0]
		row = row[1:]
		switch tag {
		case rowString:
			n, k := binary.Uvarint(row)
			vals[i] = string(row[k : k+int(n)])
			row = row[k+int(n):]
		case rowFloat:
			vals[i] = math.Float64frombits(binary.LittleEndian.Uint64(row))
			row = row[8:]
		case rowInt:
			vals[i] = int64(binary.LittleEndian.Uint64(row))
			row = row[8:]
		case rowFalse:
			vals[i] = false
		case rowTrue:
			vals[i] = true
		}
	}
	return core.NewRecordFromValues(c, vals)
}
