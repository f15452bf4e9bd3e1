package core

// Add appends fields to the list, or replaces in place a field with the
// same id or, for fields without id, the same name — so a collection
// built in Go can be re-declared (PocketBase's Fields.Add). Ids are left
// for SaveCollection to fill.
//
//	c := core.NewBaseCollection("posts")
//	c.Fields.Add(&core.TextField{BaseField: core.BaseField{Name: "title"}, Required: true})
func (l *FieldsList) Add(fields ...Field) {
	for _, f := range fields {
		if f == nil {
			continue
		}
		replaced := false
		for i, old := range *l {
			if (f.GetId() != "" && old.GetId() == f.GetId()) || (f.GetId() == "" && old.GetName() == f.GetName()) {
				if f.GetId() == "" {
					f.SetId(old.GetId())
				}
				(*l)[i] = f
				replaced = true
				break
			}
		}
		if !replaced {
			*l = append(*l, f)
		}
	}
}

// RemoveByName removes the field named name, if present.
func (l *FieldsList) RemoveByName(name string) {
	for i, f := range *l {
		if f.GetName() == name {
			*l = append((*l)[:i:i], (*l)[i+1:]...)
			return
		}
	}
}
