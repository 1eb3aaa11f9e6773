package daemon

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
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

// benchFarm is the lvs.cf of testdata/lab/bench-farm.sh's gen, the file
// the lab's reload figures are measured with: vips virtual servers of per
// real servers, every weight 1; mode "one" sets server n/2+2 to weight 2,
// "pct" that one and every server j with j%100 == 37 (1%). The heartbeat
// is on 127.0.0.1:port, where the host can listen (the lab's 10.21.0.1
// is the director's namespace's).
func benchFarm(vips, per int, mode string, port int) []byte {
	var sb strings.Builder
	fmt.Fprintf(&sb, "serial_no = 1\nprimary = 127.0.0.1\nbackup = 10.21.0.9\nbackup_active = 0\nheartbeat = 1\nheartbeat_port = %d\n", port)
	sb.WriteString("keepalive = 1\ndeadtime = 2\nnetwork = nat\nnat_router = 10.21.0.254 eth1:1\n")
	n := vips * per
	one, victim := n/2+2, vips/4*per
	for v := 0; v < vips; v++ {
		fmt.Fprintf(&sb, "virtual v%d {\n     active = 1\n     address = 10.30.%d.%d dummy0:%d\n     port = 1000\n", v, v/250, v%250+1, v+1)
		sb.WriteString("     scheduler = wlc\n     timeout = 6\n     reentry = 6\n")
		for s := 0; s < per; s++ {
			j := v*per + s
			port := 8080
			if j == victim {
				port = 8081
			}
			fmt.Fprintf(&sb, "     server s%d {\n         address = 10.%d.%d.%d\n         port = %d\n         active = 1\n", s, 100+j/64000, j/250%256, j%250+1, port)
			if (mode != "base" && j == one) || (mode == "pct" && j%100 == 37) {
				sb.WriteString("         weight = 2\n")
			}
			sb.WriteString("     }\n")
		}
		sb.WriteString("}\n")
	}
	return []byte(sb.String())
}

// BenchmarkReload is a whole reload of issue 10's 10,000-server farm, as
// SIGHUP runs it (Daemon.Reload: read, parse, lint, decode, digest, the
// health targets, the desired table, the plan against the mirror, the
// kernel edits on the in-memory kernel, the floating addresses, the log
// lines and events), on a running lone primary whose 10,000 checks all
// pass (no network: Options.Check) and keep running meanwhile. Each
// iteration goes from the base file to the variant or back, so each makes
// the variant's edits:
//
//	unchanged-bytes  the same bytes again (compared with the running ones)
//	parsed-no-change a comment added: parsed and planned in full, 0 edits
//	one-weight       one server's weight 1 <-> 2: 1 edit
//	one-percent      101 servers' weights 1 <-> 2: 101 edits
//
// The lab's figures (BENCHMARKS.md) are these under qemu -icount, about
// 15 to 20 times slower.
func BenchmarkReload(b *testing.B) {
	const vips, per = 2000, 5
	port := freeUDPPort(b)
	base := benchFarm(vips, per, "base", port)
	variants := []struct {
		name  string
		src   []byte
		edits int
	}{
		{"unchanged-bytes", base, 0},
		{"parsed-no-change", append(slices.Clip(base), "# touched by the benchmark\n"...), 0},
		{"one-weight", benchFarm(vips, per, "one", port), 1},
		{"one-percent", benchFarm(vips, per, "pct", port), 101},
	}
	path := filepath.Join(b.TempDir(), "lvs.cf")
	if err := os.WriteFile(path, base, 0o644); err != nil {
		b.Fatal(err)
	}
	k := newMemKernel()
	d, err := New(Options{
		ConfigPath: path, Role: "primary", ResyncInterval: -1,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Kernel: k, VIPs: &fakeVIPs{},
		LocalAddrs: func() ([]netip.Addr, error) { return []netip.Addr{netip.MustParseAddr("127.0.0.1")}, nil },
		Notify:     func(string) error { return nil },
		Check:      func(context.Context, *health.Target) health.Result { return health.Result{OK: true, At: time.Now()} },
	})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	b.Cleanup(func() { cancel(); <-done })
	// The first round is spread over the 6 s interval; a weight above 1
	// reaches the table only after nanny's 20 s slow-start step.
	deadline := time.Now().Add(time.Minute)
	for destinations(k) < vips*per {
		if time.Now().After(deadline) {
			b.Fatalf("%d of %d real servers in the table after a minute", destinations(k), vips*per)
		}
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(21 * time.Second)
	write := func(src []byte) {
		if err := os.WriteFile(path, src, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	for _, v := range variants {
		b.Run(v.name, func(b *testing.B) {
			b.ReportAllocs()
			var cpu time.Duration
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				src := base
				if i%2 == 0 {
					src = v.src
				}
				write(src)
				b.StartTimer()
				c0 := processCPU(b)
				res, err := d.Reload()
				cpu += processCPU(b) - c0
				if err != nil || res.Edits != v.edits {
					b.Fatalf("reload %d: %d edits, want %d; err %v", i, res.Edits, v.edits, err)
				}
			}
			// The process' CPU (all threads: the garbage collector's
			// too) is what the lab measures, and unlike the time it
			// does not grow when other work shares the host's cores.
			b.ReportMetric(float64(cpu.Microseconds())/1000/float64(b.N), "cpu-ms/op")
			b.StopTimer()
			write(base) // the next variant starts from the base file
			if _, err := d.Reload(); err != nil {
				b.Fatal(err)
			}
		})
	}
}

// destinations counts the real servers in k's table.
func destinations(k *memKernel) int {
	n := 0
	for _, s := range k.Table() {
		n += len(s.Destinations)
	}
	return n
}

// processCPU is the CPU time (user and system) the process has used.
func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
