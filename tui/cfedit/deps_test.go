package cfedit

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
	"github.com/lvsadm/lvsadm/ops"
)

// emptyKernel is an IPVS table with nothing in it that records what is
// added: the only fake under KernelApply.
type emptyKernel struct {
	ops.Kernel
	added []string
}

func (k *emptyKernel) Close() error                                    { return nil }
func (k *emptyKernel) Services(context.Context) ([]ops.Service, error) { return nil, nil }
func (k *emptyKernel) AddService(_ context.Context, s ops.Service) error {
	k.added = append(k.added, "service "+s.ServiceKey.String())
	return nil
}
func (k *emptyKernel) AddDestination(_ context.Context, _ ops.ServiceKey, d ops.Destination) error {
	k.added = append(k.added, "server "+d.Address.String())
	return nil
}

func TestKernelApplyIsCfApply(t *testing.T) {
	p := writeFile(t, readCorpus(t, httpCf))
	k := &emptyKernel{}
	ap := KernelApply(p, func() (ops.Kernel, error) { return k, nil })
	plan, err := ap(context.Background(), true)
	if err != nil || len(plan) != 4 || len(k.added) != 0 {
		t.Fatalf("dry run: %v, plan %q, kernel %q", err, plan, k.added)
	}
	if !strings.HasPrefix(plan[0], "-A -t 172.16.0.1:80 -s wlc") {
		t.Errorf("plan %q", plan)
	}
	done, err := ap(context.Background(), false)
	if err != nil || strings.Join(done, "\n") != strings.Join(plan, "\n") || len(k.added) != 4 {
		t.Errorf("apply: %v, done %q, kernel %q", err, done, k.added)
	}
	bad := writeFile(t, "service = lvs\n")
	if _, err := KernelApply(bad, func() (ops.Kernel, error) { t.Fatal("opened the kernel for a refused file"); return nil, nil })(context.Background(), true); err == nil {
		t.Error("a file with lint errors was applied")
	}
}

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

func TestWithDaemonReloadsBySIGHUP(t *testing.T) {
	p := writeFile(t, readCorpus(t, httpCf))
	d := FileDeps(p).WithDaemon(fakeDaemon(t, p))
	ctx := context.Background()
	pid, err := d.Daemon(ctx)
	if err != nil || pid != os.Getpid() {
		t.Fatalf("Daemon = %d, %v", pid, err)
	}
	text, err := d.Reload(ctx, pid)
	if err != nil || !strings.Contains(text, "reloaded") {
		t.Fatalf("Reload = %q, %v", text, err)
	}

	other := FileDeps(p).WithDaemon(fakeDaemon(t, "/etc/other.cf"))
	if _, err := other.Daemon(ctx); err == nil || errors.Is(err, ErrNoDaemon) || !strings.Contains(err.Error(), "/etc/other.cf") {
		t.Errorf("a daemon running another file: %v", err)
	}
	none := FileDeps(p).WithDaemon(filepath.Join(t.TempDir(), "none.sock"))
	if _, err := none.Daemon(ctx); !errors.Is(err, ErrNoDaemon) {
		t.Errorf("no daemon: %v, want ErrNoDaemon", err)
	}
}
