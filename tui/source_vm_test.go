//go:build vmtest

package tui

// Real-kernel test, run as root inside the lab VM (testdata/vm): one
// Snapshot, one SetWeight, RemoveServer, RestoreServer and Zero of
// KernelSource against a table built with the real ipvsadm, in a fresh
// network namespace (so a fresh, empty table).

import (
	"context"
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/lvsadm/lvsadm/ops/labns"

	"github.com/lvsadm/lvsadm/ops"
	"github.com/lvsadm/lvsadm/ops/kernel"
)

func ipvsadm(t *testing.T, args ...string) string {
	t.Helper()
	bin := os.Getenv("IPVSADM")
	if bin == "" {
		bin = "/sbin/ipvsadm"
	}
	out, err := exec.Command(bin, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("ipvsadm %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// inNetns runs fn in a new network namespace with a dummy link lvs0
// holding 10.0.0.254/8, so that destinations have routes.
func inNetns(t *testing.T, fn func()) {
	t.Helper()
	labns.Run(t, func() {
		labns.AddDummy(t, labns.Dummy{Name: "lvs0", Addrs: []string{"10.0.0.254/8"}})
		fn()
	})
}

func TestKernelSourceVM(t *testing.T) {
	inNetns(t, func() {
		ipvsadm(t, "-A", "-t", "10.1.0.1:80", "-s", "wlc")
		ipvsadm(t, "-a", "-t", "10.1.0.1:80", "-r", "10.0.0.2:80", "-m", "-w", "3", "-x", "100", "-y", "10")
		ipvsadm(t, "-a", "-t", "10.1.0.1:80", "-r", "10.0.0.3:80", "-m", "-w", "1")
		ipvsadm(t, "-A", "-u", "10.1.0.2:53", "-s", "rr", "-p", "60")
		ipvsadm(t, "-a", "-u", "10.1.0.2:53", "-r", "10.0.0.4:53", "-g")
		k, err := kernel.OpenWith(kernel.Options{NoModprobe: true, Timeout: time.Minute})
		if err != nil {
			t.Fatalf("open: %v", err)
		}
		defer k.Close()
		// /proc/net follows the process's main thread; this thread moved.
		k.ConnPath = "/proc/thread-self/net/ip_vs_conn"
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()

		// A local client's SYN to the VIP goes through IPVS (LOCAL_OUT)
		// and leaves an entry, whether or not anything answers.
		for i := 0; i < 3; i++ {
			if c, err := net.DialTimeout("tcp", "10.1.0.1:80", 200*time.Millisecond); err == nil {
				c.Close()
			}
		}

		src := NewKernelSource(k)
		snap, err := src.Snapshot(ctx, ConnQuery{Enabled: true, Limit: 2})
		if err != nil {
			t.Fatalf("Snapshot: %v", err)
		}
		if snap.Info.Version == 0 || snap.Info.ConnTabSize == 0 {
			t.Errorf("info %+v", snap.Info)
		}
		if len(snap.Services) != 2 {
			t.Fatalf("%d services", len(snap.Services))
		}
		web := snap.Services[0]
		if web.Service.ServiceKey.String() != "tcp 10.1.0.1:80" {
			web = snap.Services[1]
		}
		if web.Service.Scheduler != "wlc" || len(web.Destinations) != 2 {
			t.Fatalf("web service %+v", web)
		}
		var d2 ops.Destination
		for _, d := range web.Destinations {
			if d.Address.String() == "10.0.0.2" {
				d2 = d
			}
		}
		if d2.Weight != 3 || d2.UThreshold != 100 || d2.LThreshold != 10 {
			t.Fatalf("10.0.0.2: %+v", d2)
		}
		t.Logf("connections: %d entries, states %v, %d rows", snap.Conns.Total, snap.Conns.ByState, len(snap.Conns.Rows))
		if snap.Conns == nil || snap.Conns.Total != snap.Conns.Matched || len(snap.Conns.Rows) > 2 {
			t.Errorf("conns %+v", snap.Conns)
		}
		if snap.Conns.Total == 0 {
			t.Errorf("no connection entries after three local connects to the VIP")
		}

		// Drain through the TUI's source: only the weight changes.
		before := ipvsadm(t, "-Sn")
		if err := src.SetWeight(ctx, web.Service.ServiceKey, d2, 0); err != nil {
			t.Fatalf("SetWeight: %v", err)
		}
		after := ipvsadm(t, "-Sn")
		want := strings.Replace(before, "-r 10.0.0.2:80 -m -w 3", "-r 10.0.0.2:80 -m -w 0", 1)
		if after != want || after == before {
			t.Errorf("after drain:\n%s\nwant:\n%s", after, want)
		}
		// -S does not show thresholds; the kernel's answer does.
		readD2 := func() ops.Destination {
			t.Helper()
			snap, err := src.Snapshot(ctx, ConnQuery{})
			if err != nil {
				t.Fatal(err)
			}
			for _, ss := range snap.Services {
				for _, d := range ss.Destinations {
					if ss.Service.ServiceKey.String() == "tcp 10.1.0.1:80" && d.Address.String() == "10.0.0.2" {
						return d
					}
				}
			}
			t.Fatalf("10.0.0.2:80 is not in tcp 10.1.0.1:80")
			return ops.Destination{}
		}
		if d := readD2(); d.Weight != 0 || d.UThreshold != 100 || d.LThreshold != 10 || d.ConnFlags&ops.FwdMask != ops.FwdMasq {
			t.Errorf("after drain: %+v", d)
		}
		// A missing real server is an error that names it, not a crash.
		gone := d2
		gone.Address = net.ParseIP("10.0.0.99").To4()
		if err := src.SetWeight(ctx, web.Service.ServiceKey, gone, 1); err == nil || !strings.Contains(err.Error(), "10.0.0.99:80") {
			t.Errorf("SetWeight on a missing server: %v", err)
		}

		// Taken out and put back as the snapshot read it: the table is
		// as before, thresholds too.
		d2 = readD2() // drained: weight 0
		before = ipvsadm(t, "-Sn")
		if err := src.RemoveServer(ctx, web.Service.ServiceKey, d2); err != nil {
			t.Fatalf("RemoveServer: %v", err)
		}
		if out := ipvsadm(t, "-Sn"); strings.Contains(out, "-r 10.0.0.2:80") {
			t.Errorf("after RemoveServer:\n%s", out)
		}
		if err := src.RestoreServer(ctx, web.Service.ServiceKey, d2); err != nil {
			t.Fatalf("RestoreServer: %v", err)
		}
		if out := ipvsadm(t, "-Sn"); out != before {
			t.Errorf("after RestoreServer:\n%s\nwant:\n%s", out, before)
		}
		if d := readD2(); d.UThreshold != 100 || d.LThreshold != 10 || d.Weight != 0 {
			t.Errorf("after RestoreServer: %+v", d)
		}
		if err := src.Zero(ctx, web.Service.ServiceKey); err != nil {
			t.Errorf("Zero: %v", err)
		}
		if err := src.RemoveServer(ctx, web.Service.ServiceKey, gone); err == nil || !strings.Contains(err.Error(), "10.0.0.99:80") {
			t.Errorf("RemoveServer of a missing server: %v", err)
		}
	})
}
