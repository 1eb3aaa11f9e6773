package bgp_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/netip"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/lvsadm/lvsadm/daemon/bgp"
	"github.com/lvsadm/lvsadm/daemon/bgp/gobgpengine"
	"github.com/lvsadm/lvsadm/daemon/bgp/internal/bgptest"
)

// helperMode, set in the environment, makes the test binary the helper:
// the director's speaker runs it as lvsadm-bgp, so these tests drive the
// real helper protocol and process life without a separate build.
const helperMode = "LVSADM_BGP_TEST_HELPER"

func TestMain(m *testing.M) {
	if os.Getenv(helperMode) == "1" {
		os.Exit(gobgpengine.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
	}
	exe, err := os.Executable()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Setenv(helperMode, "1")
	os.Setenv(bgp.HelperEnv, exe)
	os.Exit(m.Run())
}

var (
	director = netip.MustParseAddr("127.0.0.1")
	router   = netip.MustParseAddr("127.0.0.2")
	vip      = netip.MustParsePrefix("192.0.2.10/32")
)

// logLines keeps what the director's speaker logs, the helper's relayed
// lines included.
type logLines struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *logLines) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logLines) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// setup is a router (GoBGP in this process) and a director speaker (GoBGP
// in a helper process) with a session between them.
func setup(t *testing.T) (dir *bgp.Speaker, rtr *gobgpengine.Speaker, logs *logLines) {
	t.Helper()
	dp, rp := bgptest.FreePort(t, director), bgptest.FreePort(t, router)
	rtrCfg := bgp.Config{LocalAS: 65000, RouterID: netip.MustParseAddr("10.0.0.1"), ListenPort: int32(rp),
		ListenAddresses: []netip.Addr{router},
		Neighbors:       []bgp.Neighbor{{Address: director, RemoteAS: 65001, Port: dp, LocalAddress: router}}}
	dirCfg := bgp.Config{LocalAS: 65001, RouterID: netip.MustParseAddr("10.0.0.11"), ListenPort: int32(dp),
		ListenAddresses: []netip.Addr{director},
		Neighbors:       []bgp.Neighbor{{Address: router, RemoteAS: 65000, Port: rp, LocalAddress: director}}}
	rtr, err := gobgpengine.New(rtrCfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := rtr.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stopWithin(t, "router", rtr.Stop) })
	logs = &logLines{}
	dir, err = bgp.New(dirCfg, slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelInfo})))
	if err != nil {
		t.Fatal(err)
	}
	if err := dir.SetRoutes(context.Background(), []bgp.Route{{Prefix: vip, Announce: true, Reason: "1 of 1 up"}}); err != nil {
		t.Fatal(err)
	}
	if err := dir.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stopWithin(t, "director", dir.Stop) })
	bgptest.WaitFor(t, "the session established", func() bool {
		st := dir.Status(context.Background())
		return len(st.Neighbors) == 1 && st.Neighbors[0].State == bgp.StateEstablished
	})
	return dir, rtr, logs
}

func stopWithin(t *testing.T, who string, stop func(context.Context) error) {
	ctx, cancel := context.WithTimeout(context.Background(), bgptest.WaitLimit)
	defer cancel()
	if err := stop(ctx); err != nil {
		t.Errorf("stop %s: %v", who, err)
	}
}

// nextHop is the router's next hop for p, invalid while it has no route.
func nextHop(t *testing.T, rtr *gobgpengine.Speaker, p netip.Prefix) netip.Addr {
	t.Helper()
	rib, err := rtr.RIB(false)
	if err != nil {
		t.Fatal(err)
	}
	return rib[p]
}

// Routes set before Start are announced by the helper, withdrawn on
// request and on Stop, and the helper's own log lines reach the daemon's
// logger.
func TestHelperAnnouncesAndWithdraws(t *testing.T) {
	dir, rtr, logs := setup(t)
	bgptest.WaitFor(t, "the VIP at the router", func() bool { return nextHop(t, rtr, vip) == director })
	if err := dir.WithdrawAll(context.Background(), "draining"); err != nil {
		t.Fatal(err)
	}
	bgptest.WaitFor(t, "the VIP withdrawn", func() bool { return !nextHop(t, rtr, vip).IsValid() })
	st := dir.Status(context.Background())
	if len(st.Routes) != 1 || st.Routes[0].Announced || st.Routes[0].Reason != "draining" {
		t.Errorf("routes after WithdrawAll: %+v", st.Routes)
	}
	if err := dir.SetRoutes(context.Background(), []bgp.Route{{Prefix: vip, Announce: true, Reason: "back"}}); err != nil {
		t.Fatal(err)
	}
	bgptest.WaitFor(t, "the VIP announced again", func() bool { return nextHop(t, rtr, vip) == director })
	stopWithin(t, "director", dir.Stop)
	bgptest.WaitFor(t, "the VIP gone after Stop", func() bool { return !nextHop(t, rtr, vip).IsValid() })
	for _, want := range []string{"bgp: session established", "bgp: announce", "bgp: withdraw", "reason=draining"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, logs.String())
		}
	}
	if st := dir.Status(context.Background()); st.Running {
		t.Error("status says running after Stop")
	}
}

// A helper that dies is started again with the routes it had, and the
// withdrawal the daemon asked for still holds.
func TestHelperRestartedAfterCrash(t *testing.T) {
	dir, rtr, logs := setup(t)
	second := netip.MustParsePrefix("192.0.2.11/32")
	if err := dir.SetRoutes(context.Background(), []bgp.Route{{Prefix: vip, Announce: true}, {Prefix: second, Announce: false, Reason: "no real server up"}}); err != nil {
		t.Fatal(err)
	}
	bgptest.WaitFor(t, "the VIP at the router", func() bool { return nextHop(t, rtr, vip) == director })
	dir.KillHelper()
	bgptest.WaitFor(t, "the VIP gone with the helper", func() bool { return !nextHop(t, rtr, vip).IsValid() })
	bgptest.WaitFor(t, "the VIP back after the restart", func() bool { return nextHop(t, rtr, vip) == director })
	if nextHop(t, rtr, second).IsValid() {
		t.Error("a route the daemon did not announce came back after the restart")
	}
	if !strings.Contains(logs.String(), "helper exited") || !strings.Contains(logs.String(), "helper started again") {
		t.Errorf("log does not tell of the restart:\n%s", logs.String())
	}
	if err := dir.WithdrawAll(context.Background(), "draining"); err != nil {
		t.Fatal(err)
	}
	dir.KillHelper()
	bgptest.WaitFor(t, "the helper back", func() bool {
		st := dir.Status(context.Background())
		return st.Running && len(st.Neighbors) == 1 && st.Neighbors[0].State == bgp.StateEstablished
	})
	if nextHop(t, rtr, vip).IsValid() {
		t.Error("the restarted helper announced a VIP the daemon had withdrawn")
	}
}

// The log relay keeps level, message and attributes in order, and passes
// a line that is not JSON (a panic) as an error.
func TestHelperMissing(t *testing.T) {
	t.Setenv(bgp.HelperEnv, "")
	t.Setenv("PATH", t.TempDir())
	if p, err := bgp.HelperPath(); err == nil {
		// an installed helper beside the test binary or in libexec
		t.Skipf("a helper is installed at %s", p)
	}
	s, err := bgp.New(bgp.Config{LocalAS: 1, RouterID: netip.MustParseAddr("10.0.0.1")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = s.Start(context.Background())
	if err == nil || !strings.Contains(err.Error(), bgp.HelperName) || !strings.Contains(err.Error(), bgp.HelperEnv) {
		t.Errorf("start without a helper: %v", err)
	}
}
