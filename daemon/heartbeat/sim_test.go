package heartbeat

import (
	"net/netip"
	"sort"
	"testing"
	"time"
)

// simAddrs are the pair's addresses in a simulation: node 0 is the
// primary, node 1 the backup.
var simAddrs = [2]netip.Addr{netip.MustParseAddr("192.168.1.1"), netip.MustParseAddr("192.168.1.2")}

// packet is one datagram in flight in a simulation.
type packet struct {
	to   int
	at   time.Time // delivery time
	n    int       // send order, to keep delivery stable
	data []byte
}

// sim drives two machines in lockstep on a shared fake clock over a fake
// network that delivers each one's heartbeats to the other after a delay.
// Each node may see the shared clock with its own offset (directors'
// clocks are unrelated). It never sleeps.
type sim struct {
	t        *testing.T
	m        [2]*Machine
	cfg      [2]Config
	now      time.Time        // the shared clock
	offset   [2]time.Duration // what each node adds to it
	delay    [2]time.Duration // latency of what node i sends
	up       [2]bool          // a node that is down neither sends nor ticks
	cut      [2]bool          // what node i sends is lost
	flight   []packet
	sent     int
	tickLast bool // tick node 1 before node 0
	// onSend, when set, sees every datagram a node sends (a recorder).
	onSend func(from int, data []byte)
	// bothActive counts the steps at which both machines were active.
	bothActive int
}

func simConfig(primary bool, keys *Keyring) Config {
	c := Config{Primary: primary, BackupActive: true, Keepalive: 500 * time.Millisecond, Deadtime: 2 * time.Second, Keys: keys, Digest: digestOne}
	c.Peer = simAddrs[0]
	if primary {
		c.Peer = simAddrs[1]
	}
	return c
}

func newSim(t *testing.T, keys *Keyring) *sim {
	s := &sim{t: t, now: t0, up: [2]bool{true, true}, delay: [2]time.Duration{time.Millisecond, time.Millisecond}}
	s.cfg = [2]Config{simConfig(true, keys), simConfig(false, keys)}
	return s
}

func (s *sim) clock(i int) time.Time { return s.now.Add(s.offset[i]) }

// start (re)starts node i at the current time.
func (s *sim) start(i int) {
	m, acts, err := New(s.cfg[i], s.clock(i))
	if err != nil {
		s.t.Fatal(err)
	}
	s.m[i], s.up[i] = m, true
	s.do(i, acts)
}

func (s *sim) do(i int, acts []Action) {
	for _, a := range acts {
		if a.Kind != ActSend || s.cut[i] {
			continue
		}
		if s.onSend != nil {
			s.onSend(i, a.Data)
		}
		s.sent++
		s.flight = append(s.flight, packet{to: 1 - i, at: s.now.Add(s.delay[i]), n: s.sent, data: a.Data})
	}
}

// inject puts a datagram from node 1-to's address in flight to node to.
func (s *sim) inject(to int, data []byte) {
	s.sent++
	s.flight = append(s.flight, packet{to: to, at: s.now, n: s.sent, data: data})
}

// step advances the shared clock by dt: due datagrams are delivered in
// order, then both machines tick (in the order tickLast says). After
// every delivery and every tick, the invariant "not both active" is
// checked and counted.
func (s *sim) step(dt time.Duration) {
	s.now = s.now.Add(dt)
	sort.SliceStable(s.flight, func(a, b int) bool {
		if !s.flight[a].at.Equal(s.flight[b].at) {
			return s.flight[a].at.Before(s.flight[b].at)
		}
		return s.flight[a].n < s.flight[b].n
	})
	keep := s.flight[:0]
	var due []packet
	for _, p := range s.flight {
		if p.at.After(s.now) {
			keep = append(keep, p)
		} else {
			due = append(due, p)
		}
	}
	s.flight = keep
	for _, p := range due {
		if !s.up[p.to] {
			continue
		}
		s.do(p.to, s.m[p.to].Receive(s.clock(p.to), Datagram{From: simAddrs[1-p.to], Data: p.data}))
		s.check()
	}
	order := []int{0, 1}
	if s.tickLast {
		order = []int{1, 0}
	}
	for _, i := range order {
		if s.up[i] {
			s.do(i, s.m[i].Tick(s.clock(i)))
			s.check()
		}
	}
}

func (s *sim) check() {
	if s.up[0] && s.up[1] && s.m[0].Active() && s.m[1].Active() {
		s.bothActive++
	}
}

// run steps until d has passed, dt at a time.
func (s *sim) run(d, dt time.Duration) {
	for end := s.now.Add(d); s.now.Before(end); {
		s.step(dt)
	}
}

// runUntil steps until cond holds or d has passed; it reports whether cond
// held, and when.
func (s *sim) runUntil(d, dt time.Duration, cond func() bool) (time.Time, bool) {
	for end := s.now.Add(d); s.now.Before(end); {
		s.step(dt)
		if cond() {
			return s.now, true
		}
	}
	return s.now, false
}
