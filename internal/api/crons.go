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

// cronJSON is a job as GET /api/crons lists it: PocketBase's id and
// expression, plus Basalt's run state for the dashboard (extra keys the
// SDKs ignore; the route is superuser-only). lastRun and friends are
// absent until the job finished a run in this process.
type cronJSON struct {
	Id         string  `json:"id"`
	Expression string  `json:"expression"`
	Running    bool    `json:"running"`
	LastRun    string  `json:"lastRun,omitempty"`
	LastError  string  `json:"lastError,omitempty"`
	Trigger    string  `json:"lastTrigger,omitempty"`
	Duration   float64 `json:"lastDuration,omitempty"` // milliseconds
}

// listCrons answers [{id, expression, running, lastRun?, lastError?,
// lastTrigger?, lastDuration?}]: user jobs by id, then system jobs.
func (s *Server) listCrons(c *echo.Context) error {
	sched := s.app.Cron()
	jobs := sched.List()
	out := make([]cronJSON, 0, len(jobs))
	for _, j := range jobs {
		item := cronJSON{Id: j.Id, Expression: j.Expression}
		if info, running, ok := sched.LastRun(j.Id); ok {
			item.Running = running
			if info != nil {
				item.LastRun = core.FormatTime(info.Started)
				item.LastError = info.Error
				item.Trigger = info.Trigger
				item.Duration = float64(info.Duration.Microseconds()) / 1000
			}
		}
		out = append(out, item)
	}
	return respond(c, http.StatusOK, out)
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
