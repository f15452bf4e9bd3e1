package core

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// ErrRequiredRelation is returned when a delete would leave a required
// relation empty (spec R5).
var ErrRequiredRelation = NewBadRequestError("Failed to delete record. Make sure that the record is not part of a required relation reference.", nil)

func (app *App) afterTx(ctx context.Context, fn func(err error)) {
	if n, ok := app.store.(TxNotifier); ok {
		n.AfterTx(ctx, fn)
		return
	}
	fn(nil)
}

// Save validates and persists r (insert when new, update otherwise),
// running the model hooks. It joins the transaction ctx carries.
func (app *App) Save(ctx context.Context, r *Record) error {
	if r.Collection().IsView() {
		return NewBadRequestError("Unsupported collection type.", nil)
	}
	if r.IsNew() {
		return app.create(ctx, r)
	}
	return app.update(ctx, r)
}

// SaveNoValidate persists r without field validation (migrations,
// internal bookkeeping).
func (app *App) SaveNoValidate(ctx context.Context, r *Record) error {
	return app.Save(withSkipValidation(ctx), r)
}

type skipValidationKey struct{}

func withSkipValidation(ctx context.Context) context.Context {
	return context.WithValue(ctx, skipValidationKey{}, true)
}

func (app *App) prepare(r *Record, isNew bool) error {
	now := app.Now()
	for _, f := range r.Collection().Fields {
		if si, ok := f.(SaveInterceptor); ok {
			if _, isPwd := f.(interface{ IsPassword() bool }); isPwd {
				continue // hashed at execute time, after validation
			}
			if err := si.BeforeSave(r, isNew, now); err != nil {
				return err
			}
		}
	}
	c := r.Collection()
	if c.IsAuth() {
		if c.Id == SuperusersCollectionId {
			r.SetCanonical(FieldVerified, true)
		}
		// A changed password or e-mail invalidates every token of the
		// record (spec §6.3).
		if !isNew {
			pwd, _ := r.Get(FieldPassword).(PasswordValue)
			if pwd.Plain != "" || r.GetString(FieldEmail) != ToString(r.Original(FieldEmail)) {
				if r.GetString(FieldTokenKey) == ToString(r.Original(FieldTokenKey)) {
					r.SetCanonical(FieldTokenKey, RandomToken(50))
				}
			}
		} else if r.GetString(FieldTokenKey) == "" {
			r.SetCanonical(FieldTokenKey, RandomToken(50))
		}
	}
	return nil
}

func (app *App) hashPasswords(r *Record) error {
	now := app.Now()
	for _, f := range r.Collection().Fields {
		if _, isPwd := f.(interface{ IsPassword() bool }); isPwd {
			if err := f.(SaveInterceptor).BeforeSave(r, r.IsNew(), now); err != nil {
				return err
			}
		}
	}
	return nil
}

// ValidateRecord runs OnRecordValidate and every field validator,
// returning ValidationErrors keyed by field name.
func (app *App) ValidateRecord(ctx context.Context, r *Record) error {
	e := &RecordEvent{App: app, Context: ctx, Record: r}
	return app.onRecordValidate.Trigger(e, func(e *RecordEvent) error {
		errs := ValidationErrors{}
		for _, f := range e.Record.Collection().Fields {
			if err := f.ValidateValue(e.Context, app, e.Record); err != nil {
				errs[f.GetName()] = err
			}
		}
		if err := app.validateRecordId(e.Context, e.Record); err != nil && errs["id"] == nil {
			errs["id"] = err
		}
		return errs.Filter()
	})
}

func (app *App) validateRecordId(ctx context.Context, r *Record) error {
	if !r.IsNew() && r.Id() != ToString(r.Original("id")) {
		return NewFieldError("validation_pk_change", "The record primary key cannot be changed.", nil)
	}
	if r.IsNew() && r.Collection().IsAuth() {
		// Auth ids are unique across all auth collections (spec §5.4).
		for _, c := range app.Collections() {
			if !c.IsAuth() || c.Id == r.Collection().Id {
				continue
			}
			found, err := app.store.FindRecords(ctx, c, []string{r.Id()})
			if err == nil && len(found) > 0 {
				return NewFieldError("validation_invalid_auth_id", "Invalid or already existing auth record id.", nil)
			}
		}
	}
	return nil
}

