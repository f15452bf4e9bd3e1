package api

import (
	"fmt"
	"net/url"
	"strings"
)

// DefaultMapTileOrigin is where the dashboard's geoPoint map picker loads
// its tiles from unless the operator says otherwise (OpenStreetMap's
// standard tiles, the picker's default tile URL).
const DefaultMapTileOrigin = "https://tile.openstreetmap.org"

// adminCSPWith returns the dashboard's policy with the map tile origins
// added to img-src (tiles are plain images; nothing else is widened).
func adminCSPWith(tileOrigins []string) []string {
	if len(tileOrigins) == 0 {
		return adminCSP
	}
	img := "img-src 'self' data: blob:"
	p := strings.Replace(adminCSP[0], img, img+" "+strings.Join(tileOrigins, " "), 1)
	return []string{p}
}

// ParseTileOrigins reads a comma-separated list of origins the dashboard
// may load map tiles from ("https://tiles.example.com,
// http://127.0.0.1:8081"). Each must be an http(s) origin — scheme and
// host, an optional port, nothing else — so no entry can widen the policy
// beyond one host or smuggle in another directive; a leading "*." host
// label (CSP's subdomain wildcard) is allowed. An empty list is valid (no
// tile host: the picker offers coordinates only).
func ParseTileOrigins(list string) ([]string, error) {
	var out []string
	for _, raw := range strings.Split(list, ",") {
		o := strings.TrimSpace(raw)
		if o == "" {
			continue
		}
		if strings.ContainsAny(o, " ;'\"\t\r\n,") {
			return nil, fmt.Errorf("map tile origin %q: invalid characters", o)
		}
		u, err := url.Parse(o)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil ||
			(u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" {
			return nil, fmt.Errorf("map tile origin %q: want scheme://host[:port], e.g. https://tile.openstreetmap.org", o)
		}
		host := u.Hostname()
		if strings.HasPrefix(host, "*.") {
			host = host[2:]
		}
		if host == "" || strings.Contains(host, "*") {
			return nil, fmt.Errorf("map tile origin %q: only a leading \"*.\" wildcard is allowed", o)
		}
		out = append(out, u.Scheme+"://"+u.Host)
	}
	return out, nil
}
