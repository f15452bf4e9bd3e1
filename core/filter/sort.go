package filter

import "strings"

// Limits of the "sort" query parameter (spec §2.1).
const (
	// MaxSortItems is the largest number of comma-separated sort items.
	MaxSortItems = 8
	// MaxSortItemLength is the longest accepted item in bytes, without its
	// '-'/'+' prefix and surrounding spaces.
	MaxSortItemLength = 255
)

// SortItem is one entry of a sort list.
type SortItem struct {
	Ident *Identifier
	Desc  bool // true for a '-' prefix; '+' or no prefix means ascending
}

// String returns the item as it would be written in a sort parameter, e.g.
// "-created".
func (s SortItem) String() string {
	if s.Desc {
		return "-" + s.Ident.Raw
	}
	return s.Ident.Raw
}

// ParseSort parses the "sort" query parameter: a comma-separated list of at
// most MaxSortItems identifiers, each optionally prefixed by '-' (descending)
// or '+' (ascending, the default) and surrounded by optional spaces. Items
// are classified by ParseIdentifier, plus the sort-only keys @random
// (KindRandom) and @rowid (KindRowID). Whether an item may be used (hidden
// fields, @request.* for non-superusers, literals) is for the resolver.
// An empty or all-space s returns no items; an empty item ("a,,b") is an
// error. Error positions are byte offsets into s.
func ParseSort(s string) ([]SortItem, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	if n := strings.Count(s, ",") + 1; n > MaxSortItems {
		return nil, errorf(0, "too many sort fields: %d, max %d", n, MaxSortItems)
	}
	var items []SortItem
	start := 0
	for start <= len(s) {
		end := strings.IndexByte(s[start:], ',')
		if end < 0 {
			end = len(s)
		} else {
			end += start
		}
		part := s[start:end]
		pos := start + len(part) - len(strings.TrimLeft(part, " \t\r\n"))
		item := strings.TrimSpace(part)
		it := SortItem{}
		if item != "" && (item[0] == '-' || item[0] == '+') {
			it.Desc = item[0] == '-'
			item = item[1:]
			pos++
		}
		if item == "" {
			return nil, errorf(pos, "empty sort field")
		}
		if len(item) > MaxSortItemLength {
			return nil, errorf(pos, "sort field longer than %d bytes", MaxSortItemLength)
		}
		switch item {
		case "@random":
			it.Ident = &Identifier{Raw: item, Kind: KindRandom, Offset: pos}
		case "@rowid":
			it.Ident = &Identifier{Raw: item, Kind: KindRowID, Offset: pos}
		default:
			id, err := parseIdentifier(item, pos)
			if err != nil {
				return nil, err
			}
			it.Ident = id
		}
		items = append(items, it)
		start = end + 1
	}
	return items, nil
}
