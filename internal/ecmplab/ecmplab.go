// Package ecmplab drives the ECMP lab of the real-kernel tests (build tag
// vmtest, run in the lab VM by testdata/vm/vmtest.sh): a BIRD router that
// spreads a VIP's flows over N directors by ECMP, learning one path per
// director over BGP, LVS-DR real servers, and a client that holds
// long-lived connections through the VIP (testdata/lab/ecmp.sh builds the
// namespaces; connhold is the traffic). The directors' BGP speaker is the
// caller's: the gobgpd stand-in (StandIn) or lvsadm daemon. It is test
// support; nothing in the lvsadm binary imports it.
package ecmplab

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/lvsadm/lvsadm/internal/connhold"
	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"
)

// The lab's fixed addresses (testdata/lab/ecmp.sh).
const (
	VIP      = "192.0.2.10"
	Port     = 7
	RouterIP = "10.0.0.1"
	ClientIP = "198.51.100.2"
	RouterAS = 65000
)

// Target is the VIP's service as connhold dials it.
var Target = net.JoinHostPort(VIP, strconv.Itoa(Port))

// DirectorIP is director i's address (1-based), also its BGP router id
// and the next hop it announces.
func DirectorIP(i int) string { return fmt.Sprintf("10.0.0.%d", 10+i) }

// DirectorAS is director i's AS number: one AS per director (eBGP).
func DirectorAS(i int) int { return RouterAS + i }

// ServerIP is real server j's address.
func ServerIP(j int) string { return fmt.Sprintf("10.0.0.%d", 20+j) }

const ipCmd = "/usr/sbin/ip"

// Lab is one built ECMP lab; New tears it down when the test ends.
type Lab struct {
	t         testing.TB
	dir       string // testdata/lab in the VM
	Directors int
	Servers   int
	router    *netlink.Handle
}

// New builds the lab with n directors and m real servers (the router's
// BIRD peering with every director; no IPVS table and no speaker on the
// directors yet) and tears it down at the end of the test, dumping its
// state first if the test failed. It skips the test outside the lab VM.
func New(t testing.TB, n, m int) *Lab {
	t.Helper()
	return NewEnv(t, n, m, "")
}

// NewEnv is New with shell variables exported for the lab's build
// ("ECMP_DIR_AS=65001": every director in one AS, as lvsadm's directors
// sharing one lvs.cf are).
func NewEnv(t testing.TB, n, m int, env string) *Lab {
	t.Helper()
	dir := os.Getenv("LAB")
	if dir == "" {
		t.Skip("LAB not set (run through testdata/vm/vmtest.sh)")
	}
	if _, err := exec.LookPath("bird"); err != nil {
		t.Skip("no bird in this image (testdata/vm/vm.sh build)")
	}
	l := &Lab{t: t, dir: dir, Directors: n, Servers: m}
	l.Sh("lab_ecmp_teardown")
	start := time.Now()
	topo := fmt.Sprintf("lab_ecmp_topology %d %d", n, m)
	if env != "" {
		topo = "export " + env + "; " + topo
	}
	l.Sh(topo)
	t.Cleanup(func() {
		if l.router != nil {
			l.router.Close()
		}
		if t.Failed() {
			t.Logf("--- ECMP lab state ---\n%s", l.State())
		}
		l.Sh("lab_ecmp_teardown")
	})
	h, err := handleIn("router")
	if err != nil {
		t.Fatal(err)
	}
	l.router = h
	t.Logf("lab: %d directors, %d real servers, router up in %v", n, m, time.Since(start).Round(time.Millisecond))
	return l
}

func handleIn(ns string) (*netlink.Handle, error) {
	h, err := netns.GetFromName(ns)
	if err != nil {
		return nil, fmt.Errorf("namespace %s: %w", ns, err)
	}
	defer h.Close()
	nh, err := netlink.NewHandleAt(h, unix.NETLINK_ROUTE)
	if err != nil {
		return nil, fmt.Errorf("netlink in %s: %w", ns, err)
	}
	return nh, nil
}

// Sh runs script under busybox sh with the lab's shell helpers
// (topology.sh, daemon.sh, ecmp.sh) sourced, and fails the test if it
// fails. It returns the combined output.
func (l *Lab) Sh(script string) string {
	l.t.Helper()
	out, err := l.sh(script)
	if err != nil {
		l.t.Fatalf("lab: %s: %v\n%s", script, err, out)
	}
	return out
}

func (l *Lab) sh(script string) (string, error) {
	full := fmt.Sprintf(". %[1]s/topology.sh; . %[1]s/daemon.sh; . %[1]s/ecmp.sh; %s", l.dir, script)
	out, err := exec.Command("sh", "-c", full).CombinedOutput()
	return string(out), err
}

// State is what a failing test needs to see: the router's routes and
// BGP/BFD sessions, each director's addresses, table and speaker.
func (l *Lab) State() string {
	out, _ := l.sh("lab_ecmp_state")
	return out
}

