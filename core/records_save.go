package core

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"

	"github.com/basalthq/basalt/core/hook"
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
		// record (spec §6.3). So does withdrawing the verified flag: the
		// verification tokens minted before are bound to the tokenKey and
		// "unverified", a state the record is back in, and must not verify
		// it again (issue #22; single-use confirmation tokens, DESIGN §10).
		if !isNew {
			pwd, _ := r.Get(FieldPassword).(PasswordValue)
			unverified := ToBool(r.Original(FieldVerified)) && !r.GetBool(FieldVerified)
			if pwd.Plain != "" || r.GetString(FieldEmail) != ToString(r.Original(FieldEmail)) || unverified {
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

// saveChain is the hooks and write of one kind of save (create/update).
type saveChain struct {
	main, execute, success, failure *hook.Hook[*RecordEvent]
	write                           func(ctx context.Context, r *Record) error
}

func (app *App) create(ctx context.Context, r *Record) error {
	return app.save(ctx, r, true, saveChain{app.onRecordCreate, app.onRecordCreateExecute,
		app.onRecordAfterCreateSuccess, app.onRecordAfterCreateError, app.store.InsertRecord})
}

func (app *App) update(ctx context.Context, r *Record) error {
	return app.save(ctx, r, false, saveChain{app.onRecordUpdate, app.onRecordUpdateExecute,
		app.onRecordAfterUpdateSuccess, app.onRecordAfterUpdateError, app.store.UpdateRecord})
}

// save runs the model hook chain around validating and writing r
// (DESIGN §6): main → validate → execute (inside the transaction) →
// after-success/error once the transaction settles.
func (app *App) save(ctx context.Context, r *Record, isNew bool, ch saveChain) error {
	if err := app.prepare(r, isNew); err != nil {
		return err
	}
	e := &RecordEvent{App: app, Context: ctx, Record: r}
	// reported: the transaction's outcome reaches after-success/error
	// through afterTx; any failure before that point (validation, a hook's
	// error, a refused write) reports after-error here, as PocketBase does.
	reported := false
	err := ch.main.Trigger(e, func(e *RecordEvent) error {
		checks := &relationChecks{}
		if e.Context.Value(skipValidationKey{}) == nil {
			vctx := context.WithValue(e.Context, relationChecksKey{}, checks)
			if err := app.ValidateRecord(vctx, e.Record); err != nil {
				return checks.merge(e.Context, app, err)
			}
		}
		// Passwords are hashed and files written before the transaction,
		// so neither bcrypt (tens of ms) nor a slow disk or S3 ever holds
		// the single writer; a failed save removes the files.
		if err := app.hashPasswords(e.Record); err != nil {
			return err
		}
		if err := app.storeUploads(e.Context, e.Record); err != nil {
			return err
		}
		err := app.store.RunInTx(e.Context, func(txCtx context.Context) error {
			ex := &RecordEvent{App: app, Context: txCtx, Record: e.Record}
			return ch.execute.Trigger(ex, func(ex *RecordEvent) error {
				if err := checks.run(ex.Context, app); err != nil {
					return err
				}
				var orphans map[string][]string
				if !isNew {
					orphans = orphanedFiles(ex.Record)
				}
				if err := ch.write(ex.Context, ex.Record); err != nil {
					return err
				}
				rec := ex.Record
				reported = true
				app.afterTx(ex.Context, func(err error) {
					done := &RecordEvent{App: app, Context: context.WithoutCancel(ctx), Record: rec, Error: err}
					if err == nil {
						rec.MarkAsPersisted()
						app.deleteFiles(rec, orphans)
						app.logHookErr(stageName("OnRecordAfter", isNew, "Success"), ch.success.Trigger(done))
					} else {
						app.discardUploads(rec)
						app.logHookErr(stageName("OnRecordAfter", isNew, "Error"), ch.failure.Trigger(done))
					}
				})
				return nil
			})
		})
		if err != nil {
			app.discardUploads(e.Record)
		}
		return err
	})
	if err != nil && !reported {
		done := &RecordEvent{App: app, Context: context.WithoutCancel(ctx), Record: r, Error: err}
		app.logHookErr(stageName("OnRecordAfter", isNew, "Error"), ch.failure.Trigger(done))
	}
	return err
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
	reported := false // as in save: earlier failures report here
	err := app.onRecordDelete.Trigger(e, func(e *RecordEvent) error {
		return app.store.RunInTx(e.Context, func(txCtx context.Context) error {
			ex := &RecordEvent{App: app, Context: txCtx, Record: e.Record}
			return app.onRecordDeleteExecute.Trigger(ex, func(ex *RecordEvent) error {
				if err := app.unlinkReferences(ex.Context, ex.Record); err != nil {
					return err
				}
				if err := app.deleteAuthState(ex.Context, ex.Record); err != nil {
					return err
				}
				if err := app.store.DeleteRecord(ex.Context, ex.Record); err != nil {
					return err
				}
				rec := ex.Record
				reported = true
				app.afterTx(ex.Context, func(err error) {
					done := &RecordEvent{App: app, Context: context.WithoutCancel(ctx), Record: rec, Error: err}
					if err == nil {
						app.deleteAllFiles(rec)
						app.logHookErr("OnRecordAfterDeleteSuccess", app.onRecordAfterDeleteSuccess.Trigger(done))
					} else {
						app.logHookErr("OnRecordAfterDeleteError", app.onRecordAfterDeleteError.Trigger(done))
					}
				})
				return nil
			})
		})
	})
	if err != nil && !reported {
		done := &RecordEvent{App: app, Context: context.WithoutCancel(ctx), Record: r, Error: err}
		app.logHookErr("OnRecordAfterDeleteError", app.onRecordAfterDeleteError.Trigger(done))
	}
	return err
}

// authStateCollections hold rows that belong to one auth record through
// collectionRef/recordRef text fields instead of a relation (so no
// relation cascade reaches them).
var authStateCollections = []string{ExternalAuthsCollectionName, MFAsCollectionName, OTPsCollectionName, AuthOriginsCollectionName}

// deleteAuthState deletes the OAuth2 links, MFA sessions, OTPs and auth
// origins of an auth record in the record's own delete transaction, as
// PocketBase does: left behind, an OAuth2 link would point a later
// sign-in at a record that no longer exists and a pending OTP or MFA
// session would outlive its owner.
func (app *App) deleteAuthState(ctx context.Context, r *Record) error {
	if !r.Collection().IsAuth() {
		return nil
	}
	return app.deleteAuthStateWhere(ctx, "collectionRef = {:c} && recordRef = {:r}",
		map[string]any{"c": r.Collection().Id, "r": r.Id()})
}

// deleteAuthStateWhere deletes the rows of the auth-state collections
// matching filter.
func (app *App) deleteAuthStateWhere(ctx context.Context, filter string, params map[string]any) error {
	for _, name := range authStateCollections {
		if _, err := app.FindCollectionByNameOrId(name); err != nil {
			continue // an app without that system collection
		}
		refs, err := app.FindRecordsByFilter(ctx, name, filter, "", 0, 0, params)
		if err != nil {
			return err
		}
		for _, ref := range refs {
			if err := app.Delete(ctx, ref); err != nil {
				return err
			}
		}
	}
	return nil
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

// logHookErr logs the error of an after-commit hook chain, naming the
// hook (the save already happened, so there is no caller to return it to).
func (app *App) logHookErr(hookName string, err error) {
	if err != nil {
		app.logger.Error("after-commit hook failed", "hook", hookName, "err", err)
	}
}

// orphanedFiles lists file names a save removes from the record's file
// fields (per field), to delete after commit (spec §5.3: replaced and
// removed files are deleted after a successful save).
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

// FileStore is how core stores, removes and serves record files;
// internal/files provides it (wired in server). Nil means the app has no
// file storage (uploads fail). Implementations may also implement
// FileStoreBinder to follow the app's settings.
type FileStore interface {
	// Put stores the content of f under key.
	Put(ctx context.Context, key string, f *File) error
	// Delete removes key and its derived thumbnails.
	Delete(ctx context.Context, key string) error
	// DeletePrefix removes every key under prefix.
	DeletePrefix(ctx context.Context, prefix string) error
	// Prepare gives an upload its normalised storage name and detected
	// content type, rejecting names or content that cannot be stored. A
	// *FieldError result is reported to the client as is (e.g. content
	// contradicting the file extension); other errors as unreadable data.
	Prepare(f *File) error
	// Open opens the file at key for reading; a missing key gives an error
	// wrapping ErrFileNotFound. The caller closes the file.
	Open(ctx context.Context, key string) (StoredFile, error)
	// Thumb makes sure the thumbnail of the image at key exists in size
	// ("WxH", "WxHt", "WxHb", "WxHf", "0xH", "Wx0"), generating and
	// caching it on first use (concurrent first requests generate it
	// once), and returns the thumbnail's key. It fails for malformed sizes,
	// files that are not thumbable images, and images too large to decode.
	// Whether a size is allowed for a field is the caller's decision.
	Thumb(ctx context.Context, key, size string) (string, error)
	// ServeFile writes f as the response to r under the given name, with
	// the download-safety headers of spec §1.6 F2 (detected Content-Type,
	// Content-Disposition, nosniff, CSP, caching) and range/conditional
	// handling. It returns an error only if nothing was written yet.
	ServeFile(w http.ResponseWriter, r *http.Request, f StoredFile, name string, download bool) error
	// TestS3 checks that an S3 configuration can store, list and delete
	// objects (POST /api/settings/test/s3).
	TestS3(ctx context.Context, s S3Settings) error
}

// PrepareUpload normalises an upload before it is attached to a record.
// Content the storage refuses comes back as the *FieldError the store
// produced, so the HTTP layer can key it by field; any other failure is a
// 400 "Failed to read the submitted data." (spec R3 step 4).
func (app *App) PrepareUpload(f *File) error {
	if app.files == nil {
		return NewBadRequestError("Failed to read the submitted data.", nil)
	}
	if err := app.files.Prepare(f); err != nil {
		var fe *FieldError
		if errors.As(err, &fe) {
			return fe
		}
		return NewBadRequestError("Failed to read the submitted data.", nil).WithCause(err)
	}
	return nil
}

// SetFileStore installs the file storage. A FileStoreBinder is given the
// app so it can follow settings changes and collection deletions.
func (app *App) SetFileStore(fs FileStore) {
	app.files = fs
	if b, ok := fs.(FileStoreBinder); ok {
		b.BindApp(app)
	}
}

// FileStore returns the installed file storage (nil when none).
func (app *App) FileStore() FileStore { return app.files }

// FileKey is the storage key of a record file (spec §9.3).
func FileKey(r *Record, name string) string {
	return r.Collection().Id + "/" + r.Id() + "/" + name
}

// storeUploads writes the record's pending uploads inside the save's
// transaction. Only uploads the record still references are written (a
// later modifier may have replaced one). Whatever was written is removed
// again if this step fails part-way or the transaction rolls back, so a
// failed save never leaves files behind.
func (app *App) storeUploads(ctx context.Context, r *Record) error {
	if len(r.Uploads()) == 0 {
		return nil
	}
	if app.files == nil {
		return errors.New("file storage is not configured")
	}
	var stored []string
	removeStored := func() {
		for _, key := range stored {
			if err := app.files.Delete(context.WithoutCancel(ctx), key); err != nil {
				app.logger.Warn("discard upload", "key", key, "err", err)
			}
		}
	}
	for field, list := range r.Uploads() {
		current := r.GetStringSlice(field)
		for _, f := range list {
			if !slices.Contains(current, f.Name) {
				continue
			}
			key := FileKey(r, f.Name)
			if err := app.files.Put(ctx, key, f); err != nil {
				removeStored()
				return fmt.Errorf("store file %s: %w", f.Name, err)
			}
			stored = append(stored, key)
		}
	}
	app.afterTx(ctx, func(err error) {
		if err != nil {
			removeStored()
		}
	})
	return nil
}

// discardUploads removes the record's pending uploads after a failed save.
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

// deleteFiles removes files (and their thumbnails) a committed save
// orphaned.
func (app *App) deleteFiles(r *Record, byField map[string][]string) {
	if app.files == nil {
		return
	}
	for _, names := range byField {
		for _, n := range names {
			if n == "" {
				continue
			}
			if err := app.files.Delete(context.Background(), FileKey(r, n)); err != nil {
				app.logger.Warn("delete orphaned file", "file", n, "err", err)
			}
		}
	}
}

// deleteAllFiles removes every stored file of a deleted record, thumbnails
// included (spec R5). It runs after the delete committed, also for records
// removed by cascade, which are deleted through Delete in the same
// transaction.
func (app *App) deleteAllFiles(r *Record) {
	if app.files == nil || r.Id() == "" {
		return
	}
	hasFile := slices.ContainsFunc(r.Collection().Fields, func(f Field) bool { return f.Type() == "file" })
	if !hasFile {
		// Records of collections without file fields have no files; this
		// saves a listing per delete on S3.
		return
	}
	prefix := r.Collection().Id + "/" + r.Id() + "/"
	if err := app.files.DeletePrefix(context.Background(), prefix); err != nil {
		app.logger.Warn("delete record files", "prefix", prefix, "err", err)
	}
}

// stageName names the create or update variant of an after-commit hook.
func stageName(prefix string, isNew bool, suffix string) string {
	if isNew {
		return prefix + "Create" + suffix
	}
	return prefix + "Update" + suffix
}
