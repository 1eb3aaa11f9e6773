//go:build vmtest

package ecmplab

import (
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/lvsadm/lvsadm/internal/connhold"
)

// labConns is how many connections the scenario holds: LVSADM_LAB_ECMP_CONNS
// (make labtest: 1,000, issue 12's figure), else a number the emulator
// carries within make test's budget.
func labConns(t *testing.T) int {
	if v := os.Getenv("LVSADM_LAB_ECMP_CONNS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			t.Fatalf("LVSADM_LAB_ECMP_CONNS=%q: want a positive number", v)
		}
		return n
	}
	return 200
}

// labInterval is how often each held connection is exercised:
// LVSADM_LAB_ECMP_INTERVAL (a Go duration), else issue 12's 100 ms. The
// emulator carries about 1,000 exchanges a second through the lab (200
// connections at 100 ms); 1,000 connections at 100 ms starve BIRD's BFD
// (the router drops live directors) and time out most exchanges.
func labInterval(t *testing.T) time.Duration {
	if v := os.Getenv("LVSADM_LAB_ECMP_INTERVAL"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			t.Fatalf("LVSADM_LAB_ECMP_INTERVAL=%q: want a positive duration", v)
		}
		return d
	}
	return 100 * time.Millisecond
}

// detectBound is issue 12's bound from a director's death to the
// router's withdrawal of its path.
const detectBound = 1500 * time.Millisecond

// afterEvent is how long the connections are exercised after the router
// has changed its route: past the retransmission of what was lost on the
// dead path, so a flow that a director cannot pick up shows as reset.
const afterEvent = 3 * time.Second

func logReport(t *testing.T, what string, r connhold.Report) {
	t.Logf("%s: opened %d (in %.1f s), failed to open %d, reset %d, timed out %d, closed %d, garbled %d, other %d, completed %d; %d exchanges in %.1f s (%.0f/s); backends %s",
		what, r.Opened, r.OpenSeconds, r.OpenFailed, r.Reset, r.TimedOut, r.Closed, r.Garbled, r.Other, r.Completed,
		r.Exchanges, r.HeldSeconds, float64(r.Exchanges)/max(r.OpenSeconds+r.HeldSeconds, 0.001), r.SortedBackends())
	for _, e := range r.Errors {
		t.Logf("  %s", e)
	}
}

// killAndTime kills director i (link down, then its processes) while the
// router's route is watched, and returns how long after the link went
// down the router stopped routing over it.
func killAndTime(t *testing.T, l *Lab, i int) time.Duration {
	t.Helper()
	if gws, err := l.Nexthops(); err != nil || !Has(gws, i) {
		t.Errorf("d%d's path was gone before it was killed (%v, %v): a BFD or BGP flap under load?", i, gws, err)
	}
	wait := l.WatchRoute(func(gws []string) bool { return !Has(gws, i) })
	down := l.Kill(i)
	return wait("d"+strconv.Itoa(i)+"'s path withdrawn", 15*time.Second).Sub(down)
}

