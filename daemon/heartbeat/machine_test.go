package heartbeat

import (
	"net/netip"
	"reflect"
	"strings"
	"testing"
	"time"
)

var (
	t0        = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	peerPub   = netip.MustParseAddr("192.168.1.2")
	peerPriv  = netip.MustParseAddr("10.0.0.2")
	stranger  = netip.MustParseAddr("192.168.1.66")
	secretA   = []byte("correct horse battery staple")
	secretB   = []byte("a second, newer heartbeat key")
	digestOne = Digest{1}
	digestTwo = Digest{2}
)

func baseConfig(primary bool) Config {
	return Config{
		Primary: primary, BackupActive: true,
		Peer: peerPub, PeerPrivate: peerPriv,
		Keepalive: 500 * time.Millisecond, Deadtime: 1500 * time.Millisecond,
		Serial: 7, Digest: digestOne,
	}
}

// step is one event at an offset from t0 and the action kinds it must yield.
type step struct {
	at   time.Duration
	do   func(m *Machine, now time.Time) []Action
	want []ActionKind
	// reason, when set, must appear in one of the actions' reasons.
	reason string
}

func tick() func(*Machine, time.Time) []Action {
	return func(m *Machine, now time.Time) []Action { return m.Tick(now) }
}

// recv delivers a heartbeat built as the partner (or anyone) would build it.
func recv(from netip.Addr, link Link, data func(now time.Time) []byte) func(*Machine, time.Time) []Action {
	return func(m *Machine, now time.Time) []Action {
		return m.Receive(now, Datagram{From: from, Link: link, Data: data(now)})
	}
}

func plain(mg Magic) func(time.Time) []byte {
	return func(time.Time) []byte { return EncodePlain(mg) }
}

func ext(mg Magic, d Digest, kr *Keyring) func(time.Time) []byte {
	return func(now time.Time) []byte {
		return Encode(mg, Ext{Serial: 9, Digest: d, UnixNano: now.UnixNano()}, kr)
	}
}

// fakePeer builds the partner's signed version 2 heartbeats: its own run
// id and sequence numbers, echoing the latest nonce the machine under test
// sent, as a live partner that hears it does.
type fakePeer struct {
	boot, seq uint64
	kr        *Keyring
}

func newFakePeer(secrets ...[]byte) *fakePeer {
	return &fakePeer{boot: random64(), kr: NewKeyring(secrets...)}
}

// lastNonce is the latest nonce m sent, 0 if none.
func lastNonce(m *Machine) uint64 {
	if len(m.sent) == 0 {
		return 0
	}
	return m.sent[len(m.sent)-1].nonce
}

// pkt is the partner's next heartbeat to m.
func (p *fakePeer) pkt(m *Machine, mg Magic) []byte {
	p.seq++
	return Encode(mg, Ext{Serial: 9, Digest: digestOne, BootID: p.boot, Seq: p.seq, Nonce: random64(), Echo: lastNonce(m)}, p.kr)
}

// recv delivers the partner's next heartbeat over link.
func (p *fakePeer) recv(mg Magic, link Link) func(*Machine, time.Time) []Action {
	return func(m *Machine, now time.Time) []Action {
		from := peerPub
		if link == Private {
			from = peerPriv
		}
		return m.Receive(now, Datagram{From: from, Link: link, Data: p.pkt(m, mg)})
	}
}

func kinds(acts []Action) []ActionKind {
	var out []ActionKind
	for _, a := range acts {
		out = append(out, a.Kind)
	}
	return out
}

