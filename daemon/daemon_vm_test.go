//go:build vmtest

package daemon

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/lvsadm/lvsadm/daemon/control"
)

// The daemon runs inside the directors' namespaces as a child process: the
// lvsadm binary's "daemon" subcommand when it has one, else this test
// binary re-executed in daemon mode (TestMain), which runs the same
// daemon.New/Run the subcommand does.
func TestMain(m *testing.M) {
	if os.Getenv("LVSADM_DAEMON_CHILD") == "1" {
		os.Exit(runChild())
	}
	if spec := os.Getenv("LVSADM_LAB_SERVER"); spec != "" {
		os.Exit(runLabServer(spec))
	}
	if lab := os.Getenv("LAB"); lab != "" {
		b, err := os.ReadFile(filepath.Join(lab, "pair.cf"))
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		labConfig = string(b)
	}
	os.Exit(m.Run())
}

func runChild() int {
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	d, err := New(Options{ConfigPath: os.Getenv("LVSADM_CONFIG"), SocketPath: os.Getenv("LVSADM_SOCKET"), KeyFile: os.Getenv("LVSADM_KEYFILE"), LockDir: os.Getenv("LVSADM_LOCKDIR"), Logger: log, ResyncInterval: labResync})
	if err != nil {
		log.Error("start", "err", err)
		return 1
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	go func() {
		for range hup {
			d.Reload()
		}
	}()
	if err := d.Run(ctx); err != nil {
		log.Error("run", "err", err)
		return 1
	}
	return 0
}

const ipCmd = "/usr/sbin/ip"

type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) { s.mu.Lock(); defer s.mu.Unlock(); return s.b.Write(p) }
func (s *syncBuf) String() string              { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

type labDaemon struct {
	name string
	sock string
	cmd  *exec.Cmd
	log  *syncBuf
	done chan error
}

func labEnv(t *testing.T, name string) string {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		t.Skipf("%s not set (run through testdata/vm/vmtest.sh)", name)
	}
	return v
}

func sh(t *testing.T, script string) string {
	t.Helper()
	lab := labEnv(t, "LAB")
	full := ". " + lab + "/topology.sh; . " + lab + "/daemon.sh; " + script
	out, err := exec.Command("sh", "-c", full).CombinedOutput()
	if err != nil {
		t.Fatalf("lab: %s: %v\n%s", script, err, out)
	}
	return string(out)
}

// labResync is the lab daemons' periodic resync: short, so that a test
// can wait past one.
const labResync = 3 * time.Second

func startLabDaemon(t *testing.T, ns, cfg string, keyFile ...string) *labDaemon {
	t.Helper()
	return startLabDaemonAt(t, ns, cfg, "/tmp/lvsadm-"+ns+".sock", keyFile...)
}

// startLabDaemonAt is startLabDaemon with the control socket at sock. The
// test binary's child takes the single-instance lock as `lvsadm daemon`
// does (LVSADM_LOCKDIR).
func startLabDaemonAt(t *testing.T, ns, cfg, sock string, keyFile ...string) *labDaemon {
	t.Helper()
	d := &labDaemon{name: ns, sock: sock, log: &syncBuf{}, done: make(chan error, 1)}
	lvsadm := os.Getenv("LVSADM")
	if lvsadm != "" && exec.Command(lvsadm, "daemon", "--help").Run() == nil {
		args := []string{"netns", "exec", ns, lvsadm, "daemon", "--config", cfg, "--socket", d.sock, "--resync-interval", labResync.String()}
		if len(keyFile) > 0 {
			args = append(args, "--heartbeat-key-file", keyFile[0])
		}
		d.cmd = exec.Command(ipCmd, args...)
	} else {
		self, err := os.Executable()
		if err != nil {
			t.Fatal(err)
		}
		d.cmd = exec.Command(ipCmd, "netns", "exec", ns, self)
		d.cmd.Env = append(os.Environ(), "LVSADM_DAEMON_CHILD=1", "LVSADM_CONFIG="+cfg, "LVSADM_SOCKET="+d.sock, "LVSADM_LOCKDIR="+DefaultLockDir)
		if len(keyFile) > 0 {
			d.cmd.Env = append(d.cmd.Env, "LVSADM_KEYFILE="+keyFile[0])
		}
	}
	d.cmd.Stdout, d.cmd.Stderr = d.log, d.log
	if err := d.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { d.done <- d.cmd.Wait() }()
	t.Cleanup(func() {
		d.signal(syscall.SIGKILL)
		// Gone before the lab is torn down: a process still in a
		// namespace keeps it, and its veths, alive after "ip netns del",
		// and the next test's topology would collide with them.
		select {
		case err := <-d.done:
			d.done <- err
		case <-time.After(10 * time.Second):
			t.Errorf("%s daemon did not die", ns)
		}
		if t.Failed() {
			t.Logf("--- %s daemon log ---\n%s", ns, d.log.String())
		}
	})
	return d
}

