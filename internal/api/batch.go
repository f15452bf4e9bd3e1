package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v5"

	"github.com/basalthq/basalt/core"
)

// batchCtxKey marks the context of a batch sub-request, so requestInfo
// reports @request.context = "batch" (spec §4.7).
type batchCtxKey struct{}

func isBatchRequest(ctx context.Context) bool { return ctx.Value(batchCtxKey{}) != nil }

// registerBatch registers the batch route (spec §1.8).
func (s *Server) registerBatch() {
	s.echo.POST("/api/batch", s.batch)
}

type batchItem struct {
	Method  string            `json:"method"`
	URL     string            `json:"url"`
	Body    map[string]any    `json:"body"`
	Headers map[string]string `json:"headers"`

	files map[string][]*core.File
}

type batchResult struct {
	Status int             `json:"status"`
	Body   json.RawMessage `json:"body"`
}

// batchFailure stops the transaction at a failing sub-request.
type batchFailure struct {
	index int
	body  json.RawMessage
}

func (f *batchFailure) Error() string { return "batch request " + strconv.Itoa(f.index) + " failed" }

var batchRecordURL = regexp.MustCompile(`^/api/collections/([^/]+)/records(?:/([^/]+))?/?$`)

func errBatchFailed(data any) error {
	if data == nil {
		data = map[string]any{}
	}
	return badRequest("Batch transaction failed.", data)
}

func (s *Server) batch(c *echo.Context) error {
	cfg := s.app.Settings().Batch
	if !cfg.Enabled || cfg.MaxRequests <= 0 {
		return core.NewForbiddenError("Batch requests are not allowed.")
	}
	limit := cfg.MaxBodySize
	if limit <= 0 {
		limit = 128 << 20
	}
	req := c.Request()
	if req.ContentLength > limit {
		return core.NewError(core.CodeTooLarge, "Request entity too large.", nil)
	}
	if lb, ok := req.Body.(*limitedBody); ok && lb.n > limit {
		lb.n = limit
	}
	items, err := s.readBatchBody(c)
	if err != nil {
		return err
	}
	if errs := validateBatch(items, cfg.MaxRequests); errs != nil {
		return badRequest("Invalid batch request data.", errs)
	}
	ev := &core.BatchRequestEvent{RequestEvent: *s.requestEvent(c), Requests: make([]*core.BatchRequest, len(items))}
	for i, it := range items {
		ev.Requests[i] = &core.BatchRequest{Method: it.Method, URL: it.URL, Body: it.Body, Headers: it.Headers}
	}
	return s.app.TriggerBatchRequest(ev, func(e *core.BatchRequestEvent) error {
		// Handlers may have edited, added or removed sub-requests: they
		// are validated again; uploads stay with their original positions.
		run := make([]*batchItem, len(e.Requests))
		for i, r := range e.Requests {
			it := &batchItem{}
			if i < len(items) {
				it = items[i]
			}
			if r != nil {
				it.Method, it.URL, it.Body, it.Headers = r.Method, r.URL, r.Body, r.Headers
			}
			run[i] = it
		}
		if errs := validateBatch(run, cfg.MaxRequests); errs != nil {
			return badRequest("Invalid batch request data.", errs)
		}
		return s.runBatch(c, cfg.Timeout, run)
	})
}

// runBatch runs the validated sub-requests in one transaction.
func (s *Server) runBatch(c *echo.Context, timeoutSec int64, items []*batchItem) error {
	req := c.Request()
	timeout := time.Duration(timeoutSec) * time.Second
	if timeout <= 0 {
		timeout = 3 * time.Second
	}
	ctx, cancel := context.WithTimeout(req.Context(), timeout)
	defer cancel()
	results := make([]batchResult, 0, len(items))
	err := s.app.Store().RunInTx(ctx, func(txCtx context.Context) error {
		results = results[:0]
		for i, it := range items {
			if err := txCtx.Err(); err != nil {
				return err
			}
			res, err := s.runBatchItem(c, txCtx, it)
			if err != nil {
				return &batchFailure{index: i, body: errorBody(err)}
			}
			if res.Status >= 400 {
				return &batchFailure{index: i, body: res.Body}
			}
			results = append(results, res)
		}
		// A batch that ran past its timeout is rolled back even when its
		// last sub-request finished: statements are not interrupted.
		return txCtx.Err()
	})
	var bf *batchFailure
	switch {
	case err != nil && ctx.Err() != nil:
		// timeout or client gone: everything rolled back (spec §1.8)
		return errBatchFailed(nil).(*core.Error).WithCause(err)
	case errors.As(err, &bf):
		return errBatchFailed(map[string]any{"requests": map[string]any{strconv.Itoa(bf.index): map[string]any{
			"code": "batch_request_failed", "message": "Batch request failed.", "response": bf.body,
		}}})
	case err != nil:
		return errBatchFailed(nil).(*core.Error).WithCause(err)
	}
	return respond(c, http.StatusOK, results)
}

