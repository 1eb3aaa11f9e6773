//go:build vmtest

package ecmplab

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// lvsadmConf is the one lvs.cf every director runs: ecmp mode, the bgp
// block peering with the router (BFD on), the VIP announced while a real
// server is up, mh with mh-port over the three DR real servers.
func lvsadmConf(m int, bfd bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, `serial_no = 1
director_mode = ecmp
sloppy_tcp = 1
network = direct
bgp {
     local_as = 65001
     bfd_interval = 100
     bfd_multiplier = 5
     neighbor %s {
          remote_as = %d
          hold_time = 3
          keepalive = 1
          bfd = %d
     }
}
virtual echo {
     active = 1
     address = %s lo:1
     port = %d
     protocol = tcp
     scheduler = mh
     sched_flags = mh-port
     announce = 1
     timeout = 2
     reentry = 2
`, RouterIP, RouterAS, b2i(bfd), VIP, Port)
	for j := 1; j <= m; j++ {
		fmt.Fprintf(&b, "     server rs%d {\n         address = %s\n         active = 1\n         weight = 1\n     }\n", j, ServerIP(j))
	}
	b.WriteString("}\n")
	return b.String()
}

// TestECMPLvsadm is issue 12's proof with lvsadm's own speaker: three
// directors run lvsadm daemon on one lvs.cf (director_mode = ecmp, a bgp
// block, announce); the router learns the VIP from all three (a); a
// director killed with its link is routed around within 1.5 s (BFD) and
// none of the held connections is reset (b); it rejoins with none reset
// (d); lvsadm drain-director withdraws a director's route and its flows
// move on with none reset (e); with sloppy_tcp off the same death resets
// the moved flows (c), so the checks can fail.
func TestECMPLvsadm(t *testing.T) {
	n, every := labConns(t), labInterval(t)
	begin := time.Now()
	// BFD on (lvsadm's own, daemon/bfd): the router drops a dead
	// director's path within issue 12's 1.5 s. Multiplier 5 on both
	// sides (500 ms): 3 x 100 ms was once missed on the loaded one-CPU
	// emulator while it opened the connections. LVSADM_LAB_ECMP_BFD=0
	// runs without (the 3 s hold time then; bound 3.5 s).
	bfd, bound, env := true, detectBound, "ECMP_DIR_AS=65001 ECMP_BFD_MULT=5"
	if os.Getenv("LVSADM_LAB_ECMP_BFD") == "0" {
		bfd, bound, env = false, 3500*time.Millisecond, "ECMP_DIR_AS=65001 ECMP_BFD=0"
	}
	l := NewEnv(t, 3, 3, env)
	cfg := filepath.Join(t.TempDir(), "lvs.cf")
	if err := os.WriteFile(cfg, []byte(lvsadmConf(3, bfd)), 0o644); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 3; i++ {
		l.Lvsadm(i, cfg)
	}
	took := l.WaitNexthops(3, 90*time.Second)
	t.Logf("3 next hops %v after the daemons started (%v after the lab was up):\n%s", took.Round(10*time.Millisecond),
		time.Since(begin).Round(100*time.Millisecond), l.Sh("$IP -n router route show "+VIP))
	if bfd {
		// The router's BFD sessions with every director are up: lvsadm
		// answers BFD itself (daemon/bfd).
		waitBFD(t, l)
	}
	if st, err := l.Ctl(1, "status"); err != nil || !strings.Contains(st, "route "+VIP+"/32 announced") || !strings.Contains(st, "established") {
		t.Errorf("d1's status (%v):\n%s", err, st)
	}
	for i := 1; i <= 3; i++ {
		if got := strings.TrimSpace(l.Sh(fmt.Sprintf("$IP netns exec d%d cat /proc/sys/net/ipv4/vs/sloppy_tcp", i))); got != "1" {
			t.Errorf("d%d: sloppy_tcp %s, want 1 (set by the daemon)", i, got)
		}
	}

	// (a) every director carries flows.
	h := l.Hold(HoldOptions{Conns: n, Interval: every})
	r := h.WaitReady(5 * time.Minute)
	wantSpread(t, l, r, n)

	// (b) d3 dies (link, then every process): routed around, nothing reset.
	drop := killAndTime(t, l, 3)
	t.Logf("(b) d3 killed: its path gone from the router %v after its link went down", drop.Round(time.Millisecond))
	if drop > bound {
		t.Errorf("(b) the router dropped d3's path %v after its death, over %v", drop.Round(time.Millisecond), bound)
	}
	time.Sleep(afterEvent)
	r = h.Stop()
	logReport(t, "(b) sloppy_tcp=1, d3 killed", r)
	wantNoneBroken(t, "(b)", r, n)

	// (d) d3 rejoins under load: its daemon announces again, nothing reset.
	h = l.Hold(HoldOptions{Conns: n, Interval: every})
	h.WaitReady(5 * time.Minute)
	restart := time.Now()
	l.LinkUp(3)
	l.Lvsadm(3, cfg)
	l.WaitNexthops(3, 90*time.Second)
	t.Logf("(d) d3 back in the route %v after its link came up and its daemon started", time.Since(restart).Round(10*time.Millisecond))
	time.Sleep(afterEvent)
	r = h.Stop()
	logReport(t, "(d) sloppy_tcp=1, d3 rejoined", r)
	wantNoneBroken(t, "(d)", r, n)

	// (e) d2 drained: its route withdrawn, its flows move on, none reset.
	h = l.Hold(HoldOptions{Conns: n, Interval: every})
	h.WaitReady(5 * time.Minute)
	wait := l.WatchRoute(func(gws []string) bool { return !Has(gws, 2) && len(gws) == 2 })
	out, err := l.Ctl(2, "drain-director", "--wait", "0")
	if err != nil || !strings.Contains(out, "drained: withdrawn "+VIP+"/32") {
		t.Errorf("(e) drain-director (%v): %s", err, out)
	}
	wait("d2's path withdrawn by the drain", 15*time.Second)
	time.Sleep(afterEvent)
	r = h.Stop()
	logReport(t, "(e) d2 drained", r)
	wantNoneBroken(t, "(e)", r, n)
	if st, _ := l.Ctl(2, "status"); !strings.Contains(st, "DRAINED") {
		t.Errorf("(e) d2's status does not say it is drained:\n%s", st)
	}
	if out, err := l.Ctl(2, "undrain-director"); err != nil || !strings.Contains(out, "announced "+VIP+"/32") {
		t.Errorf("(e) undrain-director (%v): %s", err, out)
	}
	l.WaitNexthops(3, 60*time.Second)

	// (c) sloppy_tcp off: the same death resets the flows that move.
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
	t.Logf("whole scenario %v (guest time)", time.Since(begin).Round(100*time.Millisecond))
}

