package daemon

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lvsadm/lvsadm/daemon/vip"
)

// TestLockInstance: a second lock in the same directory (and network
// namespace) is refused, naming the holder; once released it is free.
func TestLockInstance(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	first, err := lockInstance(dir, "/etc/a.cf", "/run/a.sock")
	if err != nil {
		t.Fatal(err)
	}
	_, err = lockInstance(dir, "/etc/b.cf", "/tmp/other.sock")
	if !errors.Is(err, ErrAlreadyRunning) {
		t.Fatalf("second lock: %v, want ErrAlreadyRunning", err)
	}
	want := fmt.Sprintf("pid %d, config /etc/a.cf, socket /run/a.sock", os.Getpid())
	if !strings.Contains(err.Error(), want) {
		t.Errorf("error %q does not name the holder (%q)", err, want)
	}
	if fi, err := os.Stat(filepath.Join(dir, lockName())); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("lock file: %v, %v; want mode 0600", fi, err)
	}
	first.release()
	again, err := lockInstance(dir, "/etc/b.cf", "")
	if err != nil {
		t.Fatalf("lock after release: %v", err)
	}
	again.release()
}

// TestLockInstanceRefusesPlantedFiles: a symlink at the lock's name is not
// followed (its target is left alone), and a FIFO does not block.
func TestLockInstanceRefusesPlantedFiles(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(t.TempDir(), "victim")
	if err := os.WriteFile(target, []byte("keep me\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, filepath.Join(dir, lockName())); err != nil {
		t.Fatal(err)
	}
	if l, err := lockInstance(dir, "c", ""); err == nil {
		l.release()
		t.Fatal("lock through a planted symlink accepted")
	}
	if b, _ := os.ReadFile(target); string(b) != "keep me\n" {
		t.Errorf("symlink target changed: %q", b)
	}

	fifoDir := t.TempDir()
	if err := syscall.Mkfifo(filepath.Join(fifoDir, lockName()), 0o600); err != nil {
		t.Skip("mkfifo:", err)
	}
	done := make(chan error, 1)
	go func() {
		l, err := lockInstance(fifoDir, "c", "")
		l.release()
		done <- err
	}()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "not a regular file") {
			t.Errorf("lock on a FIFO: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("lock on a FIFO blocked")
	}
}

// TestSecondInstanceLeavesVIP is issue 11 item 3 at the daemon's level:
// a second daemon for the same director, with another control socket,
// fails before it removes any address, both with the lock (the message
// names the running one) and without it (the heartbeat port, now bound
// before the stale addresses are removed).
func TestSecondInstanceLeavesVIP(t *testing.T) {
	rs1, rs2 := newRS(t), newRS(t)
	cfgPath := filepath.Join(t.TempDir(), "lvs.cf")
	if err := os.WriteFile(cfgPath, []byte(fmt.Sprintf(cfgTemplate, 1, freeUDPPort(t), "rr", rs1.port, rs2.port)), 0o644); err != nil {
		t.Fatal(err)
	}
	lockDir := t.TempDir()
	first := startDirector(t, cfgPath, "127.0.0.1", "", func(o *Options) { o.LockDir = lockDir })
	waitUntil(t, "first daemon serving status", func() bool {
		_, _, err := queryStatus(t.Context(), first.sock)
		return err == nil
	}, func() string { return "" })
	cfg, err := Load(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	for _, withLock := range []bool{true, false} {
		t.Run(fmt.Sprintf("lock=%v", withLock), func(t *testing.T) {
			// The second one sees the first one's addresses on the
			// devices, which it does not hold: "stale" to it.
			vips := &fakeVIPs{stale: vip.FromConfig(cfg.Cfg)}
			o := Options{
				ConfigPath: cfgPath, SocketPath: filepath.Join(t.TempDir(), "other.sock"),
				Logger: first.d.log, Kernel: newMemKernel(), VIPs: vips,
				LocalAddrs: first.d.o.LocalAddrs, Notify: func(string) error { return nil },
			}
			if withLock {
				o.LockDir = lockDir
			}
			d, err := New(o)
			if err != nil {
				t.Fatal(err)
			}
			err = d.Run(t.Context())
			if err == nil {
				t.Fatal("second daemon ran")
			}
			if withLock && (!errors.Is(err, ErrAlreadyRunning) || !strings.Contains(err.Error(), fmt.Sprintf("pid %d", os.Getpid()))) {
				t.Errorf("error %q: want ErrAlreadyRunning naming pid %d", err, os.Getpid())
			}
			vips.mu.Lock()
			defer vips.mu.Unlock()
			if len(vips.history) != 0 || len(vips.stale) != len(vip.FromConfig(cfg.Cfg)) {
				t.Errorf("second daemon touched addresses: %v (err %v)", vips.history, err)
			}
		})
	}
}