func (d *labDaemon) signal(s syscall.Signal) {
	if d.cmd.ProcessState == nil {
		d.cmd.Process.Signal(s)
	}
}

// kill sends SIGKILL and waits: the daemon dies leaving its addresses and
// table behind, as on a crash.
func (d *labDaemon) kill() {
	d.signal(syscall.SIGKILL)
	d.done <- <-d.done
}

// stop sends SIGTERM and waits: the daemon gives its addresses up.
func (d *labDaemon) stop(t *testing.T) {
	t.Helper()
	d.signal(syscall.SIGTERM)
	select {
	case err := <-d.done:
		d.done <- err
	case <-time.After(30 * time.Second):
		t.Fatalf("%s daemon did not stop", d.name)
	}
}

func (d *labDaemon) status(t *testing.T) *control.Status {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	st, _, err := queryStatus(ctx, d.sock)
	if err != nil {
		return nil
	}
	return st
}

func eventually(t *testing.T, what string, within time.Duration, cond func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for !cond() {
		if time.Since(start) > within {
			t.Fatalf("timed out after %v waiting for %s", within, what)
		}
		time.Sleep(200 * time.Millisecond)
	}
	return time.Since(start)
}

// table lists the real servers of the VIP's service in a director's
// namespace, read by the real ipvsadm.
func table(t *testing.T, ns string) string {
	out, _ := exec.Command(ipCmd, "netns", "exec", ns, "/sbin/ipvsadm", "-Ln").CombinedOutput()
	return string(out)
}

// syncDaemons is what the real ipvsadm says of a namespace's sync daemons.
func syncDaemons(ns string) string {
	out, _ := exec.Command(ipCmd, "netns", "exec", ns, "/sbin/ipvsadm", "-L", "--daemon").CombinedOutput()
	return string(out)
}

// fetch asks the VIP for a page from the client; "" on failure. (This
// busybox's wget crashes with -T, so the timeout is the context's; "ip
// netns exec" execs wget, so the kill reaches it.)
func fetch(t *testing.T) string {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, ipCmd, "netns", "exec", "client", "wget", "-qO-", "http://192.168.100.10/").Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

func fetchN(t *testing.T, n int) map[string]int {
	seen := map[string]int{}
	for i := 0; i < n; i++ {
		seen[fetch(t)]++
	}
	return seen
}

// labState dumps what a failing test needs to see.
func labState() string {
	var b strings.Builder
	run := func(args ...string) {
		out, _ := exec.Command(args[0], args[1:]...).CombinedOutput()
		fmt.Fprintf(&b, "$ %s\n%s", strings.Join(args, " "), out)
	}
	for _, ns := range []string{"d1", "d2"} {
		run(ipCmd, "-n", ns, "addr", "show")
		run(ipCmd, "netns", "exec", ns, "/sbin/ipvsadm", "-L", "--daemon")
		run(ipCmd, "netns", "exec", ns, "/sbin/ipvsadm", "-Ln", "--stats")
		run(ipCmd, "netns", "exec", ns, "/sbin/ipvsadm", "-Lnc")
	}
	for _, ns := range []string{"client", "rs1", "rs2"} {
		run(ipCmd, "-n", ns, "neigh")
		run(ipCmd, "-n", ns, "route")
	}
	return b.String()
}

// mac is the hardware address of a namespace's interface.
func mac(ns, dev string) string {
	out, _ := exec.Command(ipCmd, "-n", ns, "-o", "link", "show", "dev", dev).CombinedOutput()
	f := strings.Fields(string(out))
	for i := range f {
		if f[i] == "link/ether" && i+1 < len(f) {
			return f[i+1]
		}
	}
	return "?"
}

