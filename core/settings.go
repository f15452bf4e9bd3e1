package core

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/mail"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/basalthq/basalt/core/cron"
)

// SMTPSettings configures outgoing mail; Password is write-only.
type SMTPSettings struct {
	Enabled    bool   `json:"enabled"`
	Port       int    `json:"port"`
	Host       string `json:"host"`
	Username   string `json:"username"`
	Password   string `json:"password,omitempty"`
	AuthMethod string `json:"authMethod"`
	TLS        bool   `json:"tls"`
	LocalName  string `json:"localName"`
}

// S3Settings configures S3-compatible storage; Secret is write-only.
type S3Settings struct {
	Enabled        bool   `json:"enabled"`
	Bucket         string `json:"bucket"`
	Region         string `json:"region"`
	Endpoint       string `json:"endpoint"`
	AccessKey      string `json:"accessKey"`
	Secret         string `json:"secret,omitempty"`
	ForcePathStyle bool   `json:"forcePathStyle"`
}

// BackupsSettings configures backups.
type BackupsSettings struct {
	Cron        string     `json:"cron"`
	CronMaxKeep int        `json:"cronMaxKeep"`
	S3          S3Settings `json:"s3"`
}

// MetaSettings holds application identity.
type MetaSettings struct {
	AppName       string `json:"appName"`
	AppURL        string `json:"appURL"`
	SenderName    string `json:"senderName"`
	SenderAddress string `json:"senderAddress"`
	HideControls  bool   `json:"hideControls"`
}

// RateLimitRule is one rate-limit rule (spec §10.1).
type RateLimitRule struct {
	Label       string `json:"label"`
	Audience    string `json:"audience"`
	Duration    int64  `json:"duration"`
	MaxRequests int    `json:"maxRequests"`
}

// RateLimitsSettings configures rate limiting.
type RateLimitsSettings struct {
	Rules   []RateLimitRule `json:"rules"`
	Enabled bool            `json:"enabled"`
}

// TrustedProxySettings configures client-IP resolution (spec §10.4).
type TrustedProxySettings struct {
	Headers       []string `json:"headers"`
	UseLeftmostIP bool     `json:"useLeftmostIP"`
}

// BatchSettings configures /api/batch.
type BatchSettings struct {
	Enabled     bool  `json:"enabled"`
	MaxRequests int   `json:"maxRequests"`
	Timeout     int64 `json:"timeout"`
	MaxBodySize int64 `json:"maxBodySize"`
}

// LogsSettings configures request logging.
type LogsSettings struct {
	MaxDays   int  `json:"maxDays"`
	MinLevel  int  `json:"minLevel"`
	LogIP     bool `json:"logIP"`
	LogAuthId bool `json:"logAuthId"`
}

// MetricsSettings configures GET /api/metrics. Token is write-only.
type MetricsSettings struct {
	// Token, when set, lets a scraper read the metrics with
	// "Authorization: Bearer <token>" (superusers always may). It is
	// never returned by the settings API.
	Token string `json:"token,omitempty"`
}

// Settings are the application settings stored in _params (spec §1.9).
type Settings struct {
	SMTP         SMTPSettings         `json:"smtp"`
	Backups      BackupsSettings      `json:"backups"`
	S3           S3Settings           `json:"s3"`
	Meta         MetaSettings         `json:"meta"`
	RateLimits   RateLimitsSettings   `json:"rateLimits"`
	TrustedProxy TrustedProxySettings `json:"trustedProxy"`
	Batch        BatchSettings        `json:"batch"`
	Logs         LogsSettings         `json:"logs"`
	// Metrics is Basalt's own (PocketBase has no metrics endpoint). Its
	// only key is write-only, so reads never carry it: the settings stay
	// byte-for-byte PocketBase's (the compat harness checks).
	Metrics MetricsSettings `json:"metrics,omitzero"`
}

// DefaultSettings returns the fresh-install settings (spec §1.9).
func DefaultSettings() *Settings {
	return &Settings{
		SMTP:    SMTPSettings{Port: 587, Host: "smtp.example.com"},
		Backups: BackupsSettings{CronMaxKeep: 3},
		Meta: MetaSettings{AppName: "Acme", AppURL: "http://localhost:8090", SenderName: "Support",
			SenderAddress: "support@example.com"},
		RateLimits: RateLimitsSettings{Rules: []RateLimitRule{
			{Label: "*:auth", Duration: 3, MaxRequests: 2},
			{Label: "*:create", Duration: 5, MaxRequests: 20},
			{Label: "/api/batch", Duration: 1, MaxRequests: 3},
			{Label: "/api/", Duration: 10, MaxRequests: 300},
		}},
		TrustedProxy: TrustedProxySettings{Headers: []string{}},
		Batch:        BatchSettings{MaxRequests: 50, Timeout: 3},
		Logs:         LogsSettings{MaxDays: 5, LogIP: true},
	}
}

