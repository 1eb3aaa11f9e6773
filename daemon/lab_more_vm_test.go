//go:build vmtest

package daemon

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/lvsadm/lvsadm/daemon/control"
	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"
)

// The real servers of these tests are this test binary re-executed in a
// real-server namespace (LVSADM_LAB_SERVER): busybox httpd can neither
// drip a large body at a chosen rate nor misbehave on cue. The spec is a
// comma-separated list of PORT=MODE or PORT=MODE/LATER; SIGUSR1 switches
// every port to its LATER mode, so a server is seen up first and then
// breaks while the daemon watches.
//
//	good     answers any request with an HTTP page naming the server
//	         (LVSADM_LAB_NAME); GET /big gets LVSADM_LAB_BIG bytes at
//	         LVSADM_LAB_RATE bytes per second
//	hang     accepts and never answers
//	reset    accepts and resets the connection
//	garbage  answers bytes that are not HTTP
//	drip     answers an HTTP status line one byte every 700 ms
func runLabServer(spec string) int {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	usr1 := make(chan os.Signal, 1)
	signal.Notify(usr1, syscall.SIGUSR1)
	var mu sync.Mutex
	later := false
	go func() {
		select {
		case <-usr1:
			mu.Lock()
			later = true
			mu.Unlock()
		case <-ctx.Done():
		}
	}()
	name := os.Getenv("LVSADM_LAB_NAME")
	big, _ := strconv.Atoi(os.Getenv("LVSADM_LAB_BIG"))
	rate, _ := strconv.Atoi(os.Getenv("LVSADM_LAB_RATE"))
	var wg sync.WaitGroup
	for _, item := range strings.Split(spec, ",") {
		port, modes, _ := strings.Cut(item, "=")
		first, after, ok := strings.Cut(modes, "/")
		if !ok {
			after = first
		}
		// A server killed just before (httpd) may still hold the port.
		ln, err := net.Listen("tcp", ":"+port)
		for tries := 0; err != nil && tries < 50; tries++ {
			time.Sleep(100 * time.Millisecond)
			ln, err = net.Listen("tcp", ":"+port)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "lab server:", err)
			return 1
		}
		go func() { <-ctx.Done(); ln.Close() }()
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				mu.Lock()
				mode := first
				if later {
					mode = after
				}
				mu.Unlock()
				wg.Add(1)
				go func() {
					defer wg.Done()
					serveLab(ctx, c.(*net.TCPConn), mode, name, big, rate)
				}()
			}
		}()
	}
	wg.Wait()
	return 0
}

func serveLab(ctx context.Context, c *net.TCPConn, mode, name string, big, rate int) {
	defer c.Close()
	// Every connection ends with the server process.
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer stop()
	switch mode {
	case "hang":
		io.Copy(io.Discard, c) // until the checker gives up and closes
		return
	case "reset":
		c.SetLinger(0)
		return
	case "garbage":
		c.Write([]byte("\x00\xffSSH-2.0-not-http\r\n"))
		return
	case "drip":
		for _, b := range []byte("HTTP/1.0 200 OK\r\n\r\n") {
			if _, err := c.Write([]byte{b}); err != nil {
				return
			}
			select {
			case <-ctx.Done():
				return
			case <-time.After(700 * time.Millisecond):
			}
		}
		return
	}
	req := make([]byte, 1024)
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	n, _ := c.Read(req)
	c.SetReadDeadline(time.Time{})
	if !strings.HasPrefix(string(req[:n]), "GET /big ") {
		body := name + "\n"
		fmt.Fprintf(c, "HTTP/1.0 200 OK\r\nContent-Length: %d\r\n\r\n%s", len(body), body)
		return
	}
	fmt.Fprintf(c, "HTTP/1.0 200 OK\r\nContent-Length: %d\r\n\r\n", big)
	// Chunks of a tenth of the rate, ten a second.
	chunk := make([]byte, max(rate/10, 1))
	for i := range chunk {
		chunk[i] = 'x'
	}
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	for sent := 0; sent < big; {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		n := min(len(chunk), big-sent)
		if _, err := c.Write(chunk[:n]); err != nil {
			return
		}
		sent += n
	}
}