// neighbour is the hardware address ns has cached for addr ("" if none).
func neighbour(ns, addr string) string {
	out, _ := exec.Command(ipCmd, "-n", ns, "neigh", "show", addr).CombinedOutput()
	f := strings.Fields(string(out))
	for i := range f {
		if f[i] == "lladdr" && i+1 < len(f) {
			return f[i+1]
		}
	}
	return ""
}

func hasVIP(ns string) bool {
	out, _ := exec.Command(ipCmd, "-n", ns, "addr", "show", "dev", "eth0").CombinedOutput()
	return strings.Contains(string(out), "192.168.100.10/") && strings.Contains(string(out), "eth0:1")
}

// labConfig is the pair's lvs.cf (testdata/lab/pair.cf, which the daemon
// benchmark shares), read by TestMain.
var labConfig string

// TestLabFailover: two directors (namespaces on one bridge) with a client
// and two real servers; the primary balances the VIP; a real server whose
// httpd stops leaves the table within timeout + one interval and returns
// after reentry; the primary's daemon stops and the backup takes the VIP
// and the NAT router over while the client keeps being served; the
// primary's daemon comes back as standby (no fail-back).
func TestLabFailover(t *testing.T) {
	labEnv(t, "LAB")
	sh(t, "lab_daemon_teardown; lab_daemon_topology")
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("--- lab state ---\n%s", labState())
		}
		sh(t, "lab_daemon_teardown")
	})
	cfg := filepath.Join(t.TempDir(), "lvs.cf")
	if err := os.WriteFile(cfg, []byte(labConfig), 0o644); err != nil {
		t.Fatal(err)
	}
	d1 := startLabDaemon(t, "d1", cfg)
	d2 := startLabDaemon(t, "d2", cfg)
	act, sb := settle(t, d1, d2)
	A, B := act.name, sb.name

	if seen := fetchN(t, 4); seen["rs1"] != 2 || seen["rs2"] != 2 {
		t.Fatalf("answers through %s %v, want rs1 and rs2 twice each (rr)", A, seen)
	}
	// The kernel's connection sync daemon runs as master on the active
	// director and as backup on the standby (pulse's syncDaemon).
	eventually(t, "sync daemons master on "+A+", backup on "+B, 10*time.Second, func() bool {
		return strings.Contains(syncDaemons(A), "master sync daemon (mcast=eth1, syncid=7,") && !strings.Contains(syncDaemons(A), "backup") &&
			strings.Contains(syncDaemons(B), "backup sync daemon (mcast=eth1, syncid=7,") && !strings.Contains(syncDaemons(B), "master")
	})
	// "lvsadm status", when the binary has it, reads the same socket.
	if lvsadm := os.Getenv("LVSADM"); lvsadm != "" && exec.Command(lvsadm, "status", "--help").Run() == nil {
		out, err := exec.Command(lvsadm, "status", "--socket", act.sock).CombinedOutput()
		if err != nil || !strings.Contains(string(out), "role:    active") || !strings.Contains(string(out), "rs2") {
			t.Errorf("lvsadm status: %v\n%s", err, out)
		}
		t.Logf("lvsadm status:\n%s", out)
	}

	// httpd stops on rs1: it leaves the active table within timeout + interval.
	sh(t, "lab_httpd_stop rs1")
	took := eventually(t, "rs1 out of the table", 15*time.Second, func() bool { return !strings.Contains(table(t, A), "10.10.0.2:80") })
	t.Logf("rs1 left the table %v after its httpd stopped (timeout 1 s + interval 1 s)", took)
	if took > 4*time.Second { // timeout + one interval, plus slack for the emulated VM
		t.Errorf("rs1 took %v to leave the table", took)
	}
	if seen := fetchN(t, 3); seen["rs2"] != 3 {
		t.Errorf("answers with rs1 down %v, want rs2 only", seen)
	}
	sh(t, "lab_httpd rs1 rs1")
	took = eventually(t, "rs1 back in the table", 20*time.Second, func() bool { return strings.Contains(table(t, A), "10.10.0.2:80") })
	t.Logf("rs1 back %v after httpd restarted (reentry 3 s)", took)
	if took < 2*time.Second {
		t.Errorf("rs1 back after %v, before reentry", took)
	}

	// The active director's daemon stops: the other takes over.
	stopped := time.Now()
	act.stop(t)
	if hasVIP(A) || strings.Contains(table(t, A), "10.10.0") {
		t.Errorf("%s kept the VIP or the table after stopping:\n%s", A, table(t, A))
	}
	eventually(t, B+" takes over", 30*time.Second, func() bool {
		st := sb.status(t)
		return st != nil && st.Heartbeat.Role == "active" && hasVIP(B) && strings.Contains(table(t, B), "10.10.0.2:80")
	})
	t.Logf("%s active %v after %s's daemon stopped (deadtime 2 s)", B, time.Since(stopped), A)
	if !strings.Contains(syncDaemons(B), "master sync daemon") || strings.Contains(syncDaemons(A), "sync daemon") {
		t.Errorf("sync daemons after the takeover: %s: %q, %s: %q", B, syncDaemons(B), A, syncDaemons(A))
	}
	// The gratuitous ARP moved the client's and the real servers' caches
	// (they still held the old director's addresses) to the new one.
	eventually(t, "client's ARP entry for the VIP points at "+B, 10*time.Second, func() bool { return neighbour("client", "192.168.100.10") == mac(B, "eth0") })
	eventually(t, "rs1's ARP entry for the NAT router points at "+B, 10*time.Second, func() bool { return neighbour("rs1", "10.10.0.254") == mac(B, "eth1") })
	eventually(t, "client served through "+B, 30*time.Second, func() bool { return fetch(t) != "" })
	if seen := fetchN(t, 4); seen["rs1"] != 2 || seen["rs2"] != 2 {
		t.Errorf("answers through %s %v, want rs1 and rs2 twice each", B, seen)
	}

	// The stopped director comes back: piranha does not fail back, it
	// stays standby (even when it is the primary).
	back := startLabDaemon(t, A, cfg)
	eventually(t, A+" back as standby hearing "+B+" running", 30*time.Second, func() bool {
		st := back.status(t)
		return st != nil && st.Heartbeat.Peer.State == "running"
	})
	time.Sleep(3 * time.Second) // a few keepalives: no flap
	if st := back.status(t); st.Heartbeat.Role != "standby" {
		t.Errorf("returning %s (%s) is %s, want standby", A, st.Heartbeat.Identity, st.Heartbeat.Role)
	}
	if st := sb.status(t); st.Heartbeat.Role != "active" || !hasVIP(B) || hasVIP(A) {
		t.Errorf("%s %s, VIP on %s %v, on %s %v: want %s to keep it", B, st.Heartbeat.Role, B, hasVIP(B), A, hasVIP(A), B)
	}
	// One fetch may time out on a loaded emulated VM; the service must be
	// there within a few tries.
	eventually(t, "client served after "+A+" returned", 20*time.Second, func() bool { return fetch(t) != "" })
}

