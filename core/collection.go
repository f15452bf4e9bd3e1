package core

import (
	"encoding/json"
	"hash/crc32"
	"strconv"
	"strings"
)

// Collection types.
const (
	CollectionTypeBase = "base"
	CollectionTypeAuth = "auth"
	CollectionTypeView = "view"
)

// Ids of the system collections (spec §5.10).
const (
	SuperusersCollectionId    = "pbc_3142635823"
	ExternalAuthsCollectionId = "pbc_2281828961"
	MFAsCollectionId          = "pbc_2279338944"
	OTPsCollectionId          = "pbc_1638494021"
	AuthOriginsCollectionId   = "pbc_4275539003"
	UsersCollectionId         = "_pb_users_auth_"

	SuperusersCollectionName    = "_superusers"
	ExternalAuthsCollectionName = "_externalAuths"
	MFAsCollectionName          = "_mfas"
	OTPsCollectionName          = "_otps"
	AuthOriginsCollectionName   = "_authOrigins"
)

// InstallerEmail is the hidden superuser that backs the one-time
// installer link until a real superuser is created (spec §1.13).
const InstallerEmail = "__pbinstaller@example.com"

// Collection is a schema: its fields, rules, indexes and, for auth and view
// collections, their options (spec §5.1, §5.6, §5.7).
type Collection struct {
	Id         string
	Name       string
	Type       string
	System     bool
	ListRule   *string
	ViewRule   *string
	CreateRule *string
	UpdateRule *string
	DeleteRule *string
	Fields     FieldsList
	Indexes    []string
	Created    string
	Updated    string

	// ViewQuery is the SELECT of a view collection.
	ViewQuery string

	// Auth holds the options of an auth collection (nil otherwise).
	Auth *AuthOptions
}

// IsAuth reports whether c is an auth collection.
func (c *Collection) IsAuth() bool { return c.Type == CollectionTypeAuth }

// IsView reports whether c is a view collection.
func (c *Collection) IsView() bool { return c.Type == CollectionTypeView }

// IsBase reports whether c is a base collection.
func (c *Collection) IsBase() bool { return c.Type == CollectionTypeBase }

// DefaultCollectionId returns "pbc_" + crc32(type+name) (spec §5.1).
func DefaultCollectionId(typ, name string) string {
	return "pbc_" + strconv.FormatUint(uint64(crc32.ChecksumIEEE([]byte(typ+name))), 10)
}

// TokenConfig is one token type's settings; Secret is write-only.
type TokenConfig struct {
	Secret   string `json:"secret,omitempty"`
	Duration int64  `json:"duration"`
}

// EmailTemplate is a mail subject and HTML body with placeholders.
type EmailTemplate struct {
	Subject string `json:"subject"`
	Body    string `json:"body"`
}

// AuthAlertConfig configures new-location login alerts.
type AuthAlertConfig struct {
	Enabled       bool          `json:"enabled"`
	EmailTemplate EmailTemplate `json:"emailTemplate"`
}

// OAuth2ProviderConfig configures one OAuth2 provider; ClientSecret is
// write-only.
type OAuth2ProviderConfig struct {
	Name         string         `json:"name"`
	ClientId     string         `json:"clientId"`
	ClientSecret string         `json:"clientSecret,omitempty"`
	AuthURL      string         `json:"authURL"`
	TokenURL     string         `json:"tokenURL"`
	UserInfoURL  string         `json:"userInfoURL"`
	DisplayName  string         `json:"displayName"`
	PKCE         *bool          `json:"pkce"`
	Extra        map[string]any `json:"extra"`
}

// OAuth2MappedFields maps provider user data onto record fields.
type OAuth2MappedFields struct {
	Id        string `json:"id"`
	Name      string `json:"name"`
	Username  string `json:"username"`
	AvatarURL string `json:"avatarURL"`
}

// OAuth2Config configures OAuth2 sign-in.
type OAuth2Config struct {
	Enabled      bool                   `json:"enabled"`
	MappedFields OAuth2MappedFields     `json:"mappedFields"`
	Providers    []OAuth2ProviderConfig `json:"providers"`
}

// PasswordAuthConfig configures identity + password sign-in.
type PasswordAuthConfig struct {
	Enabled        bool     `json:"enabled"`
	IdentityFields []string `json:"identityFields"`
}

// MFAConfig configures multi-factor authentication.
type MFAConfig struct {
	Enabled  bool   `json:"enabled"`
	Duration int64  `json:"duration"`
	Rule     string `json:"rule"`
}

// OTPConfig configures one-time-password sign-in.
type OTPConfig struct {
	Enabled       bool          `json:"enabled"`
	Duration      int64         `json:"duration"`
	Length        int           `json:"length"`
	EmailTemplate EmailTemplate `json:"emailTemplate"`
}

// AuthOptions are the auth-collection options of spec §5.6.
type AuthOptions struct {
	AuthRule                   *string            `json:"authRule"`
	ManageRule                 *string            `json:"manageRule"`
	AuthAlert                  AuthAlertConfig    `json:"authAlert"`
	OAuth2                     OAuth2Config       `json:"oauth2"`
	PasswordAuth               PasswordAuthConfig `json:"passwordAuth"`
	MFA                        MFAConfig          `json:"mfa"`
	OTP                        OTPConfig          `json:"otp"`
	AuthToken                  TokenConfig        `json:"authToken"`
	PasswordResetToken         TokenConfig        `json:"passwordResetToken"`
	EmailChangeToken           TokenConfig        `json:"emailChangeToken"`
	VerificationToken          TokenConfig        `json:"verificationToken"`
	FileToken                  TokenConfig        `json:"fileToken"`
	VerificationTemplate       EmailTemplate      `json:"verificationTemplate"`
	ResetPasswordTemplate      EmailTemplate      `json:"resetPasswordTemplate"`
	ConfirmEmailChangeTemplate EmailTemplate      `json:"confirmEmailChangeTemplate"`
}

