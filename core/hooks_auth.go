package core

import (
	"sync"

	"github.com/basalthq/basalt/core/hook"
)

// Auth request hooks (DESIGN §6): they fire for HTTP requests of the auth
// endpoints only (spec §1.4) and their final handler, passed by the HTTP
// layer through the Trigger* helpers, does the endpoint's work and writes
// the response. Every event is tagged with its collection id and name, so
// app.OnRecordAuthRequest("users") binds to one collection.

// RecordAuthRequestEvent fires right before every auth response (password,
// OAuth2, OTP, refresh, impersonate) is written. Handlers may change Token,
// Meta or Record before calling e.Next().
type RecordAuthRequestEvent struct {
	RequestEvent
	Collection *Collection
	Record     *Record
	Token      string
	// Meta is the OAuth2 meta object (nil otherwise).
	Meta any
	// AuthMethod is "password", "oauth2", "otp", "refresh" or "impersonate".
	AuthMethod string
}

// Tags returns the collection id and name.
func (e *RecordAuthRequestEvent) Tags() []string { return collectionTags(e.Collection) }

// RecordAuthWithPasswordRequestEvent wraps auth-with-password (A2). Record
// is nil when no record matched the identity; the final handler then fails
// with "Failed to authenticate." after an equal-work bcrypt comparison.
type RecordAuthWithPasswordRequestEvent struct {
	RequestEvent
	Collection    *Collection
	Record        *Record
	Identity      string
	IdentityField string
	Password      string
}

// Tags returns the collection id and name.
func (e *RecordAuthWithPasswordRequestEvent) Tags() []string { return collectionTags(e.Collection) }

// OAuth2User is the provider account of an OAuth2 sign-in, in core's
// neutral terms (spec A3 "meta"). Email is empty unless the provider
// vouches that it is verified.
type OAuth2User struct {
	Id           string
	Name         string
	Username     string
	Email        string
	AvatarURL    string
	AccessToken  string
	RefreshToken string
	Expiry       string
	RawUser      map[string]any
}

// RecordAuthWithOAuth2RequestEvent wraps auth-with-oauth2 (A3) once the
// provider user is known. Record is the local record that will be signed
// in (nil when a new one is to be created); IsNewRecord tells which.
// Handlers may adjust CreateData before a sign-up.
type RecordAuthWithOAuth2RequestEvent struct {
	RequestEvent
	Collection   *Collection
	ProviderName string
	OAuth2User   *OAuth2User
	Record       *Record
	CreateData   map[string]any
	IsNewRecord  bool
}

// Tags returns the collection id and name.
func (e *RecordAuthWithOAuth2RequestEvent) Tags() []string { return collectionTags(e.Collection) }

// RecordAuthWithOTPRequestEvent wraps auth-with-otp (A6) after the code
// was checked; OTP is the _otps record being consumed.
type RecordAuthWithOTPRequestEvent struct {
	RequestEvent
	Collection *Collection
	Record     *Record
	OTP        *Record
}

// Tags returns the collection id and name.
func (e *RecordAuthWithOTPRequestEvent) Tags() []string { return collectionTags(e.Collection) }

// RecordCreateOTPRequestEvent wraps request-otp (A5). Record is nil for an
// unknown e-mail (the final handler then answers with a fake otpId).
type RecordCreateOTPRequestEvent struct {
	RequestEvent
	Collection *Collection
	Record     *Record
	Password   string // the plain code, for hooks that deliver it themselves
}

// Tags returns the collection id and name.
func (e *RecordCreateOTPRequestEvent) Tags() []string { return collectionTags(e.Collection) }

// RecordAuthRefreshRequestEvent wraps auth-refresh (A4).
type RecordAuthRefreshRequestEvent struct {
	RequestEvent
	Collection *Collection
	Record     *Record
}

// Tags returns the collection id and name.
func (e *RecordAuthRefreshRequestEvent) Tags() []string { return collectionTags(e.Collection) }

// RecordFlowRequestEvent wraps the e-mail driven flows: request and
// confirm verification, password reset and e-mail change (A7–A12).
// Record is the affected record (nil for an unknown e-mail on request-*
// endpoints, where the final handler silently answers 204). NewEmail is
// set for the e-mail change endpoints.
type RecordFlowRequestEvent struct {
	RequestEvent
	Collection *Collection
	Record     *Record
	NewEmail   string
}

