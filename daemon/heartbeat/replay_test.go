package heartbeat

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"strings"
	"testing"
	"time"
)

const simStep = 10 * time.Millisecond

// settle runs a fresh keyed pair until it has one active and one standby
// director, and returns the sim.
func settle(t *testing.T, kr *Keyring) *sim {
	t.Helper()
	s := newSim(t, kr)
	s.start(0)
	s.start(1)
	s.run(5*time.Second, simStep)
	if s.m[0].Active() == s.m[1].Active() {
		t.Fatalf("the pair did not settle: %+v / %+v", s.m[0].Status(), s.m[1].Status())
	}
	return s
}

// TestReplayDoesNotDelayTakeover: the primary dies; an attacker replays
// every heartbeat it recorded from the primary, in a loop, 500 a second,
// from the primary's address. The backup takes over deadtime after the
// primary's last real heartbeat, and a backup restarted meanwhile takes
// over deadtime after its own start (version 1's timestamp window let such
// a recording delay the takeover by up to 30 s).
func TestReplayDoesNotDelayTakeover(t *testing.T) {
	for _, restart := range []bool{false, true} {
		t.Run(map[bool]string{false: "running backup", true: "restarted backup"}[restart], func(t *testing.T) {
			kr := NewKeyring(secretA)
			var rec [][]byte
			var lastReal time.Time
			s := newSim(t, kr)
			s.onSend = func(from int, data []byte) {
				if from == 0 {
					rec, lastReal = append(rec, data), s.now
				}
			}
			s.start(0)
			s.start(1)
			s.run(10*time.Second, simStep)
			if !s.m[0].Active() || s.m[1].Active() {
				t.Fatalf("want the primary active and the backup standby: %+v / %+v", s.m[0].Status(), s.m[1].Status())
			}
			s.up[0], s.onSend = false, nil
			from := lastReal.Add(s.delay[0])
			if restart {
				s.run(500*time.Millisecond, simStep)
				s.start(1)
				from = s.now
			}
			i := 0
			at, ok := s.runUntil(30*time.Second, simStep, func() bool {
				for range 5 {
					s.inject(1, rec[i%len(rec)])
					i++
				}
				return s.m[1].Active()
			})
			if !ok {
				t.Fatalf("no takeover within 30 s under %d replayed heartbeats", i)
			}
			if limit := from.Add(s.cfg[1].Deadtime + simStep); at.After(limit) {
				t.Fatalf("takeover at +%v after the primary's last heartbeat or the restart, want within deadtime (%v)", at.Sub(from), s.cfg[1].Deadtime)
			}
			if st := s.m[1].Status(); st.Rejected == 0 {
				t.Fatalf("no replay was refused: %+v", st)
			}
		})
	}
}

// TestPartnerRestartIsFollowed: a partner that restarts (a new run: new id,
// sequence numbers from 1 again, much lower than the last one seen) is
// followed within a few round trips (each side answers a new run at once
// instead of at its next keepalive); a counter that starts again, like a
// clock stepped back, must not make its heartbeats look old.
func TestPartnerRestartIsFollowed(t *testing.T) {
	s := settle(t, NewKeyring(secretA))
	s.run(20*time.Second, simStep) // sequence numbers well above 1
	oldBoot := s.m[1].pRun.boot
	s.up[0] = false
	s.run(300*time.Millisecond, simStep)
	s.start(0)
	restarted := s.now
	at, ok := s.runUntil(5*time.Second, simStep, func() bool {
		r := s.m[1].pRun
		return r.boot != oldBoot && r.established
	})
	if !ok || at.Sub(restarted) > 10*simStep {
		t.Fatalf("the restarted partner's run was followed at +%v (ok %v), want within a few round trips (100 ms), not a keepalive: %+v", at.Sub(restarted), ok, s.m[1].Status())
	}
}

// TestClocksNeedNotAgree: the two directors' clocks differ by two minutes
// (each sees the shared clock with its own offset, ±60 s): version 2
// carries no clock, so no heartbeat is refused and the pair settles as
// with equal clocks. Version 1 refused everything beyond 30 s of skew.
func TestClocksNeedNotAgree(t *testing.T) {
	s := newSim(t, NewKeyring(secretA))
	s.offset = [2]time.Duration{-60 * time.Second, 60 * time.Second}
	s.start(0)
	s.start(1)
	s.run(10*time.Second, simStep)
	for i, m := range s.m {
		if st := m.Status(); st.Rejected != 0 || !st.Peer.Heard || st.Peer.AwaitingEcho || st.Peer.Replay != "nonce" {
			t.Errorf("node %d: %+v, want the partner heard, nothing refused", i, st)
		}
	}
	if !s.m[0].Active() || s.m[1].Active() || s.bothActive != 0 {
		t.Errorf("roles %v/%v (both active at %d steps), want the primary alone active", s.m[0].Active(), s.m[1].Active(), s.bothActive)
	}
}

