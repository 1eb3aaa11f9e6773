package bfd

import (
	"testing"
	"time"
)

var t0 = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)

func peerPacket(st State, p Packet) Packet {
	p.Version, p.State = 1, st
	if p.DetectMult == 0 {
		p.DetectMult = 3
	}
	if p.MyDiscr == 0 {
		p.MyDiscr = 99
	}
	if p.DesiredMinTx == 0 {
		p.DesiredMinTx = 1000000
	}
	if p.RequiredMinRx == 0 {
		p.RequiredMinRx = 100000
	}
	return p
}

// TestStateTable is RFC 5880 6.8.6's transitions: local state x received
// state.
func TestStateTable(t *testing.T) {
	cases := []struct {
		local, recv, want State
		diag              Diag
	}{
		{StateDown, StateAdminDown, StateDown, DiagNone},
		{StateDown, StateDown, StateInit, DiagNone},
		{StateDown, StateInit, StateUp, DiagNone},
		{StateDown, StateUp, StateDown, DiagNone},
		{StateInit, StateAdminDown, StateDown, DiagNeighborDown},
		{StateInit, StateDown, StateInit, DiagNone},
		{StateInit, StateInit, StateUp, DiagNone},
		{StateInit, StateUp, StateUp, DiagNone},
		{StateUp, StateAdminDown, StateDown, DiagNeighborDown},
		{StateUp, StateDown, StateDown, DiagNeighborDown},
		{StateUp, StateInit, StateUp, DiagNone},
		{StateUp, StateUp, StateUp, DiagNone},
		{StateAdminDown, StateDown, StateAdminDown, DiagAdminDown},
		{StateAdminDown, StateUp, StateAdminDown, DiagAdminDown},
	}
	for _, c := range cases {
		m := newMachine(100*time.Millisecond, 3, 1, t0)
		switch c.local {
		case StateInit, StateUp:
			m.setState(c.local, DiagNone, t0)
		case StateAdminDown:
			m.adminDown(t0)
		}
		changed := m.receive(peerPacket(c.recv, Packet{YourDiscr: 1}), t0.Add(time.Millisecond))
		if m.state != c.want || m.localDiag != c.diag {
			t.Errorf("%v + received %v: %v (%v), want %v (%v)", c.local, c.recv, m.state, m.localDiag, c.want, c.diag)
		}
		if changed != (c.local != c.want) {
			t.Errorf("%v + received %v: changed = %v", c.local, c.recv, changed)
		}
		if m.remoteState != c.recv || m.remoteDiscr != 99 {
			t.Errorf("%v + received %v: remote state %v discr %d", c.local, c.recv, m.remoteState, m.remoteDiscr)
		}
	}
}

// TestTimers covers 6.8.3 (1 s while not Up, the configured interval
// once Up with a Poll), the Final answer, the Detection Time and
// forgetting the remote discriminator (6.8.1, 6.8.4).
func TestTimers(t *testing.T) {
	m := newMachine(100*time.Millisecond, 3, 1, t0)
	if p := m.packet(); p.DesiredMinTx != 1000000 || p.RequiredMinRx != 100000 || p.YourDiscr != 0 || p.State != StateDown {
		t.Fatalf("first packet %+v", p)
	}
	if send, _ := m.due(t0); !send {
		t.Fatal("nothing sent at start")
	}
	m.receive(peerPacket(StateInit, Packet{YourDiscr: 1}), t0)
	if m.state != StateUp || !m.pollActive {
		t.Fatalf("up: state %v poll %v", m.state, m.pollActive)
	}
	p := m.packet()
	if !p.Poll || p.Final || p.DesiredMinTx != 100000 {
		t.Fatalf("packet once up %+v", p)
	}
	// Transmission interval: max(our 100 ms, their 100 ms), jittered.
	for range 100 {
		d := m.jittered(t0).Sub(t0)
		if d < 75*time.Millisecond || d > 100*time.Millisecond {
			t.Fatalf("jittered interval %v", d)
		}
	}
	// Their Final ends our Poll; their Poll gets a Final, without P.
	m.receive(peerPacket(StateUp, Packet{YourDiscr: 1, Final: true, Poll: false}), t0)
	if m.pollActive {
		t.Fatal("poll still active after a Final")
	}
	m.receive(peerPacket(StateUp, Packet{YourDiscr: 1, Poll: true, DesiredMinTx: 100000}), t0)
	if send, _ := m.due(t0); !send {
		t.Fatal("a Poll is not answered at once")
	}
	if p := m.packet(); !p.Final || p.Poll {
		t.Fatalf("answer to a poll %+v", p)
	}
	// Detection Time: 3 x max(100 ms, their 100 ms).
	if d := m.detectTime(); d != 300*time.Millisecond {
		t.Fatalf("detection time %v", d)
	}
	if m.expire(t0.Add(299 * time.Millisecond)) {
		t.Fatal("down before the detection time")
	}
	if !m.expire(t0.Add(300*time.Millisecond)) || m.state != StateDown || m.localDiag != DiagTimeExpired {
		t.Fatalf("after the detection time: %v %v", m.state, m.localDiag)
	}
	if m.remoteDiscr != 0 || m.lastDownDiag != DiagTimeExpired {
		t.Fatalf("remote discr %d, last diag %v", m.remoteDiscr, m.lastDownDiag)
	}
	if p := m.packet(); p.YourDiscr != 0 || p.DesiredMinTx != 1000000 || p.Poll {
		t.Fatalf("packet after the timeout %+v", p)
	}
	// A Down session forgets the discriminator after silence too.
	m.receive(peerPacket(StateAdminDown, Packet{YourDiscr: 1}), t0.Add(time.Second))
	if m.remoteDiscr == 0 || m.state != StateDown {
		t.Fatal("remote discr not learnt")
	}
	m.expire(t0.Add(time.Hour))
	if m.remoteDiscr != 0 {
		t.Fatal("remote discr kept after a detection time in Down")
	}
}

// TestNoPeriodicWhenPeerAsksNone: Required Min RX 0 stops periodic packets.
func TestNoPeriodicWhenPeerAsksNone(t *testing.T) {
	m := newMachine(100*time.Millisecond, 3, 1, t0)
	m.due(t0)
	p := peerPacket(StateDown, Packet{})
	p.RequiredMinRx = 0
	m.receive(p, t0)
	m.nextTx = time.Time{}
	if send, _ := m.due(t0.Add(10 * time.Second)); send {
		t.Fatal("sent although the peer asked for no packets")
	}
}