// waitBFD waits until the router's BFD session with every director is Up.
func waitBFD(t *testing.T, l *Lab) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		out := l.Sh("lab_ecmp_birdcl router show bfd sessions")
		up := 0
		for _, line := range strings.Split(out, "\n") {
			if f := strings.Fields(line); len(f) >= 3 && strings.HasPrefix(f[0], "10.0.0.1") && f[2] == "Up" {
				up++
			}
		}
		if up == l.Directors {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the router's BFD sessions with the directors are not all Up:\n%s", out)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// TestECMPOpenRate is issue 12's throughput figure: new connections a
// second through three directors against one (the others drained), the
// same client opening the same number each time. The emulator has one
// CPU for every namespace, so the ratio says what the lab can, not what
// three machines would. LVSADM_LAB_ECMP_RATE=1 runs it (make labtest).
func TestECMPOpenRate(t *testing.T) {
	if os.Getenv("LVSADM_LAB_ECMP_RATE") != "1" {
		t.Skip("LVSADM_LAB_ECMP_RATE=1 runs it (make labtest)")
	}
	const n = 300
	l := NewEnv(t, 3, 3, "ECMP_DIR_AS=65001 ECMP_BFD_MULT=5")
	cfg := filepath.Join(t.TempDir(), "lvs.cf")
	if err := os.WriteFile(cfg, []byte(lvsadmConf(3, true)), 0o644); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 3; i++ {
		l.Lvsadm(i, cfg)
	}
	l.WaitNexthops(3, 90*time.Second)
	open := func(what string) float64 {
		h := l.Hold(HoldOptions{Conns: n, Interval: time.Second})
		r := h.WaitReady(5 * time.Minute)
		h.Stop()
		if r.Opened != n {
			t.Errorf("%s: %d of %d opened", what, r.Opened, n)
		}
		rate := float64(r.Opened) / r.OpenSeconds
		t.Logf("%s: %d connections opened in %.2f s: %.0f/s; backends %s", what, r.Opened, r.OpenSeconds, rate, r.SortedBackends())
		return rate
	}
	three := open("3 directors")
	for _, i := range []int{2, 3} {
		if out, err := l.Ctl(i, "drain-director", "--wait", "0"); err != nil {
			t.Fatalf("drain d%d (%v): %s", i, err, out)
		}
	}
	l.WaitNexthops(1, 30*time.Second)
	one := open("1 director")
	t.Logf("new connections a second, 3 directors / 1: %.2f", three/one)
}