// errorBody renders err as the API would answer it.
func errorBody(err error) json.RawMessage {
	body, _ := toAPIError(err)
	raw, _ := json.Marshal(body)
	return raw
}

func validateBatch(items []*batchItem, max int) core.ValidationErrors {
	switch {
	case len(items) == 0:
		return core.ValidationErrors{"requests": core.ErrRequired()}
	case len(items) > max:
		return core.ValidationErrors{"requests": core.NewFieldError("validation_length_too_long",
			"The length must be no more than "+strconv.Itoa(max)+".", map[string]any{"max": max, "min": 0})}
	}
	all := core.ValidationErrors{}
	for i, it := range items {
		if it == nil {
			// "requests":[null] decodes to a nil item: an empty request.
			it = &batchItem{}
			items[i] = it
		}
		errs := core.ValidationErrors{}
		switch {
		case it.Method == "":
			errs["method"] = core.ErrRequired()
		case !strings.Contains(" GET POST PUT PATCH DELETE ", " "+strings.ToUpper(it.Method)+" "):
			errs["method"] = core.NewFieldError("validation_in_invalid", "Must be a valid value.", nil)
		}
		switch {
		case it.URL == "":
			errs["url"] = core.ErrRequired()
		case len(it.URL) > 2000:
			errs["url"] = core.NewFieldError("validation_length_too_long", "The length must be no more than 2000.",
				map[string]any{"max": 2000, "min": 0})
		}
		if len(errs) > 0 {
			all[strconv.Itoa(i)] = errs
		}
	}
	if len(all) > 0 {
		return core.ValidationErrors{"requests": all}
	}
	return nil
}

// readBatchBody decodes the JSON or multipart batch body (spec §1.8).
func (s *Server) readBatchBody(c *echo.Context) ([]*batchItem, error) {
	req := c.Request()
	var payload struct {
		Requests []*batchItem `json:"requests"`
	}
	loadErr := badRequest("Failed to read the submitted batch data.", nil)
	ct, params := mediaType(req)
	if ct != "multipart/form-data" {
		raw, err := readBody(c)
		if err != nil {
			return nil, err
		}
		if err := json.Unmarshal(raw, &payload); err != nil {
			return nil, loadErr.(*core.Error).WithCause(err)
		}
		return payload.Requests, nil
	}
	// Files past the in-memory budget are spooled to the request's spool,
	// removed when the batch request ends (bodyLimit), as record bodies'
	// are: ReadForm's temp files were never removed (issue #22, defect 9).
	form, err := readMultipartLimits(s.requestSpool(c), req.Body, params["boundary"], maxFormValues, maxFormMemory)
	if err != nil {
		if errors.Is(err, errBodyTooLarge) {
			return nil, core.NewError(core.CodeTooLarge, "Request entity too large.", nil)
		}
		return nil, loadErr.(*core.Error).WithCause(err)
	}
	for _, p := range form.values["@jsonPayload"] {
		if err := json.Unmarshal([]byte(p), &payload); err != nil {
			return nil, loadErr.(*core.Error).WithCause(err)
		}
	}
	filesErr := badRequest("Failed to read the submitted batch files data.", nil)
	for key, fhs := range form.files {
		// "requests.0.doc" or "requests[0].doc"
		rest, ok := strings.CutPrefix(key, "requests")
		if !ok {
			return nil, filesErr
		}
		var idx, field string
		if strings.HasPrefix(rest, "[") {
			end := strings.IndexByte(rest, ']')
			if end < 0 {
				return nil, filesErr
			}
			idx, field = rest[1:end], strings.TrimPrefix(rest[end+1:], ".")
		} else {
			idx, field, _ = strings.Cut(strings.TrimPrefix(rest, "."), ".")
		}
		i, err := strconv.Atoi(idx)
		if err != nil || i < 0 || i >= len(payload.Requests) || field == "" {
			return nil, filesErr
		}
		it := payload.Requests[i]
		if it == nil { // a null request: validateBatch refuses it
			it = &batchItem{}
			payload.Requests[i] = it
		}
		if it.files == nil {
			it.files = map[string][]*core.File{}
		}
		it.files[field] = append(it.files[field], fhs...)
	}
	return payload.Requests, nil
}

