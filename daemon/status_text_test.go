package daemon

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/lvsadm/lvsadm/daemon/control"
)

func TestWriteText(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 10, 0, time.UTC)
	serial := int32(4)
	no := false
	s := &control.Status{
		Config: "/etc/sysconfig/ha/lvs.cf", Serial: 3, Digest: "0123456789abcdef0123", Since: now.Add(-time.Minute),
		LastReloadError: "lvs.cf has lint errors:\nx",
		Heartbeat: control.HeartbeatStatus{HeartbeatState: control.HeartbeatState{Role: "active", Identity: "primary", Rejected: 2, LastReject: "unexpected sender 10.9.9.9",
			Peer: control.PeerStatus{Heard: true, LastHeard: now.Add(-500 * time.Millisecond), From: "10.0.0.2", Link: "private", State: "stopped", Lvsadm: true, Signed: true, Serial: &serial, DigestMatch: &no}}},
		VIPs: []string{"192.168.0.10/32 dev eth0:1"},
		Virtuals: []control.VirtualStatus{{Name: "web", Active: true, Address: "192.168.0.10", Port: 80, Protocol: "tcp", Servers: []control.ServerStatus{
			{Name: "rs1", Address: "10.0.1.1", Port: 80, Weight: 1, Active: true, State: control.Up,
				LastCheck: &control.CheckResult{OK: true, At: now.Add(-2 * time.Second), Latency: 1500 * time.Microsecond}, LastTransition: now.Add(-time.Minute)},
			{Name: "rs2", Address: "10.0.1.2", Port: 80, Weight: 1, Active: true, State: control.Down,
				LastCheck: &control.CheckResult{Reason: "answer does not start with \"HTTP\"", Answer: "SSH-2.0"}},
		}}},
		Events: []control.Event{{At: now, Kind: "health", Message: "down web:rs2 10.0.1.2", State: "down", Reason: "timed out"}},
	}
	var b bytes.Buffer
	WriteText(&b, s, now)
	out := b.String()
	for _, want := range []string{
		"role:    active (primary) since 1m0s ago",
		"serial_no 3 digest 0123456789abcdef",
		"last reload refused: lvs.cf has lint errors:",
		"peer:    10.0.0.2 (private link) stopped, heard 500ms ago, lvsadm, signed, serial_no 4, CONFIG DIFFERS",
		"2 heartbeats ignored, last: unexpected sender 10.9.9.9",
		"vips:    192.168.0.10/32 dev eth0:1",
		"virtual web 192.168.0.10:80/tcp",
		"rs1          10.0.1.1:80 weight 1  up  checked 2s ago in 1.5ms; since 1m0s ago",
		`rs2          10.0.1.2:80 weight 1  down  answer does not start with "HTTP" (answer "SSH-2.0")`,
		"health    down web:rs2 10.0.1.2: timed out",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in:\n%s", want, out)
		}
	}
}

// TestWriteTextSummary: a virtual listed in part shows its counts, the
// servers listed (with an override and quiesced ones), and how to see the
// rest.
func TestWriteTextSummary(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 10, 0, time.UTC)
	s := &control.Status{
		Heartbeat: control.HeartbeatStatus{HeartbeatState: control.HeartbeatState{Role: "active", Identity: "primary"}},
		Filter:    &control.Filter{Summary: true},
		Virtuals: []control.VirtualStatus{{Name: "web", Active: true, Address: "192.168.0.10", Port: 80, Protocol: "tcp",
			Counts: &control.Counts{Servers: 4, Up: 3, Down: 1, Quiesced: 1, Override: 1},
			Servers: []control.ServerStatus{
				{Name: "rs2", Address: "10.0.1.2", Port: 80, Weight: 1, Active: true, State: control.Down, Quiesced: true},
				{Name: "rs3", Address: "10.0.1.3", Port: 80, Weight: 2, Active: true, State: control.Up,
					Override: &control.Override{Kind: control.Drain, Since: now.Add(-5 * time.Minute)}},
			}}},
	}
	var b bytes.Buffer
	WriteText(&b, s, now)
	out := b.String()
	for _, want := range []string{
		"virtual web 192.168.0.10:80/tcp: 3/4 up, 1 DOWN, 1 quiesced, 1 with an override\n",
		"rs2          10.0.1.2:80 weight 1  down; quiesced (weight 0)\n",
		"rs3          10.0.1.3:80 weight 2  up; OVERRIDE: drained (weight 0) since 5m0s ago\n",
		"(2 real servers up and not listed: lvsadm status --all lists them)\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in:\n%s", want, out)
		}
	}
	// A state filter lists in part too, but hides no healthy server.
	s.Filter = &control.Filter{State: "down"}
	b.Reset()
	WriteText(&b, s, now)
	if strings.Contains(b.String(), "not listed") {
		t.Errorf("a state filter says servers are hidden:\n%s", b.String())
	}
}

func TestWriteTextFailback(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 10, 0, time.UTC)
	for _, tc := range []struct {
		fb   control.FailbackStatus
		want string
	}{
		{control.FailbackStatus{Since: now.Add(-3 * time.Second), HoldSeconds: 30, Polled: true, Connections: 1234, StableSeconds: 2},
			"failback: waiting for the connection table (1,234 connections, stable 2s), at most 27s more\n"},
		{control.FailbackStatus{Since: now.Add(-40 * time.Second), HoldSeconds: 30},
			"failback: waiting for the hold time (no connection table polled), at most 0s more\n"},
		{control.FailbackStatus{Since: now.Add(-time.Second), HoldSeconds: 10, LastError: "boom"},
			"failback: waiting; the connection table cannot be read (boom), at most 9s more\n"},
	} {
		var b bytes.Buffer
		fb := tc.fb
		WriteText(&b, &control.Status{Heartbeat: control.HeartbeatStatus{HeartbeatState: control.HeartbeatState{Role: "standby", Identity: "primary"}, Failback: &fb}}, now)
		if !strings.Contains(b.String(), tc.want) {
			t.Errorf("status lacks %q:\n%s", tc.want, b.String())
		}
	}
	if got := []string{thousands(0), thousands(999), thousands(1000), thousands(1234567), thousands(-1234)}; strings.Join(got, " ") != "0 999 1,000 1,234,567 -1,234" {
		t.Errorf("thousands: %q", got)
	}
}
