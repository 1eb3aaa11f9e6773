package cfdaemon

import (
	"context"
	"encoding/json"
	"errors"
	"github.com/lvsadm/lvsadm/daemon/control/controltest"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lvsadm/lvsadm/daemon/control"
	"github.com/lvsadm/lvsadm/tui/cfedit"
)

// fakeDaemon answers the control protocol on a unix socket as the daemon
// does: status gives config and pid, reload answers with refused (the
// lint lines) when refuse is set, else applied.
func fakeDaemon(t *testing.T, config string, refuse []string) string {
	t.Helper()
	return controltest.Serve(t, func(line string, c io.Writer) {
		req, err := control.ParseRequest(line)
		switch {
		case err != nil:
			json.NewEncoder(c).Encode(control.Reply{Error: err.Error()})
		case req.Op == control.OpStatus:
			json.NewEncoder(c).Encode(control.Status{PID: os.Getpid(), Config: config, Serial: 31, LoadedAt: time.Unix(1000, 0)})
		case req.Op == control.OpReload && refuse != nil:
			json.NewEncoder(c).Encode(control.Reply{Error: "lvs.cf has lint errors:", Refused: refuse})
		case req.Op == control.OpReload:
			json.NewEncoder(c).Encode(control.Reply{Reload: &control.ReloadResult{Serial: 32, Edits: 3, Active: true}})
		}
	})
}

func TestWithReloadsOverTheSocket(t *testing.T) {
	// Only its name matters: the daemon is asked whether it runs it.
	p := filepath.Join(t.TempDir(), "lvs.cf")
	d := With(cfedit.FileDeps(p), fakeDaemon(t, p, nil))
	ctx := context.Background()
	pid, err := d.Daemon(ctx)
	if err != nil || pid != os.Getpid() {
		t.Fatalf("Daemon = %d, %v", pid, err)
	}
	text, err := d.Reload(ctx, pid)
	if err != nil || !strings.Contains(text, "reloaded") || !strings.Contains(text, "serial_no 32, 3 kernel edits") {
		t.Fatalf("Reload = %q, %v", text, err)
	}
	if _, err := d.Reload(ctx, pid+1); err == nil {
		t.Error("reloaded a daemon whose pid changed")
	}

	lint := "lvs.cf:3:1: error: unknown keyword \"wieght\" [unknown-key]"
	bad := With(cfedit.FileDeps(p), fakeDaemon(t, p, []string{lint}))
	if _, err := bad.Reload(ctx, pid); err == nil || !strings.Contains(err.Error(), lint) || !strings.Contains(err.Error(), "refused") {
		t.Errorf("refused reload: %v", err)
	}

	other := With(cfedit.FileDeps(p), fakeDaemon(t, "/etc/other.cf", nil))
	if _, err := other.Daemon(ctx); err == nil || errors.Is(err, cfedit.ErrNoDaemon) || !strings.Contains(err.Error(), "/etc/other.cf") {
		t.Errorf("a daemon running another file: %v", err)
	}
	none := With(cfedit.FileDeps(p), filepath.Join(t.TempDir(), "none.sock"))
	if _, err := none.Daemon(ctx); !errors.Is(err, cfedit.ErrNoDaemon) {
		t.Errorf("no daemon: %v, want ErrNoDaemon", err)
	}
}