// startLabServer runs the lab server in namespace ns until the test ends.
func startLabServer(t *testing.T, ns, spec string, env ...string) *exec.Cmd {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(ipCmd, "netns", "exec", ns, self)
	cmd.Env = append(append(os.Environ(), "LVSADM_LAB_SERVER="+spec, "LVSADM_LAB_NAME="+ns), env...)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-done
	})
	return cmd
}

// labTopology builds the two-director lab and tears it down after the
// test (dumping its state if the test failed).
func labTopology(t *testing.T, extra string) {
	t.Helper()
	labEnv(t, "LAB")
	script := "lab_daemon_teardown; lab_daemon_topology"
	if extra != "" {
		script += " && " + extra
	}
	sh(t, script)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("--- lab state ---\n%s", labState())
		}
		sh(t, "lab_daemon_teardown")
	})
}

// labPair builds the lab (with extra lab steps, then the before
// functions: real servers to start), starts both directors' daemons on
// configuration conf and waits until one is active and the other standby;
// it returns the configuration's path and the pair.
func labPair(t *testing.T, conf, extra string, before ...func()) (cfg string, act, sb *labDaemon) {
	t.Helper()
	labTopology(t, extra)
	for _, f := range before {
		f()
	}
	cfg = writeCfg(t, conf)
	d1 := startLabDaemon(t, "d1", cfg)
	d2 := startLabDaemon(t, "d2", cfg)
	act, sb = settle(t, d1, d2)
	return cfg, act, sb
}