// Tags returns the collection id and name.
func (e *RecordFlowRequestEvent) Tags() []string { return collectionTags(e.Collection) }

// MailerEvent fires for every e-mail the app sends (OnMailerSend); handlers
// may change Message before calling e.Next(), or return without calling it
// to drop the mail.
type MailerEvent struct {
	hook.Event
	App     *App
	Message *MailMessage
}

// MailerRecordEvent fires for the auth e-mails of a record (verification,
// password reset, e-mail change, OTP, login alert) before OnMailerSend.
// Meta carries the mail-specific values ("token", "otpId", "newEmail",
// "alertInfo").
type MailerRecordEvent struct {
	MailerEvent
	Record *Record
	Meta   map[string]any
}

// Tags returns the record's collection id and name.
func (e *MailerRecordEvent) Tags() []string {
	if e.Record == nil {
		return nil
	}
	return collectionTags(e.Record.Collection())
}

func collectionTags(c *Collection) []string {
	if c == nil {
		return nil
	}
	return []string{c.Id, c.Name}
}

// Auth flow kinds for TriggerRecordFlowRequest and OnRecordFlowRequest.
const (
	FlowRequestVerification  = "requestVerification"
	FlowConfirmVerification  = "confirmVerification"
	FlowRequestPasswordReset = "requestPasswordReset"
	FlowConfirmPasswordReset = "confirmPasswordReset"
	FlowRequestEmailChange   = "requestEmailChange"
	FlowConfirmEmailChange   = "confirmEmailChange"
)

// Mail kinds for OnMailerRecordSend helpers and TriggerMailerRecordSend.
const (
	MailVerification  = "verification"
	MailPasswordReset = "passwordReset"
	MailEmailChange   = "emailChange"
	MailOTP           = "otp"
	MailAuthAlert     = "authAlert"
)

// authHooks holds the hook points of this file. They live beside App (see
// extrasOf) because App's struct is shared by several files.
type authHooks struct {
	auth             hook.Hook[*RecordAuthRequestEvent]
	authWithPassword hook.Hook[*RecordAuthWithPasswordRequestEvent]
	authWithOAuth2   hook.Hook[*RecordAuthWithOAuth2RequestEvent]
	authWithOTP      hook.Hook[*RecordAuthWithOTPRequestEvent]
	requestOTP       hook.Hook[*RecordCreateOTPRequestEvent]
	authRefresh      hook.Hook[*RecordAuthRefreshRequestEvent]
	flows            map[string]*hook.Hook[*RecordFlowRequestEvent]
	mailerSend       hook.Hook[*MailerEvent]
	mailerRecord     map[string]*hook.Hook[*MailerRecordEvent]
}

// appExtras is the App's auth state: the auth hooks and the mailer.
type appExtras struct {
	hooks     authHooks
	mailMu    sync.RWMutex
	mailer    Mailer
	mailSlots chan struct{} // bounds concurrent background mails

	// model holds the OnModel* chains once one is asked for (hooks_model.go).
	modelOnce sync.Once
	model     *modelHooks
	// req holds the collection, settings and batch request hooks (hooks_requests.go).
	req requestHooks
	// enrich is OnRecordEnrich (record_enrich.go).
	enrich hook.Hook[*RecordEnrichEvent]
}

func (app *App) extras() *appExtras {
	app.extrasOnce.Do(func() {
		x := &appExtras{mailSlots: make(chan struct{}, 4)}
		x.hooks.flows = map[string]*hook.Hook[*RecordFlowRequestEvent]{}
		for _, k := range []string{FlowRequestVerification, FlowConfirmVerification, FlowRequestPasswordReset,
			FlowConfirmPasswordReset, FlowRequestEmailChange, FlowConfirmEmailChange} {
			x.hooks.flows[k] = &hook.Hook[*RecordFlowRequestEvent]{}
		}
		x.hooks.mailerRecord = map[string]*hook.Hook[*MailerRecordEvent]{}
		for _, k := range []string{MailVerification, MailPasswordReset, MailEmailChange, MailOTP, MailAuthAlert} {
			x.hooks.mailerRecord[k] = &hook.Hook[*MailerRecordEvent]{}
		}
		app.extrasVal = x
	})
	return app.extrasVal
}