// TestECMPStandIn proves the ECMP lab with the gobgpd stand-in as every
// director's speaker: three directors with the same mh/mh-port table
// announce the VIP, and the router spreads the client's flows over all
// three (a); with sloppy_tcp a director's death is routed around within
// 1.5 s (BFD) and none of the held connections is reset (b); a director
// rejoining resets none either (d); and with sloppy_tcp off the same death
// resets the flows that move (c), so the check can fail.
func TestECMPStandIn(t *testing.T) {
	// The harness's own proof, with gobgpd in place of lvsadm: make
	// labtest runs it; make test runs TestECMPLvsadm, the same scenario
	// with lvsadm daemon, instead.
	if os.Getenv("LVSADM_LAB_ECMP_STANDIN") != "1" {
		t.Skip("LVSADM_LAB_ECMP_STANDIN=1 runs the gobgpd stand-in (make labtest)")
	}
	n, every := labConns(t), labInterval(t)
	begin := time.Now()
	l := New(t, 3, 3)
	for i := 1; i <= 3; i++ {
		l.IPVS(i, true)
		l.StandIn(i)
	}
	took := l.WaitNexthops(3, 90*time.Second)
	t.Logf("3 next hops %v after the last speaker announced (%v after the lab was up):\n%s", took.Round(10*time.Millisecond),
		time.Since(begin).Round(100*time.Millisecond), l.Sh("$IP -n router route show "+VIP))

	// (a) every director carries flows.
	phase := time.Now()
	h := l.Hold(HoldOptions{Conns: n, Interval: every})
	r := h.WaitReady(5 * time.Minute)
	t.Logf("(a) %d connections, each exercised every %v", n, every)
	t.Logf("(a) %d connections opened and answered in %v", r.Opened, time.Since(phase).Round(10*time.Millisecond))
	before := wantSpread(t, l, r, n)

	// (b) sloppy_tcp on: d3 dies, nothing is reset.
	phase = time.Now()
	drop := killAndTime(t, l, 3)
	t.Logf("(b) d3 killed: its path gone from the router %v after its link went down:\n%s", drop.Round(time.Millisecond), l.Sh("$IP -n router route show "+VIP))
	if drop > detectBound {
		t.Errorf("(b) the router dropped d3's path %v after its death, over %v", drop.Round(time.Millisecond), detectBound)
	}
	time.Sleep(afterEvent)
	r = h.Stop()
	logReport(t, "(b) sloppy_tcp=1, d3 killed", r)
	wantNoneBroken(t, "(b)", r, n)
	moved := l.Conns(1) + l.Conns(2) - before[1] - before[2]
	t.Logf("(b) d1 and d2 picked up %d flows mid-stream (%v)", moved, time.Since(phase).Round(10*time.Millisecond))
	if moved < before[3] {
		t.Errorf("(b) d1 and d2 gained %d connection entries, fewer than the %d d3 carried: the flows did not move", moved, before[3])
	}

	// (d) d3 rejoins under load: nothing is reset.
	phase = time.Now()
	h = l.Hold(HoldOptions{Conns: n, Interval: every})
	h.WaitReady(5 * time.Minute)
	c3 := l.Conns(3)
	restart := time.Now()
	l.LinkUp(3)
	l.StandIn(3)
	l.WaitNexthops(3, 90*time.Second)
	t.Logf("(d) d3 back in the route %v after its link came up and its speaker started", time.Since(restart).Round(10*time.Millisecond))
	time.Sleep(afterEvent)
	r = h.Stop()
	logReport(t, "(d) sloppy_tcp=1, d3 rejoined", r)
	wantNoneBroken(t, "(d)", r, n)
	if got := l.Conns(3); got <= c3 {
		t.Errorf("(d) d3 has %d connection entries, %d before it rejoined: it carries no flow", got, c3)
	}
	t.Logf("(d) took %v", time.Since(phase).Round(10*time.Millisecond))

	// (c) sloppy_tcp off: the same death resets the flows that move.
	phase = time.Now()
	for i := 1; i <= 3; i++ {
		l.Sloppy(i, false)
	}
	h = l.Hold(HoldOptions{Conns: n, Interval: every})
	h.WaitReady(5 * time.Minute)
	drop = killAndTime(t, l, 1)
	t.Logf("(c) d1 killed: its path gone %v after its link went down", drop.Round(time.Millisecond))
	time.Sleep(afterEvent)
	r = h.Stop()
	logReport(t, "(c) sloppy_tcp=0, d1 killed", r)
	if r.Reset == 0 {
		t.Errorf("(c) no connection reset with sloppy_tcp off: the check cannot tell")
	}
	t.Logf("(c) took %v; whole scenario %v (guest time)", time.Since(phase).Round(10*time.Millisecond), time.Since(begin).Round(100*time.Millisecond))
}

// wantNoneBroken fails the test unless every one of n held connections
// completed (phase names the scenario's step: "(b)").
func wantNoneBroken(t *testing.T, phase string, r connhold.Report, n int) {
	t.Helper()
	if r.Broken() != 0 || r.Completed != n {
		t.Errorf("%s %d connections broken, %d of %d completed: want none broken", phase, r.Broken(), r.Completed, n)
	}
}

// wantSpread checks step (a): all n connections opened, every director
// and every real server carries some; it returns each director's IPVS
// connection count.
func wantSpread(t *testing.T, l *Lab, r connhold.Report, n int) map[int]int {
	t.Helper()
	if r.Opened != n {
		t.Errorf("(a) %d of %d connections opened", r.Opened, n)
	}
	before := map[int]int{}
	for i := 1; i <= l.Directors; i++ {
		before[i] = l.Conns(i)
		if before[i] == 0 {
			t.Errorf("(a) d%d carries no connection", i)
		}
	}
	for j := 1; j <= l.Servers; j++ {
		if r.Backends["rs"+strconv.Itoa(j)] == 0 {
			t.Errorf("(a) rs%d serves no connection (mh-port spreads by source port): %s", j, r.SortedBackends())
		}
	}
	t.Logf("(a) IPVS connections per director: d1 %d, d2 %d, d3 %d; backends %s", before[1], before[2], before[3], r.SortedBackends())
	return before
}
