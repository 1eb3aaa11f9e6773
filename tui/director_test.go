package tui

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/lvsadm/lvsadm/daemon/control"

	"github.com/charmbracelet/colorprofile"
)

func TestDirectorView(t *testing.T) {
	st := fixtureStatus()
	// Older events than the fixture's, enough to scroll.
	var old []control.Event
	for i := 0; i < 20; i++ {
		old = append(old, control.Event{At: t0.Add(-2 * time.Hour), Kind: "health", Message: fmt.Sprintf("up web:web%d", i), State: "up"})
	}
	st.Events = append(old, st.Events...)
	m := healthModel(t, &jsonDaemon{st: st}, 80, 24)
	press(t, m, "3")
	out := m.View().Content
	checkScreen(t, out, 80, 24)
	wantIn(t, out, "[3 Director]", "DIRECTOR  /etc/sysconfig/ha/lvs.cf",
		"role       ACTIVE (primary) since 11:00:00, 1h0m0s ago",
		"peer       192.0.2.2 running, lvsadm, signed",
		"heartbeat  public heard 2s ago, private heard 48s ago; own links ok",
		"2 heartbeats rejected, last: bad signature from 192.0.2.99",
		"this  serial_no 7  digest 3f2a9c0d1e4b5a69",
		"peer  serial_no 6  digest 9e8d7c6b5a4f3e2d  MISMATCH",
		"reload     REFUSED, the old config runs: lvs.cf:12",
		"addresses  10.0.0.1/24 on eth0, 10.0.0.2/24 on eth0",
		"table      ok",
		"events     25, newest first",
		"11:59:30 health    down tls:tls2 10.0.2.2: connect: connection refused",
		"j k scroll")
	// Colour repeats what the words say: the mismatch is drawn as bad.
	m.st = newStyles(colorprofile.ANSI)
	if l := lineWith(t, m.View().Content, "MISMATCH"); !strings.HasPrefix(l, "\x1b[") {
		t.Errorf("the mismatch is not styled: %q", l)
	}
	if l := lineWith(t, m.View().Content, "addresses"); strings.Contains(l, "\x1b[") {
		t.Errorf("a plain line is styled: %q", l)
	}
	m.st = newStyles(colorprofile.NoTTY)
	// Newest first: the oldest event is below the screen until scrolled.
	if strings.Contains(out, "web:web0") {
		t.Errorf("oldest event on the first screen:\n%s", out)
	}
	press(t, m, "G")
	out = m.View().Content
	wantIn(t, out, "10:00:00 health    up web:web0", "lines 19-35 of 35")
	press(t, m, "g")
	wantIn(t, m.View().Content, "role       ACTIVE")
	// Tab cycles through the three views; shift+tab goes back.
	press(t, m, "tab")
	if m.view != viewServices {
		t.Errorf("tab from the director: view %d", m.view)
	}
	press(t, m, "shift+tab")
	if m.view != viewDirector {
		t.Errorf("shift+tab from services: view %d", m.view)
	}
	// Tab does not cycle into the Config view (inside it tab is its
	// own, so the cycle could not leave it); 4 opens it.
	press(t, m, "tab", "tab", "tab")
	if m.view != viewDirector {
		t.Errorf("tab three times from the director: view %d", m.view)
	}
	press(t, m, "4")
	if m.view != viewConfig {
		t.Errorf("4 switched to view %d", m.view)
	}
}

func TestDirectorViewWithoutDaemon(t *testing.T) {
	m := healthModel(t, &jsonDaemon{err: control.ErrNoDaemon}, 80, 24)
	press(t, m, "3")
	out := m.View().Content
	checkScreen(t, out, 80, 24)
	wantIn(t, out, "No daemon answers on /run/lvsadm/lvsadm.sock.", "Start the daemon (lvsadm daemon)",
		"The Services and Connections views work without it.")
	m = healthModel(t, &jsonDaemon{err: errors.New("connecting to the daemon at /x: permission denied")}, 80, 24)
	press(t, m, "3")
	wantIn(t, m.View().Content, "error: daemon: connecting to the daemon at /x: permission denied")
}

// TestDirectorViewECMP: an ECMP director shows its mode instead of a
// partner, its sync daemons, its BGP sessions and each route with why it
// is announced or withdrawn.
func TestDirectorViewECMP(t *testing.T) {
	st := fixtureStatus()
	st.Mode = "ecmp"
	st.Heartbeat = control.HeartbeatStatus{HeartbeatState: control.HeartbeatState{Role: "active", Identity: "ecmp"}}
	st.Sync = []string{"master syncid 7 on eth1", "backup syncid 0 (any) on eth1"}
	st.BGP = &control.BGPStatus{LocalAS: 65001, RouterID: "10.0.0.11", Running: true,
		Neighbors: []control.BGPNeighborStatus{{Address: "10.0.0.1", RemoteAS: 65000, State: "established", Since: t0.Add(-time.Minute), BFD: "up"}},
		Routes: []control.BGPRouteStatus{
			{Prefix: "192.0.2.10/32", Announced: true, Reason: "2 of 3 real servers up", Since: t0.Add(-30 * time.Second)},
			{Prefix: "192.0.2.20/32", Reason: "no real server up (0 of 2)", Since: t0.Add(-10 * time.Second)},
		}}
	st.Events = nil
	m := healthModel(t, &jsonDaemon{st: st}, 80, 24)
	press(t, m, "3")
	out := m.View().Content
	checkScreen(t, out, 80, 24)
	wantIn(t, out, "mode       ecmp: every director active, routed to with BGP",
		"sync       master syncid 7 on eth1; backup syncid 0 (any) on eth1",
		"bgp        AS 65001 router id 10.0.0.11, running",
		"neighbor 10.0.0.1 AS 65000 established",
		"route 192.0.2.10/32 announced",
		"route 192.0.2.20/32 withdrawn")
	if strings.Contains(out, "heartbeat  ") || strings.Contains(out, "not heard") {
		t.Errorf("an ECMP director shows a heartbeat partner:\n%s", out)
	}
}