func TestMachine(t *testing.T) {
	keyed := func(primary bool, secrets ...[]byte) Config {
		c := baseConfig(primary)
		c.Keys = NewKeyring(secrets...)
		return c
	}
	tests := []struct {
		name       string
		cfg        Config
		steps      []step
		wantActive bool
		check      func(t *testing.T, m *Machine)
	}{
		{
			name: "primary starts standby and sends stopped at once",
			cfg:  baseConfig(true),
			steps: []step{
				{at: 0, do: tick(), want: []ActionKind{ActSend}, reason: "stopped"},
				{at: 400 * time.Millisecond, do: tick(), want: nil},
				{at: 500 * time.Millisecond, do: tick(), want: []ActionKind{ActSend}},
			},
		},
		{
			name: "forced active",
			cfg:  func() Config { c := baseConfig(true); c.ForceActive = true; return c }(),
			steps: []step{
				{at: 0, do: tick(), want: []ActionKind{ActSend}, reason: "running"},
			},
			wantActive: true,
		},
		{
			name: "backup takes over when the partner is silent for deadtime",
			cfg:  baseConfig(false),
			steps: []step{
				{at: 0, do: tick(), want: []ActionKind{ActSend}},
				{at: 1 * time.Second, do: tick(), want: []ActionKind{ActSend}},
				{at: 1499 * time.Millisecond, do: tick(), want: nil},
				{at: 1500 * time.Millisecond, do: tick(), want: []ActionKind{ActSend, ActActivate}, reason: "partner dead"},
				{at: 2 * time.Second, do: tick(), want: []ActionKind{ActSend}, reason: "running"},
			},
			wantActive: true,
		},
		{
			name: "heartbeats keep the backup standby",
			cfg:  baseConfig(false),
			steps: []step{
				{at: 1 * time.Second, do: recv(peerPub, Public, plain(MagicRunning))},
				{at: 2 * time.Second, do: recv(peerPub, Public, plain(MagicRunning))},
				{at: 3 * time.Second, do: tick(), want: []ActionKind{ActSend}},
			},
		},
		{
			name: "backup activates when the primary, heard running, says it is stopped (it gave up)",
			cfg:  baseConfig(false),
			steps: []step{
				{at: 100 * time.Millisecond, do: recv(peerPub, Public, plain(MagicRunning))},
				{at: 200 * time.Millisecond, do: recv(peerPub, Public, plain(MagicStopped)), want: []ActionKind{ActActivate}, reason: "primary inactive"},
			},
			wantActive: true,
		},
		{
			name: "start-up: a backup that has heard only stopped from the primary waits one deadtime",
			cfg:  baseConfig(false),
			steps: []step{
				{at: 100 * time.Millisecond, do: recv(peerPub, Public, plain(MagicStopped))},
				{at: 600 * time.Millisecond, do: recv(peerPub, Public, plain(MagicStopped))},
				{at: 1100 * time.Millisecond, do: recv(peerPub, Public, plain(MagicStopped))},
				{at: 1599 * time.Millisecond, do: recv(peerPub, Public, plain(MagicStopped))},
				{at: 1600 * time.Millisecond, do: recv(peerPub, Public, plain(MagicStopped)), want: []ActionKind{ActActivate}, reason: "inactive for deadtime"},
			},
			wantActive: true,
		},
		{
			name: "start-up: the backup's wait starts again when the primary is silent or restarts",
			cfg:  baseConfig(false),
			steps: func() []step {
				p := newFakePeer(secretA)
				p.kr = nil // unsigned version 2: the run id still tells a restart
				restarted := newFakePeer(secretA)
				restarted.kr = nil
				return []step{
					{at: 0, do: p.recv(MagicStopped, Public)},
					{at: 1 * time.Second, do: p.recv(MagicStopped, Public)},
					// A new run of the primary: its "stopped" counts from here.
					{at: 1400 * time.Millisecond, do: restarted.recv(MagicStopped, Public)},
					{at: 2 * time.Second, do: restarted.recv(MagicStopped, Public)},
					{at: 2800 * time.Millisecond, do: restarted.recv(MagicStopped, Public)},
					{at: 2900 * time.Millisecond, do: restarted.recv(MagicStopped, Public), want: []ActionKind{ActActivate}},
				}
			}(),
			wantActive: true,
		},
		{
			name: "primary activates when the backup says it is stopped",
			cfg:  baseConfig(true),
			steps: []step{
				{at: 100 * time.Millisecond, do: recv(peerPub, Public, plain(MagicStopped)), want: []ActionKind{ActActivate}, reason: "backup inactive"},
			},
			wantActive: true,
		},
		{
			name: "returning primary stays standby while the backup is active (no fail-back)",
			cfg:  baseConfig(true),
			steps: []step{
				{at: 0, do: tick(), want: []ActionKind{ActSend}, reason: "stopped"},
				{at: 500 * time.Millisecond, do: recv(peerPub, Public, plain(MagicRunning))},
				{at: 1 * time.Second, do: recv(peerPub, Public, plain(MagicRunning))},
				{at: 1900 * time.Millisecond, do: recv(peerPub, Public, plain(MagicRunning))},
				{at: 3 * time.Second, do: tick(), want: []ActionKind{ActSend}, reason: "stopped"},
			},
		},
		{
			name: "partner returns after takeover: active backup keeps running while the primary is stopped",
			cfg:  baseConfig(false),
			steps: []step{
				{at: 1500 * time.Millisecond, do: tick(), want: []ActionKind{ActSend, ActActivate}},
				{at: 5 * time.Second, do: recv(peerPub, Public, plain(MagicStopped))},
				{at: 6 * time.Second, do: tick(), want: []ActionKind{ActSend}, reason: "running"},
			},
			wantActive: true,
		},
		{
			name: "both active: the backup sends a last running heartbeat and yields",
			cfg:  baseConfig(false),
			steps: []step{
				{at: 1500 * time.Millisecond, do: tick(), want: []ActionKind{ActSend, ActActivate}},
				{at: 1600 * time.Millisecond, do: recv(peerPub, Public, plain(MagicRunning)), want: []ActionKind{ActSend, ActDeactivate}, reason: "partner active"},
			},
		},
		{
			name: "both active: the primary re-ARPs and stays",
			cfg:  baseConfig(true),
			steps: []step{
				{at: 100 * time.Millisecond, do: recv(peerPub, Public, plain(MagicStopped)), want: []ActionKind{ActActivate}},
				{at: 200 * time.Millisecond, do: recv(peerPub, Public, plain(MagicRunning)), want: []ActionKind{ActRearp}},
			},
			wantActive: true,
		},
		{
			name: "private link lost, public alive: no takeover",
			cfg:  baseConfig(false),
			steps: []step{
				{at: 1 * time.Second, do: recv(peerPub, Public, plain(MagicRunning))},
				{at: 2 * time.Second, do: recv(peerPub, Public, plain(MagicRunning))},
				{at: 2400 * time.Millisecond, do: tick(), want: []ActionKind{ActSend}},
			},
			check: func(t *testing.T, m *Machine) {
				p := m.Status().Peer
				if p.Link != "public" {
					t.Errorf("peer link = %q, want public", p.Link)
				}
				if p.LastHeardPublic.IsZero() || !p.LastHeardPrivate.IsZero() {
					t.Errorf("per-link heard times %v / %v, want public only", p.LastHeardPublic, p.LastHeardPrivate)
				}
			},
		},
		{
			name: "public link lost, private alive: no takeover",
			cfg:  baseConfig(false),
			steps: []step{
				{at: 1 * time.Second, do: recv(peerPriv, Private, plain(MagicRunning))},
				{at: 2 * time.Second, do: recv(peerPriv, Private, plain(MagicRunning))},
				{at: 2400 * time.Millisecond, do: tick(), want: []ActionKind{ActSend}},
			},
		},
		{
			name: "heartbeats from a stranger are ignored: takeover still happens",
			cfg:  baseConfig(false),
			steps: []step{
				{at: 1 * time.Second, do: recv(stranger, Public, plain(MagicRunning)), want: []ActionKind{ActNotice}, reason: "unexpected sender"},
				{at: 1200 * time.Millisecond, do: recv(stranger, Public, plain(MagicRunning)), want: nil},
				{at: 1500 * time.Millisecond, do: tick(), want: []ActionKind{ActSend, ActActivate}},
			},
			wantActive: true,
			check: func(t *testing.T, m *Machine) {
				if s := m.Status(); s.Rejected != 2 || s.Peer.Heard {
					t.Errorf("status = %+v, want 2 rejected and peer not heard", s)
				}
			},
		},
		{
			name: "a FOS partner's heartbeat is incompatible",
			cfg:  baseConfig(false),
			steps: []step{
				{at: 1 * time.Second, do: recv(peerPub, Public, plain(MagicFOSRunning)), want: []ActionKind{ActNotice}, reason: "incompatible"},
				{at: 1500 * time.Millisecond, do: tick(), want: []ActionKind{ActSend, ActActivate}},
			},
			wantActive: true,
		},
		{
			name: "short datagram ignored",
			cfg:  baseConfig(false),
			steps: []step{
				{at: 1 * time.Second, do: recv(peerPub, Public, func(time.Time) []byte { return []byte{0xda, 0xdb} }), want: []ActionKind{ActNotice}},
			},
		},
		{
			name: "trailing bytes that are not lvsadm's are ignored, as pulse ignores them",
			cfg:  baseConfig(false),
			steps: []step{
				{at: 1 * time.Second, do: recv(peerPub, Public, func(time.Time) []byte { return append(EncodePlain(MagicRunning), "junk"...) })},
				{at: 2 * time.Second, do: tick(), want: []ActionKind{ActSend}},
			},
		},
		{
			name: "with a key, unsigned heartbeats are ignored",
			cfg:  keyed(false, secretA),
			steps: []step{
				{at: 1 * time.Second, do: recv(peerPub, Public, plain(MagicRunning)), want: []ActionKind{ActNotice}, reason: "not signed"},
				{at: 1200 * time.Millisecond, do: recv(peerPub, Public, ext(MagicRunning, digestOne, nil)), want: nil},
				{at: 1500 * time.Millisecond, do: tick(), want: []ActionKind{ActSend, ActActivate}},
			},
			wantActive: true,
		},
		{
			name: "with a key, forged heartbeats (wrong key) are ignored",
			cfg:  keyed(false, secretA),
			steps: []step{
				{at: 1 * time.Second, do: recv(peerPub, Public, ext(MagicRunning, digestOne, NewKeyring([]byte("attacker's guess at the key")))), want: []ActionKind{ActNotice}, reason: "unknown key"},
				{at: 1500 * time.Millisecond, do: tick(), want: []ActionKind{ActSend, ActActivate}},
			},
			wantActive: true,
		},
		{
			name: "with a key, a tampered heartbeat is ignored",
			cfg:  keyed(false, secretA),
			steps: []step{
				{at: 1 * time.Second, do: recv(peerPub, Public, func(now time.Time) []byte {
					b := ext(MagicStopped, digestOne, NewKeyring(secretA))(now)
					b[0] ^= 0xff // flip the magic after signing
					return b
				}), want: []ActionKind{ActNotice}, reason: "does not verify"},
			},
		},
		{
			name: "with a key, signed heartbeats are accepted",
			cfg:  keyed(false, secretA),
			steps: func() []step {
				p := newFakePeer(secretA)
				return []step{
					{at: 0, do: tick(), want: []ActionKind{ActSend}},
					{at: 1 * time.Second, do: p.recv(MagicRunning, Public)},
					{at: 2 * time.Second, do: p.recv(MagicRunning, Public)},
					{at: 2400 * time.Millisecond, do: tick(), want: []ActionKind{ActSend}},
				}
			}(),
			check: func(t *testing.T, m *Machine) {
				if p := m.Status().Peer; !p.Signed || !p.Lvsadm {
					t.Errorf("peer = %+v, want signed lvsadm", p)
				}
			},
		},
		{
			name: "key rollover: the old key still verifies while the new one signs",
			cfg:  keyed(false, secretB, secretA),
			steps: func() []step {
				old, rolled := newFakePeer(secretA), newFakePeer(secretB, secretA)
				rolled.boot = old.boot
				return []step{
					{at: 0, do: tick(), want: []ActionKind{ActSend}},
					{at: 1 * time.Second, do: old.recv(MagicRunning, Public)},
					{at: 2 * time.Second, do: func(m *Machine, now time.Time) []Action {
						rolled.seq = old.seq // the same run, reloaded with the new key first
						return rolled.recv(MagicRunning, Public)(m, now)
					}},
					{at: 2400 * time.Millisecond, do: tick(), want: []ActionKind{ActSend}},
				}
			}(),
		},
		{
			name: "with a key, replayed heartbeats are ignored and keep no dead partner alive",
			cfg:  keyed(false, secretA),
			steps: func() []step {
				var first, last []byte
				p := newFakePeer(secretA)
				return []step{
					{at: 0, do: tick(), want: []ActionKind{ActSend}},
					{at: 1 * time.Second, do: func(m *Machine, now time.Time) []Action {
						first = p.pkt(m, MagicRunning)
						return m.Receive(now, Datagram{From: peerPub, Data: first})
					}},
					{at: 1100 * time.Millisecond, do: func(m *Machine, now time.Time) []Action {
						last = p.pkt(m, MagicRunning)
						return m.Receive(now, Datagram{From: peerPub, Data: last})
					}},
					// An older one: refused and reported.
					{at: 1200 * time.Millisecond, do: recv(peerPub, Public, func(time.Time) []byte { return first }), want: []ActionKind{ActNotice}, reason: "replayed"},
					// The latest one again, over and over: ignored, and the
					// partner, silent since 1.1 s, is dead at 2.6 s.
					{at: 2 * time.Second, do: recv(peerPub, Public, func(time.Time) []byte { return last }), want: nil},
					{at: 2500 * time.Millisecond, do: recv(peerPub, Public, func(time.Time) []byte { return last }), want: nil},
					{at: 2600 * time.Millisecond, do: tick(), want: []ActionKind{ActSend, ActActivate}},
				}
			}(),
			wantActive: true,
		},
		{
			name: "with a key, the same heartbeat on both links is one heartbeat, not a replay",
			cfg:  keyed(false, secretA),
			steps: func() []step {
				var saved []byte
				p := newFakePeer(secretA)
				return []step{
					{at: 0, do: tick(), want: []ActionKind{ActSend}},
					{at: 1 * time.Second, do: func(m *Machine, now time.Time) []Action {
						saved = p.pkt(m, MagicRunning)
						return m.Receive(now, Datagram{From: peerPub, Link: Public, Data: saved})
					}},
					{at: 1001 * time.Millisecond, do: recv(peerPriv, Private, func(time.Time) []byte { return saved }), want: nil},
				}
			}(),
			check: func(t *testing.T, m *Machine) {
				s := m.Status()
				if s.Rejected != 0 {
					t.Errorf("the private copy counted as rejected: %+v", s)
				}
				if s.Peer.LastHeardPublic.IsZero() || s.Peer.LastHeardPrivate.Sub(s.Peer.LastHeardPublic) != time.Millisecond {
					t.Errorf("per-link heard times %v / %v, want the public one and the private copy 1 ms later", s.Peer.LastHeardPublic, s.Peer.LastHeardPrivate)
				}
			},
		},
		{
			name: "with a key, a version 1 heartbeat recorded long ago is ignored",
			cfg:  keyed(false, secretA),
			steps: []step{
				{at: 1 * time.Second, do: recv(peerPub, Public, func(now time.Time) []byte {
					return Encode(MagicRunning, Ext{Version: 1, Digest: digestOne, UnixNano: now.Add(-time.Hour).UnixNano()}, NewKeyring(secretA))
				}), want: []ActionKind{ActNotice}, reason: "away from the local clock"},
			},
		},
		{
			name: "config digest mismatch is reported once, and its end too",
			cfg:  baseConfig(false),
			steps: []step{
				{at: 1 * time.Second, do: recv(peerPub, Public, ext(MagicRunning, digestTwo, nil)), want: []ActionKind{ActNotice}, reason: "differs"},
				{at: 2 * time.Second, do: recv(peerPub, Public, ext(MagicRunning, digestTwo, nil)), want: nil},
				{at: 3 * time.Second, do: recv(peerPub, Public, ext(MagicRunning, digestOne, nil)), want: []ActionKind{ActNotice}, reason: "now matches"},
			},
			check: func(t *testing.T, m *Machine) {
				p := m.Status().Peer
				if p.DigestMatch == nil || !*p.DigestMatch || p.Serial == nil || *p.Serial != 9 {
					t.Errorf("peer = %+v, want matching digest and serial 9", p)
				}
			},
		},
		{
			name: "services failed: deactivate and do not take over until the partner runs",
			cfg:  baseConfig(false),
			steps: []step{
				{at: 1500 * time.Millisecond, do: tick(), want: []ActionKind{ActSend, ActActivate}},
				{at: 1600 * time.Millisecond, do: func(m *Machine, now time.Time) []Action { return m.ServicesFailed(now, "boom") }, want: []ActionKind{ActDeactivate}},
				{at: 4 * time.Second, do: tick(), want: []ActionKind{ActSend}},
				{at: 4100 * time.Millisecond, do: recv(peerPub, Public, plain(MagicStopped))},
				{at: 4200 * time.Millisecond, do: recv(peerPub, Public, plain(MagicRunning))},
				{at: 4300 * time.Millisecond, do: recv(peerPub, Public, plain(MagicStopped)), want: []ActionKind{ActActivate}},
			},
			wantActive: true,
		},
		{
			name: "link failure: the active director gives up and takes nothing over until the link is back",
			cfg:  baseConfig(false),
			steps: []step{
				{at: 1500 * time.Millisecond, do: tick(), want: []ActionKind{ActSend, ActActivate}},
				{at: 1600 * time.Millisecond, do: func(m *Machine, now time.Time) []Action { return m.LinkState(now, false) }, want: []ActionKind{ActNotice, ActDeactivate}, reason: "link failure"},
				{at: 1700 * time.Millisecond, do: func(m *Machine, now time.Time) []Action { return m.LinkState(now, false) }, want: nil},
				{at: 1800 * time.Millisecond, do: recv(peerPub, Public, plain(MagicStopped))},
				{at: 2500 * time.Millisecond, do: recv(peerPub, Public, plain(MagicStopped))},
				{at: 3200 * time.Millisecond, do: recv(peerPub, Public, plain(MagicStopped))},
				{at: 4 * time.Second, do: tick(), want: []ActionKind{ActSend}, reason: "stopped"},
				{at: 4100 * time.Millisecond, do: func(m *Machine, now time.Time) []Action { return m.LinkState(now, true) }, want: []ActionKind{ActNotice}, reason: "restored"},
				{at: 4200 * time.Millisecond, do: recv(peerPub, Public, plain(MagicStopped)), want: []ActionKind{ActActivate}},
			},
			wantActive: true,
		},
		{
			name: "stop-me from the partner makes an active primary yield",
			cfg:  baseConfig(true),
			steps: []step{
				{at: 100 * time.Millisecond, do: recv(peerPub, Public, plain(MagicStopped)), want: []ActionKind{ActActivate}},
				{at: 200 * time.Millisecond, do: recv(peerPub, Public, plain(MagicStopMe)), want: []ActionKind{ActDeactivate}},
			},
		},
		{
			name: "lone primary without backup_active goes active after deadtime and sends nothing",
			cfg:  Config{Primary: true, Keepalive: time.Second, Deadtime: 2 * time.Second},
			steps: []step{
				{at: 0, do: tick(), want: nil},
				{at: 2 * time.Second, do: tick(), want: []ActionKind{ActActivate}, reason: "no backup"},
			},
			wantActive: true,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, acts, err := New(tc.cfg, t0)
			if err != nil {
				t.Fatal(err)
			}
			_ = acts
			for i, s := range tc.steps {
				got := s.do(m, t0.Add(s.at))
				if !reflect.DeepEqual(kinds(got), s.want) {
					t.Fatalf("step %d (at %v): actions %v, want %v (%+v)", i, s.at, kinds(got), s.want, got)
				}
				if s.reason != "" {
					found := false
					for _, a := range got {
						found = found || strings.Contains(a.Reason, s.reason)
					}
					if !found {
						t.Fatalf("step %d: no action reason contains %q: %+v", i, s.reason, got)
					}
				}
			}
			if m.Active() != tc.wantActive {
				t.Errorf("active = %v, want %v", m.Active(), tc.wantActive)
			}
			if tc.check != nil {
				tc.check(t, m)
			}
		})
	}
}