// collectionJSON is the wire shape; rules are pointers so null survives.
type collectionJSON struct {
	Id         string     `json:"id"`
	ListRule   *string    `json:"listRule"`
	ViewRule   *string    `json:"viewRule"`
	CreateRule *string    `json:"createRule"`
	UpdateRule *string    `json:"updateRule"`
	DeleteRule *string    `json:"deleteRule"`
	Name       string     `json:"name"`
	Type       string     `json:"type"`
	Fields     FieldsList `json:"fields"`
	Indexes    []string   `json:"indexes"`
	Created    string     `json:"created"`
	Updated    string     `json:"updated"`
	System     bool       `json:"system"`
}

// MarshalJSON renders the collection as the API does: secrets omitted,
// view and auth keys only for their types.
func (c *Collection) MarshalJSON() ([]byte, error) {
	return c.marshal(false)
}

// MarshalWithSecrets renders the collection including token and OAuth2
// secrets, for storage and migration snapshots only.
func (c *Collection) MarshalWithSecrets() ([]byte, error) {
	return c.marshal(true)
}

func (c *Collection) marshal(withSecrets bool) ([]byte, error) {
	fields := c.Fields
	if fields == nil {
		fields = FieldsList{}
	}
	indexes := c.Indexes
	if indexes == nil {
		indexes = []string{}
	}
	base, err := json.Marshal(collectionJSON{
		Id: c.Id, ListRule: c.ListRule, ViewRule: c.ViewRule, CreateRule: c.CreateRule,
		UpdateRule: c.UpdateRule, DeleteRule: c.DeleteRule, Name: c.Name, Type: c.Type,
		Fields: fields, Indexes: indexes, Created: c.Created, Updated: c.Updated, System: c.System,
	})
	if err != nil {
		return nil, err
	}
	var extra any
	switch c.Type {
	case CollectionTypeView:
		extra = map[string]any{"viewQuery": c.ViewQuery}
	case CollectionTypeAuth:
		if c.Auth != nil {
			opts := *c.Auth
			if !withSecrets {
				opts.stripSecrets()
			}
			extra = opts
		}
	}
	if extra == nil {
		return base, nil
	}
	more, err := json.Marshal(extra)
	if err != nil {
		return nil, err
	}
	if len(more) <= 2 {
		return base, nil
	}
	// Splice the extra object's members into the base object.
	out := make([]byte, 0, len(base)+len(more))
	out = append(out, base[:len(base)-1]...)
	out = append(out, ',')
	out = append(out, more[1:]...)
	return out, nil
}

func (o *AuthOptions) stripSecrets() {
	for _, t := range []*TokenConfig{&o.AuthToken, &o.PasswordResetToken, &o.EmailChangeToken, &o.VerificationToken, &o.FileToken} {
		t.Secret = ""
	}
	providers := make([]OAuth2ProviderConfig, len(o.OAuth2.Providers))
	for i, p := range o.OAuth2.Providers {
		p.ClientSecret = ""
		providers[i] = p
	}
	o.OAuth2.Providers = providers
}

// UnmarshalJSON decodes a full collection document (used for stored rows
// and snapshots). API bodies are merged with ApplyJSON instead.
func (c *Collection) UnmarshalJSON(data []byte) error {
	var w collectionJSON
	if err := json.Unmarshal(data, &w); err != nil {
		return err
	}
	*c = Collection{
		Id: w.Id, Name: w.Name, Type: w.Type, System: w.System,
		ListRule: w.ListRule, ViewRule: w.ViewRule, CreateRule: w.CreateRule,
		UpdateRule: w.UpdateRule, DeleteRule: w.DeleteRule,
		Fields: w.Fields, Indexes: w.Indexes, Created: w.Created, Updated: w.Updated,
	}
	switch c.Type {
	case CollectionTypeView:
		var v struct {
			ViewQuery string `json:"viewQuery"`
		}
		if err := json.Unmarshal(data, &v); err != nil {
			return err
		}
		c.ViewQuery = v.ViewQuery
	case CollectionTypeAuth:
		opts := &AuthOptions{}
		if err := json.Unmarshal(data, opts); err != nil {
			return err
		}
		c.Auth = opts
	}
	return nil
}

// Clone deep-copies the collection.
func (c *Collection) Clone() *Collection {
	raw, err := c.MarshalWithSecrets()
	if err != nil {
		panic("core: collection clone: " + err.Error())
	}
	out := &Collection{}
	if err := out.UnmarshalJSON(raw); err != nil {
		panic("core: collection clone: " + err.Error())
	}
	return out
}

// Rule returns the rule with the given name ("listRule", ...), and false
// for unknown names.
func (c *Collection) Rule(name string) (*string, bool) {
	switch name {
	case "listRule":
		return c.ListRule, true
	case "viewRule":
		return c.ViewRule, true
	case "createRule":
		return c.CreateRule, true
	case "updateRule":
		return c.UpdateRule, true
	case "deleteRule":
		return c.DeleteRule, true
	case "authRule":
		if c.Auth != nil {
			return c.Auth.AuthRule, true
		}
	case "manageRule":
		if c.Auth != nil {
			return c.Auth.ManageRule, true
		}
	}
	return nil, false
}

// HasNameOrId reports whether s names c (names case-insensitively, ids exactly).
func (c *Collection) HasNameOrId(s string) bool {
	return c.Id == s || strings.EqualFold(c.Name, s)
}

// StrPtr returns a pointer to s; handy for rules.
func StrPtr(s string) *string { return &s }
