package api

import (
	"net/http"
	"strconv"
	"sync"

	"github.com/labstack/echo/v5"

	"github.com/basalthq/basalt/internal/openapi"
)

// openapiCache holds the two documents (non-superuser, superuser) built
// for one collections version; a schema change bumps the version and the
// next request rebuilds (core.App.CollectionsVersion).
type openapiCache struct {
	mu      sync.Mutex
	version uint64
	built   bool
	docs    [2][]byte
}

func (s *Server) registerOpenAPI() {
	s.echo.GET("/api/openapi.json", func(c *echo.Context) error {
		doc, err := s.openapiDoc(isSuperuser(c))
		if err != nil {
			return err
		}
		h := c.Response().Header()
		h.Set("Content-Type", "application/json")
		h.Set("Content-Length", strconv.Itoa(len(doc)))
		// The document depends on the caller's auth and on the schema.
		h.Set("Cache-Control", "no-store")
		c.Response().WriteHeader(http.StatusOK)
		_, err = c.Response().Write(doc)
		return err
	})
}

// openapiDoc returns the document for the audience, building both when
// the collections changed since the last build.
func (s *Server) openapiDoc(superuser bool) ([]byte, error) {
	oc := &s.openapi
	oc.mu.Lock()
	defer oc.mu.Unlock()
	v := s.app.CollectionsVersion()
	i := 0
	if superuser {
		i = 1
	}
	if !oc.built || oc.version != v {
		oc.docs = [2][]byte{}
		oc.version, oc.built = v, true
	}
	if oc.docs[i] == nil {
		// Read the version before the collections: a change in between
		// leaves an older version on a newer document, which only costs
		// one more rebuild.
		doc, err := openapi.Generate(s.app.Collections(), openapi.Options{Version: s.cfg.Version, Superuser: superuser})
		if err != nil {
			return nil, err
		}
		oc.docs[i] = doc
	}
	return oc.docs[i], nil
}