// IPVS gives director i the lab's table (mh with mh-port, the real
// servers in the same order and weights, direct routing) and sets its
// net.ipv4.vs.sloppy_tcp.
func (l *Lab) IPVS(i int, sloppy bool) {
	l.t.Helper()
	l.Sh(fmt.Sprintf("lab_ecmp_ipvs %d %d", i, b2i(sloppy)))
}

// Sloppy sets director i's net.ipv4.vs.sloppy_tcp.
func (l *Lab) Sloppy(i int, sloppy bool) {
	l.t.Helper()
	l.Sh(fmt.Sprintf("lab_ecmp_sloppy %d %d", i, b2i(sloppy)))
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// StandIn starts director i's stand-in speaker: gobgpd announcing the
// VIP's /32, and a BIRD answering the router's BFD beside it (GoBGP has
// no BFD). lvsadm daemon with a bgp block replaces exactly this call.
func (l *Lab) StandIn(i int) {
	l.t.Helper()
	if _, err := exec.LookPath("gobgpd"); err != nil {
		l.t.Skip("no gobgpd stand-in in this image (LVSADM_VM_GOBGP=0?)")
	}
	l.Sh(fmt.Sprintf("lab_ecmp_bfd_responder %[1]d; lab_ecmp_gobgpd %[1]d && lab_ecmp_gobgp_announce %[1]d", i))
}

// Nexthops lists the gateways of the router's kernel route to the VIP
// (none without a route). It reads the route over netlink, cheaply
// enough to poll every few milliseconds.
func (l *Lab) Nexthops() ([]string, error) {
	filter := &netlink.Route{Dst: &net.IPNet{IP: net.ParseIP(VIP).To4(), Mask: net.CIDRMask(32, 32)}}
	routes, err := l.router.RouteListFiltered(netlink.FAMILY_V4, filter, netlink.RT_FILTER_DST)
	if err != nil {
		return nil, fmt.Errorf("router's routes: %w", err)
	}
	var gws []string
	for _, r := range routes {
		if r.Gw != nil {
			gws = append(gws, r.Gw.String())
		}
		for _, nh := range r.MultiPath {
			gws = append(gws, nh.Gw.String())
		}
	}
	return gws, nil
}

// WaitRoute polls the router's route to the VIP every 10 ms until cond
// holds of its gateways, and returns when it first did; it fails the test
// after within.
func (l *Lab) WaitRoute(what string, within time.Duration, cond func(gws []string) bool) time.Time {
	l.t.Helper()
	return l.WatchRoute(cond)(what, within)
}

// WatchRoute starts polling the router's route to the VIP every 10 ms,
// in the background, until cond holds of its gateways; the returned
// function waits for that (failing the test after within) and returns
// when it first held. Start it before the event it times, so that the
// figure does not include the time the event itself took to run.
func (l *Lab) WatchRoute(cond func(gws []string) bool) func(what string, within time.Duration) time.Time {
	ctx, cancel := context.WithCancel(context.Background())
	type result struct {
		at  time.Time
		gws []string
		err error
	}
	res := make(chan result, 1)
	go func() {
		var last []string
		for {
			gws, err := l.Nexthops()
			if err != nil || cond(gws) {
				res <- result{time.Now(), gws, err}
				return
			}
			last = gws
			select {
			case <-ctx.Done():
				res <- result{gws: last}
				return
			case <-time.After(10 * time.Millisecond):
			}
		}
	}()
	return func(what string, within time.Duration) time.Time {
		l.t.Helper()
		defer cancel()
		var r result
		select {
		case r = <-res:
		case <-time.After(within):
			cancel()
			if r = <-res; r.err == nil && !r.at.IsZero() {
				return r.at // it held just as the wait ran out
			}
			l.t.Fatalf("router: %s not seen within %v (next hops %v)", what, within, r.gws)
		}
		if r.err != nil {
			l.t.Fatal(r.err)
		}
		return r.at
	}
}

// WaitNexthops waits until the router routes the VIP over exactly want
// directors and returns how long that took.
func (l *Lab) WaitNexthops(want int, within time.Duration) time.Duration {
	l.t.Helper()
	start := time.Now()
	return l.WaitRoute(fmt.Sprintf("%d next hops", want), within, func(gws []string) bool { return len(gws) == want }).Sub(start)
}

// Has tells whether gws includes director i.
func Has(gws []string, i int) bool {
	for _, g := range gws {
		if g == DirectorIP(i) {
			return true
		}
	}
	return false
}

// Kill makes director i die as a host does: its link goes down (through
// netlink, so the returned time is when it went down, not when a shell
// got round to it), then every process in its namespace is killed. Its
// namespace, table and connection entries stay.
func (l *Lab) Kill(i int) time.Time {
	l.t.Helper()
	h, err := handleIn(fmt.Sprintf("d%d", i))
	if err != nil {
		l.t.Fatal(err)
	}
	defer h.Close()
	link, err := h.LinkByName("eth0")
	if err != nil {
		l.t.Fatal(err)
	}
	if err := h.LinkSetDown(link); err != nil {
		l.t.Fatal(err)
	}
	down := time.Now()
	l.Sh(fmt.Sprintf("$IP netns pids d%d | xargs -r kill -9", i))
	return down
}

// LinkUp brings director i's link back; restarting its speaker is the
// caller's.
func (l *Lab) LinkUp(i int) {
	l.t.Helper()
	l.Sh(fmt.Sprintf("lab_ecmp_link_up %d", i))
}

// Conns counts director i's IPVS connection entries for the VIP's
// service (ipvsadm -Lnc), the share of the flows it carries.
func (l *Lab) Conns(i int) int {
	l.t.Helper()
	out := l.Sh(fmt.Sprintf("$IP netns exec d%d /sbin/ipvsadm -Lnc", i))
	n := 0
	for _, line := range strings.Split(out, "\n") {
		if f := strings.Fields(line); len(f) >= 5 && f[0] == "TCP" && f[4] == Target {
			n++
		}
	}
	return n
}

// HoldOptions is how a Holder exercises its connections (connhold hold's
// flags).
type HoldOptions struct {
	Conns    int
	Interval time.Duration // default 100 ms
	Timeout  time.Duration // default 10 s: longer than a failover's retransmissions
}

// Holder is a connhold hold running in the client namespace.
type Holder struct {
	t     testing.TB
	cmd   *exec.Cmd
	out   bytes.Buffer
	errb  bytes.Buffer
	ready string
	done  chan error
	once  sync.Once
	rep   connhold.Report
}

// Hold starts holding o.Conns connections from the client to the VIP
// (connhold: $CONNHOLD, default /work/connhold). Stop ends it and
// reports; the test's end kills it.
func (l *Lab) Hold(o HoldOptions) *Holder {
	l.t.Helper()
	if o.Interval == 0 {
		o.Interval = 100 * time.Millisecond
	}
	if o.Timeout == 0 {
		o.Timeout = 10 * time.Second
	}
	bin := os.Getenv("CONNHOLD")
	if bin == "" {
		bin = "/work/connhold"
	}
	h := &Holder{t: l.t, ready: filepath.Join(l.t.TempDir(), "ready"), done: make(chan error, 1)}
	h.cmd = exec.Command(ipCmd, "netns", "exec", "client", bin, "hold", "-target", Target,
		"-n", strconv.Itoa(o.Conns), "-interval", o.Interval.String(), "-timeout", o.Timeout.String(), "-ready", h.ready)
	h.cmd.Stdout, h.cmd.Stderr = &h.out, &h.errb
	if err := h.cmd.Start(); err != nil {
		l.t.Fatal(err)
	}
	go func() { h.done <- h.cmd.Wait() }()
	l.t.Cleanup(func() {
		h.cmd.Process.Kill()
		h.done <- <-h.done
	})
	return h
}

// WaitReady waits until every connection has been opened and has had its
// first exchange (or failed), and returns the counts so far.
func (h *Holder) WaitReady(within time.Duration) connhold.Report {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), within)
	defer cancel()
	for {
		if b, err := os.ReadFile(h.ready); err == nil {
			var r connhold.Report
			if err := json.Unmarshal(b, &r); err != nil {
				h.t.Fatalf("connhold's ready file: %v: %s", err, b)
			}
			return r
		}
		select {
		case err := <-h.done:
			h.done <- err
			h.t.Fatalf("connhold exited (%v) before it was ready: %s%s", err, h.out.String(), h.errb.String())
		case <-ctx.Done():
			h.t.Fatalf("connhold not ready within %v", within)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// Stop ends the holding (SIGTERM: each connection finishes its exchange
// in flight) and returns the report.
func (h *Holder) Stop() connhold.Report {
	h.t.Helper()
	h.once.Do(func() {
		h.cmd.Process.Signal(syscall.SIGTERM)
		var exit error
		select {
		case exit = <-h.done:
			h.done <- exit
		case <-time.After(time.Minute):
			h.t.Fatal("connhold did not stop within a minute of SIGTERM")
		}
		// Exit status 1 only says that some connection broke; the
		// report tells which.
		if err := json.Unmarshal(h.out.Bytes(), &h.rep); err != nil {
			h.t.Fatalf("connhold (%v): no report: %v\n%s%s", exit, err, h.out.String(), h.errb.String())
		}
	})
	return h.rep
}

// Lvsadm starts lvsadm daemon in director i on the lvs.cf at cfg, the
// directors' own BGP speaker (in place of StandIn).
func (l *Lab) Lvsadm(i int, cfg string) {
	l.t.Helper()
	l.Sh(fmt.Sprintf("lab_ecmp_lvsadm %d %s", i, cfg))
}

// Ctl runs an lvsadm client command against director i's daemon
// (lvsadm ARGS --socket ...) in its namespace and returns its output.
func (l *Lab) Ctl(i int, args ...string) (string, error) {
	bin := os.Getenv("LVSADM")
	if bin == "" {
		bin = "/work/lvsadm"
	}
	argv := append([]string{"netns", "exec", fmt.Sprintf("d%d", i), bin}, args...)
	argv = append(argv, "--socket", filepath.Join("/tmp/ecmp", fmt.Sprintf("d%d.sock", i)))
	out, err := exec.Command(ipCmd, argv...).CombinedOutput()
	return string(out), err
}