func (app *App) create(ctx context.Context, r *Record) error {
	if err := app.prepare(r, true); err != nil {
		return err
	}
	e := &RecordEvent{App: app, Context: ctx, Record: r}
	err := app.onRecordCreate.Trigger(e, func(e *RecordEvent) error {
		if e.Context.Value(skipValidationKey{}) == nil {
			if err := app.ValidateRecord(e.Context, e.Record); err != nil {
				return err
			}
		}
		return app.store.RunInTx(e.Context, func(txCtx context.Context) error {
			ex := &RecordEvent{App: app, Context: txCtx, Record: e.Record}
			return app.onRecordCreateExecute.Trigger(ex, func(ex *RecordEvent) error {
				if err := app.hashPasswords(ex.Record); err != nil {
					return err
				}
				if err := app.storeUploads(ex.Context, ex.Record); err != nil {
					return err
				}
				if err := app.store.InsertRecord(ex.Context, ex.Record); err != nil {
					return err
				}
				rec := ex.Record
				app.afterTx(ex.Context, func(err error) {
					done := &RecordEvent{App: app, Context: context.WithoutCancel(ctx), Record: rec, Error: err}
					if err == nil {
						rec.MarkAsPersisted()
						app.logHookErr(app.onRecordAfterCreateSuccess.Trigger(done))
					} else {
						app.discardUploads(rec)
						app.logHookErr(app.onRecordAfterCreateError.Trigger(done))
					}
				})
				return nil
			})
		})
	})
	return err
}

func (app *App) update(ctx context.Context, r *Record) error {
	if err := app.prepare(r, false); err != nil {
		return err
	}
	e := &RecordEvent{App: app, Context: ctx, Record: r}
	return app.onRecordUpdate.Trigger(e, func(e *RecordEvent) error {
		if e.Context.Value(skipValidationKey{}) == nil {
			if err := app.ValidateRecord(e.Context, e.Record); err != nil {
				return err
			}
		}
		return app.store.RunInTx(e.Context, func(txCtx context.Context) error {
			ex := &RecordEvent{App: app, Context: txCtx, Record: e.Record}
			return app.onRecordUpdateExecute.Trigger(ex, func(ex *RecordEvent) error {
				if err := app.hashPasswords(ex.Record); err != nil {
					return err
				}
				if err := app.storeUploads(ex.Context, ex.Record); err != nil {
					return err
				}
				orphans := orphanedFiles(ex.Record)
				if err := app.store.UpdateRecord(ex.Context, ex.Record); err != nil {
					return err
				}
				rec := ex.Record
				app.afterTx(ex.Context, func(err error) {
					done := &RecordEvent{App: app, Context: context.WithoutCancel(ctx), Record: rec, Error: err}
					if err == nil {
						rec.MarkAsPersisted()
						app.deleteFiles(rec, orphans)
						app.logHookErr(app.onRecordAfterUpdateSuccess.Trigger(done))
					} else {
						app.discardUploads(rec)
						app.logHookErr(app.onRecordAfterUpdateError.Trigger(done))
					}
				})
				return nil
			})
		})
	})
}

// Delete removes r, unlinking or cascading referencing records (spec
// §5.3 relation deletion), all in one transaction.
func (app *App) Delete(ctx context.Context, r *Record) error {
	c := r.Collection()
	if c.IsView() {
		return NewBadRequestError("Unsupported collection type.", nil)
	}
	if c.Id == SuperusersCollectionId {
		ids, err := app.store.RecordIds(ctx, c)
		if err != nil {
			return err
		}
		if len(ids) <= 1 {
			return NewBadRequestError("You can't delete the only existing superuser.", nil)
		}
	}
	e := &RecordEvent{App: app, Context: ctx, Record: r}
	return app.onRecordDelete.Trigger(e, func(e *RecordEvent) error {
		return app.store.RunInTx(e.Context, func(txCtx context.Context) error {
			ex := &RecordEvent{App: app, Context: txCtx, Record: e.Record}
			return app.onRecordDeleteExecute.Trigger(ex, func(ex *RecordEvent) error {
				if err := app.unlinkReferences(ex.Context, ex.Record); err != nil {
					return err
				}
				if err := app.store.DeleteRecord(ex.Context, ex.Record); err != nil {
					return err
				}
				rec := ex.Record
				app.afterTx(ex.Context, func(err error) {
					done := &RecordEvent{App: app, Context: context.WithoutCancel(ctx), Record: rec, Error: err}
					if err == nil {
						app.deleteAllFiles(rec)
						app.logHookErr(app.onRecordAfterDeleteSuccess.Trigger(done))
					} else {
						app.logHookErr(app.onRecordAfterDeleteError.Trigger(done))
					}
				})
				return nil
			})
		})
	})
}

// relationTarget is implemented by the relation field kind.
type relationTarget interface {
	RelationCollectionId() string
	IsCascadeDelete() bool
	IsRequired() bool
}

