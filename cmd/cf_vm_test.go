//go:build vmtest

package cmd

// Real-kernel tests of "lvsadm cf apply", run as root inside the lab VM
// (testdata/vm/vmtest.sh). Each test works in a fresh network namespace,
// so a fresh, empty IPVS table, and runs the built binary ($LVSADM) and the
// real ipvsadm ($IPVSADM) as child processes, which inherit the namespace
// of the locked thread that starts them. Tests do not use t.Run inside the
// namespace: a subtest runs on another goroutine, maybe another thread.

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lvsadm/lvsadm/ops/labns"
)

func vmBinary(t *testing.T, env string, fallbacks ...string) string {
	t.Helper()
	if p := os.Getenv(env); p != "" {
		return p
	}
	for _, p := range fallbacks {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	t.Skipf("$%s is not set: run with testdata/vm/vmtest.sh", env)
	return ""
}

// inFreshNetns runs fn in a new network namespace with a dummy device
// holding a default route, so that every real-server address is routable.
func inFreshNetns(t *testing.T, fn func()) {
	t.Helper()
	labns.Run(t, func() {
		labns.AddDummy(t, labns.Dummy{Name: "d0", Addrs: []string{"10.255.255.254/8"}, DefaultRoute: true})
		fn()
	})
}

type vmLab struct {
	t               *testing.T
	lvsadm, ipvsadm string
	cf, dir         string
}

func newVMLab(t *testing.T) *vmLab {
	dir := t.TempDir()
	return &vmLab{
		t:       t,
		lvsadm:  vmBinary(t, "LVSADM", "/work/lvsadm"),
		ipvsadm: vmBinary(t, "IPVSADM", "/sbin/ipvsadm", "/usr/sbin/ipvsadm"),
		dir:     dir,
		cf:      filepath.Join(dir, "lvs.cf"),
	}
}

// run runs a program and returns its stdout, stderr and exit status.
func (l *vmLab) run(prog string, args ...string) (string, string, int) {
	l.t.Helper()
	cmd := exec.Command(prog, args...)
	var out, errOut strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errOut
	cmd.Env = append(os.Environ(), "LVSADM_CONFIG="+l.cf)
	err := cmd.Run()
	code := 0
	if err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			l.t.Fatalf("%s %q: %v", prog, args, err)
		}
		code = ee.ExitCode()
	}
	return out.String(), errOut.String(), code
}

// must runs lvsadm and fails the test unless it exits 0.
func (l *vmLab) must(args ...string) string {
	l.t.Helper()
	out, errOut, code := l.run(l.lvsadm, args...)
	if code != 0 {
		l.t.Fatalf("lvsadm %q: exit %d\n%s%s", args, code, out, errOut)
	}
	return out
}

// table is the kernel's table as the real ipvsadm saves it, sorted.
func (l *vmLab) table() []string {
	l.t.Helper()
	out, errOut, code := l.run(l.ipvsadm, "-S", "-n")
	if code != 0 {
		l.t.Fatalf("ipvsadm -Sn: exit %d: %s", code, errOut)
	}
	return sortedLines(out)
}

// inactConns is the InActConn column of a real server in ipvsadm -Ln.
func (l *vmLab) inactConns(rs string) int {
	l.t.Helper()
	out, _, _ := l.run(l.ipvsadm, "-L", "-n")
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		if len(f) == 6 && f[0] == "->" && f[1] == rs {
			n, err := strconv.Atoi(f[5])
			if err != nil {
				l.t.Fatalf("ipvsadm -Ln: %q", line)
			}
			return n
		}
	}
	l.t.Fatalf("%s not in ipvsadm -Ln:\n%s", rs, out)
	return 0
}

// statsConns is the Conns counter of a real server in ipvsadm -Ln --stats.
func (l *vmLab) statsConns(rs string) int {
	l.t.Helper()
	out, _, _ := l.run(l.ipvsadm, "-L", "-n", "--stats", "--exact")
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		if len(f) == 7 && f[0] == "->" && f[1] == rs {
			n, err := strconv.Atoi(f[2])
			if err != nil {
				l.t.Fatalf("ipvsadm -Ln --stats: %q", line)
			}
			return n
		}
	}
	l.t.Fatalf("%s not in ipvsadm -Ln --stats:\n%s", rs, out)
	return 0
}

