package api

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v5"

	"github.com/basalthq/basalt/core"
	"github.com/basalthq/basalt/core/cron"
)

// registerCrons registers the cron routes (spec §1.12), superusers only.
func (s *Server) registerCrons() {
	g := s.echo.Group("/api/crons", requireSuperuser)
	g.GET("", s.listCrons)
	g.POST("/:id", s.runCron)
}

// listCrons answers [{id, expression}]: user jobs by id, then system jobs.
func (s *Server) listCrons(c *echo.Context) error {
	return respond(c, http.StatusOK, s.app.Cron().List())
}

// runCron starts the job in the background and answers 204 at once, as
// PocketBase does; the run is logged by the scheduler.
func (s *Server) runCron(c *echo.Context) error {
	err := s.app.Cron().Run(c.Param("id"))
	switch {
	case err == nil:
		return c.NoContent(http.StatusNoContent)
	case errors.Is(err, cron.ErrNotFound):
		return core.NewNotFoundError("Missing or invalid cron job.")
	case errors.Is(err, cron.ErrStopped):
		return core.NewBadRequestError("The cron scheduler is shutting down.", nil)
	default:
		return err
	}
}