// OnRecordAuthRequest fires before every auth response is written.
func (app *App) OnRecordAuthRequest(tags ...string) *hook.TaggedHook[*RecordAuthRequestEvent] {
	return tagged(&app.extras().hooks.auth, tags)
}

// OnRecordAuthWithPasswordRequest wraps POST auth-with-password.
func (app *App) OnRecordAuthWithPasswordRequest(tags ...string) *hook.TaggedHook[*RecordAuthWithPasswordRequestEvent] {
	return tagged(&app.extras().hooks.authWithPassword, tags)
}

// OnRecordAuthWithOAuth2Request wraps POST auth-with-oauth2 after the
// provider user was fetched.
func (app *App) OnRecordAuthWithOAuth2Request(tags ...string) *hook.TaggedHook[*RecordAuthWithOAuth2RequestEvent] {
	return tagged(&app.extras().hooks.authWithOAuth2, tags)
}

// OnRecordAuthWithOTPRequest wraps POST auth-with-otp after the code was
// checked.
func (app *App) OnRecordAuthWithOTPRequest(tags ...string) *hook.TaggedHook[*RecordAuthWithOTPRequestEvent] {
	return tagged(&app.extras().hooks.authWithOTP, tags)
}

// OnRecordRequestOTPRequest wraps POST request-otp.
func (app *App) OnRecordRequestOTPRequest(tags ...string) *hook.TaggedHook[*RecordCreateOTPRequestEvent] {
	return tagged(&app.extras().hooks.requestOTP, tags)
}

// OnRecordAuthRefreshRequest wraps POST auth-refresh.
func (app *App) OnRecordAuthRefreshRequest(tags ...string) *hook.TaggedHook[*RecordAuthRefreshRequestEvent] {
	return tagged(&app.extras().hooks.authRefresh, tags)
}

func (app *App) flowHook(kind string, tags []string) *hook.TaggedHook[*RecordFlowRequestEvent] {
	h, ok := app.extras().hooks.flows[kind]
	if !ok {
		panic("core: unknown auth flow " + kind)
	}
	return tagged(h, tags)
}

// OnRecordRequestVerificationRequest wraps POST request-verification.
func (app *App) OnRecordRequestVerificationRequest(tags ...string) *hook.TaggedHook[*RecordFlowRequestEvent] {
	return app.flowHook(FlowRequestVerification, tags)
}

// OnRecordConfirmVerificationRequest wraps POST confirm-verification.
func (app *App) OnRecordConfirmVerificationRequest(tags ...string) *hook.TaggedHook[*RecordFlowRequestEvent] {
	return app.flowHook(FlowConfirmVerification, tags)
}

// OnRecordRequestPasswordResetRequest wraps POST request-password-reset.
func (app *App) OnRecordRequestPasswordResetRequest(tags ...string) *hook.TaggedHook[*RecordFlowRequestEvent] {
	return app.flowHook(FlowRequestPasswordReset, tags)
}

// OnRecordConfirmPasswordResetRequest wraps POST confirm-password-reset.
func (app *App) OnRecordConfirmPasswordResetRequest(tags ...string) *hook.TaggedHook[*RecordFlowRequestEvent] {
	return app.flowHook(FlowConfirmPasswordReset, tags)
}

// OnRecordRequestEmailChangeRequest wraps POST request-email-change.
func (app *App) OnRecordRequestEmailChangeRequest(tags ...string) *hook.TaggedHook[*RecordFlowRequestEvent] {
	return app.flowHook(FlowRequestEmailChange, tags)
}

// OnRecordConfirmEmailChangeRequest wraps POST confirm-email-change.
func (app *App) OnRecordConfirmEmailChangeRequest(tags ...string) *hook.TaggedHook[*RecordFlowRequestEvent] {
	return app.flowHook(FlowConfirmEmailChange, tags)
}

// OnMailerSend fires for every e-mail sent through App.SendMail.
func (app *App) OnMailerSend() *hook.Hook[*MailerEvent] { return &app.extras().hooks.mailerSend }

