package heartbeat

import (
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"time"
)

// plainAfter is how many bare 4-byte heartbeats in a row make an unkeyed
// director answer in kind (piranha's pulse). One spoofed packet must not
// turn the trailer, and with it the config-digest check, off.
const plainAfter = 3

// maxSent bounds the nonces remembered, whatever keepalive and deadtime
// are: a nonce older than the last maxSent sent no longer counts as echoed,
// which with sane timers (deadtime a few keepalives) never happens.
const maxSent = 256

// sentNonce is a nonce we sent and when.
type sentNonce struct {
	nonce uint64
	at    time.Time
}

// partnerRun is what we know of the partner's run (boot id) we follow.
type partnerRun struct {
	known       bool
	boot, seq   uint64    // its id and the highest sequence number accepted
	established bool      // one of its heartbeats echoed a fresh nonce of ours
	echoAt      time.Time // when we sent the latest nonce it echoed
	mac         [32]byte  // the MAC of the last accepted heartbeat
	link        Link      // and the link it came on
}

// random64 is a random, non-zero 64-bit value (zero means "none" on the
// wire). crypto/rand does not fail on Linux.
func random64() uint64 {
	var b [8]byte
	for {
		rand.Read(b[:])
		if v := binary.BigEndian.Uint64(b[:]); v != 0 {
			return v
		}
	}
}

// remember records a nonce we send, forgetting those older than deadtime.
func (m *Machine) remember(nonce uint64, now time.Time) {
	cut := 0
	for cut < len(m.sent) && (now.Sub(m.sent[cut].at) > m.cfg.Deadtime || len(m.sent)-cut >= maxSent) {
		cut++
	}
	m.sent = append(m.sent[cut:], sentNonce{nonce, now})
}

// sentAt reports when we sent nonce, if we did within deadtime of now.
func (m *Machine) sentAt(nonce uint64, now time.Time) (time.Time, bool) {
	if nonce == 0 {
		return time.Time{}, false
	}
	for i := len(m.sent) - 1; i >= 0; i-- {
		if m.sent[i].nonce == nonce {
			at := m.sent[i].at
			return at, now.Sub(at) <= m.cfg.Deadtime
		}
	}
	return time.Time{}, false
}

// checkV2 applies version 2's replay protection (see Receive) to a
// heartbeat whose MAC verified. ok false: drop it (with acts to report);
// proof false: heard, but it does not show the partner alive.
func (m *Machine) checkV2(now time.Time, link Link, e *Ext) (acts []Action, ok, proof bool) {
	r := &m.pRun
	echoAt, fresh := m.sentAt(e.Echo, now)
	if r.known && e.BootID == r.boot {
		if e.Seq == r.seq && e.MAC == r.mac {
			// The same heartbeat over the other link (it is sent on both):
			// news of that link, nothing more. Again on the same link it is
			// a replay of the latest, which tells nothing either.
			if link != r.link && r.established {
				m.heardOn(link, now)
			}
			return nil, false, false
		}
		if e.Seq+1 == r.seq && link != r.link {
			// The previous heartbeat, over the other link, after the
			// latest: the two links have a reader each, so their
			// datagrams can cross on the way to the queue. Late, not a
			// replay worth a notice (and no news of that link).
			return nil, false, false
		}
		if e.Seq <= r.seq {
			return m.reject(now, nkReplay, "replayed or reordered heartbeat"), false, false
		}
	} else if r.established && (!fresh || echoAt.Before(r.echoAt)) {
		// Another run while the current one is established: a restarted
		// partner soon echoes our latest nonce; a recording cannot.
		m.answerEarly(now)
		return m.reject(now, nkReplay, "heartbeat of another run of the partner that does not echo us (a replay, or a restart not yet answered)"), false, false
	} else if !r.known || e.BootID != r.boot {
		*r = partnerRun{known: true, boot: e.BootID}
		m.answerEarly(now)
	}
	r.seq, r.mac, r.link = e.Seq, e.MAC, link
	m.echo = e.Nonce
	if fresh {
		r.established = true
		if echoAt.After(r.echoAt) {
			r.echoAt = echoAt
		}
	}
	return nil, true, r.established
}

// answerEarly sends our next heartbeat now rather than at the next
// keepalive, so that a partner that has just started (or restarted) gets
// a nonce to echo, and the echo back, within a round trip: the handshake
// then delays neither the start-up rule nor a returning director by a
// keepalive or two. At most once per keepalive, so replays cannot make us
// send more than twice the usual rate.
func (m *Machine) answerEarly(now time.Time) {
	if !m.cfg.BackupActive || (!m.earlyAt.IsZero() && now.Sub(m.earlyAt) < m.cfg.Keepalive) {
		return
	}
	m.earlyAt = now
	if now.Before(m.sendAt) {
		m.sendAt = now
	}
}

// checkV1 applies version 1's rule to a heartbeat whose MAC verified:
// timestamps strictly increase and stay within MaxSkew of our clock. It is
// kept for an older lvsadm partner only: one heartbeat stamped ahead makes
// the real ones look old until the clock catches up.
func (m *Machine) checkV1(now time.Time, link Link, e *Ext) ([]Action, bool) {
	ts := e.UnixNano
	if ts == m.lastTS && e.MAC == m.lastMAC {
		if link != m.lastLink {
			m.heardOn(link, now)
		}
		return nil, false
	}
	if ts <= m.lastTS {
		return m.reject(now, nkReplay, "replayed or reordered heartbeat"), false
	}
	if skew := now.Sub(time.Unix(0, ts)); skew > m.cfg.MaxSkew || skew < -m.cfg.MaxSkew {
		return m.reject(now, nkClock, fmt.Sprintf("timestamp %v away from the local clock", skew.Round(time.Millisecond))), false
	}
	m.lastTS, m.lastMAC, m.lastLink = ts, e.MAC, link
	return nil, true
}

// noteVersion follows the trailer version the partner sends (we answer in
// it) and says so, once per change, when it falls back to version 1.
func (m *Machine) noteVersion(e *Ext) []Action {
	if e == nil {
		m.peer.Trailer, m.peer.Replay = 0, ""
		return nil
	}
	m.peer.Trailer = int(e.Version)
	m.peer.Replay = ""
	if m.cfg.Keys.Len() > 0 {
		m.peer.Replay = "nonce"
		if e.Version == 1 {
			m.peer.Replay = "timestamp"
		}
	}
	old := m.peerVer
	m.peerVer = e.Version
	switch {
	case e.Version == 1 && old != 1:
		return []Action{{Kind: ActNotice, Reason: fmt.Sprintf("partner sends heartbeat trailer version 1 (an older lvsadm): "+
			"answering in version 1; with a key, replay protection falls back to increasing timestamps within %v of the local clock", m.cfg.MaxSkew)}}
	case e.Version != 1 && old == 1:
		return []Action{{Kind: ActNotice, Reason: fmt.Sprintf("partner now sends heartbeat trailer version %d", e.Version)}}
	}
	return nil
}