func writeCfg(t *testing.T, cfg string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "lvs.cf")
	if err := os.WriteFile(p, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// replaceOnce is strings.Replace that fails the test when old is absent,
// so a configuration edit cannot silently do nothing.
func replaceOnce(t *testing.T, s, old, new string) string {
	t.Helper()
	if !strings.Contains(s, old) {
		t.Fatalf("configuration has no %q", old)
	}
	return strings.Replace(s, old, new, 1)
}

// vipHolders samples, through netlink in each director's namespace
// (cheaper than running ip, so the sampling can be dense), which of them
// hold the VIP.
type vipHolders struct {
	handles map[string]*netlink.Handle
}

func newVIPHolders(t *testing.T, names ...string) *vipHolders {
	t.Helper()
	v := &vipHolders{handles: map[string]*netlink.Handle{}}
	for _, n := range names {
		ns, err := netns.GetFromName(n)
		if err != nil {
			t.Fatal(err)
		}
		h, err := netlink.NewHandleAt(ns, unix.NETLINK_ROUTE)
		ns.Close()
		if err != nil {
			t.Fatal(err)
		}
		v.handles[n] = h
		t.Cleanup(h.Close)
	}
	return v
}

func (v *vipHolders) holds(name string) bool {
	addrs, err := v.handles[name].AddrList(nil, netlink.FAMILY_V4)
	if err != nil {
		return false
	}
	for _, a := range addrs {
		if a.IP.Equal(net.IPv4(192, 168, 100, 10)) {
			return true
		}
	}
	return false
}

// TestLabHeartbeatLinks: the heartbeat travels over the public and the
// private link. The standby's public cable is cut (its bridge port goes
// down: carrier lost on both ends, nothing crosses in either direction,
// as with a pulled cable or a dead switch port; an iptables rule would
// drop only what it names and leave the link up): the heartbeat keeps
// coming over the private link, so no takeover for 3 x deadtime, and the
// client is still served by the active director. Then the private cable
// is cut too: the standby hears nothing and takes over within deadtime.
func TestLabHeartbeatLinks(t *testing.T) {
	_, act, sb := labPair(t, labConfig, "")
	A, B := act.name, sb.name
	const deadtime = 2 * time.Second

	sh(t, "$IP link set p-"+B+"-eth0 down")
	cut := time.Now()
	for time.Since(cut) < 3*deadtime+time.Second {
		if st := sb.status(t); st == nil || st.Heartbeat.Role != "standby" {
			t.Fatalf("%s took over %v after its public link was cut: %+v", B, time.Since(cut), st)
		}
		if st := act.status(t); st == nil || st.Heartbeat.Role != "active" {
			t.Fatalf("%s gave up %v after %s's public link was cut: %+v", A, time.Since(cut), B, st)
		}
		time.Sleep(200 * time.Millisecond)
	}
	st := sb.status(t)
	if st.Heartbeat.Peer.Link != "private" || time.Since(st.Heartbeat.Peer.LastHeard) > deadtime {
		t.Errorf("%s's last heartbeat: link %q, %v ago; want the private link, within deadtime", B, st.Heartbeat.Peer.Link, time.Since(st.Heartbeat.Peer.LastHeard))
	}
	if got := fetch(t); got != "rs1" && got != "rs2" {
		t.Errorf("client through %s with %s's public link cut: %q", A, B, got)
	}
	t.Logf("%s standby for %v with only the private link, last heartbeat over %s", B, time.Since(cut).Round(time.Millisecond), st.Heartbeat.Peer.Link)

	sh(t, "$IP link set p-"+B+"-eth1 down")
	took := eventually(t, B+" takes over with both links cut", 30*time.Second, func() bool {
		st := sb.status(t)
		return st != nil && st.Heartbeat.Role == "active"
	})
	t.Logf("%s active %v after its private link was cut too (deadtime %v)", B, took.Round(time.Millisecond), deadtime)
	if took > deadtime+3*time.Second {
		t.Errorf("takeover took %v, want within deadtime %v + 3 s", took, deadtime)
	}
}

// TestLabDaemonRestart: the active daemon is killed (SIGKILL) while the
// machine stays up, so the VIP stays on its interface; the standby takes
// over. Started again, the killed daemon removes the VIP it left behind
// before it answers status, finds the partner active and stays standby.
// Both directors' addresses are sampled every ~50 ms through the restart:
// once the restarted daemon answers, never do both hold the VIP.
func TestLabDaemonRestart(t *testing.T) {
	cfg, act, sb := labPair(t, labConfig, "")
	A, B := act.name, sb.name
	vh := newVIPHolders(t, A, B)

	killed := time.Now()
	act.kill()
	eventually(t, B+" takes over", 30*time.Second, func() bool {
		st := sb.status(t)
		return st != nil && st.Heartbeat.Role == "active" && vh.holds(B)
	})
	t.Logf("%s active %v after %s's daemon was killed", B, time.Since(killed).Round(time.Millisecond), A)
	if !vh.holds(A) {
		t.Fatalf("%s no longer holds the VIP after SIGKILL: the test would prove nothing", A)
	}

	// Sample from just before the start until well after it settled.
	type sample struct {
		at       time.Duration
		a, b, up bool
	}
	var (
		mu      sync.Mutex
		samples []sample
		ready   bool
	)
	ctx, cancel := context.WithCancel(context.Background())
	sampled := make(chan struct{})
	start := time.Now()
	go func() {
		defer close(sampled)
		for ctx.Err() == nil {
			s := sample{at: time.Since(start), a: vh.holds(A), b: vh.holds(B)}
			mu.Lock()
			s.up = ready
			samples = append(samples, s)
			mu.Unlock()
			time.Sleep(50 * time.Millisecond)
		}
	}()
	back := startLabDaemon(t, A, cfg)
	answered := eventually(t, A+" answers status", 30*time.Second, func() bool { return back.status(t) != nil })
	mu.Lock()
	ready = true
	mu.Unlock()
	eventually(t, A+" standby hearing "+B+" running", 30*time.Second, func() bool {
		st := back.status(t)
		return st != nil && st.Heartbeat.Role == "standby" && st.Heartbeat.Peer.State == "running"
	})
	time.Sleep(3 * time.Second) // several keepalives: no flap
	cancel()
	<-sampled

	var both, afterReady int
	var leftoverGone time.Duration = -1
	for _, s := range samples {
		if s.up {
			afterReady++
			if s.a && s.b {
				both++
			}
		}
		if !s.a && leftoverGone < 0 {
			leftoverGone = s.at
		}
	}
	t.Logf("%d samples over %v (%d after %s answered at %v); its leftover VIP gone %v after the start", len(samples), time.Since(start).Round(time.Millisecond), afterReady, A, answered.Round(time.Millisecond), leftoverGone.Round(time.Millisecond))
	if both > 0 {
		t.Errorf("both directors held the VIP in %d of %d samples after %s answered", both, afterReady, A)
	}
	if afterReady < 20 {
		t.Errorf("only %d samples after the start: sampling too sparse to prove anything", afterReady)
	}
	if vh.holds(A) || !vh.holds(B) {
		t.Errorf("VIP on %s %v, on %s %v: want %s only", A, vh.holds(A), B, vh.holds(B), B)
	}
	if st := back.status(t); st == nil || st.Heartbeat.Role != "standby" {
		t.Errorf("restarted %s: %+v, want standby", A, st)
	}
	if !strings.Contains(back.log.String(), "stale floating address removed") {
		t.Errorf("restarted %s did not log the stale VIP it removed", A)
	}
	eventually(t, "client served through "+B, 20*time.Second, func() bool { return fetch(t) != "" })
}

// tableChanged is the daemon's log line for an apply that edited the
// kernel.
var tableChanged = regexp.MustCompile(`msg="table changed" edits=(\d+) changes="([^"]*)"`)

// appliedEdits sums the edit counts of the "table changed" lines in a
// daemon's log and lists their changes.
func appliedEdits(log string) (int, []string) {
	n := 0
	var changes []string
	for _, m := range tableChanged.FindAllStringSubmatch(log, -1) {
		k, _ := strconv.Atoi(m[1])
		n += k
		changes = append(changes, strings.Split(m[2], "; ")...)
	}
	return n, changes
}

// TestLabReloadOneEdit: SIGHUP with one real server's weight changed
// makes exactly one kernel edit: the daemon's applied-edits log says one
// "-e" and the real ipvsadm's listing differs in exactly that line.
func TestLabReloadOneEdit(t *testing.T) {
	cfg, act, _ := labPair(t, labConfig, "")
	A := act.name
	// nanny's slow start holds a new weight at weight>>5 (at least 1),
	// doubling every 20 s: weight 2 lands at once only on a server up for
	// 20 s or more.
	eventually(t, "rs2 up for 21 s", 60*time.Second, func() bool {
		st := act.status(t)
		for _, v := range st.Virtuals {
			for _, s := range v.Servers {
				if s.Name == "rs2" && s.State == "up" && time.Since(s.LastTransition) > 21*time.Second {
					return true
				}
			}
		}
		return false
	})
	before := table(t, A)
	mark := len(act.log.String())
	changed := replaceOnce(t, replaceOnce(t, labConfig, "serial_no = 1", "serial_no = 2"),
		"address = 10.10.0.3\n         active = 1", "address = 10.10.0.3\n         weight = 2\n         active = 1")
	if err := os.WriteFile(cfg, []byte(changed), 0o644); err != nil {
		t.Fatal(err)
	}
	act.signal(syscall.SIGHUP)
	took := eventually(t, "rs2 at weight 2", 10*time.Second, func() bool {
		return regexp.MustCompile(`10\.10\.0\.3:80\s+Masq\s+2\s`).MatchString(table(t, A))
	})
	// Past the next periodic resync, so a stray edit would be seen.
	time.Sleep(labResync + time.Second)
	after := table(t, A)
	n, changes := appliedEdits(act.log.String()[mark:])
	t.Logf("kernel table right %v after SIGHUP; edits logged: %d %q", took.Round(time.Millisecond), n, changes)
	if n != 1 || len(changes) != 1 || !strings.HasPrefix(changes[0], "-e -t 192.168.100.10:80 -r 10.10.0.3:80 ") || !strings.HasSuffix(changes[0], " -w 2") {
		t.Errorf("edits after the reload %d %q, want exactly one: -e -t 192.168.100.10:80 -r 10.10.0.3:80 ... -w 2", n, changes)
	}
	var diff []string
	bl, al := strings.Split(before, "\n"), strings.Split(after, "\n")
	if len(bl) != len(al) {
		t.Fatalf("listing changed length:\n%s\n---\n%s", before, after)
	}
	for i := range bl {
		if bl[i] != al[i] {
			diff = append(diff, bl[i]+" -> "+al[i])
		}
	}
	if len(diff) != 1 || !strings.Contains(diff[0], "10.10.0.3:80") {
		t.Errorf("ipvsadm -Ln before/after differs in %q, want one line (rs2's weight)", diff)
	}
}

// TestLabResyncRepairsHandEdit: the daemon is the one writer of the
// services it owns. A hand edit with the real ipvsadm ("-e ... -w 0" on
// one real server, "-d" of the other) stays until the periodic resync,
// which puts both back and logs each as a repaired hand edit.
func TestLabResyncRepairsHandEdit(t *testing.T) {
	_, act, _ := labPair(t, labConfig, "")
	A := act.name
	eventually(t, "both real servers in the table", 20*time.Second, func() bool {
		return strings.Count(table(t, A), "Masq") == 2
	})
	before := table(t, A)
	mark := len(act.log.String())
	for _, c := range [][]string{
		{"-e", "-t", "192.168.100.10:80", "-r", "10.10.0.2:80", "-m", "-w", "0"},
		{"-d", "-t", "192.168.100.10:80", "-r", "10.10.0.3:80"},
	} {
		if out, err := exec.Command(ipCmd, append([]string{"netns", "exec", A, "/sbin/ipvsadm"}, c...)...).CombinedOutput(); err != nil {
			t.Fatalf("ipvsadm %q: %v\n%s", c, err, out)
		}
	}
	took := eventually(t, "the hand edits repaired", 3*labResync, func() bool { return table(t, A) == before })
	log := act.log.String()[mark:]
	repaired := regexp.MustCompile(`msg="repaired hand edit" why="periodic resync" edit="([^"]*)"`).FindAllStringSubmatch(log, -1)
	t.Logf("repaired after %v: %q", took.Round(time.Millisecond), repaired)
	var edits []string
	for _, m := range repaired {
		edits = append(edits, m[1])
	}
	slices.Sort(edits)
	if len(edits) != 2 || !strings.HasPrefix(edits[0], "-a -t 192.168.100.10:80 -r 10.10.0.3:80 -m -w ") || !strings.HasPrefix(edits[1], "-e -t 192.168.100.10:80 -r 10.10.0.2:80 -m -w ") {
		t.Errorf("repairs logged %q, want the -a of rs2 and the -e of rs1; log:\n%s", edits, log)
	}
}

// TestLabDownloadThroughRestart: a 2 MB download dripped at 160 kB/s
// (about 13 s) through the VIP while the active director's daemon is
// restarted (SIGTERM, then started again). SIGTERM deactivates, as
// pulse's does: the director releases the VIP and its table; the partner
// takes over after deadtime, with the connection already known to its
// kernel through the sync daemon, so the transfer continues through it,
// and the restarted daemon joins as standby. The client gets every byte.
func TestLabDownloadThroughRestart(t *testing.T) {
	const size, rate = 2 << 20, 160 << 10
	cfg, act, sb := labPairServingBig(t, labConfig, size, rate)
	A, B := act.name, sb.name
	out := filepath.Join(t.TempDir(), "big")
	wdone, wout, began := startBigDownload(t, out, 90*time.Second)
	// The kernel's sync daemon queues a connection at its third packet
	// and sends its buffer within 2 s (IPVS_SYNC_FLUSH_TIME): after 5 s of
	// transfer the standby knows it.
	eventually(t, "download under way", 30*time.Second, func() bool {
		fi, err := os.Stat(out)
		return err == nil && fi.Size() > 5*rate
	})
	mid, _ := os.Stat(out)
	synced, _ := exec.Command(ipCmd, "netns", "exec", B, "/sbin/ipvsadm", "-Lnc").CombinedOutput()
	t.Logf("%s's connections before the restart (synced from %s):\n%s", B, A, synced)
	if !regexp.MustCompile(`ESTABLISHED\s+192\.168\.100\.2:\d+\s+192\.168\.100\.10:80`).Match(synced) {
		t.Errorf("the sync daemon did not give %s the download's connection", B)
	}
	act.stop(t)
	stopped := time.Now()
	eventually(t, B+" takes over", 30*time.Second, func() bool {
		st := sb.status(t)
		return st != nil && st.Heartbeat.Role == "active" && hasVIP(B)
	})
	t.Logf("%s stopped with %d bytes downloaded; %s active %v later", A, mid.Size(), B, time.Since(stopped).Round(time.Millisecond))
	back := startLabDaemon(t, A, cfg)
	var werr error
	select {
	case werr = <-wdone:
	case <-time.After(100 * time.Second):
		t.Fatal("wget did not finish")
	}
	fi, err := os.Stat(out)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("download finished after %v (undisturbed: %v): %d bytes, wget %v %s", time.Since(began).Round(time.Millisecond), time.Duration(size/rate)*time.Second, fi.Size(), werr, wout.String())
	if werr != nil || fi.Size() != size {
		t.Errorf("download: wget %v, %d bytes, want %d", werr, fi.Size(), size)
	}
	if conns, _ := exec.Command(ipCmd, "netns", "exec", B, "/sbin/ipvsadm", "-Lnc").CombinedOutput(); !strings.Contains(string(conns), "192.168.100.2:") {
		t.Errorf("%s's kernel does not know the client's connection:\n%s", B, conns)
	}
	if st := back.status(t); st == nil || st.Heartbeat.Role != "standby" {
		t.Errorf("restarted %s: %+v, want standby", A, st)
	}
}

// TestLabMisbehavingServers: next to two good servers (httpd), four that
// answer well at first and then, on cue, hang (accept, never answer),
// reset, answer garbage, or drip an answer one byte every 700 ms. Each is
// marked down within its check's bound (timeout 1 s + one interval), the
// good ones stay up, the table keeps only them, and "lvsadm status"
// answers within 1 s all along.
func TestLabMisbehavingServers(t *testing.T) {
	lvsadm := os.Getenv("LVSADM")
	if lvsadm == "" || exec.Command(lvsadm, "status", "--help").Run() != nil {
		t.Skip("the lvsadm binary has no status subcommand")
	}
	servers := ""
	for _, s := range []struct{ name, addr, port string }{
		{"rs1", "10.10.0.2", "80"}, {"hang", "10.10.0.2", "81"}, {"reset", "10.10.0.2", "82"},
		{"rs2", "10.10.0.3", "80"}, {"garbage", "10.10.0.3", "83"}, {"drip", "10.10.0.3", "84"},
	} {
		servers += fmt.Sprintf("     server %s {\n         address = %s\n         port = %s\n         active = 1\n     }\n", s.name, s.addr, s.port)
	}
	conf := labConfig[:strings.Index(labConfig, "     server rs1 {")] + servers + "}\n"
	_, act, _ := labPair(t, conf, "", func() {
		startLabServer(t, "rs1", "81=good/hang,82=good/reset")
		startLabServer(t, "rs2", "83=good/garbage,84=good/drip")
	})
	A := act.name
	bad := []string{"hang", "reset", "garbage", "drip"}
	upState := func() map[string]string {
		st := act.status(t)
		m := map[string]string{}
		if st != nil {
			for _, s := range st.Virtuals[0].Servers {
				m[s.Name] = string(s.State)
			}
		}
		return m
	}
	eventually(t, "all six servers up", 30*time.Second, func() bool {
		m := upState()
		n := 0
		for _, v := range m {
			if v == "up" {
				n++
			}
		}
		return n == 6
	})

	// lvsadm status, polled as an operator would, all through.
	var mu sync.Mutex
	var lat []time.Duration
	var slowErr string
	ctx, cancel := context.WithCancel(context.Background())
	polled := make(chan struct{})
	go func() {
		defer close(polled)
		for ctx.Err() == nil {
			qctx, qcancel := context.WithTimeout(ctx, 10*time.Second)
			s := time.Now()
			out, err := exec.CommandContext(qctx, lvsadm, "status", "--socket", act.sock).CombinedOutput()
			d := time.Since(s)
			qcancel()
			mu.Lock()
			if ctx.Err() == nil {
				lat = append(lat, d)
				if err != nil && slowErr == "" {
					slowErr = fmt.Sprintf("%v: %s", err, out)
				}
			}
			mu.Unlock()
			time.Sleep(100 * time.Millisecond)
		}
	}()

	sh(t, "for p in $($IP netns pids rs1) $($IP netns pids rs2); do [ \"$(cat /proc/$p/comm)\" = httpd ] || kill -USR1 $p; done")
	broke := time.Now()
	// When each went down, by the daemon's own record of the transition.
	downAt := map[string]time.Duration{}
	eventually(t, "the four misbehaving servers down", 30*time.Second, func() bool {
		st := act.status(t)
		if st == nil {
			return false
		}
		for _, s := range st.Virtuals[0].Servers {
			if slices.Contains(bad, s.Name) && s.State == "down" {
				downAt[s.Name] = s.LastTransition.Sub(broke)
			}
		}
		return len(downAt) == len(bad)
	})
	time.Sleep(3 * time.Second) // good servers must stay up, status keeps answering
	cancel()
	<-polled

	m := upState()
	if m["rs1"] != "up" || m["rs2"] != "up" {
		t.Errorf("good servers %v, want both up", m)
	}
	for _, b := range bad {
		t.Logf("%-7s down %v after it started misbehaving", b, downAt[b].Round(time.Millisecond))
		if downAt[b] > 5*time.Second { // timeout 1 s + interval 1 s, with slack for the emulated VM
			t.Errorf("%s took %v to be marked down", b, downAt[b])
		}
	}
	tab := table(t, A)
	for _, p := range []string{"10.10.0.2:81", "10.10.0.2:82", "10.10.0.3:83", "10.10.0.3:84"} {
		if strings.Contains(tab, p) {
			t.Errorf("%s still in the table:\n%s", p, tab)
		}
	}
	if !strings.Contains(tab, "10.10.0.2:80") || !strings.Contains(tab, "10.10.0.3:80") {
		t.Errorf("good servers missing from the table:\n%s", tab)
	}
	mu.Lock()
	defer mu.Unlock()
	sorted := slices.Clone(lat)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i] < sorted[j] })
	if len(sorted) < 10 {
		t.Fatalf("only %d status queries", len(sorted))
	}
	t.Logf("lvsadm status: %d queries, median %v, max %v", len(sorted), sorted[len(sorted)/2].Round(time.Millisecond), sorted[len(sorted)-1].Round(time.Millisecond))
	if slowErr != "" {
		t.Errorf("lvsadm status failed: %s", slowErr)
	}
	if sorted[len(sorted)-1] > time.Second {
		t.Errorf("lvsadm status took up to %v, want under 1 s", sorted[len(sorted)-1])
	}
}

