package api

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v5"

	"github.com/basalthq/basalt/core"
)

// mfaApplies reports whether a first factor for rec needs a second one
// (spec §1.5): MFA enabled (forced for _superusers with OTP on) and the
// mfa.rule empty or satisfied by the record.
func (s *Server) mfaApplies(c *echo.Context, rec *core.Record) bool {
	col := rec.Collection()
	o := col.Auth
	if !o.MFA.Enabled && !(col.Id == core.SuperusersCollectionId && o.OTP.Enabled) {
		return false
	}
	if strings.TrimSpace(o.MFA.Rule) == "" {
		return true
	}
	rule := o.MFA.Rule
	rc, err := ruleClauses(&rule)
	if err != nil {
		return true // fail closed: ask for the second factor
	}
	ri := s.requestInfo(c, nil)
	ri.Auth = rec
	res, err := s.app.Store().Query(c.Request().Context(), &core.RecordQuery{Collection: col, Ids: []string{rec.Id()}, Filters: rc, Request: ri})
	if err != nil {
		return true
	}
	return len(res.Records) > 0
}

func mfaDuration(col *core.Collection) time.Duration {
	if d := col.Auth.MFA.Duration; d > 0 {
		return secondsDuration(d)
	}
	return 30 * time.Minute
}

// checkMFA runs the MFA step for a successful first (or second) factor.
// done=true means the response was written (401 {mfaId}); a non-nil error
// is the 400 of an invalid MFA session. With done=false and no error the
// sign-in goes on.
func (s *Server) checkMFA(c *echo.Context, rec *core.Record, method, mfaId string) (bool, error) {
	if !s.mfaApplies(c, rec) {
		return false, nil
	}
	ctx := c.Request().Context()
	col := rec.Collection()
	mfas, err := s.app.FindCollectionByNameOrId(core.MFAsCollectionName)
	if err != nil {
		return false, core.NewInternalError(err)
	}
	if mfaId == "" {
		row := core.NewRecord(mfas)
		row.Set("collectionRef", col.Id)
		row.Set("recordRef", rec.Id())
		row.Set("method", method)
		if err := s.app.Save(ctx, row); err != nil {
			return false, core.NewInternalError(err)
		}
		// Spec §8.2: a bare {"mfaId"} body, not the error envelope.
		return true, respond(c, http.StatusUnauthorized, map[string]any{"mfaId": row.Id()})
	}
	release, ok := s.auth().claim("mfa:" + mfaId)
	if !ok {
		return false, badRequest("Invalid or expired MFA session.", nil)
	}
	defer release()
	recs, err := s.app.FindRecordsByIds(ctx, mfas, []string{mfaId})
	if err != nil || len(recs) == 0 {
		return false, badRequest("Invalid or expired MFA session.", nil)
	}
	row := recs[0]
	created, okTime := core.ParseTime(row.GetString("created"))
	if !okTime || s.app.Now().Sub(created) >= mfaDuration(col) {
		_ = s.app.Delete(ctx, row)
		return false, badRequest("Invalid or expired MFA session.", nil)
	}
	if row.GetString("recordRef") != rec.Id() || row.GetString("collectionRef") != col.Id {
		return false, badRequest("Invalid MFA session.", nil)
	}
	if row.GetString("method") == method {
		return false, badRequest("A different authentication method is required.", nil)
	}
	if err := s.app.Delete(ctx, row); err != nil {
		return false, core.NewInternalError(err)
	}
	return false, nil
}

// maxAuthOrigins is how many known login locations are kept per record
// (spec §6.6).
const maxAuthOrigins = 5

// trackAuthOrigin records the login location of rec and, when it is new
// and the record already had known locations, sends the login alert
// (spec §6.6). Failures are only logged: they never fail a sign-in.
func (s *Server) trackAuthOrigin(c *echo.Context, rec *core.Record) {
	col := rec.Collection()
	if !col.Auth.AuthAlert.Enabled {
		return
	}
	ctx := c.Request().Context()
	origins, err := s.app.FindCollectionByNameOrId(core.AuthOriginsCollectionName)
	if err != nil {
		return
	}
	ip := s.realIP(c.Request())
	ua := c.Request().UserAgent()
	if len(ua) > 200 {
		ua = ua[:200]
	}
	sum := md5.Sum([]byte(ip + ua)) // PocketBase's fingerprint; not a security boundary
	fp := hex.EncodeToString(sum[:])
	known, err := s.app.FindRecordsByFilter(ctx, origins.Id, "collectionRef = {:c} && recordRef = {:r}", "-updated", 0, 0,
		map[string]any{"c": col.Id, "r": rec.Id()})
	if err != nil {
		s.logger.WarnContext(ctx, "auth origins lookup failed", "err", err)
		return
	}
	for _, o := range known {
		if o.GetString("fingerprint") == fp {
			if err := s.app.SaveNoValidate(ctx, o); err != nil { // touches "updated"
				s.logger.WarnContext(ctx, "auth origin update failed", "err", err)
			}
			return
		}
	}
	if len(known) > 0 && rec.GetString(core.FieldEmail) != "" {
		s.sendAuthAlert(ctx, rec, ip, c.Request().UserAgent())
	}
	row := core.NewRecord(origins)
	row.Set("collectionRef", col.Id)
	row.Set("recordRef", rec.Id())
	row.Set("fingerprint", fp)
	if err := s.app.Save(ctx, row); err != nil {
		s.logger.WarnContext(ctx, "auth origin save failed", "err", err)
		return
	}
	for i := maxAuthOrigins - 1; i < len(known); i++ {
		if err := s.app.Delete(ctx, known[i]); err != nil {
			s.logger.WarnContext(ctx, "auth origin cleanup failed", "err", err)
		}
	}
}

func (s *Server) sendAuthAlert(ctx context.Context, rec *core.Record, ip, ua string) {
	p := s.app.RecordMailParams(rec)
	p.AlertInfo = s.app.Now().Format("2006-01-02 15:04:05.000Z") + " - " + ip + " " + ua
	subject, body := core.RenderEmailTemplate(rec.Collection().Auth.AuthAlert.EmailTemplate, p)
	msg := &core.MailMessage{To: []core.MailAddress{{Email: rec.GetString(core.FieldEmail)}}, Subject: subject, HTML: body}
	if err := s.app.SendRecordMail(ctx, core.MailAuthAlert, rec, msg, map[string]any{"alertInfo": p.AlertInfo}); err != nil {
		s.logger.WarnContext(ctx, "login alert mail failed", "err", err)
	}
}
