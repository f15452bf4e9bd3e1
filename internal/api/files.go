package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v5"

	"github.com/basalthq/basalt/core"
	"github.com/basalthq/basalt/internal/auth"
)

// registerFiles registers file token and file download routes (spec §1.6).
func (s *Server) registerFiles() {
	s.echo.POST("/api/files/token", s.fileToken)
	s.echo.GET("/api/files/:collection/:recordId/:filename", s.downloadFile)
	s.echo.HEAD("/api/files/:collection/:recordId/:filename", s.downloadFile)
	s.registerSettingsS3()
}

// fileToken issues a short-lived file token for any authenticated record
// (spec F1, §6.1 type "file").
func (s *Server) fileToken(c *echo.Context) error {
	rec := authOf(c)
	if rec == nil {
		return core.NewUnauthorizedError("The request requires valid record authorization token.")
	}
	token, err := s.newAuthToken(rec, auth.TokenTypeFile, false, 0, nil)
	if err != nil {
		return badRequest("Failed to generate file token.", nil).(*core.Error).WithCause(err)
	}
	ev := &core.FileTokenRequestEvent{RequestEvent: *s.requestEvent(c), Record: rec, Token: token}
	return s.app.TriggerFileTokenRequest(ev, func(e *core.FileTokenRequestEvent) error {
		return respond(c, http.StatusOK, map[string]string{"token": e.Token})
	})
}

// thumbExts are the extensions of the image types thumbnails exist for
// (spec F2: png, jpg/jpeg, gif, webp). Uploads with these extensions are
// verified to be images (content/extension check at upload) and images
// without an extension get one from their content, so the name is a cheap
// first filter before the storage sniffs the bytes.
var thumbExts = []string{".png", ".jpg", ".jpeg", ".gif", ".webp"}

// errThumbSize is the ThumbError of a size the field does not list.
var errThumbSize = errors.New("thumb size not allowed for this field")

// downloadFile serves a record file or one of its thumbnails (spec F2).
// Every failure is a generic 404, never a 403, so the route does not tell
// protected files from missing ones.
func (s *Server) downloadFile(c *echo.Context) error {
	fs := s.app.FileStore()
	if fs == nil {
		return notFound()
	}
	ctx := c.Request().Context()
	col, err := s.app.FindCollectionByNameOrId(c.Param("collection"))
	if err != nil {
		return notFound()
	}
	filename := c.Param("filename")
	if filename == "" || strings.ContainsAny(filename, "/\\\x00") || strings.HasPrefix(filename, ".") {
		return notFound()
	}
	recs, err := s.app.FindRecordsByIds(ctx, col, []string{c.Param("recordId")})
	if err != nil || len(recs) == 0 {
		return notFound()
	}
	rec := recs[0]
	field := fileFieldHolding(col, rec, filename)
	if field == nil {
		return notFound()
	}
	if field.Protected && !s.canAccessProtected(c, col, rec) {
		return notFound()
	}
	storageCol, storageId, err := s.fileLocation(ctx, col, rec, field, filename, 0)
	if err != nil {
		return notFound()
	}
	key := storageCol + "/" + storageId + "/" + filename

	ev := &core.FileDownloadRequestEvent{
		RequestEvent: *s.requestEvent(c), Collection: col, Record: rec, FileField: field,
		ServedKey: key, ServedName: filename,
	}
	if v := c.QueryParam("download"); v != "" {
		ev.Download, _ = strconv.ParseBool(v)
	}
	if size := c.QueryParam("thumb"); size != "" {
		switch {
		case size != "100x100" && !slices.Contains(field.Thumbs, size):
			ev.ThumbError = errThumbSize
		case !slices.Contains(thumbExts, strings.ToLower(path.Ext(filename))):
			ev.ThumbError = fmt.Errorf("%s is not a thumbable image", filename)
		default:
			// Any failure (not an image, a decompression bomb, a decode
			// error) serves the original, as the spec requires.
			if tkey, err := fs.Thumb(ctx, key, size); err == nil {
				ev.ServedKey, ev.ServedName = tkey, size+"_"+filename
			} else {
				ev.ThumbError = err
			}
		}
	}
	return s.app.TriggerFileDownloadRequest(ev, func(e *core.FileDownloadRequestEvent) error {
		f, err := fs.Open(ctx, e.ServedKey)
		if err != nil {
			if !errors.Is(err, core.ErrFileNotFound) {
				s.logger.WarnContext(ctx, "open file", "key", e.ServedKey, "err", err)
			}
			return notFound()
		}
		defer f.Close()
		if err := fs.ServeFile(c.Response(), c.Request(), f, e.ServedName, e.Download); err != nil {
			return notFound()
		}
		e.MarkWritten()
		return nil
	})
}