// TestLabDirectRouting: network = direct. The real servers hold the VIP
// on lo with arp_ignore=1 and arp_announce=2 (so they never answer ARP
// for it nor use it as an ARP source) and answer the client directly
// through a router namespace, never through the director (LVS-DR: the
// director sees only the inbound half). The active director forwards
// with "Route", the client's requests alternate between both servers, and
// the client's ARP entry for the VIP is the director's.
func TestLabDirectRouting(t *testing.T) {
	conf := replaceOnce(t, labConfig, "network = nat\nnat_router = 10.10.0.254 eth1:1\n", "network = direct\n")
	_, act, _ := labPair(t, conf, "lab_dr_topology")
	A := act.name
	if tab := table(t, A); !strings.Contains(tab, "10.10.0.2:80") || !strings.Contains(tab, "Route") {
		t.Fatalf("%s's table is not direct routing:\n%s", A, tab)
	}
	eventually(t, "client served through "+A, 20*time.Second, func() bool { return fetch(t) != "" })
	if seen := fetchN(t, 4); seen["rs1"] != 2 || seen["rs2"] != 2 {
		t.Errorf("answers through %s %v, want rs1 and rs2 twice each (rr)", A, seen)
	}
	if got, want := neighbour("client", "192.168.100.10"), mac(A, "eth0"); got != want {
		t.Errorf("client's ARP entry for the VIP %q, want %s's %s", got, A, want)
	}
	// The replies took the router, not the director: the director's
	// outbound counters stay at zero (DR: it never sees the replies).
	time.Sleep(3 * time.Second) // the kernel folds per-CPU counters into the stats every 2 s
	out, _ := exec.Command(ipCmd, "netns", "exec", A, "/sbin/ipvsadm", "-Ln", "--stats", "--exact").CombinedOutput()
	for _, l := range strings.Split(string(out), "\n") {
		if f := strings.Fields(l); len(f) >= 7 && f[0] == "TCP" && f[1] == "192.168.100.10:80" {
			if f[2] == "0" || f[3] == "0" || f[4] != "0" {
				t.Errorf("%s's stats %q: want connections and inbound packets, no outbound (DR)", A, l)
			}
		}
	}
}