func TestNewRefuses(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want string
	}{
		{"backup without backup_active", Config{Keepalive: time.Second, Deadtime: 2 * time.Second}, "backup_active"},
		{"zero keepalive", Config{Primary: true, Deadtime: time.Second}, "positive"},
		{"plain with a key", func() Config { c := baseConfig(true); c.Plain = true; c.Keys = NewKeyring(secretA); return c }(), "plain"},
		{"no partner", Config{Primary: true, BackupActive: true, Keepalive: time.Second, Deadtime: 2 * time.Second}, "partner"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := New(tc.cfg, t0)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestPlainSendsPiranhaBytes(t *testing.T) {
	c := baseConfig(true)
	c.Plain = true
	c.ForceActive = true
	m, _, err := New(c, t0)
	if err != nil {
		t.Fatal(err)
	}
	acts := m.Tick(t0)
	if len(acts) != 1 || !reflect.DeepEqual(acts[0].Data, []byte{0xda, 0xdb, 0xad, 0xbd}) {
		t.Fatalf("actions %+v, want one send of da db ad bd", acts)
	}
}

// TestNegotiation: the trailer goes out until the partner is heard; a
// piranha partner (bare magics) then gets exactly pulse's 4 bytes, an
// lvsadm partner keeps getting the trailer, and a partner that changes is
// followed.
func TestNegotiation(t *testing.T) {
	m, _, err := New(baseConfig(false), t0)
	if err != nil {
		t.Fatal(err)
	}
	sent := func(at time.Duration) int {
		acts := m.Tick(t0.Add(at))
		if len(acts) == 0 || acts[0].Kind != ActSend {
			t.Fatalf("at %v: %+v, want a send", at, acts)
		}
		return len(acts[0].Data)
	}
	if n := sent(0); n != PacketLen {
		t.Fatalf("first heartbeat %d bytes, want the trailer (%d)", n, PacketLen)
	}
	// One bare magic (pulse, or anyone spoofing the partner's address) is
	// not enough to drop the trailer and with it the config-digest check.
	m.Receive(t0.Add(100*time.Millisecond), Datagram{From: peerPub, Data: EncodePlain(MagicRunning)})
	if n := sent(500 * time.Millisecond); n != PacketLen {
		t.Fatalf("after one plain heartbeat: %d bytes, want the trailer (%d)", n, PacketLen)
	}
	for i := range plainAfter - 1 {
		m.Receive(t0.Add(time.Duration(600+i)*time.Millisecond), Datagram{From: peerPub, Data: EncodePlain(MagicRunning)})
	}
	if n := sent(1000 * time.Millisecond); n != 4 {
		t.Fatalf("to a piranha partner: %d bytes, want 4", n)
	}
	m.Receive(t0.Add(1100*time.Millisecond), Datagram{From: peerPub, Data: Encode(MagicRunning, Ext{Digest: digestOne}, nil)})
	if n := sent(1500 * time.Millisecond); n != PacketLen {
		t.Fatalf("to an lvsadm partner: %d bytes, want %d", n, PacketLen)
	}
	// And an older lvsadm (trailer version 1) is answered in version 1.
	m.Receive(t0.Add(1600*time.Millisecond), Datagram{From: peerPub, Data: Encode(MagicRunning, Ext{Version: 1, Digest: digestOne}, nil)})
	if n := sent(2000 * time.Millisecond); n != PacketLenV1 {
		t.Fatalf("to a version 1 partner: %d bytes, want %d", n, PacketLenV1)
	}
	keyed := baseConfig(false)
	keyed.Keys = NewKeyring(secretA)
	mk, _, _ := New(keyed, t0)
	for i := range 2 * plainAfter {
		mk.Receive(t0.Add(time.Duration(100+i)*time.Millisecond), Datagram{From: peerPub, Data: EncodePlain(MagicRunning)})
	}
	if acts := mk.Tick(t0.Add(500 * time.Millisecond)); len(acts) == 0 || len(acts[0].Data) != PacketLen {
		t.Fatalf("a keyed director must keep signing: %+v", acts)
	}
}
