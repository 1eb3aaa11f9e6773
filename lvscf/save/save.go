// Package save writes lvs.cf safely, for every part of lvsadm that edits
// it (the cf commands, the TUI editor, the daemon):
//
//   - an exclusive lock (flock on PATH.lock) keeps concurrent editors from
//     losing each other's changes; Edit reads, changes and writes under it;
//   - the new content is linted first, and a configuration with errors is
//     refused unless Options.Force;
//   - serial_no is bumped (and added when missing) when asked, as
//     piranha's GUI does on every save, so that the backup director's copy
//     can be told stale;
//   - the previous version is kept as PATH.bak when asked;
//   - the file is replaced atomically: a temporary file in the same
//     directory, fsync, rename over PATH, fsync of the directory. A crash
//     at any point leaves either the old or the new file, never a torn
//     one. Mode and owner are kept.
package save

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/lvsadm/lvsadm/lvscf"
)

// Options say how to save.
type Options struct {
	// Force saves a configuration even when lint finds errors in it.
	Force bool
	// BumpSerial adds one to serial_no, inserting "serial_no = 1" when the
	// file has none.
	BumpSerial bool
	// KeepBackup keeps the version being replaced as PATH.bak (replacing
	// an older .bak). Nothing is kept when PATH did not exist.
	KeepBackup bool
	// Lint selects the checks that decide whether the content is saved.
	Lint lvscf.LintOptions
}

// BackupSuffix and LockSuffix name the files kept beside the
// configuration.
const (
	BackupSuffix = ".bak"
	LockSuffix   = ".lock"
)

// LintError is a save refused because lint found errors in the new
// content (Options.Force was not set). Its Diags hold every finding.
type LintError struct {
	*lvscf.SyntaxError
}

func (e *LintError) Unwrap() error { return e.SyntaxError }

// ErrLocked is wrapped when the lock could not be had before the context
// ended.
var ErrLocked = errors.New("locked by another editor")

// Write saves data as path under the lock. It waits for the lock until
// ctx ends. A refusal because of lint errors is a *LintError holding the
// diagnostics.
func Write(ctx context.Context, path string, data []byte, opts Options) error {
	path, l, err := lockResolved(ctx, path)
	if err != nil {
		return err
	}
	defer l.Unlock()
	return write(path, data, opts)
}

// Edit reads path, lets fn change the parsed file and saves the result,
// all under the lock, so that two editors never overwrite each other. A
// file with syntax errors is refused before fn runs with a
// *lvscf.SyntaxError, Force or not (an edit could not be placed reliably
// in broken blocks); fn's error is returned as it is and
// nothing is written.
func Edit(ctx context.Context, path string, fn func(*lvscf.File) error, opts Options) error {
	path, l, err := lockResolved(ctx, path)
	if err != nil {
		return err
	}
	defer l.Unlock()
	f, err := lvscf.ParseFile(path)
	if err != nil {
		return err
	}
	if lvscf.HasErrors(f.Diags) {
		return &lvscf.SyntaxError{Diags: f.Diags}
	}
	if err := fn(f); err != nil {
		return err
	}
	return write(path, f.Bytes(), opts)
}

// Update reads path (which must exist), lets fn compute the new content
// from the old and saves it, all under the lock. Nothing is written when fn
// fails or returns the content unchanged (no backup, no serial bump): fmt
// -w of a formatted file leaves it alone.
func Update(ctx context.Context, path string, fn func(old []byte) ([]byte, error), opts Options) error {
	path, l, err := lockResolved(ctx, path)
	if err != nil {
		return err
	}
	defer l.Unlock()
	old, err := lvscf.ReadFile(path)
	if err != nil {
		return err
	}
	data, err := fn(old)
	if err != nil {
		return err
	}
	if string(data) == string(old) {
		return nil
	}
	return write(path, data, opts)
}

// resolve follows a symbolic link, so that the link stays and its target
// is replaced (rename would otherwise put a plain file in the link's place).
// lockResolved resolves path (following symlinks to the real file) and
// takes its lock: the start of every save.
func lockResolved(ctx context.Context, path string) (string, *Locked, error) {
	path, err := resolve(path)
	if err != nil {
		return "", nil, err
	}
	l, err := Lock(ctx, path)
	if err != nil {
		return "", nil, err
	}
	return path, l, nil
}

func resolve(path string) (string, error) {
	p, err := filepath.EvalSymlinks(path)
	if errors.Is(err, os.ErrNotExist) {
		return path, nil
	}
	if err != nil {
		return "", fmt.Errorf("save %s: %w", path, err)
	}
	return p, nil
}