// TestLabFreezeThaw: the active director's daemon is frozen (SIGSTOP)
// for longer than deadtime; the partner takes over. Thawed (SIGCONT), the
// frozen one notices its own timer ran that late, gives the VIP up at
// once and stays standby: the partner holds the VIP at every 100 ms
// sample from the thaw on, and never gives it up (no takeover fight).
func TestLabFreezeThaw(t *testing.T) {
	_, act, sb := labPair(t, labConfig, "")
	A, B := act.name, sb.name
	v := newVIPHolders(t, A, B)
	act.signal(syscall.SIGSTOP)
	thawed := false
	t.Cleanup(func() {
		if !thawed {
			act.signal(syscall.SIGCONT)
		}
	})
	eventually(t, B+" takes over", 15*time.Second, func() bool {
		st := sb.status(t)
		return st != nil && st.Heartbeat.Role == "active" && v.holds(B)
	})
	time.Sleep(time.Second)
	mark := len(sb.log.String())
	act.signal(syscall.SIGCONT)
	thawed = true
	start := time.Now()
	for time.Since(start) < 6*time.Second {
		if !v.holds(B) {
			t.Fatalf("%s lost the VIP %v after %s was thawed", B, time.Since(start).Round(time.Millisecond), A)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if v.holds(A) {
		t.Errorf("%s still holds the VIP 6 s after it was thawed", A)
	}
	if st := act.status(t); st == nil || st.Heartbeat.Role != "standby" {
		t.Errorf("thawed %s: %+v, want standby", A, st)
	}
	if !strings.Contains(act.log.String(), "longer than deadtime: the partner has taken over") {
		t.Errorf("%s did not say why it yielded:\n%s", A, act.log.String())
	}
	if l := sb.log.String()[mark:]; strings.Contains(l, "deactivating") {
		t.Errorf("%s gave the VIP up after %s was thawed:\n%s", B, A, l)
	}
}

// TestLabOutOfFiles (issue 11 item 5): the active daemon is left without
// a free file descriptor (its RLIMIT_NOFILE set, with prlimit(2), to the
// number it has open). Its checks fail on its own EMFILE: no real server
// is marked down or leaves the kernel table, and the failures are
// counted as the director's. Given descriptors back, the control socket
// answers again (its accept loop retried instead of ending for good).
func TestLabOutOfFiles(t *testing.T) {
	_, act, _ := labPair(t, labConfig, "")
	A := act.name
	pid := act.cmd.Process.Pid
	before := table(t, A)
	fds, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	if err != nil {
		t.Fatal(err)
	}
	var old unix.Rlimit
	tight := unix.Rlimit{Cur: uint64(len(fds)), Max: uint64(len(fds))}
	if err := unix.Prlimit(pid, unix.RLIMIT_NOFILE, nil, &old); err != nil {
		t.Fatal(err)
	}
	if err := unix.Prlimit(pid, unix.RLIMIT_NOFILE, &tight, nil); err != nil {
		t.Fatal(err)
	}
	restored := false
	restore := func() {
		if !restored {
			restored = true
			if err := unix.Prlimit(pid, unix.RLIMIT_NOFILE, &old, nil); err != nil {
				t.Errorf("restoring the limit: %v", err)
			}
		}
	}
	t.Cleanup(restore)
	// A status query needs a descriptor too: it is refused meanwhile.
	start := time.Now()
	for time.Since(start) < 6*time.Second {
		if after := table(t, A); after != before {
			t.Fatalf("%v without descriptors, the table changed:\n%s\n---\n%s", time.Since(start).Round(time.Millisecond), before, after)
		}
		time.Sleep(500 * time.Millisecond)
	}
	restore()
	var st *control.Status
	eventually(t, "status answering again", 15*time.Second, func() bool { st = act.status(t); return st != nil })
	for _, s := range st.Virtuals[0].Servers {
		if s.State != "up" {
			t.Errorf("%s is %s after the director ran out of descriptors, want up", s.Name, s.State)
		}
	}
	t.Logf("%s: %d checks could not run; last: %s", A, st.CheckLocalErrors, st.LastLocalError)
	if st.CheckLocalErrors == 0 || !strings.Contains(act.log.String(), "failed on the director, not the server") {
		t.Errorf("the director's own failures were not counted or logged: %d, log:\n%s", st.CheckLocalErrors, act.log.String())
	}
	if strings.Contains(act.log.String(), "real server down") {
		t.Errorf("a real server was marked down for the director's EMFILE:\n%s", act.log.String())
	}
}
