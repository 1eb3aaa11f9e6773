// Package cfdaemon gives the Config view (package cfedit) the running
// daemon: finding the one that serves the edited file, and reloading it.
//
// It is a package of its own so that cfedit does not import package
// daemon: package tui embeds cfedit, and tui stays clear of the daemon
// (the daemon's tests import tui, and tui decodes the daemon's status
// with its own types; see tui.DaemonStatus).
package cfdaemon

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/lvsadm/lvsadm/daemon"
	"github.com/lvsadm/lvsadm/tui/cfedit"
)

// reloadWait bounds how long Reload waits for the daemon to report the
// outcome of a SIGHUP.
const reloadWait = 5 * time.Second

// With returns d with Daemon and Reload for the daemon answering on
// socket. The control socket serves only "status", so a reload is a SIGHUP
// to the pid the status gives (what "systemctl reload lvsadm" does); the
// outcome is read back from the status: a new load time, or a reload
// refused event.
func With(d cfedit.Deps, socket string) cfedit.Deps {
	find := func(ctx context.Context) (*daemon.Status, error) {
		st, _, err := daemon.QueryStatus(ctx, socket)
		if err != nil {
			if errors.Is(err, os.ErrNotExist) || errors.Is(err, syscall.ECONNREFUSED) {
				return nil, fmt.Errorf("%w (nothing answers on %s)", cfedit.ErrNoDaemon, socket)
			}
			return nil, err
		}
		return st, nil
	}
	d.Daemon = func(ctx context.Context) (int, error) {
		st, err := find(ctx)
		if err != nil {
			return 0, err
		}
		if !samePath(st.Config, d.Path) {
			return 0, fmt.Errorf("the daemon (pid %d) runs %s, not %s: not reloading it", st.PID, st.Config, d.Path)
		}
		if st.PID <= 0 {
			return 0, fmt.Errorf("the daemon's status gives no pid: reload it with systemctl reload lvsadm")
		}
		return st.PID, nil
	}
	d.Reload = func(ctx context.Context, pid int) (string, error) {
		before, err := find(ctx)
		if err != nil {
			return "", err
		}
		if before.PID != pid {
			return "", fmt.Errorf("the daemon's pid is now %d, not %d: not signalling", before.PID, pid)
		}
		sent := time.Now()
		if err := syscall.Kill(pid, syscall.SIGHUP); err != nil {
			return "", fmt.Errorf("reload: SIGHUP to pid %d: %w", pid, err)
		}
		ctx, cancel := context.WithTimeout(ctx, reloadWait)
		defer cancel()
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return fmt.Sprintf("sent SIGHUP to the daemon (pid %d); it has not reported a reload yet (lvsadm status)", pid), nil
			case <-tick.C:
			}
			st, err := find(ctx)
			if err != nil {
				continue // it may be busy reloading
			}
			if !st.LoadedAt.Equal(before.LoadedAt) {
				return fmt.Sprintf("daemon (pid %d) reloaded %s: serial_no %d", pid, st.Config, st.Serial), nil
			}
			for _, e := range st.Events {
				if e.Kind == "config" && !e.At.Before(sent) && strings.HasPrefix(e.Message, "reload refused") {
					return "", fmt.Errorf("daemon (pid %d): %s; it keeps running the previous configuration", pid, e.Message)
				}
			}
		}
	}
	return d
}

// samePath compares two names of a file, following symbolic links.
func samePath(a, b string) bool {
	canon := func(p string) string {
		if r, err := filepath.EvalSymlinks(p); err == nil {
			p = r
		}
		if abs, err := filepath.Abs(p); err == nil {
			p = abs
		}
		return p
	}
	return canon(a) == canon(b)
}
