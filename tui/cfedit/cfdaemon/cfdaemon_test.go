package cfdaemon

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lvsadm/lvsadm/daemon"
	"github.com/lvsadm/lvsadm/tui/cfedit"
)

// fakeDaemon answers "status" on a unix socket as the daemon does, for
// this test process as the daemon: a SIGHUP to it counts as a reload and
// gives a new load time.
func fakeDaemon(t *testing.T, config string) string {
	t.Helper()
	sock := filepath.Join(t.TempDir(), "d.sock")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	t.Cleanup(func() { signal.Stop(hup); ln.Close() })
	var reloads int64
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			select {
			case <-hup:
				reloads++
			default:
			}
			st := daemon.Status{PID: os.Getpid(), Config: config, Serial: 31, LoadedAt: time.Unix(1000+reloads, 0)}
			c.Read(make([]byte, 64))
			json.NewEncoder(c).Encode(st)
			c.Close()
		}
	}()
	return sock
}

func TestWithReloadsBySIGHUP(t *testing.T) {
	// Only its name matters: the daemon is asked whether it runs it.
	p := filepath.Join(t.TempDir(), "lvs.cf")
	d := With(cfedit.FileDeps(p), fakeDaemon(t, p))
	ctx := context.Background()
	pid, err := d.Daemon(ctx)
	if err != nil || pid != os.Getpid() {
		t.Fatalf("Daemon = %d, %v", pid, err)
	}
	text, err := d.Reload(ctx, pid)
	if err != nil || !strings.Contains(text, "reloaded") {
		t.Fatalf("Reload = %q, %v", text, err)
	}

	other := With(cfedit.FileDeps(p), fakeDaemon(t, "/etc/other.cf"))
	if _, err := other.Daemon(ctx); err == nil || errors.Is(err, cfedit.ErrNoDaemon) || !strings.Contains(err.Error(), "/etc/other.cf") {
		t.Errorf("a daemon running another file: %v", err)
	}
	none := With(cfedit.FileDeps(p), filepath.Join(t.TempDir(), "none.sock"))
	if _, err := none.Daemon(ctx); !errors.Is(err, cfedit.ErrNoDaemon) {
		t.Errorf("no daemon: %v, want ErrNoDaemon", err)
	}
}
