package api

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"

	"github.com/labstack/echo/v5"

	"github.com/basalthq/basalt/core"
	"github.com/basalthq/basalt/internal/auth"
)

// registerBackups registers the backup routes (spec §1.11): superusers
// only, except the download, which takes a superuser's file token.
func (s *Server) registerBackups() {
	s.echo.GET("/api/backups/:key", s.downloadBackup)
	g := s.echo.Group("/api/backups", requireSuperuser)
	g.GET("", s.listBackups)
	g.POST("", s.createBackup)
	g.POST("/upload", s.uploadBackup)
	g.DELETE("/:key", s.deleteBackup)
	g.POST("/:key/restore", s.restoreBackup)
}

func (s *Server) listBackups(c *echo.Context) error {
	list, err := s.app.ListBackups(c.Request().Context())
	if err != nil {
		return err
	}
	return respond(c, http.StatusOK, list)
}

// createBackup archives the data dir synchronously and answers 204.
func (s *Server) createBackup(c *echo.Context) error {
	body, err := readBody(c)
	if err != nil {
		return err
	}
	var in struct {
		Name string `json:"name"`
	}
	if len(body) > 0 {
		if err := json.Unmarshal(body, &in); err != nil {
			return badRequest("An error occurred while loading the submitted data.", nil)
		}
	}
	if _, err := s.app.CreateBackup(c.Request().Context(), in.Name); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// uploadBackup streams the multipart field "file" into the backup storage
// under its original name (spec §1.11 K3).
func (s *Server) uploadBackup(c *echo.Context) error {
	invalid := func() error {
		return badRequest("An error occurred while validating the submitted data.", core.ValidationErrors{
			"file": core.NewFieldError("validation_required", "Missing required value.", nil)})
	}
	mr, err := c.Request().MultipartReader()
	if err != nil {
		return invalid()
	}
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return invalid()
		}
		if err != nil {
			if errors.Is(err, errBodyTooLarge) {
				return core.NewError(core.CodeTooLarge, "Request entity too large.", nil)
			}
			return badRequest("Failed to upload backup.", nil)
		}
		if part.FormName() != "file" || part.FileName() == "" {
			part.Close()
			continue
		}
		err = s.app.UploadBackup(c.Request().Context(), part.FileName(), part)
		part.Close()
		if err != nil {
			return err
		}
		return c.NoContent(http.StatusNoContent)
	}
}

// downloadBackup serves an archive as an attachment to the holder of a
// superuser's file token (?token=); the Authorization header is ignored,
// as for protected files (spec §1.11 K4).
func (s *Server) downloadBackup(c *echo.Context) error {
	forbidden := core.NewForbiddenError("Insufficient permissions to access the resource.")
	rec, _, err := s.verifyToken(c.Request().Context(), c.QueryParam("token"), auth.TokenTypeFile)
	if err != nil || rec == nil || rec.Collection().Id != core.SuperusersCollectionId {
		return forbidden
	}
	key := pathParam(c, "key")
	f, err := s.app.OpenBackup(c.Request().Context(), key)
	if err != nil {
		if errors.Is(err, core.ErrFileNotFound) {
			return core.NewNotFoundError("")
		}
		return err
	}
	defer f.Close()
	fs := s.app.FileStore()
	if fs == nil {
		return core.NewNotFoundError("")
	}
	// An archive holds every record, password hash and token key: no
	// shared or browser cache may keep it (PocketBase sends its usual
	// 30-day max-age here; the URL's token is all that guards it).
	c.Response().Header().Set("Cache-Control", "private, no-store")
	return fs.ServeFile(c.Response(), c.Request(), f, key, true)
}

func (s *Server) deleteBackup(c *echo.Context) error {
	if err := s.app.DeleteBackup(c.Request().Context(), pathParam(c, "key")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// restoreBackup checks the archive, answers 204 and lets the server
// restart on the restored data (spec §1.11 K6); a failing check answers
// 400 with nothing changed.
func (s *Server) restoreBackup(c *echo.Context) error {
	if err := s.app.RestoreBackup(c.Request().Context(), pathParam(c, "key")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// pathParam returns the path parameter name decoded exactly once. Echo
// matches on URL.RawPath when the request path holds escapes Go would not
// write itself (encodeURIComponent's %40 for "@", as in the names of
// automatic backups) and then leaves the parameter escaped; otherwise it
// matches on the already decoded URL.Path. A value that does not decode
// is returned as it is (and fails the caller's validation).
func pathParam(c *echo.Context, name string) string {
	v := c.Param(name)
	if c.Request().URL.RawPath == "" {
		return v
	}
	if d, err := url.PathUnescape(v); err == nil {
		return d
	}
	return v
}
