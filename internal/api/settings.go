package api

import (
	"net/http"

	"github.com/labstack/echo/v5"

	"github.com/basalthq/basalt/core"
)

func (s *Server) registerSettings() {
	g := s.echo.Group("/api/settings", requireSuperuser)
	g.GET("", func(c *echo.Context) error {
		return respond(c, http.StatusOK, s.app.Settings().Redacted())
	})
	g.PATCH("", func(c *echo.Context) error {
		body, err := readBody(c)
		if err != nil {
			return err
		}
		next, err := core.ApplySettingsPatch(s.app.Settings(), body)
		if err != nil {
			return err
		}
		if err := s.app.SaveSettings(c.Request().Context(), next); err != nil {
			return err
		}
		return respond(c, http.StatusOK, s.app.Settings().Redacted())
	})
}
