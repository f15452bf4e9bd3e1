package api

import (
	"net/http"

	"github.com/labstack/echo/v5"

	"github.com/basalthq/basalt/core"
)

func (s *Server) registerSettings() {
	g := s.echo.Group("/api/settings", requireSuperuser)
	g.GET("", func(c *echo.Context) error {
		ev := &core.SettingsListRequestEvent{RequestEvent: *s.requestEvent(c), Settings: s.app.Settings().Redacted()}
		return s.app.TriggerSettingsListRequest(ev, func(e *core.SettingsListRequestEvent) error {
			return respond(c, http.StatusOK, e.Settings)
		})
	})
	g.PATCH("", func(c *echo.Context) error {
		body, err := readBody(c)
		if err != nil {
			return err
		}
		old := s.app.Settings()
		next, err := core.ApplySettingsPatch(old, body)
		if err != nil {
			return err
		}
		ev := &core.SettingsUpdateRequestEvent{RequestEvent: *s.requestEvent(c), OldSettings: old, NewSettings: next}
		return s.app.TriggerSettingsUpdateRequest(ev, func(e *core.SettingsUpdateRequestEvent) error {
			if err := s.app.SaveSettings(c.Request().Context(), e.NewSettings); err != nil {
				return err
			}
			return respond(c, http.StatusOK, s.app.Settings().Redacted())
		})
	})
}