// settle waits until one director is active with both real servers in
// its table and the other is standby hearing it run, and returns them in
// that order. Started together, the primary activates and the backup
// waits for its "running" (lvsadm's start-up rule; pulse let both activate
// for a moment); a backup started a deadtime before the primary takes over
// and keeps the role (piranha never fails back): either outcome is valid.
func settle(t *testing.T, d1, d2 *labDaemon) (act, sb *labDaemon) {
	t.Helper()
	took := eventually(t, "one director active with both real servers, the other standby", 60*time.Second, func() bool {
		s1, s2 := d1.status(t), d2.status(t)
		if s1 == nil || s2 == nil {
			return false
		}
		act, sb = d1, d2
		sa, ss := s1, s2
		if s2.Heartbeat.Role == "active" {
			act, sb, sa, ss = d2, d1, s2, s1
		}
		tab := table(t, act.name)
		return sa.Heartbeat.Role == "active" && ss.Heartbeat.Role == "standby" && ss.Heartbeat.Peer.State == "running" &&
			strings.Contains(tab, "10.10.0.2:80") && strings.Contains(tab, "10.10.0.3:80") &&
			hasVIP(act.name) && !hasVIP(sb.name)
	})
	t.Logf("%s active with both servers after %v, %s standby", act.name, took, sb.name)
	return act, sb
}

