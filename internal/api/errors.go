package api

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"github.com/labstack/echo/v5"

	"github.com/basalthq/basalt/core"
	"github.com/basalthq/basalt/core/hook"
)

// statusOf maps core error codes to HTTP statuses: the one place where
// application errors become HTTP (DESIGN §9.6).
func statusOf(code core.ErrorCode) int {
	switch code {
	case core.CodeBadRequest:
		return http.StatusBadRequest
	case core.CodeUnauthorized:
		return http.StatusUnauthorized
	case core.CodeForbidden:
		return http.StatusForbidden
	case core.CodeNotFound:
		return http.StatusNotFound
	case core.CodeTooLarge:
		return http.StatusRequestEntityTooLarge
	case core.CodeTooManyRequests:
		return http.StatusTooManyRequests
	default:
		return http.StatusInternalServerError
	}
}

// apiError is the wire envelope of spec §8.1.
type apiError struct {
	Data    any    `json:"data"`
	Message string `json:"message"`
	Status  int    `json:"status"`
}

// toAPIError converts any error into the envelope; messages of unexpected
// errors never leak (generic 400, or 500 for internal failures).
func toAPIError(err error) (apiError, error) {
	var ce *core.Error
	var verrs core.ValidationErrors
	var he *echo.HTTPError
	var pe *hook.PanicError
	switch {
	case errors.As(err, &pe):
		// A hook handler panicked (recovered by the chain, logged with its
		// name): a 500 like any other panic, whatever value it panicked with.
		return apiError{Status: 500, Message: core.MsgGenericBadRequest, Data: map[string]any{}}, err
	case errors.As(err, &ce):
		data := ce.Data
		if data == nil {
			data = map[string]any{}
		}
		return apiError{Status: statusOf(ce.Code), Message: core.Sentenize(ce.Message), Data: data}, ce.Cause
	case errors.As(err, &verrs):
		return apiError{Status: 400, Message: "An error occurred while validating the submitted data.", Data: verrs}, nil
	case errors.As(err, &he):
		switch he.Code {
		case http.StatusNotFound, http.StatusMethodNotAllowed:
			return apiError{Status: 404, Message: core.MsgGenericNotFound, Data: map[string]any{}}, nil
		case http.StatusRequestEntityTooLarge:
			return apiError{Status: 413, Message: "Request entity too large.", Data: map[string]any{}}, nil
		}
		return apiError{Status: he.Code, Message: core.Sentenize(http.StatusText(he.Code)), Data: map[string]any{}}, err
	case errors.Is(err, errBodyTooLarge):
		return apiError{Status: 413, Message: "Request entity too large.", Data: map[string]any{}}, nil
	}
	return apiError{Status: 400, Message: core.MsgGenericBadRequest, Data: map[string]any{}}, err
}

func (s *Server) errorHandler(c *echo.Context, err error) {
	if ur, uerr := echo.UnwrapResponse(c.Response()); uerr == nil && ur.Committed {
		return
	}
	body, cause := toAPIError(err)
	if cause != nil || body.Status >= 500 {
		s.logger.Log(c.Request().Context(), slog.LevelWarn, "request failed", "method", c.Request().Method,
			"path", c.Request().URL.Path, "status", body.Status, "err", err)
	}
	writeJSON(c.Response(), body.Status, body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	raw, err := json.Marshal(v)
	if err != nil {
		raw = []byte(`{"data":{},"message":"Something went wrong while processing your request.","status":500}`)
		status = 500
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(raw)
}

func badRequest(msg string, data any) error { return core.NewBadRequestError(msg, data) }

func notFound() error { return core.NewNotFoundError("") }
