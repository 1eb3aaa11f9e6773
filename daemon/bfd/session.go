package bfd

import (
	"math/rand/v2"
	"time"
)

// slowTx is bfd.DesiredMinTxInterval while a session is not Up: RFC 5880
// 6.8.3 asks for at least one second.
const slowTx = time.Second

// machine is one session's RFC 5880 state (6.8.1's variables) and its
// reception (6.8.6), timeout and transmission (6.8.7) rules. It does no
// I/O and reads no clock: the agent passes the time in, so the tests can
// walk it through every transition.
type machine struct {
	interval time.Duration // configured Desired Min TX once Up, and Required Min RX
	mult     uint8         // bfd.DetectMult

	state, remoteState      State
	localDiscr, remoteDiscr uint32
	localDiag, remoteDiag   Diag
	// lastDownDiag is the diagnostic of the last transition to Down,
	// kept for status after the session came back.
	lastDownDiag Diag
	since        time.Time

	desiredMinTx, requiredMinRx     time.Duration
	remoteDesiredMinTx, remoteMinRx time.Duration
	remoteMult                      uint8

	pollActive bool // a Poll Sequence is running: send P until an F comes
	sendFinal  bool // a Poll came: answer with F at once

	detectAt time.Time // zero: nothing received since the last timeout
	nextTx   time.Time // zero: no periodic transmission
}

func newMachine(interval time.Duration, mult uint8, discr uint32, now time.Time) *machine {
	return &machine{
		interval: interval, mult: mult,
		state: StateDown, remoteState: StateDown,
		localDiscr: discr, since: now,
		desiredMinTx: max(slowTx, interval), requiredMinRx: interval,
		// RFC 5880 6.8.1: RemoteMinRxInterval starts at 1 microsecond.
		remoteMinRx: time.Microsecond,
		nextTx:      now,
	}
}

// detectTime is the asynchronous mode's Detection Time (RFC 5880 6.8.4).
func (m *machine) detectTime() time.Duration {
	return time.Duration(m.remoteMult) * max(m.requiredMinRx, m.remoteDesiredMinTx)
}

// txInterval is the interval between periodic packets before jitter;
// 0 when the remote system asked for none (Required Min RX 0).
func (m *machine) txInterval() time.Duration {
	if m.remoteMinRx == 0 {
		return 0
	}
	return max(m.desiredMinTx, m.remoteMinRx)
}

// jittered is the next periodic transmission after now (RFC 5880 6.8.7:
// 75-100% of the interval, at most 90% with a multiplier of 1).
func (m *machine) jittered(now time.Time) time.Time {
	iv := m.txInterval()
	if iv == 0 {
		return time.Time{}
	}
	span := 0.25
	if m.mult == 1 {
		span = 0.15
	}
	return now.Add(time.Duration(float64(iv) * (0.75 + span*rand.Float64())))
}

func (m *machine) setState(s State, diag Diag, now time.Time) {
	old := m.state
	m.state, m.localDiag, m.since = s, diag, now
	if s == StateDown {
		m.lastDownDiag = diag
	}
	switch {
	case s == StateUp && m.desiredMinTx != m.interval:
		// Leaving the 1 s of 6.8.3 for the configured interval is a timer
		// change: it needs a Poll Sequence (6.8.3). A decrease may take
		// effect at once.
		m.desiredMinTx = m.interval
		m.pollActive = true
	case old == StateUp && s != StateUp:
		m.desiredMinTx = max(slowTx, m.interval)
		m.pollActive = false
	}
}

// receive applies a packet Parse accepted and the agent matched to this
// session (RFC 5880 6.8.6 from "Set bfd.RemoteDiscr" on). It reports
// whether the local state changed.
func (m *machine) receive(p Packet, now time.Time) bool {
	oldState, oldTx := m.state, m.txInterval()
	if p.Final {
		m.pollActive = false
	}
	m.remoteDiscr = p.MyDiscr
	m.remoteState = p.State
	m.remoteDiag = p.Diag
	m.remoteDesiredMinTx = fromMicros(p.DesiredMinTx)
	m.remoteMinRx = fromMicros(p.RequiredMinRx)
	m.remoteMult = p.DetectMult
	m.detectAt = now.Add(m.detectTime())
	if m.state == StateAdminDown {
		return false
	}
	if p.State == StateAdminDown {
		if m.state != StateDown {
			m.setState(StateDown, DiagNeighborDown, now)
		}
	} else {
		switch m.state {
		case StateDown:
			switch p.State {
			case StateDown:
				m.setState(StateInit, DiagNone, now)
			case StateInit:
				m.setState(StateUp, DiagNone, now)
			}
		case StateInit:
			if p.State == StateInit || p.State == StateUp {
				m.setState(StateUp, DiagNone, now)
			}
		case StateUp:
			if p.State == StateDown {
				m.setState(StateDown, DiagNeighborDown, now)
			}
		}
	}
	if p.Poll {
		m.sendFinal = true
	}
	// A shorter interval (ours once Up, or the peer's Required Min RX)
	// applies now rather than after the slow packet already scheduled.
	if iv := m.txInterval(); iv != oldTx {
		if next := m.jittered(now); m.nextTx.IsZero() || next.Before(m.nextTx) {
			m.nextTx = next
		}
	}
	return m.state != oldState
}

// expire applies the Detection Time: nothing heard for that long takes an
// Init or Up session Down and forgets the remote discriminator (RFC 5880
// 6.8.1 bfd.RemoteDiscr, 6.8.4), so that the next packets carry Your
// Discriminator 0 and the peer's new session can pick them up. It reports
// whether the local state changed.
func (m *machine) expire(now time.Time) bool {
	if m.detectAt.IsZero() || now.Before(m.detectAt) {
		return false
	}
	m.detectAt = time.Time{}
	m.remoteDiscr = 0
	m.remoteState = StateDown
	if m.state == StateInit || m.state == StateUp {
		m.setState(StateDown, DiagTimeExpired, now)
		return true
	}
	return false
}

// packet is the control packet to send now. A Final answers a Poll and
// never carries P as well (RFC 5880 6.8.7).
func (m *machine) packet() Packet {
	p := Packet{
		Version: 1, Diag: m.localDiag, State: m.state,
		Final: m.sendFinal, Poll: m.pollActive && !m.sendFinal,
		DetectMult: m.mult, MyDiscr: m.localDiscr, YourDiscr: m.remoteDiscr,
		DesiredMinTx: micros(m.desiredMinTx), RequiredMinRx: micros(m.requiredMinRx),
	}
	m.sendFinal = false
	return p
}

// due is what the session has to do at now: send (a Final, or the
// periodic packet) and when it next needs the clock.
func (m *machine) due(now time.Time) (send bool, wake time.Time) {
	if m.sendFinal {
		send = true
	}
	if !m.nextTx.IsZero() && !now.Before(m.nextTx) {
		send = true
		m.nextTx = m.jittered(now)
	} else if m.nextTx.IsZero() && m.txInterval() != 0 {
		m.nextTx = m.jittered(now)
	}
	wake = m.nextTx
	if !m.detectAt.IsZero() && (wake.IsZero() || m.detectAt.Before(wake)) {
		wake = m.detectAt
	}
	return send, wake
}

// adminDown takes the session out of service (RFC 5880 6.8.16): the last
// packets say AdminDown, so the peer does not read it as a failure.
func (m *machine) adminDown(now time.Time) {
	m.setState(StateAdminDown, DiagAdminDown, now)
}
