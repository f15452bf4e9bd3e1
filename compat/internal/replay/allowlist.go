package replay

// Allowlist is the list of known, intended differences between Basalt and
// PocketBase v0.36.8. Each rule names the COMPATIBILITY.md entry that
// documents it (Doc, checked by TestAllowlistPointsAtCompatibility) and
// the reason: a PocketBase defect (security above all) or a documented
// improvement. A difference no rule explains fails the run. Rules are
// narrow on purpose: the case, the step and the path of the difference.
var Allowlist = []*Rule{
	{
		ID:       "view-field-ids",
		Doc:      "View field ids are stable",
		Reason:   "improvement: re-saving an unchanged view query changes nothing",
		Kind:     "value",
		DiffPath: re(`^\$\.fields\.\d+\.id$`),
		PB:       re(`^"_clone_`),
	},
	{
		ID:     "url-schemes",
		Doc:    "URL fields accept only http(s)/ws(s)/ftp/tcp/udp URLs",
		Reason: "security: javascript: and data: URLs stored by PocketBase become XSS in clients that link them",
		Case:   re(`record value url$`),
		Name:   re(`f="(javascript|data|vbscript):`),
		Kind:   "status",
		PB:     re(`^200$`),
		Basalt: re(`^400$`),
	},
	{
		ID:     "domain-case",
		Doc:    "Domain lists compare case-insensitively",
		Reason: "security: PocketBase's case-sensitive compare lets a@BAD.example through an exceptDomains deny list",
		Case:   re(`record value (email|url)$`),
		Name:   re(`f="[^"]*[A-Z]`),
		Kind:   "status",
	},
	{
		ID:     "refused-option-values",
		Doc:    "Option values that cannot work are refused",
		Reason: "improvement: a select value list with blanks or repeats, a malformed MIME type or domain, or an unparsable date bound is refused instead of stored or silently dropped",
		Case:   re(`field (select option values|file option mimeTypes|(email|url) option (exceptDomains|onlyDomains)|date option (min|max))$`),
		Name:   re(`^(create|update) `),
		Kind:   "status",
		PB:     re(`^200$`),
		Basalt: re(`^400$`),
	},
	{
		ID:     "smtp-port-range",
		Doc:    "an SMTP port above 65535",
		Reason: "improvement: no TCP port is above 65535",
		Case:   re(`settings smtp\.port$`),
		Name:   re(`=65536$`),
		Kind:   "status",
		PB:     re(`^200$`),
		Basalt: re(`^400$`),
	},
	{
		ID:     "rename-indexed-field",
		Doc:    "Renaming a field rewrites the indexes that name it",
		Reason: "improvement: a field rename keeps its indexes instead of failing",
		Case:   re(`collection index on renamed column$`),
		Name:   re(`^rename the indexed field$`),
		Kind:   "status",
		PB:     re(`^400$`),
		Basalt: re(`^200$`),
	},
	{
		ID:       "second-primary-key",
		Doc:      "A second primary key is one error on that field",
		Reason:   "both refuse; Basalt reports the offending field only",
		Case:     re(`field text option primaryKey$`),
		DiffPath: re(`^\$\.data\.fields\.\d+(\.(primaryKey|name|pattern|required)(\.code)?)?$`),
	},
	{
		ID:       "type-change-secrets",
		Doc:      "Changing a base collection's type to auth lists no token secrets",
		Reason:   "both refuse the type change; PocketBase also lists what the other type would need (token secrets, fields)",
		Case:     re(`collection type change$`),
		Kind:     "nesting",
		DiffPath: re(`^\$\.data\.(\w+Token\.secret|fields)$`),
		Basalt:   re(`^\(absent\)$`),
	},
	{
		ID:       "unknown-type-fields",
		Doc:      "An unknown collection type is reported under `type` only",
		Reason:   "both refuse with data.type; PocketBase adds a consequence of building no system fields",
		Case:     re(`collection option type$`),
		Kind:     "nesting",
		DiffPath: re(`^\$\.data\.fields$`),
		Basalt:   re(`^\(absent\)$`),
	},
	{
		ID:       "empty-collection-id",
		Doc:      "A collection update that changes or empties the id",
		Reason:   "PocketBase defect: its answer carries a raw database error instead of a validation error",
		Case:     re(`collection option id$`),
		Name:     re(`^update id=`),
		Kind:     "nesting",
		DiffPath: re(`^\$\.data\.id$`),
		PB:       re(`^\(absent\)$`),
	},
}
