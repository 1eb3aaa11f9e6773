// Package cfdaemon gives the Config view (package cfedit) the running
// daemon: finding the one that serves the edited file, and reloading it,
// over the daemon's control socket (package control, standard library
// only, so the TUI links nothing of the daemon).
package cfdaemon

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/lvsadm/lvsadm/daemon/control"
	"github.com/lvsadm/lvsadm/tui/cfedit"
)

// With returns d with Daemon and Reload for the daemon answering on
// socket. A reload is a control request ("lvsadm reload"): the daemon
// answers with its verdict, applied or refused with the lint errors.
func With(d cfedit.Deps, socket string) cfedit.Deps {
	cl := control.New(socket)
	find := func(ctx context.Context) (*control.Status, error) {
		st, err := cl.Status(ctx, control.Filter{Summary: true}) // the small answer: only pid and file are needed
		if err != nil {
			if errors.Is(err, control.ErrNoDaemon) {
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
		return st.PID, nil
	}
	d.Reload = func(ctx context.Context, pid int) (string, error) {
		before, err := find(ctx)
		if err != nil {
			return "", err
		}
		if before.PID != pid || !samePath(before.Config, d.Path) {
			return "", fmt.Errorf("the daemon on %s is now pid %d running %s, not pid %d: not reloading it", socket, before.PID, before.Config, pid)
		}
		res, err := cl.Reload(ctx)
		var refused *control.RefusedError
		if errors.As(err, &refused) {
			return "", fmt.Errorf("daemon (pid %d) refused the reload; it keeps running the previous configuration:\n%s", pid, strings.Join(refused.Lines, "\n"))
		}
		if err != nil {
			return "", fmt.Errorf("reload: %w", err)
		}
		return fmt.Sprintf("daemon (pid %d) reloaded %s: %s", pid, before.Config, res), nil
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
