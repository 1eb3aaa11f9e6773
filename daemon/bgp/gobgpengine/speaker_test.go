package gobgpengine

import (
	"context"
	"fmt"
	"log/slog"
	"net/netip"
	"os"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lvsadm/lvsadm/daemon/bgp"
	"github.com/lvsadm/lvsadm/daemon/bgp/internal/bgptest"
	"github.com/osrg/gobgp/v4/pkg/apiutil"
	packet "github.com/osrg/gobgp/v4/pkg/packet/bgp"
	gobgp "github.com/osrg/gobgp/v4/pkg/server"
)

// The tests run real BGP sessions between speakers over the loopback
// interface: 127.0.0.1 is the director, 127.0.0.2 the router.
var (
	director = netip.MustParseAddr("127.0.0.1")
	router   = netip.MustParseAddr("127.0.0.2")
	vip      = netip.MustParsePrefix("192.0.2.10/32")
)

func testLogger(t *testing.T) *slog.Logger {
	if testing.Verbose() {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug})).With("test", t.Name())
	}
	return slog.New(slog.DiscardHandler)
}

// checkGoroutines fails the test if goroutines started during it are still
// there once it ends (after its own cleanups, which stop the speakers).
//
// One kind is not counted: GoBGP 4.8 parks an eapache/channels
// InfiniteChannel goroutine for good when it deletes a neighbor whose
// session the peer had closed (its cleanInfiniteChannel stops draining as
// soon as the channel looks empty, racing the buffer goroutine). That is
// GoBGP's, one per such session, and nothing outside GoBGP can reach it.
func checkGoroutines(t *testing.T) {
	t.Helper()
	before, _ := goroutines()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), bgptest.WaitLimit)
		defer cancel()
		for {
			n, stacks := goroutines()
			if n <= before {
				return
			}
			select {
			case <-ctx.Done():
				t.Errorf("%d goroutines before the test, %d after:\n%s", before, n, stacks)
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	})
}

// goroutines counts the running goroutines but GoBGP's parked channel
// buffers (see checkGoroutines), and gives their stacks.
func goroutines() (int, string) {
	buf := make([]byte, 1<<22)
	buf = buf[:runtime.Stack(buf, true)]
	var kept []string
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, "eapache/channels.(*InfiniteChannel).infiniteBuffer") {
			continue
		}
		kept = append(kept, g)
	}
	return len(kept), strings.Join(kept, "\n\n")
}

func start(t *testing.T, cfg bgp.Config) *Speaker {
	t.Helper()
	s, err := New(cfg, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), bgptest.WaitLimit)
		defer cancel()
		if err := s.Stop(ctx); err != nil {
			t.Errorf("stop: %v", err)
		}
	})
	return s
}

// pair is a director speaker (AS 65001) and a router speaker (AS 65000)
// configured as each other's neighbor.
func pair(t *testing.T, dirAddr, rtrAddr netip.Addr) (dir, rtr *Speaker, dirCfg bgp.Config) {
	t.Helper()
	dp, rp := bgptest.FreePort(t, dirAddr), bgptest.FreePort(t, rtrAddr)
	dirCfg = bgp.Config{
		LocalAS: 65001, RouterID: netip.MustParseAddr("10.0.0.11"),
		ListenPort: int32(dp), ListenAddresses: []netip.Addr{dirAddr},
		Neighbors: []bgp.Neighbor{{Address: rtrAddr, RemoteAS: 65000, Port: rp, LocalAddress: dirAddr}},
	}
	rtrCfg := bgp.Config{
		LocalAS: 65000, RouterID: netip.MustParseAddr("10.0.0.1"),
		ListenPort: int32(rp), ListenAddresses: []netip.Addr{rtrAddr},
		Neighbors: []bgp.Neighbor{{Address: dirAddr, RemoteAS: 65001, Port: dp, LocalAddress: rtrAddr}},
	}
	if dirAddr == rtrAddr {
		// One address (::1): both ends dial each other and the
		// collision rule keeps one connection; the router only listens.
		rtrCfg.Neighbors[0].Passive = true
	}
	rtr = start(t, rtrCfg)
	dir = start(t, dirCfg)
	waitEstablished(t, dir, rtrAddr)
	waitEstablished(t, rtr, dirAddr)
	return dir, rtr, dirCfg
}

