package replay

// Allowlist is the list of known, intended differences between Basalt and
// PocketBase v0.36.8. Each rule names the COMPATIBILITY.md entry that
// documents it and the reason: a PocketBase defect (security above all) or
// a documented improvement. A difference no rule explains fails the run.
var Allowlist = []*Rule{
	{
		ID:       "view-field-ids",
		Doc:      "View field ids are stable",
		Reason:   "improvement: re-saving an unchanged view query changes nothing",
		Kind:     "value",
		DiffPath: re(`^\$\.fields\.\d+\.id$`),
		PB:       re(`^"_clone_`),
	},
}
