package save

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestLockRefusesPlantedSymlink is issue 11 item 9: a PATH.lock planted
// as a symlink to another file (in a directory others can write) is not
// followed: the lock is refused, the save with it, and the link's target
// is neither created nor touched.
func TestLockRefusesPlantedSymlink(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "lvs.cf")
	victim := filepath.Join(t.TempDir(), "victim")
	if err := os.WriteFile(victim, []byte("keep me\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(victim, path+LockSuffix); err != nil {
		t.Fatal(err)
	}
	if l, err := Lock(context.Background(), path); err == nil || !errors.Is(err, syscall.ELOOP) {
		l.Unlock()
		t.Fatalf("Lock through a planted symlink: %v, want ELOOP", err)
	}
	if err := Write(context.Background(), path, []byte(cfgA), Options{}); err == nil {
		t.Fatal("Write took a lock through a planted symlink")
	}
	if b, _ := os.ReadFile(victim); string(b) != "keep me\n" {
		t.Errorf("symlink target changed: %q", b)
	}
	// A dangling link would have been created by O_CREAT through it.
	dangling := filepath.Join(t.TempDir(), "created")
	path2 := filepath.Join(dir, "other.cf")
	if err := os.Symlink(dangling, path2+LockSuffix); err != nil {
		t.Fatal(err)
	}
	if _, err := Lock(context.Background(), path2); err == nil {
		t.Fatal("Lock through a dangling symlink accepted")
	}
	if _, err := os.Lstat(dangling); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the dangling link's target was created: %v", err)
	}
	// A FIFO there is refused too, without blocking.
	path3 := filepath.Join(dir, "fifo.cf")
	if err := syscall.Mkfifo(path3+LockSuffix, 0o600); err != nil {
		t.Skip("mkfifo:", err)
	}
	if _, err := Lock(context.Background(), path3); err == nil {
		t.Fatal("Lock on a FIFO accepted")
	}
}
