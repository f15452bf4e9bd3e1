package core

// Constructors of the system fields that collection creation adds
// (spec §5.4). Ids are the defaults a client would see from PocketBase:
// DefaultFieldId(type, name), e.g. "text3208210256" for "id".

// NewIdField returns the record id field of base and auth collections:
// a 15-char [a-z0-9] text primary key generated on create.
func NewIdField() *TextField {
	return &TextField{
		BaseField: BaseField{
			Id:     DefaultFieldId("text", FieldId),
			Name:   FieldId,
			System: true,
		},
		Min:                 15,
		Max:                 15,
		Pattern:             DefaultIdPattern,
		AutogeneratePattern: DefaultIdAutogeneratePattern,
		Required:            true,
		PrimaryKey:          true,
	}
}

// NewAutodateField returns a non-system autodate field, such as the
// "created" (onCreate) and "updated" (onCreate+onUpdate) fields the
// dashboard and the default collections add.
func NewAutodateField(name string, onCreate, onUpdate bool) *AutodateField {
	return &AutodateField{
		BaseField: BaseField{Id: DefaultFieldId("autodate", name), Name: name},
		OnCreate:  onCreate,
		OnUpdate:  onUpdate,
	}
}

// NewAuthSystemFields returns the fields an auth collection adds after
// "id", in PocketBase's order: password, tokenKey, email,
// emailVisibility and verified.
func NewAuthSystemFields() FieldsList {
	return FieldsList{
		&PasswordField{
			BaseField: BaseField{Id: DefaultFieldId("password", FieldPassword), Name: FieldPassword, System: true, Hidden: true},
			Min:       8,
			Required:  true,
		},
		&TextField{
			BaseField:           BaseField{Id: DefaultFieldId("text", FieldTokenKey), Name: FieldTokenKey, System: true, Hidden: true},
			Min:                 30,
			Max:                 60,
			AutogeneratePattern: "[a-zA-Z0-9]{50}",
			Required:            true,
		},
		&EmailField{
			BaseField: BaseField{Id: DefaultFieldId("email", FieldEmail), Name: FieldEmail, System: true},
			Required:  true,
		},
		&BoolField{
			BaseField: BaseField{Id: DefaultFieldId("bool", FieldEmailVisibility), Name: FieldEmailVisibility, System: true},
		},
		&BoolField{
			BaseField: BaseField{Id: DefaultFieldId("bool", FieldVerified), Name: FieldVerified, System: true},
		},
	}
}