func (app *App) unlinkReferences(ctx context.Context, r *Record) error {
	for _, c := range app.Collections() {
		if c.IsView() {
			continue
		}
		for _, f := range c.Fields {
			rel, ok := f.(relationTarget)
			if !ok || rel.RelationCollectionId() != r.Collection().Id {
				continue
			}
			refs, err := app.store.FindReferencing(ctx, c, f, r.Id())
			if err != nil {
				return err
			}
			for _, ref := range refs {
				if ref.Collection().Id == r.Collection().Id && ref.Id() == r.Id() {
					continue // self reference: the row goes away anyway
				}
				left := slices.DeleteFunc(ref.GetStringSlice(f.GetName()), func(s string) bool { return s == r.Id() })
				if len(left) == 0 && rel.IsCascadeDelete() {
					if err := app.Delete(ctx, ref); err != nil {
						return err
					}
					continue
				}
				if len(left) == 0 && rel.IsRequired() {
					return ErrRequiredRelation
				}
				if mv, ok := f.(MultiValuer); ok && mv.IsMultiple() {
					ref.SetCanonical(f.GetName(), left)
				} else {
					ref.SetCanonical(f.GetName(), "")
				}
				if err := app.SaveNoValidate(ctx, ref); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func (app *App) logHookErr(err error) {
	if err != nil {
		app.logger.Error("after-commit hook failed", "err", err)
	}
}

// orphanedFiles lists file names a save removes from the record's file
// fields (per field), to delete after commit.
func orphanedFiles(r *Record) map[string][]string {
	out := map[string][]string{}
	for _, f := range r.Collection().Fields {
		if f.Type() != "file" {
			continue
		}
		now := r.GetStringSlice(f.GetName())
		for _, old := range ToStringSlice(r.Original(f.GetName())) {
			if !slices.Contains(now, old) {
				out[f.GetName()] = append(out[f.GetName()], old)
			}
		}
	}
	return out
}

// FileStore is how core stores and removes record files; internal/files
// provides it. Nil means the app has no file storage (uploads fail).
type FileStore interface {
	// Put stores the content of f under key.
	Put(ctx context.Context, key string, f *File) error
	// Delete removes key and its derived thumbnails.
	Delete(ctx context.Context, key string) error
	// DeletePrefix removes every key under prefix.
	DeletePrefix(ctx context.Context, prefix string) error
	// Prepare gives an upload its normalised storage name and detected
	// content type, rejecting names or content that cannot be stored.
	Prepare(f *File) error
}

// PrepareUpload normalises an upload before it is attached to a record.
func (app *App) PrepareUpload(f *File) error {
	if app.files == nil {
		return NewBadRequestError("Failed to read the submitted data.", nil)
	}
	if err := app.files.Prepare(f); err != nil {
		return NewBadRequestError("Failed to read the submitted data.", nil).WithCause(err)
	}
	return nil
}

// SetFileStore installs the file storage.
func (app *App) SetFileStore(fs FileStore) { app.files = fs }

// FileKey is the storage key of a record file (spec §9.3).
func FileKey(r *Record, name string) string {
	return r.Collection().Id + "/" + r.Id() + "/" + name
}

func (app *App) storeUploads(ctx context.Context, r *Record) error {
	if len(r.Uploads()) == 0 {
		return nil
	}
	if app.files == nil {
		return errors.New("file storage is not configured")
	}
	for _, list := range r.Uploads() {
		for _, f := range list {
			if err := app.files.Put(ctx, FileKey(r, f.Name), f); err != nil {
				return fmt.Errorf("store file %s: %w", f.Name, err)
			}
		}
	}
	return nil
}

func (app *App) discardUploads(r *Record) {
	if app.files == nil {
		return
	}
	for _, list := range r.Uploads() {
		for _, f := range list {
			if err := app.files.Delete(context.Background(), FileKey(r, f.Name)); err != nil {
				app.logger.Warn("discard upload", "file", f.Name, "err", err)
			}
		}
	}
}

func (app *App) deleteFiles(r *Record, byField map[string][]string) {
	if app.files == nil {
		return
	}
	for _, names := range byField {
		for _, n := range names {
			if err := app.files.Delete(context.Background(), FileKey(r, n)); err != nil {
				app.logger.Warn("delete orphaned file", "file", n, "err", err)
			}
		}
	}
}

func (app *App) deleteAllFiles(r *Record) {
	if app.files == nil {
		return
	}
	hasFile := slices.ContainsFunc(r.Collection().Fields, func(f Field) bool { return f.Type() == "file" })
	if !hasFile {
		return
	}
	prefix := r.Collection().Id + "/" + r.Id() + "/"
	if err := app.files.DeletePrefix(context.Background(), prefix); err != nil && !strings.Contains(err.Error(), "not exist") {
		app.logger.Warn("delete record files", "prefix", prefix, "err", err)
	}
}