func neighborState(s *Speaker, a netip.Addr) bgp.NeighborStatus {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, n := range s.Status(ctx).Neighbors {
		if n.Address == a {
			return n
		}
	}
	return bgp.NeighborStatus{}
}

func waitEstablished(t *testing.T, s *Speaker, a netip.Addr) {
	t.Helper()
	bgptest.WaitFor(t, fmt.Sprintf("session with %v established", a), func() bool {
		return neighborState(s, a).State == bgp.StateEstablished
	})
}

// rib is the observing speaker's table: prefix -> next hop.
func rib(t *testing.T, s *Speaker, fam packet.Family) map[netip.Prefix]netip.Addr {
	t.Helper()
	got, err := s.RIB(fam == packet.RF_IPv6_UC)
	if err != nil {
		t.Fatalf("list rib: %v", err)
	}
	return got
}

func waitRoute(t *testing.T, s *Speaker, p netip.Prefix, nexthop netip.Addr) {
	t.Helper()
	fam := packet.RF_IPv4_UC
	if p.Addr().Is6() {
		fam = packet.RF_IPv6_UC
	}
	if nexthop.IsValid() {
		bgptest.WaitFor(t, fmt.Sprintf("%v via %v at the peer", p, nexthop), func() bool { return rib(t, s, fam)[p] == nexthop })
		return
	}
	bgptest.WaitFor(t, fmt.Sprintf("%v gone at the peer", p), func() bool { _, ok := rib(t, s, fam)[p]; return !ok })
}

func routeStatus(s *Speaker, p netip.Prefix) (bgp.RouteStatus, bool) {
	for _, r := range s.Status(context.Background()).Routes {
		if r.Prefix == p {
			return r, true
		}
	}
	return bgp.RouteStatus{}, false
}

func TestAnnounceAndWithdraw(t *testing.T) {
	checkGoroutines(t)
	dir, rtr, _ := pair(t, director, router)
	ctx := context.Background()

	if err := dir.SetRoutes(ctx, []bgp.Route{{Prefix: vip, Announce: true, Reason: "3 of 3 up"}}); err != nil {
		t.Fatal(err)
	}
	waitRoute(t, rtr, vip, director)
	r, ok := routeStatus(dir, vip)
	if !ok || !r.Announced || r.Reason != "3 of 3 up" {
		t.Errorf("status route = %+v, %v; want announced, 3 of 3 up", r, ok)
	}
	// Idempotent: the same set again sends nothing.
	sent := neighborState(dir, router).UpdatesOut
	if err := dir.SetRoutes(ctx, []bgp.Route{{Prefix: vip, Announce: true, Reason: "3 of 3 up"}}); err != nil {
		t.Fatal(err)
	}
	if got := neighborState(dir, router).UpdatesOut; got != sent {
		t.Errorf("repeating the same routes sent %d UPDATEs", got-sent)
	}

	if err := dir.SetRoutes(ctx, []bgp.Route{{Prefix: vip, Announce: false, Reason: "no real server up"}}); err != nil {
		t.Fatal(err)
	}
	waitRoute(t, rtr, vip, netip.Addr{})
	r, ok = routeStatus(dir, vip)
	if !ok || r.Announced || r.Reason != "no real server up" {
		t.Errorf("status route = %+v, %v; want withdrawn, no real server up", r, ok)
	}

	other := netip.MustParsePrefix("192.0.2.11/32")
	if err := dir.SetRoutes(ctx, []bgp.Route{{Prefix: vip, Announce: true}, {Prefix: other, Announce: true}}); err != nil {
		t.Fatal(err)
	}
	waitRoute(t, rtr, other, director)
	waitRoute(t, rtr, vip, director)
	// A prefix no longer listed is withdrawn and forgotten.
	if err := dir.SetRoutes(ctx, []bgp.Route{{Prefix: other, Announce: true}}); err != nil {
		t.Fatal(err)
	}
	waitRoute(t, rtr, vip, netip.Addr{})
	if _, ok := routeStatus(dir, vip); ok {
		t.Errorf("%v still in status after it was dropped", vip)
	}

	if err := dir.WithdrawAll(ctx, "drain"); err != nil {
		t.Fatal(err)
	}
	waitRoute(t, rtr, other, netip.Addr{})
	if r, _ := routeStatus(dir, other); r.Announced || r.Reason != "drain" {
		t.Errorf("after WithdrawAll: %+v", r)
	}
}