// fileFieldHolding returns the file field of rec whose value contains
// filename, or nil.
func fileFieldHolding(col *core.Collection, rec *core.Record, filename string) *core.FileField {
	for _, f := range col.Fields {
		ff, ok := f.(*core.FileField)
		if ok && slices.Contains(rec.GetStringSlice(ff.Name), filename) {
			return ff
		}
	}
	return nil
}

// canAccessProtected applies the protected-file check of spec F2: the
// record's viewRule with the identity taken only from the ?token= file
// token (the Authorization header is ignored) and
// @request.context = "protectedFile". A superuser's token always passes;
// tokens of other collections' records are judged by the rule like any
// identity.
func (s *Server) canAccessProtected(c *echo.Context, col *core.Collection, rec *core.Record) bool {
	var who *core.Record
	if token := c.QueryParam("token"); token != "" {
		if r, _, err := s.verifyToken(c.Request().Context(), token, auth.TokenTypeFile); err == nil {
			who = r
		}
	}
	if who != nil && who.Collection().Id == core.SuperusersCollectionId {
		return true
	}
	if col.ViewRule == nil {
		return false
	}
	rc, err := ruleClauses(col.ViewRule)
	if err != nil {
		return false
	}
	if len(rc) == 0 {
		return true
	}
	ri := s.requestInfo(c, nil)
	ri.Auth = who
	ri.Context = core.ContextProtectedFile
	res, err := s.app.Store().Query(c.Request().Context(), &core.RecordQuery{
		Collection: col, Ids: []string{rec.Id()}, Filters: rc, Request: ri,
	})
	return err == nil && len(res.Records) == 1
}

// maxViewDepth bounds the view → source resolution (views of views).
const maxViewDepth = 5

// fileLocation returns the collection and record ids under which the file
// is stored. For a view collection that is the source record of the
// view's cloned file field (spec §5.7): the view query is analysed to find
// the source collection and field, and the source record is the one whose
// field holds filename (stored names are random, so they identify it).
func (s *Server) fileLocation(ctx context.Context, col *core.Collection, rec *core.Record, field *core.FileField, filename string, depth int) (string, string, error) {
	if !col.IsView() {
		return col.Id, rec.Id(), nil
	}
	if depth >= maxViewDepth {
		return "", "", errors.New("view nesting too deep")
	}
	columns, err := s.app.Store().ValidateViewQuery(ctx, col.ViewQuery)
	if err != nil {
		return "", "", err
	}
	var srcColId, srcField string
	sameIds := false
	for _, vc := range columns {
		if vc.Name == field.Name {
			srcColId, srcField = vc.SourceCollection, vc.SourceField
		}
	}
	for _, vc := range columns {
		if vc.Name == core.FieldId && vc.SourceField == core.FieldId && vc.SourceCollection == srcColId {
			sameIds = true
		}
	}
	if srcColId == "" || srcField == "" {
		return "", "", errors.New("view file field has no source")
	}
	src, err := s.app.FindCollectionByNameOrId(srcColId)
	if err != nil {
		return "", "", err
	}
	sf, ok := src.Fields.GetByName(srcField).(*core.FileField)
	if !ok {
		return "", "", errors.New("view file field source is not a file field")
	}
	var srcRec *core.Record
	if sameIds {
		// The common shape "SELECT id, doc FROM posts": same record id.
		if found, err := s.app.FindRecordsByIds(ctx, src, []string{rec.Id()}); err == nil && len(found) == 1 &&
			slices.Contains(found[0].GetStringSlice(sf.Name), filename) {
			srcRec = found[0]
		}
	}
	if srcRec == nil {
		if strings.ContainsAny(filename, `"'\`) {
			return "", "", errors.New("unexpected characters in file name")
		}
		expr := sf.Name + ` = "` + filename + `"`
		if sf.IsMultiple() {
			expr = sf.Name + `:each ?= "` + filename + `"`
		}
		parsed, err := core.ParseRule(expr)
		if err != nil {
			return "", "", err
		}
		res, err := s.app.Store().Query(ctx, &core.RecordQuery{
			Collection: src, Filters: []core.FilterClause{{Expr: parsed}}, PerPage: 1, Page: 1,
		})
		if err != nil {
			return "", "", err
		}
		if len(res.Records) == 0 {
			return "", "", errors.New("source record not found")
		}
		srcRec = res.Records[0]
	}
	return s.fileLocation(ctx, src, srcRec, sf, filename, depth+1)
}