// sendUDP sends one datagram from this thread's namespace.
func sendUDP(t *testing.T, addr string) {
	t.Helper()
	c, err := net.Dial("udp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Write([]byte("probe")); err != nil {
		t.Fatal(err)
	}
}

func sortedLines(s string) []string {
	var out []string
	for _, line := range strings.Split(s, "\n") {
		if strings.TrimSpace(line) != "" {
			out = append(out, strings.TrimSpace(line))
		}
	}
	sort.Strings(out)
	return out
}

// expectTable checks the kernel holds exactly what cf render says plus
// the extra (unmanaged) lines.
func (l *vmLab) expectTable(step string, extra ...string) {
	l.t.Helper()
	want := sortedLines(l.must("cf", "render") + strings.Join(extra, "\n"))
	if got := l.table(); strings.Join(got, "\n") != strings.Join(want, "\n") {
		l.t.Fatalf("%s: ipvsadm -Sn\n%s\nwant (cf render + unmanaged)\n%s", step, strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// expectOps checks that a run printed exactly these operations.
func (l *vmLab) expectOps(step, got string, want ...string) {
	l.t.Helper()
	if w := strings.Join(want, "\n"); strings.TrimSpace(got) != w {
		l.t.Fatalf("%s: operations\n%s\nwant\n%s", step, got, w)
	}
}

// vmCf is corpus-like: NAT with a nat_router, an HTTP service with three
// real servers (one inactive), a persistent HTTPS service and an inactive
// virtual server.
const vmCf = `serial_no = 1
primary = 10.0.0.2
service = lvs
backup_active = 0
heartbeat = 1
keepalive = 2
deadtime = 6
network = nat
nat_router = 10.2.0.254 eth1:1
nat_nmask = 255.255.255.0
virtual http {
     active = 1
     address = 10.1.0.1 eth0:1
     vip_nmask = 255.255.255.0
     port = 80
     send = "GET / HTTP/1.0\r\n\r\n"
     expect = "HTTP"
     load_monitor = none
     scheduler = wlc
     protocol = tcp
     timeout = 6
     reentry = 15
     server web1 {
         address = 10.2.0.1
         active = 1
         weight = 1
     }
     server web2 {
         address = 10.2.0.2
         active = 1
         weight = 2
     }
     server web3 {
         address = 10.2.0.3
         active = 1
         weight = 1
     }
     server web9 {
         address = 10.2.0.9
         active = 0
         weight = 1
     }
}
virtual https {
     active = 1
     address = 10.1.0.1 eth0:1
     vip_nmask = 255.255.255.0
     port = 443
     persistent = 300
     scheduler = lc
     protocol = tcp
     server web1 {
         address = 10.2.0.1
         active = 1
         weight = 1
     }
}
virtual old {
     active = 0
     address = 10.1.0.9 eth0:2
     port = 80
     server web1 {
         address = 10.2.0.1
         active = 1
     }
}
`

// TestCfApplyVM applies a configuration, changes it and applies again,
// checking after each step, with the real ipvsadm, that the kernel holds
// what cf render says, and that only the differences were applied.
func TestCfApplyVM(t *testing.T) {
	l := newVMLab(t)
	if err := os.WriteFile(l.cf, []byte(vmCf), 0o644); err != nil {
		t.Fatal(err)
	}
	inFreshNetns(t, func() {
		// A service someone else manages: apply must leave it alone.
		unmanaged := "-A -t 10.9.9.9:25 -s rr"
		if out, errOut, code := l.run(l.ipvsadm, strings.Fields(unmanaged)...); code != 0 {
			t.Fatalf("ipvsadm %s: %s%s", unmanaged, out, errOut)
		}
		if lint := l.must("cf", "lint"); strings.Contains(lint, "error:") {
			t.Fatalf("the test configuration has errors:\n%s", lint)
		}

		// 1. From an empty table: everything is added, services first.
		dry := l.must("cf", "apply", "--dry-run")
		if got := l.table(); strings.Join(got, "\n") != unmanaged {
			t.Fatalf("--dry-run changed the table:\n%s", strings.Join(got, "\n"))
		}
		first := []string{
			"-A -t 10.1.0.1:80 -s wlc",
			"-a -t 10.1.0.1:80 -r 10.2.0.1:80 -m -w 1",
			"-a -t 10.1.0.1:80 -r 10.2.0.2:80 -m -w 2",
			"-a -t 10.1.0.1:80 -r 10.2.0.3:80 -m -w 1",
			"-A -t 10.1.0.1:443 -s lc -p 300",
			"-a -t 10.1.0.1:443 -r 10.2.0.1:443 -m -w 1",
		}
		l.expectOps("first dry run", dry, first...)
		l.expectOps("first apply", l.must("cf", "apply"), first...)
		l.expectTable("after the first apply", unmanaged)
		l.expectOps("second apply", l.must("cf", "apply"))

		// 2. Change the file with cf's own editing commands: a weight, a
		// scheduler, persistence, a new real server, a removed one.
		l.must("cf", "set", "virtual.http.server.web2.weight", "5")
		l.must("cf", "set", "virtual.http.scheduler", "rr")
		l.must("cf", "set", "virtual.https.persistent", "600")
		l.must("cf", "add", "server", "http", "web4", "address=10.2.0.4", "active=1", "weight=3")
		l.must("cf", "delete", "virtual.http.server.web1")
		if got := strings.TrimSpace(l.must("cf", "get", "serial_no")); got != "6" {
			t.Errorf("serial_no after five edits = %s, want 6", got)
		}
		second := []string{
			"-E -t 10.1.0.1:80 -s rr",
			"-d -t 10.1.0.1:80 -r 10.2.0.1:80",
			"-e -t 10.1.0.1:80 -r 10.2.0.2:80 -m -w 5",
			"-a -t 10.1.0.1:80 -r 10.2.0.4:80 -m -w 3",
			"-E -t 10.1.0.1:443 -s lc -p 600",
		}
		l.expectOps("dry run after the edits", l.must("cf", "apply", "--dry-run"), second...)
		l.expectOps("apply after the edits", l.must("cf", "apply"), second...)
		l.expectTable("after the edits", unmanaged)

		// 3. A real server deleted by hand is put back, and only it.
		if _, errOut, code := l.run(l.ipvsadm, "-d", "-t", "10.1.0.1:80", "-r", "10.2.0.3:80"); code != 0 {
			t.Fatalf("ipvsadm -d: %s", errOut)
		}
		// ... and a weight changed by hand is set back by an edit.
		if _, errOut, code := l.run(l.ipvsadm, "-e", "-t", "10.1.0.1:80", "-r", "10.2.0.4:80", "-m", "-w", "9"); code != 0 {
			t.Fatalf("ipvsadm -e: %s", errOut)
		}
		repair := []string{ // in the file's order: web3 comes before web4
			"-a -t 10.1.0.1:80 -r 10.2.0.3:80 -m -w 1",
			"-e -t 10.1.0.1:80 -r 10.2.0.4:80 -m -w 3",
		}
		l.expectOps("repair", l.must("cf", "apply"), repair...)
		l.expectTable("after the repair", unmanaged)

		// A virtual server switched off in the file is deleted (the file
		// names it, and piranha would not have created it).
		l.must("cf", "set", "virtual.https.active", "0")
		l.expectOps("inactive virtual", l.must("cf", "apply"), "-D -t 10.1.0.1:443")
		l.expectTable("after deactivating https", unmanaged)

		// 4. A configuration with lint errors changes nothing, even where
		// the rest of it would.
		before := l.table()
		good, err := os.ReadFile(l.cf)
		if err != nil {
			t.Fatal(err)
		}
		bad := strings.Replace(string(good), "weight = 5", "weight = 7", 1)
		bad = strings.Replace(bad, "port = 443", "port = https-ish", 1)
		if err := os.WriteFile(l.cf, []byte(bad), 0o644); err != nil {
			t.Fatal(err)
		}
		out, errOut, code := l.run(l.lvsadm, "cf", "apply")
		if code != 1 || out != "" || !strings.Contains(errOut, "[bad-port]") {
			t.Fatalf("apply of a file with errors: exit %d\n%s%s", code, out, errOut)
		}
		if after := l.table(); strings.Join(after, "\n") != strings.Join(before, "\n") {
			t.Fatalf("a refused apply changed the table:\n%s", strings.Join(after, "\n"))
		}
		if err := os.WriteFile(l.cf, good, 0o644); err != nil {
			t.Fatal(err)
		}

		// 5. --prune removes what the file does not name.
		l.expectOps("prune", l.must("cf", "apply", "--prune"), "-D -t 10.9.9.9:25")
		l.expectTable("after --prune")
	})
}

// TestCfApplyFwmarkUDPVM covers the other service shapes the corpus has:
// firewall marks (which the kernel reports without protocol or address),
// UDP, and direct routing (the real server takes the service port).
func TestCfApplyFwmarkUDPVM(t *testing.T) {
	l := newVMLab(t)
	cf := `serial_no = 1
primary = 10.0.0.2
service = lvs
network = direct
virtual sip {
     active = 1
     address = 10.1.0.5 eth0:1
     fwmark = 3
     protocol = udp
     port = 5060
     persistent = 60
     scheduler = wlc
     send = "OPTIONS"
     expect = "SIP"
     server s1 {
         address = 10.2.0.11
         active = 1
     }
     server s2 {
         address = 10.2.0.12
         active = 1
     }
}
virtual dns {
     active = 1
     address = 10.1.0.6 eth0:2
     protocol = udp
     port = 53
     scheduler = rr
     send = "x"
     server d1 {
         address = 10.2.0.21
         port = 5353
         active = 1
         weight = 4
     }
}
`
	if err := os.WriteFile(l.cf, []byte(cf), 0o644); err != nil {
		t.Fatal(err)
	}
	inFreshNetns(t, func() {
		l.must("cf", "apply")
		l.expectTable("first apply")
		l.expectOps("idempotent", l.must("cf", "apply", "--dry-run"))

		// A datagram to the VIP from this namespace goes through IPVS
		// (its LOCAL_OUT hook) and leaves a connection entry on d1.
		sendUDP(t, "10.1.0.6:53")
		if n := l.inactConns("10.2.0.21:53"); n < 1 {
			t.Fatalf("no connection on d1 after a datagram (InActConn %d)", n)
		}
		// The kernel folds per-CPU counters into the totals every 2 seconds.
		time.Sleep(3 * time.Second)
		conns := l.statsConns("10.2.0.21:53")
		if conns < 1 {
			t.Fatalf("d1 counts no connection in --stats (%d)", conns)
		}
		l.must("cf", "set", "virtual.sip.scheduler", "sh")
		l.must("cf", "set", "virtual.dns.server.d1.weight", "1")
		l.expectOps("after the edits", l.must("cf", "apply"),
			"-E -f 3 -s sh -p 60",
			"-e -u 10.1.0.6:53 -r 10.2.0.21:53 -g -w 1")
		l.expectTable("after the edits")
		// The edited real server is the same kernel object: its connection
		// is still counted on it.
		time.Sleep(3 * time.Second)
		if n, c := l.inactConns("10.2.0.21:53"), l.statsConns("10.2.0.21:53"); n < 1 || c != conns {
			t.Errorf("d1 lost its connection or counters across a weight change (InActConn %d, Conns %d, was %d)", n, c, conns)
		}
		// For comparison, what a delete and an add (what an apply without
		// edits would do) leaves; logged, since it depends on whether the
		// kernel reuses deleted destinations from its trash list.
		l.run(l.ipvsadm, "-d", "-u", "10.1.0.6:53", "-r", "10.2.0.21:53")
		l.run(l.ipvsadm, "-a", "-u", "10.1.0.6:53", "-r", "10.2.0.21:53", "-g", "-w", "1")
		time.Sleep(3 * time.Second)
		t.Logf("after ipvsadm -d and -a instead of -e, d1 counts InActConn %d, Conns %d", l.inactConns("10.2.0.21:53"), l.statsConns("10.2.0.21:53"))
	})
}