// Clone deep-copies the settings.
func (s *Settings) Clone() *Settings {
	raw, _ := json.Marshal(s)
	out := &Settings{}
	_ = json.Unmarshal(raw, out)
	return out
}

// Redacted returns a copy without secrets, for API output.
func (s *Settings) Redacted() *Settings {
	cp := s.Clone()
	cp.SMTP.Password = ""
	cp.S3.Secret = ""
	cp.Backups.S3.Secret = ""
	cp.Metrics.Token = ""
	return cp
}

var (
	rateLabelPattern = regexp.MustCompile(`^(\w+ /[\w/-]*|/[\w/-]*|\w+:\w+|\*:\w+|\w+)$`)
	hostPattern      = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$`)
)

// Validate checks every section and returns ValidationErrors nested by
// section (spec S2).
func (s *Settings) Validate() error {
	errs := ValidationErrors{}
	req := ErrRequired
	meta := ValidationErrors{}
	if s.Meta.AppName == "" {
		meta["appName"] = req()
	} else if len(s.Meta.AppName) > 255 {
		meta["appName"] = NewFieldError("validation_length_out_of_range", "The length must be between 1 and 255.", map[string]any{"min": 1, "max": 255})
	}
	if s.Meta.AppURL == "" {
		meta["appURL"] = req()
	} else if u, err := url.Parse(s.Meta.AppURL); err != nil || u.Scheme == "" || u.Host == "" {
		meta["appURL"] = NewFieldError("validation_is_url", "Must be a valid URL.", nil)
	}
	if s.Meta.SenderName == "" {
		meta["senderName"] = req()
	} else if len(s.Meta.SenderName) > 255 {
		meta["senderName"] = NewFieldError("validation_length_out_of_range", "The length must be between 1 and 255.", map[string]any{"min": 1, "max": 255})
	}
	if s.Meta.SenderAddress == "" {
		meta["senderAddress"] = req()
	} else if _, err := mail.ParseAddress(s.Meta.SenderAddress); err != nil {
		meta["senderAddress"] = NewFieldError("validation_is_email", "Must be a valid email address.", nil)
	}
	add(errs, "meta", meta)

	logs := ValidationErrors{}
	if s.Logs.MaxDays < 0 {
		logs["maxDays"] = NewFieldError("validation_min_greater_equal_than_required", "Must be no less than 0.", map[string]any{"threshold": 0})
	}
	add(errs, "logs", logs)

	if t := s.Metrics.Token; t != "" && (len(t) < 16 || len(t) > 255) {
		// A scraper token guards operational data: too short to be a
		// secret is refused, like the collections' token secrets.
		add(errs, "metrics", ValidationErrors{"token": NewFieldError("validation_length_out_of_range",
			"The length must be between 16 and 255.", map[string]any{"min": 16, "max": 255})})
	}

	smtp := ValidationErrors{}
	// The host is required while enabled and checked whenever set.
	if s.SMTP.Enabled && s.SMTP.Host == "" {
		smtp["host"] = req()
	} else if s.SMTP.Host != "" && !hostPattern.MatchString(s.SMTP.Host) {
		smtp["host"] = NewFieldError("validation_is_host", "Must be a valid IP address or DNS name.", nil)
	}
	if err := intRange(int64(s.SMTP.Port), s.SMTP.Enabled, 0, 65535); err != nil {
		smtp["port"] = err
	}
	switch s.SMTP.AuthMethod {
	case "", "PLAIN", "LOGIN":
	default:
		smtp["authMethod"] = NewFieldError("validation_in_invalid", "Must be a valid value.", nil)
	}
	if s.SMTP.LocalName != "" && !hostPattern.MatchString(s.SMTP.LocalName) {
		smtp["localName"] = NewFieldError("validation_is_host", "Must be a valid IP address or DNS name.", nil)
	}
	add(errs, "smtp", smtp)

	add(errs, "s3", validateS3(s.S3))
	backups := ValidationErrors{}
	add(backups, "s3", validateS3(s.Backups.S3))
	if s.Backups.Cron != "" {
		if _, err := cron.Parse(s.Backups.Cron); err != nil {
			backups["cron"] = NewFieldError("validation_invalid_cron", "Invalid cron expression.", nil)
		}
	}
	if err := intRange(int64(s.Backups.CronMaxKeep), s.Backups.Cron != "", 1, 0); err != nil {
		backups["cronMaxKeep"] = err
	}
	add(errs, "backups", backups)

	batch := ValidationErrors{}
	// PocketBase's rules: required while enabled, never negative.
	if err := intRange(int64(s.Batch.MaxRequests), s.Batch.Enabled, 0, 0); err != nil {
		batch["maxRequests"] = err
	}
	if err := intRange(int64(s.Batch.Timeout), s.Batch.Enabled, 0, 0); err != nil {
		batch["timeout"] = err
	}
	if err := intRange(int64(s.Batch.MaxBodySize), false, 0, 0); err != nil {
		batch["maxBodySize"] = err
	}
	add(errs, "batch", batch)

	rl := ValidationErrors{}
	if s.RateLimits.Enabled && len(s.RateLimits.Rules) == 0 {
		rl["rules"] = req()
	}
	rules := ValidationErrors{}
	seen := map[string]bool{}
	for i, r := range s.RateLimits.Rules {
		re := ValidationErrors{}
		// PocketBase's rules: label, maxRequests and duration required,
		// the numbers at least 1.
		if r.Label == "" {
			re["label"] = req()
		} else if !rateLabelPattern.MatchString(r.Label) {
			re["label"] = NewFieldError("validation_match_invalid", "Must be in a valid format.", nil)
		}
		if err := intRange(int64(r.MaxRequests), true, 1, 0); err != nil {
			re["maxRequests"] = err
		}
		if err := intRange(int64(r.Duration), true, 1, 0); err != nil {
			re["duration"] = err
		}
		switch r.Audience {
		case "", "@guest", "@auth":
		default:
			re["audience"] = NewFieldError("validation_in_invalid", "Must be a valid value.", nil)
		}
		key := r.Label + "|" + r.Audience
		if seen[key] || (r.Audience != "" && seen[r.Label+"|"]) || (r.Audience == "" && (seen[r.Label+"|@guest"] || seen[r.Label+"|@auth"])) {
			re["label"] = NewFieldError("validation_conflicting_rate_limit_rule", "Rate limit rule configuration with label "+r.Label+" already exists or conflicts with another rule.", map[string]any{"label": r.Label})
		}
		seen[key] = true
		add(rules, strconv.Itoa(i), re)
	}
	add(rl, "rules", rules)
	add(errs, "rateLimits", rl)

	tp := ValidationErrors{}
	for i, h := range s.TrustedProxy.Headers {
		if strings.TrimSpace(h) == "" {
			tp[strconv.Itoa(i)] = req()
		}
	}
	if len(tp) > 0 {
		errs["trustedProxy"] = ValidationErrors{"headers": tp}
	}
	return errs.Filter()
}

func add(parent ValidationErrors, key string, child ValidationErrors) {
	if len(child) > 0 {
		parent[key] = child
	}
}

func validateS3(s S3Settings) ValidationErrors {
	e := ValidationErrors{}
	// The endpoint is checked whenever set, the rest only while enabled.
	if u, err := url.Parse(s.Endpoint); s.Endpoint != "" && (err != nil || u.Scheme == "" || u.Host == "") {
		e["endpoint"] = NewFieldError("validation_is_url", "Must be a valid URL.", nil)
	}
	if !s.Enabled {
		return e
	}
	if s.Endpoint == "" {
		e["endpoint"] = ErrRequired()
	}
	for k, v := range map[string]string{"bucket": s.Bucket, "region": s.Region, "accessKey": s.AccessKey, "secret": s.Secret} {
		if v == "" {
			e[k] = ErrRequired()
		}
	}
	return e
}

const settingsParamKey = "settings"

type settingsState struct {
	mu       sync.RWMutex
	settings *Settings
}

var errBadKey = errors.New("encryption key must be 32 bytes")

func (app *App) encrypt(plain []byte) ([]byte, error) {
	key := app.config.EncryptionKey
	if key == "" {
		return plain, nil
	}
	if len(key) != 32 {
		return nil, errBadKey
	}
	block, err := aes.NewCipher([]byte(key))
	if err != nil {
		return nil, err
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, gcm.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	sealed := gcm.Seal(nonce, nonce, plain, nil)
	return json.Marshal(base64.StdEncoding.EncodeToString(sealed))
}

func (app *App) decrypt(stored []byte) ([]byte, error) {
	var enc string
	if err := json.Unmarshal(stored, &enc); err != nil {
		// Not a JSON string: stored in clear.
		return stored, nil
	}
	key := app.config.EncryptionKey
	if len(key) != 32 {
		return nil, errors.New("settings are encrypted but no valid encryption key was given")
	}
	raw, err := base64.StdEncoding.DecodeString(enc)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher([]byte(key))
	if err != nil {
		return nil, err
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	if len(raw) < gcm.NonceSize() {
		return nil, errors.New("encrypted settings are truncated")
	}
	return gcm.Open(nil, raw[:gcm.NonceSize()], raw[gcm.NonceSize():], nil)
}

// ReloadSettings reads the stored settings (defaults when none).
func (app *App) ReloadSettings(ctx context.Context) error {
	raw, found, err := app.store.GetParam(ctx, settingsParamKey)
	if err != nil {
		return err
	}
	s := DefaultSettings()
	if found && len(raw) > 0 {
		plain, err := app.decrypt(raw)
		if err != nil {
			return fmt.Errorf("decrypt settings: %w", err)
		}
		if err := json.Unmarshal(plain, s); err != nil {
			return fmt.Errorf("decode settings: %w", err)
		}
	}
	app.settingsState.mu.Lock()
	app.settingsState.settings = s
	app.settingsState.mu.Unlock()
	app.syncAutoBackupCron()
	return nil
}

// Settings returns the current settings. The value is shared and must
// not be modified: saves replace it with a new value, so a caller holding
// it sees a consistent snapshot. Clone it to make changes (it is read on
// every request, so it is not copied here).
func (app *App) Settings() *Settings {
	app.settingsState.mu.RLock()
	s := app.settingsState.settings
	app.settingsState.mu.RUnlock()
	if s == nil {
		return defaultSettingsSnapshot
	}
	return s
}

// defaultSettingsSnapshot is what Settings returns before they are loaded.
var defaultSettingsSnapshot = DefaultSettings()

// SaveSettings validates and persists s through OnSettingsUpdate.
func (app *App) SaveSettings(ctx context.Context, s *Settings) error {
	e := &SettingsUpdateEvent{App: app, Context: ctx, OldSettings: app.Settings().Clone(), NewSettings: s}
	return app.onSettingsUpdate.Trigger(e, func(e *SettingsUpdateEvent) error {
		if err := e.NewSettings.Validate(); err != nil {
			return NewBadRequestError("An error occurred while saving the new settings.", err)
		}
		plain, err := json.Marshal(e.NewSettings)
		if err != nil {
			return err
		}
		stored, err := app.encrypt(plain)
		if err != nil {
			return err
		}
		if err := app.store.SetParam(e.Context, settingsParamKey, stored); err != nil {
			return err
		}
		app.settingsState.mu.Lock()
		app.settingsState.settings = e.NewSettings.Clone()
		app.settingsState.mu.Unlock()
		app.syncAutoBackupCron()
		return nil
	})
}

// ApplySettingsPatch deep-merges a JSON body onto the current settings
// (arrays replace), keeping write-only secrets that were not sent.
func ApplySettingsPatch(cur *Settings, body []byte) (*Settings, error) {
	var patch map[string]any
	if err := json.Unmarshal(body, &patch); err != nil || patch == nil {
		return nil, NewBadRequestError("An error occurred while loading the submitted data.", nil)
	}
	raw, _ := json.Marshal(cur)
	var m map[string]any
	_ = json.Unmarshal(raw, &m)
	mergeJSON(m, patch)
	merged, _ := json.Marshal(m)
	out := &Settings{}
	if err := json.Unmarshal(merged, out); err != nil {
		return nil, NewBadRequestError("An error occurred while loading the submitted data.", nil)
	}
	// A null list is an empty one, as PocketBase writes it.
	if out.RateLimits.Rules == nil {
		out.RateLimits.Rules = []RateLimitRule{}
	}
	if out.TrustedProxy.Headers == nil {
		out.TrustedProxy.Headers = []string{}
	}
	return out, nil
}
