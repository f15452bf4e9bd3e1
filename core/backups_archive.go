package core

import (
	"archive/zip"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// archiveSkipDirs are data dir entries never archived (spec §1.11): the
// backups themselves, scratch space, the certificate cache and fsck's
// lost+found.
var archiveSkipDirs = map[string]bool{
	BackupsDirName: true, TempDirName: true, ".autocert_cache": true, "lost+found": true,
}

// isDatabaseFile reports the live database files and their journals,
// which are archived only from the snapshot, never copied while open.
func isDatabaseFile(name string) bool {
	for _, db := range []string{"data.db", "auxiliary.db"} {
		if name == db || strings.HasPrefix(name, db+"-") {
			return true
		}
	}
	return false
}

// writeArchive zips the database snapshots of dbDir and the other regular
// files of dataDir (storage/ and the rest, minus archiveSkipDirs and the
// live database files) into the new file zipPath. Entry names are
// slash-separated paths relative to the data dir.
func writeArchive(ctx context.Context, zipPath, dataDir, dbDir string) (err error) {
	out, err := os.OpenFile(zipPath, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := out.Close(); err == nil {
			err = cerr
		}
	}()
	zw := zip.NewWriter(out)
	add := func(src, name string) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		f, err := os.Open(src)
		if errors.Is(err, fs.ErrNotExist) {
			return nil // deleted since the walk listed it (a record's file removed meanwhile)
		}
		if err != nil {
			return err
		}
		defer f.Close()
		info, err := f.Stat()
		if err != nil {
			return err
		}
		h, err := zip.FileInfoHeader(info)
		if err != nil {
			return err
		}
		h.Name, h.Method = name, zip.Deflate
		w, err := zw.CreateHeader(h)
		if err != nil {
			return err
		}
		_, err = io.Copy(w, f)
		return err
	}
	dbs, err := os.ReadDir(dbDir)
	if err != nil {
		return err
	}
	for _, e := range dbs {
		if err := add(filepath.Join(dbDir, e.Name()), e.Name()); err != nil {
			return err
		}
	}
	err = filepath.WalkDir(dataDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dataDir, p)
		if err != nil || rel == "." {
			return err
		}
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if archiveSkipDirs[rel] || isRestoreLeftover(rel) {
				return filepath.SkipDir
			}
			return nil
		}
		// Only regular files: a symlink could pull in anything on the host.
		if !d.Type().IsRegular() || (!strings.Contains(rel, "/") && isDatabaseFile(rel)) ||
			strings.HasPrefix(d.Name(), storageTempPrefix) {
			return nil
		}
		return add(p, rel)
	})
	if err != nil {
		return err
	}
	return zw.Close()
}

// storageTempPrefix starts the names of files internal/files is still
// writing (its tempPrefix): never archived half-written.
const storageTempPrefix = ".basalt-tmp-"

// isRestoreLeftover reports scratch names of an interrupted restore.
func isRestoreLeftover(rel string) bool { return strings.HasPrefix(rel, ".pb_restore") }

// ErrBadArchive is returned (wrapped) by ExtractBackupArchive for an
// archive that is not a usable backup.
var ErrBadArchive = errors.New("invalid backup archive")

// ExtractBackupArchive unpacks the zip at zipPath into the empty
// directory dest, refusing (with an error wrapping ErrBadArchive) entries
// that would land outside dest (absolute paths, "..", backslashes),
// links and other non-regular files, entries of directories a backup never
// holds, more than limits.MaxEntries entries, and content past
// limits.MaxExtractedSize whatever the headers claim. On failure the
// caller removes dest.
func ExtractBackupArchive(ctx context.Context, zipPath, dest string, limits BackupLimits) error {
	limits = limits.withDefaults()
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s", ErrBadArchive, fmt.Sprintf(format, args...))
	}
	if st, err := os.Stat(zipPath); err == nil && st.Size() > limits.MaxArchiveSize {
		return bad("archive larger than %d bytes", limits.MaxArchiveSize)
	}
	zr, err := zip.OpenReader(zipPath)
	if err != nil {
		return bad("not a zip archive: %v", err)
	}
	defer zr.Close()
	if len(zr.File) > limits.MaxEntries {
		return bad("more than %d entries", limits.MaxEntries)
	}
	var declared uint64
	for _, f := range zr.File {
		declared += f.UncompressedSize64
		if declared > uint64(limits.MaxExtractedSize) {
			return bad("expands past %d bytes", limits.MaxExtractedSize)
		}
		if err := checkEntryName(f.Name); err != nil {
			return bad("%v", err)
		}
		if !f.Mode().IsRegular() && !f.Mode().IsDir() {
			return bad("entry %q is not a regular file", f.Name)
		}
	}
	budget := limits.MaxExtractedSize
	for _, f := range zr.File {
		if err := ctx.Err(); err != nil {
			return err
		}
		target := filepath.Join(dest, filepath.FromSlash(strings.TrimSuffix(f.Name, "/")))
		if f.Mode().IsDir() {
			if err := os.MkdirAll(target, 0o755); err != nil {
				return err
			}
			continue
		}
		n, err := extractEntry(f, target, budget)
		if err != nil {
			return err
		}
		budget -= n
	}
	return nil
}

// checkEntryName accepts only relative, slash-separated names that stay
// inside the data dir and outside the directories a backup never holds.
func checkEntryName(name string) error {
	trimmed := strings.TrimSuffix(name, "/")
	if trimmed == "" || strings.ContainsAny(name, "\\\x00") || strings.HasPrefix(name, "/") ||
		path.Clean(trimmed) != trimmed || !filepath.IsLocal(filepath.FromSlash(trimmed)) {
		return fmt.Errorf("entry %q escapes the data dir", name)
	}
	for _, seg := range strings.Split(trimmed, "/") {
		if seg == ".." || seg == "." {
			return fmt.Errorf("entry %q escapes the data dir", name)
		}
	}
	top, _, _ := strings.Cut(trimmed, "/")
	if archiveSkipDirs[top] || isRestoreLeftover(top) {
		return fmt.Errorf("entry %q is in %s, which a backup never holds", name, top)
	}
	return nil
}

// extractEntry writes one file, reading at most budget bytes: a header
// that understates the content cannot make it write more.
func extractEntry(f *zip.File, target string, budget int64) (int64, error) {
	if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
		return 0, err
	}
	rc, err := f.Open()
	if err != nil {
		return 0, fmt.Errorf("%w: %s: %v", ErrBadArchive, f.Name, err)
	}
	defer rc.Close()
	out, err := os.OpenFile(target, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return 0, fmt.Errorf("%w: %s: %v", ErrBadArchive, f.Name, err)
	}
	n, err := io.Copy(out, io.LimitReader(rc, budget+1))
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return n, fmt.Errorf("%w: %s: %v", ErrBadArchive, f.Name, err)
	}
	if n > budget {
		return n, fmt.Errorf("%w: expands past the size limit", ErrBadArchive)
	}
	return n, nil
}