// write does the saving proper; the caller holds the lock.
func write(path string, data []byte, opts Options) error {
	diags := lvscf.Lint(path, data, opts.Lint)
	if lvscf.HasErrors(diags) && !opts.Force {
		return &LintError{&lvscf.SyntaxError{Diags: diags}}
	}
	if opts.BumpSerial {
		b, err := BumpSerial(path, data)
		if err != nil && !opts.Force {
			return err
		}
		if err == nil {
			data = b
		}
	}
	removeStaleTemps(path)

	mode := os.FileMode(0o644)
	uid, gid := -1, -1
	st, err := os.Stat(path)
	exists := err == nil
	switch {
	case exists:
		mode = st.Mode().Perm()
		if sys, ok := st.Sys().(*syscall.Stat_t); ok {
			uid, gid = int(sys.Uid), int(sys.Gid)
		}
	case !errors.Is(err, os.ErrNotExist):
		return fmt.Errorf("save %s: %w", path, err)
	}

	tmp, err := os.CreateTemp(filepath.Dir(path), tempPrefix(path)+"*")
	if err != nil {
		return fmt.Errorf("save %s: %w", path, err)
	}
	committed := false
	defer func() {
		if !committed {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err := tmp.Write(data); err != nil {
		return fmt.Errorf("save %s: %w", path, err)
	}
	if err := tmp.Chmod(mode); err != nil {
		return fmt.Errorf("save %s: %w", path, err)
	}
	if uid >= 0 && (uid != os.Geteuid() || gid != os.Getegid()) {
		if err := tmp.Chown(uid, gid); err != nil {
			// Renaming would hand the file to us: refuse rather than change
			// who owns the configuration.
			return fmt.Errorf("save %s: keeping its owner %d:%d: %w", path, uid, gid, err)
		}
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("save %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("save %s: %w", path, err)
	}
	if exists && opts.KeepBackup {
		if err := backup(path); err != nil {
			return err
		}
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("save %s: %w", path, err)
	}
	committed = true
	return syncDir(filepath.Dir(path))
}

// tempPrefix names temporary files so that removeStaleTemps finds only
// ours: ".lvs.cf.tmp".
func tempPrefix(path string) string { return "." + filepath.Base(path) + ".tmp" }

// removeStaleTemps deletes temporary files a crashed writer left behind.
// The caller holds the lock, so no other writer is using one.
func removeStaleTemps(path string) {
	matches, _ := filepath.Glob(filepath.Join(filepath.Dir(path), globEscape(tempPrefix(path))+"*"))
	for _, m := range matches {
		os.Remove(m)
	}
}

func globEscape(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `*`, `\*`, `?`, `\?`, `[`, `\[`)
	return r.Replace(s)
}

// backup makes PATH.bak the current PATH, atomically: a hard link to the
// current file (the same inode: content, mode and owner as they were)
// renamed over the old .bak. Where hard links are not possible, a copy
// written the same safe way.
func backup(path string) error {
	bak := path + BackupSuffix
	tmp := filepath.Join(filepath.Dir(path), tempPrefix(path)+"bak")
	os.Remove(tmp)
	if err := os.Link(path, tmp); err != nil {
		if err := copyFile(path, tmp); err != nil {
			os.Remove(tmp)
			return fmt.Errorf("save %s: keeping a backup: %w", path, err)
		}
	}
	if err := os.Rename(tmp, bak); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("save %s: keeping a backup: %w", path, err)
	}
	return nil
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	st, err := in.Stat()
	if err != nil {
		return err
	}
	out, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, st.Mode().Perm())
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, syscall.EINVAL) {
		// Some file systems cannot sync a directory (EINVAL); nothing more
		// can be done there.
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}

// BumpSerial returns data with serial_no increased by one, or set to 1
// when the file has none or a value that is not a number. Only that line
// changes (or is added, after the global keys).
func BumpSerial(name string, data []byte) ([]byte, error) {
	f := lvscf.Parse(name, data)
	if lvscf.HasErrors(f.Diags) {
		return nil, &lvscf.SyntaxError{Diags: f.Diags}
	}
	n := int64(0)
	if v, err := f.Get("serial_no"); err == nil {
		// Base 0, as piranha's strtol(…, 0): "010" is 8.
		if x, err := strconv.ParseInt(v, 0, 64); err == nil && x >= 0 {
			n = x
		}
	}
	if err := f.Set("serial_no", strconv.FormatInt(n+1, 10)); err != nil {
		return nil, fmt.Errorf("bump serial_no: %w", err)
	}
	return f.Bytes(), nil
}

// A Locked is a held lock on a configuration.
type Locked struct {
	f *os.File
}

// Lock takes the exclusive lock of path (flock on PATH.lock, created when
// missing and never removed: removing it would let two editors lock two
// different files). It polls until ctx ends, then fails with ErrLocked.
// The kernel drops the lock when its holder dies, so a crash never leaves
// the configuration locked. The lock file is opened without following a
// symlink and must be a regular file: the configuration's directory may
// be writable by others, and a planted PATH.lock -> elsewhere would make
// root create or lock a file of the planter's choosing.
func Lock(ctx context.Context, path string) (*Locked, error) {
	name := path + LockSuffix
	f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|syscall.O_CLOEXEC|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", name, err)
	}
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		f.Close()
		if err == nil {
			err = fmt.Errorf("not a regular file (%s)", fi.Mode().Type())
		}
		return nil, fmt.Errorf("lock %s: %w", name, err)
	}
	delay := 5 * time.Millisecond
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return &Locked{f: f}, nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) && !errors.Is(err, syscall.EINTR) {
			f.Close()
			return nil, fmt.Errorf("lock %s: %w", name, err)
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, fmt.Errorf("lock %s: %w (%v)", name, ErrLocked, ctx.Err())
		case <-time.After(delay):
		}
		delay = min(delay*2, 50*time.Millisecond)
	}
}

// Unlock releases the lock.
func (l *Locked) Unlock() {
	if l == nil || l.f == nil {
		return
	}
	l.f.Close() // closing the descriptor releases the flock
	l.f = nil
}
