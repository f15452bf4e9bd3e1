package api

import (
	"net/http"

	"github.com/labstack/echo/v5"

	"github.com/basalthq/basalt/core"
)

// s3TestFailed is the message of every failed S3 test (spec S3).
const s3TestFailed = "Failed to test the S3 filesystem."

// registerSettingsS3 registers POST /api/settings/test/s3 (spec S3). It is
// called from registerFiles: the S3 test belongs to file storage.
func (s *Server) registerSettingsS3() {
	s.echo.POST("/api/settings/test/s3", s.testS3, requireSuperuser)
}

// testS3 checks the saved S3 configuration of the "storage" or "backups"
// filesystem by writing and deleting a probe object; 204 on success.
func (s *Server) testS3(c *echo.Context) error {
	data, err := s.readRecordBody(c)
	if err != nil {
		return badRequest(s3TestFailed, nil)
	}
	fsName, ok := data["filesystem"].(string)
	if !ok && data["filesystem"] != nil {
		// A value that is no string cannot be decoded, as in PocketBase.
		return badRequest("An error occurred while loading the submitted data.", nil)
	}
	settings := s.app.Settings()
	var cfg core.S3Settings
	switch fsName {
	case "storage":
		cfg = settings.S3
	case "backups":
		cfg = settings.Backups.S3
	case "":
		return badRequest(s3TestFailed, core.ValidationErrors{"filesystem": core.ErrRequired()})
	default:
		return badRequest(s3TestFailed, core.ValidationErrors{"filesystem": core.NewFieldError(
			"validation_in_invalid", "Must be a valid value.", nil)})
	}
	if !cfg.Enabled {
		return badRequest(s3TestFailed+" Raw error: \nS3 storage filesystem is not enabled.", nil)
	}
	fs := s.app.FileStore()
	if fs == nil {
		return badRequest(s3TestFailed, nil)
	}
	if err := fs.TestS3(c.Request().Context(), cfg); err != nil {
		// The raw error is shown to the superuser as PocketBase does; S3
		// errors carry status and code, never credentials.
		return badRequest(s3TestFailed+" Raw error: \n"+err.Error(), nil)
	}
	return c.NoContent(http.StatusNoContent)
}