// runBatchItem dispatches one sub-request through the real handlers with
// a context carrying the batch transaction, so its writes join it.
func (s *Server) runBatchItem(outer *echo.Context, txCtx context.Context, it *batchItem) (batchResult, error) {
	u, err := url.Parse(it.URL)
	if err != nil {
		return batchResult{}, errors.New("unknown batch request action")
	}
	m := batchRecordURL.FindStringSubmatch(u.Path)
	method := strings.ToUpper(it.Method)
	if m == nil || (m[2] == "" && method != http.MethodPost && method != http.MethodPut) ||
		(m[2] != "" && method != http.MethodPatch && method != http.MethodDelete) {
		return batchResult{}, errors.New("unknown batch request action")
	}
	path := u.Path
	if method == http.MethodPut {
		// Upsert: update when body.id names an existing record, else create.
		method = http.MethodPost
		if id := core.ToString(it.Body["id"]); id != "" {
			if col, err := s.app.FindCollectionByNameOrId(m[1]); err == nil {
				if found, err := s.app.FindRecordsByIds(txCtx, col, []string{id}); err == nil && len(found) > 0 {
					method = http.MethodPatch
					path = strings.TrimSuffix(u.Path, "/") + "/" + url.PathEscape(id)
				}
			}
		}
	}
	target := path
	if u.RawQuery != "" {
		target += "?" + u.RawQuery
	}
	body, contentType, err := batchSubBody(it)
	if err != nil {
		return batchResult{}, err
	}
	req, err := http.NewRequestWithContext(context.WithValue(txCtx, batchCtxKey{}, true), method, target, body)
	if err != nil {
		return batchResult{}, errors.New("unknown batch request action")
	}
	for k, v := range it.Headers {
		req.Header.Set(k, v)
	}
	// Every sub-request runs as the outer caller (spec §1.8): its own
	// Authorization header is ignored.
	req.Header.Del("Authorization")
	if a := outer.Request().Header.Get("Authorization"); a != "" {
		req.Header.Set("Authorization", a)
	}
	req.Header.Set("Content-Type", contentType)
	req.RemoteAddr = outer.Request().RemoteAddr
	rec := httptest.NewRecorder()
	s.echo.ServeHTTP(rec, req)
	out := batchResult{Status: rec.Code, Body: json.RawMessage("null")}
	if b := bytes.TrimSpace(rec.Body.Bytes()); len(b) > 0 {
		out.Body = json.RawMessage(b)
	}
	return out, nil
}

// batchSubBody encodes a sub-request body: JSON, or multipart with the
// JSON as @jsonPayload when files are attached.
func batchSubBody(it *batchItem) (io.Reader, string, error) {
	data := it.Body
	if data == nil {
		data = map[string]any{}
	}
	raw, err := json.Marshal(data)
	if err != nil {
		return nil, "", err
	}
	if len(it.files) == 0 {
		return bytes.NewReader(raw), "application/json", nil
	}
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	if err := w.WriteField("@jsonPayload", string(raw)); err != nil {
		return nil, "", err
	}
	for field, fhs := range it.files {
		for _, fh := range fhs {
			part, err := w.CreateFormFile(field, fh.OriginalName)
			if err != nil {
				return nil, "", err
			}
			f, err := fh.Open()
			if err != nil {
				return nil, "", err
			}
			_, err = io.Copy(part, f)
			f.Close()
			if err != nil {
				return nil, "", err
			}
		}
	}
	if err := w.Close(); err != nil {
		return nil, "", err
	}
	return &buf, w.FormDataContentType(), nil
}