func (app *App) mailerRecordHook(kind string, tags []string) *hook.TaggedHook[*MailerRecordEvent] {
	h, ok := app.extras().hooks.mailerRecord[kind]
	if !ok {
		panic("core: unknown mail kind " + kind)
	}
	return tagged(h, tags)
}

// OnMailerRecordVerificationSend fires before a verification e-mail is sent.
func (app *App) OnMailerRecordVerificationSend(tags ...string) *hook.TaggedHook[*MailerRecordEvent] {
	return app.mailerRecordHook(MailVerification, tags)
}

// OnMailerRecordPasswordResetSend fires before a password-reset e-mail is sent.
func (app *App) OnMailerRecordPasswordResetSend(tags ...string) *hook.TaggedHook[*MailerRecordEvent] {
	return app.mailerRecordHook(MailPasswordReset, tags)
}

// OnMailerRecordEmailChangeSend fires before an e-mail-change confirmation
// is sent (to the new address).
func (app *App) OnMailerRecordEmailChangeSend(tags ...string) *hook.TaggedHook[*MailerRecordEvent] {
	return app.mailerRecordHook(MailEmailChange, tags)
}

// OnMailerRecordOTPSend fires before an OTP e-mail is sent.
func (app *App) OnMailerRecordOTPSend(tags ...string) *hook.TaggedHook[*MailerRecordEvent] {
	return app.mailerRecordHook(MailOTP, tags)
}

// OnMailerRecordAuthAlertSend fires before a login alert e-mail is sent.
func (app *App) OnMailerRecordAuthAlertSend(tags ...string) *hook.TaggedHook[*MailerRecordEvent] {
	return app.mailerRecordHook(MailAuthAlert, tags)
}

// TriggerRecordAuthRequest runs OnRecordAuthRequest with final as the
// default handler (the HTTP layer calls it).
func (app *App) TriggerRecordAuthRequest(e *RecordAuthRequestEvent, final func(*RecordAuthRequestEvent) error) error {
	return app.extras().hooks.auth.Trigger(e, final)
}

// TriggerRecordAuthWithPasswordRequest runs OnRecordAuthWithPasswordRequest.
func (app *App) TriggerRecordAuthWithPasswordRequest(e *RecordAuthWithPasswordRequestEvent, final func(*RecordAuthWithPasswordRequestEvent) error) error {
	return app.extras().hooks.authWithPassword.Trigger(e, final)
}

// TriggerRecordAuthWithOAuth2Request runs OnRecordAuthWithOAuth2Request.
func (app *App) TriggerRecordAuthWithOAuth2Request(e *RecordAuthWithOAuth2RequestEvent, final func(*RecordAuthWithOAuth2RequestEvent) error) error {
	return app.extras().hooks.authWithOAuth2.Trigger(e, final)
}

// TriggerRecordAuthWithOTPRequest runs OnRecordAuthWithOTPRequest.
func (app *App) TriggerRecordAuthWithOTPRequest(e *RecordAuthWithOTPRequestEvent, final func(*RecordAuthWithOTPRequestEvent) error) error {
	return app.extras().hooks.authWithOTP.Trigger(e, final)
}

// TriggerRecordRequestOTPRequest runs OnRecordRequestOTPRequest.
func (app *App) TriggerRecordRequestOTPRequest(e *RecordCreateOTPRequestEvent, final func(*RecordCreateOTPRequestEvent) error) error {
	return app.extras().hooks.requestOTP.Trigger(e, final)
}

// TriggerRecordAuthRefreshRequest runs OnRecordAuthRefreshRequest.
func (app *App) TriggerRecordAuthRefreshRequest(e *RecordAuthRefreshRequestEvent, final func(*RecordAuthRefreshRequestEvent) error) error {
	return app.extras().hooks.authRefresh.Trigger(e, final)
}

// TriggerRecordFlowRequest runs the request/confirm chain of kind (one of
// the Flow* constants).
func (app *App) TriggerRecordFlowRequest(kind string, e *RecordFlowRequestEvent, final func(*RecordFlowRequestEvent) error) error {
	h, ok := app.extras().hooks.flows[kind]
	if !ok {
		panic("core: unknown auth flow " + kind)
	}
	return h.Trigger(e, final)
}
