package daemon

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lvsadm/lvsadm/daemon/health"
)

// farmFile writes issue 10's benchmark layout (virtuals x perVIP real
// servers, connect checks) as an lvs.cf and returns its path and the
// health of every server (all up).
func farmFile(b testing.TB, virtuals, perVIP int) (string, map[string]health.ServerStatus) {
	var sb strings.Builder
	sb.WriteString("serial_no = 1\nprimary = 10.21.0.1\nnetwork = nat\nnat_router = 10.21.0.254 eth1:1\n")
	h := map[string]health.ServerStatus{}
	for v := 0; v < virtuals; v++ {
		fmt.Fprintf(&sb, "virtual v%d {\n     active = 1\n     address = 10.30.%d.%d dummy0:%d\n     port = 1000\n     timeout = 6\n", v, v/250, v%250+1, v%100+1)
		for s := 0; s < perVIP; s++ {
			i := v*perVIP + s
			fmt.Fprintf(&sb, "     server s%d {\n         address = 10.100.%d.%d\n         port = 8080\n         active = 1\n     }\n", s, i/250, i%250+1)
			h[fmt.Sprintf("v%d/s%d", v, s)] = health.ServerStatus{State: health.Up, EverUp: true}
		}
		sb.WriteString("}\n")
	}
	path := filepath.Join(b.TempDir(), "lvs.cf")
	if err := os.WriteFile(path, []byte(sb.String()), 0o644); err != nil {
		b.Fatal(err)
	}
	return path, h
}

// BenchmarkReloadUnchanged: the daemon's CPU work for a reload of the
// 10,000-server farm that changes nothing, without the kernel: load,
// health targets, the desired table and its plan against the mirror.
func BenchmarkReloadUnchanged(b *testing.B) {
	path, h := farmFile(b, 2000, 5)
	l, err := Load(path)
	if err != nil {
		b.Fatal(err)
	}
	tab := newKernelTable(newMemKernel())
	applyFull(b, tab, l.Cfg, h)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		l, err := Load(path)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := health.Targets(l.Cfg); err != nil {
			b.Fatal(err)
		}
		dt, err := newDesiredTable(l.Cfg)
		if err != nil {
			b.Fatal(err)
		}
		want, _ := dt.all(inputsOf(h, time.Now()))
		if res, err := tab.Sync(ctx, want, dt.timeouts, false); err != nil || len(res.Edits) != 0 {
			b.Fatalf("edits %d, err %v", len(res.Edits), err)
		}
	}
}
