package core

// RelationCollectionId returns the id of the collection the relation
// points to.
func (f *RelationField) RelationCollectionId() string { return f.CollectionId }

// IsCascadeDelete reports whether deleting the target deletes referencing
// records whose relation becomes empty.
func (f *RelationField) IsCascadeDelete() bool { return f.CascadeDelete }

// IsRequired reports whether the relation must not be empty.
func (f *RelationField) IsRequired() bool { return f.Required }

func setRelationTarget(f Field, collectionId string) {
	if rf, ok := f.(*RelationField); ok {
		rf.CollectionId = collectionId
		rf.MaxSelect = 1
	}
}

func setOnlyInt(f Field) {
	if nf, ok := f.(*NumberField); ok {
		nf.OnlyInt = true
	}
}