// TestLabKill: a keyed pair (signed heartbeats on both links, none
// rejected); SIGHUP reloads (a good file applied, a bad one refused);
// then the active director's daemon dies by SIGKILL, leaving its
// addresses and table behind as a crashed host would (pulse could not
// clean up either). The backup takes over after deadtime and its
// gratuitous ARP moves the client and the real servers to it: the client
// is served through d2 even though d1 still holds the VIP.
func TestLabKill(t *testing.T) {
	labEnv(t, "LAB")
	sh(t, "lab_daemon_teardown; lab_daemon_topology")
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("--- lab state ---\n%s", labState())
		}
		sh(t, "lab_daemon_teardown")
	})
	cfg := filepath.Join(t.TempDir(), "lvs.cf")
	if err := os.WriteFile(cfg, []byte(labConfig), 0o644); err != nil {
		t.Fatal(err)
	}
	// This pair signs its heartbeats, which travel over both links.
	key := filepath.Join(t.TempDir(), "hb.key")
	if err := os.WriteFile(key, []byte("lab heartbeat key 0123456789\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	d1 := startLabDaemon(t, "d1", cfg, key)
	d2 := startLabDaemon(t, "d2", cfg, key)
	act, sb := settle(t, d1, d2)
	A, B := act.name, sb.name
	time.Sleep(2 * time.Second) // a few keepalives over both links
	for _, d := range []*labDaemon{act, sb} {
		if st := d.status(t); st == nil || !st.Heartbeat.Peer.Signed || st.Heartbeat.Rejected != 0 {
			t.Errorf("%s: keyed heartbeat status %+v, want signed and nothing rejected", d.name, st.Heartbeat)
		}
	}
	eventually(t, "client served through "+A, 20*time.Second, func() bool { return fetch(t) != "" })

	// SIGHUP reloads: rs2 made inactive leaves the table; then a file with
	// a lint error is refused and changes nothing.
	reloaded := strings.Replace(strings.Replace(labConfig, "serial_no = 1", "serial_no = 2", 1),
		"address = 10.10.0.3\n         active = 1", "address = 10.10.0.3\n         active = 0", 1)
	if err := os.WriteFile(cfg, []byte(reloaded), 0o644); err != nil {
		t.Fatal(err)
	}
	act.signal(syscall.SIGHUP)
	sb.signal(syscall.SIGHUP)
	eventually(t, "rs2 out of the table after SIGHUP", 10*time.Second, func() bool {
		st := act.status(t)
		return st != nil && st.Serial == 2 && !strings.Contains(table(t, A), "10.10.0.3:80") && strings.Contains(table(t, A), "10.10.0.2:80")
	})
	if err := os.WriteFile(cfg, []byte(reloaded+"keepalive=1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	act.signal(syscall.SIGHUP)
	eventually(t, "the bad reload refused", 10*time.Second, func() bool {
		st := act.status(t)
		return st != nil && st.LastReloadError != "" && st.Serial == 2
	})
	if tab := table(t, A); !strings.Contains(tab, "10.10.0.2:80") || act.status(t).Heartbeat.Role != "active" {
		t.Errorf("refused reload disturbed the director:\n%s", tab)
	}
	if seen := fetchN(t, 2); seen["rs1"] != 2 {
		t.Errorf("answers after the reload %v, want rs1 only", seen)
	}

	if neighbour("client", "192.168.100.10") != mac(A, "eth0") {
		t.Fatalf("client's ARP entry %q, want %s's %s", neighbour("client", "192.168.100.10"), A, mac(A, "eth0"))
	}
	killed := time.Now()
	act.kill()
	eventually(t, B+" takes over", 30*time.Second, func() bool {
		st := sb.status(t)
		return st != nil && st.Heartbeat.Role == "active" && hasVIP(B)
	})
	t.Logf("%s active %v after %s's daemon was killed", B, time.Since(killed), A)
	eventually(t, "client's ARP entry moves to "+B, 10*time.Second, func() bool { return neighbour("client", "192.168.100.10") == mac(B, "eth0") })
	eventually(t, "client served", 20*time.Second, func() bool { return fetch(t) != "" })
	if seen := fetchN(t, 4); seen["rs1"] != 4 {
		t.Errorf("answers after the kill %v, want rs1 only (rs2 inactive since the reload)", seen)
	}
	time.Sleep(3 * time.Second) // the kernel folds per-CPU counters into the stats every 2 s
	out, _ := exec.Command(ipCmd, "netns", "exec", B, "/sbin/ipvsadm", "-Ln", "--stats", "--exact").CombinedOutput()
	for _, l := range strings.Split(string(out), "\n") {
		if strings.HasPrefix(l, "TCP  192.168.100.10:80") {
			if f := strings.Fields(l); len(f) < 3 || f[2] == "0" {
				t.Errorf("%s carried no connection: %q", B, l)
			}
		}
	}
}