func TestRoutesBeforeStart(t *testing.T) {
	checkGoroutines(t)
	rp, dp := bgptest.FreePort(t, router), bgptest.FreePort(t, director)
	rtr := start(t, bgp.Config{
		LocalAS: 65000, RouterID: netip.MustParseAddr("10.0.0.1"), ListenPort: int32(rp), ListenAddresses: []netip.Addr{router},
		Neighbors: []bgp.Neighbor{{Address: director, RemoteAS: 65001, Port: dp, LocalAddress: router}},
	})
	dir, err := New(bgp.Config{
		LocalAS: 65001, RouterID: netip.MustParseAddr("10.0.0.11"), ListenPort: int32(dp), ListenAddresses: []netip.Addr{director},
		Neighbors: []bgp.Neighbor{{Address: router, RemoteAS: 65000, Port: rp, LocalAddress: director}},
	}, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := dir.SetRoutes(context.Background(), []bgp.Route{{Prefix: vip, Announce: true}}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	if err := dir.Start(ctx); err != nil {
		t.Fatal(err)
	}
	waitRoute(t, rtr, vip, director)
	// Cancelling Start's context stops the speaker: withdrawn, closed.
	cancel()
	waitRoute(t, rtr, vip, netip.Addr{})
	bgptest.WaitFor(t, "director stopped", func() bool { return !dir.Status(context.Background()).Running })
	if err := dir.Stop(context.Background()); err != nil {
		t.Errorf("Stop after cancel: %v", err)
	}
	if err := dir.Start(context.Background()); err == nil {
		t.Error("a stopped speaker started again")
	}
}

func TestReconfigure(t *testing.T) {
	checkGoroutines(t)
	ctx := context.Background()
	dir, rtr, dirCfg := pair(t, director, router)
	// A second router on 127.0.0.3.
	rtr2Addr := netip.MustParseAddr("127.0.0.3")
	rp2 := bgptest.FreePort(t, rtr2Addr)
	rtr2 := start(t, bgp.Config{
		LocalAS: 65000, RouterID: netip.MustParseAddr("10.0.0.2"), ListenPort: int32(rp2), ListenAddresses: []netip.Addr{rtr2Addr},
		Neighbors: []bgp.Neighbor{{Address: director, RemoteAS: 65001, Port: uint16(dirCfg.ListenPort), LocalAddress: rtr2Addr}},
	})
	if err := dir.SetRoutes(ctx, []bgp.Route{{Prefix: vip, Announce: true}}); err != nil {
		t.Fatal(err)
	}
	waitRoute(t, rtr, vip, director)
	since := neighborState(rtr, director).Since

	two := dirCfg
	two.Neighbors = append([]bgp.Neighbor{}, dirCfg.Neighbors...)
	two.Neighbors = append(two.Neighbors, bgp.Neighbor{Address: rtr2Addr, RemoteAS: 65000, Port: rp2, LocalAddress: director})
	if err := dir.Reconfigure(ctx, two); err != nil {
		t.Fatal(err)
	}
	waitEstablished(t, dir, rtr2Addr)
	waitRoute(t, rtr2, vip, director)

	// Removing the second router closes its session and withdraws the
	// route there, and leaves the first session as it was.
	if err := dir.Reconfigure(ctx, dirCfg); err != nil {
		t.Fatal(err)
	}
	bgptest.WaitFor(t, "second router's session down", func() bool { return neighborState(rtr2, director).State != bgp.StateEstablished })
	waitRoute(t, rtr2, vip, netip.Addr{})
	if n := neighborState(rtr, director); n.State != bgp.StateEstablished || !n.Since.Equal(since) {
		t.Errorf("first session: %s since %v, want established since %v", n.State, n.Since, since)
	}
	if ns := dir.Status(ctx).Neighbors; len(ns) != 1 || ns[0].Address != router {
		t.Errorf("director's neighbors after removal: %+v", ns)
	}
	if err := dir.Reconfigure(ctx, bgp.Config{LocalAS: 65099, RouterID: dirCfg.RouterID, ListenPort: dirCfg.ListenPort, ListenAddresses: dirCfg.ListenAddresses}); err != bgp.ErrRestartNeeded {
		t.Errorf("changing the AS: %v, want bgp.ErrRestartNeeded", err)
	}
}

// TestStopWithdrawsFirst checks that the router hears the withdrawal
// before the session closes.
func TestStopWithdrawsFirst(t *testing.T) {
	checkGoroutines(t)
	dir, rtr, _ := pair(t, director, router)
	ctx := context.Background()
	if err := dir.SetRoutes(ctx, []bgp.Route{{Prefix: vip, Announce: true}}); err != nil {
		t.Fatal(err)
	}
	waitRoute(t, rtr, vip, director)

	var mu sync.Mutex
	var events []string
	wctx, wcancel := context.WithCancel(ctx)
	defer wcancel()
	err := rtr.server.WatchEvent(wctx, gobgp.WatchEventMessageCallbacks{
		OnPathUpdate: func(ps []*apiutil.Path, _ time.Time) {
			for _, p := range ps {
				if p.Withdrawal && p.Nlri.String() == vip.String() {
					mu.Lock()
					events = append(events, "withdraw")
					mu.Unlock()
				}
			}
		},
		OnPeerUpdate: func(ev *apiutil.WatchEventMessage_PeerEvent, _ time.Time) {
			if ev.Type == apiutil.PEER_EVENT_STATE && ev.Peer.State.SessionState != packet.BGP_FSM_ESTABLISHED {
				mu.Lock()
				events = append(events, "down")
				mu.Unlock()
			}
		},
	}, gobgp.WatchUpdate(false, "", ""), gobgp.WatchPeer())
	if err != nil {
		t.Fatal(err)
	}
	sctx, cancel := context.WithTimeout(ctx, bgptest.WaitLimit)
	defer cancel()
	if err := dir.Stop(sctx); err != nil {
		t.Fatal(err)
	}
	waitRoute(t, rtr, vip, netip.Addr{})
	bgptest.WaitFor(t, "the router to see the session end", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return strings.Contains(strings.Join(events, " "), "down")
	})
	mu.Lock()
	got := strings.Join(events, " ")
	mu.Unlock()
	if !strings.HasPrefix(got, "withdraw") {
		t.Errorf("router saw %q; want the withdrawal first", got)
	}
	if r, _ := routeStatus(dir, vip); r.Announced {
		t.Errorf("stopped speaker still lists %v as announced", vip)
	}
}

func TestIPv6(t *testing.T) {
	checkGoroutines(t)
	lo6 := netip.IPv6Loopback()
	dir, rtr, _ := pair(t, lo6, lo6)
	p := netip.MustParsePrefix("2001:db8::10/128")
	if err := dir.SetRoutes(context.Background(), []bgp.Route{{Prefix: p, Announce: true}}); err != nil {
		t.Fatal(err)
	}
	waitRoute(t, rtr, p, lo6)
	if err := dir.SetRoutes(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	waitRoute(t, rtr, p, netip.Addr{})
}