// TestHeardButNotProven: a keyed director whose partner has not yet
// echoed any of its nonces hears it (and echoes its nonce) but neither
// stays standby for it nor follows its "stopped": after a restart a
// recording cannot hold it.
func TestHeardButNotProven(t *testing.T) {
	c := baseConfig(false)
	c.Keys = NewKeyring(secretA)
	m, _, err := New(c, t0)
	if err != nil {
		t.Fatal(err)
	}
	p := newFakePeer(secretA)
	// The partner has not heard us yet: echo zero.
	pkt := func(mg Magic) []byte {
		p.seq++
		return Encode(mg, Ext{BootID: p.boot, Seq: p.seq, Nonce: uint64(1000 + p.seq), Digest: digestOne}, p.kr)
	}
	for i := range 3 {
		now := t0.Add(time.Duration(i) * 500 * time.Millisecond)
		if acts := m.Receive(now, Datagram{From: peerPub, Data: pkt(MagicStopped)}); len(acts) != 0 {
			t.Fatalf("unproven stopped heartbeat acted on: %+v", acts)
		}
		m.Tick(now)
	}
	if st := m.Status(); st.Peer.Heard || !st.Peer.AwaitingEcho || m.echo != 1003 {
		t.Fatalf("status %+v echo %d: want awaiting the echo, the partner's latest nonce echoed", st, m.echo)
	}
	if acts := m.Tick(t0.Add(c.Deadtime)); len(acts) < 2 || acts[len(acts)-1].Kind != ActActivate {
		t.Fatalf("at deadtime: %+v, want a takeover (nothing proved the partner alive)", acts)
	}
}

// TestVersion1Partner: an older lvsadm sends trailer version 1 and refuses
// version 2. A keyed director accepts its heartbeats under the timestamp
// rule, answers in version 1 byte for byte as the older lvsadm builds it
// (layout frozen here), and says so once.
func TestVersion1Partner(t *testing.T) {
	kr := NewKeyring(secretA)
	c := baseConfig(false)
	c.Keys = kr
	m, _, err := New(c, t0)
	if err != nil {
		t.Fatal(err)
	}
	var notices []string
	for i := range 4 {
		now := t0.Add(time.Duration(i) * 500 * time.Millisecond)
		for _, a := range m.Receive(now, Datagram{From: peerPub, Data: Encode(MagicRunning, Ext{Version: 1, Serial: 9, Digest: digestOne, UnixNano: now.UnixNano()}, kr)}) {
			notices = append(notices, a.Reason)
		}
		m.Tick(now)
	}
	if len(notices) != 1 || !strings.Contains(notices[0], "version 1") {
		t.Fatalf("notices %q, want one saying the partner speaks version 1", notices)
	}
	if st := m.Status(); !st.Peer.Heard || st.Peer.Trailer != 1 || st.Peer.Replay != "timestamp" || st.Rejected != 0 || m.Active() {
		t.Fatalf("status %+v, want a standby hearing a version 1 partner", st)
	}
	now := t0.Add(2 * time.Second)
	acts := m.Tick(now)
	if len(acts) != 1 || acts[0].Kind != ActSend {
		t.Fatalf("actions %+v, want one send", acts)
	}
	// Version 1 as lvsadm before trailer version 2 built it.
	want := make([]byte, 92)
	binary.LittleEndian.PutUint32(want, uint32(MagicStopped))
	copy(want[4:], "LVSA")
	want[8], want[9] = 1, 1
	binary.BigEndian.PutUint32(want[12:], 7)
	copy(want[16:48], digestOne[:])
	binary.BigEndian.PutUint64(want[48:], uint64(now.UnixNano()))
	id := sha256.Sum256(secretA)
	copy(want[56:60], id[:4])
	h := hmac.New(sha256.New, secretA)
	h.Write(want[:60])
	copy(want[60:], h.Sum(nil))
	if !bytes.Equal(acts[0].Data, want) {
		t.Fatalf("sent\n% x\nwant version 1\n% x", acts[0].Data, want)
	}
	// The partner upgrades: version 2 again, said once.
	p := newFakePeer(secretA)
	got := m.Receive(now.Add(100*time.Millisecond), Datagram{From: peerPub, Data: p.pkt(m, MagicRunning)})
	if len(got) != 1 || !strings.Contains(got[0].Reason, "version 2") {
		t.Fatalf("after the upgrade: %+v, want one notice", got)
	}
}
