package heartbeat

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/lvsadm/lvsadm/internal/testwait"
)

// sendFrom sends b to dst from a socket bound to src (any 127/8 address is
// local on Linux, so a test can play many senders).
func sendFrom(t *testing.T, src netip.Addr, dst netip.AddrPort, b []byte) {
	t.Helper()
	c, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.AddrPortFrom(src, 0)))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.WriteToUDPAddrPort(b, dst); err != nil {
		t.Fatal(err)
	}
}

// listenLoopback starts a transport on local talking to peer, closed and
// waited for when the test ends.
func listenLoopback(t *testing.T, local, peer netip.Addr) (*Transport, uint16) {
	t.Helper()
	port := freePort(t)
	ctx, cancel := context.WithCancel(context.Background())
	tr, err := Listen(ctx, Endpoints{Local: local, Peer: peer, Port: port})
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); tr.Close(); tr.Wait() })
	return tr, port
}

// recvOne waits (bounded by a context, not asserted on time) for the next
// queued datagram.
func recvOne(t *testing.T, tr *Transport) Datagram {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testwait.Patience(t))
	defer cancel()
	select {
	case d := <-tr.Recv():
		return d
	case <-ctx.Done():
		t.Fatalf("no datagram queued; drops %+v", tr.Drops())
		return Datagram{}
	}
}

// TestTransportDropsFloodBeforeQueue: a flood from addresses that are not
// the partner's (and, keyed, one spoofing the partner's address with
// unsigned or wrongly signed packets) never takes a place in the queue,
// and the partner's real heartbeats all get through. The flood comes in
// rounds of floodRound datagrams, each closed by one real heartbeat that
// must be the next (and only) datagram queued: without the filter the
// 64-slot queue would be full of the flood and the heartbeat either
// dropped or preceded by foreign datagrams.
func TestTransportDropsFloodBeforeQueue(t *testing.T) {
	const rounds, floodRound = 10, 100
	local, peer := netip.MustParseAddr("127.0.0.1"), netip.MustParseAddr("127.0.0.2")
	kr := NewKeyring(secretA)
	for _, keyed := range []bool{false, true} {
		t.Run(fmt.Sprintf("keyed=%v", keyed), func(t *testing.T) {
			tr, port := listenLoopback(t, local, peer)
			f := Filter{Peers: [2]netip.Addr{peer}}
			if keyed {
				f.Keys = kr
			}
			tr.SetFilter(f)
			dst := netip.AddrPortFrom(local, port)
			// Senders: many 127/8 addresses, never the partner's.
			flood, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 3)})
			if err != nil {
				t.Fatal(err)
			}
			defer flood.Close()
			spoof, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.AddrPortFrom(peer, 0)))
			if err != nil {
				t.Fatal(err)
			}
			defer spoof.Close()
			var sentForged uint64
			for r := 0; r < rounds; r++ {
				for i := 0; i < floodRound; i++ {
					src := netip.AddrFrom4([4]byte{127, 0, byte(1 + i%200), byte(3 + r)})
					if i%10 == 0 {
						// Occasionally from a fresh socket on another address,
						// so the sources really vary.
						sendFrom(t, src, dst, Encode(MagicStopped, Ext{}, nil))
						continue
					}
					if _, err := flood.WriteToUDPAddrPort(Encode(MagicStopped, Ext{}, nil), dst); err != nil {
						t.Fatal(err)
					}
				}
				if keyed {
					// From the partner's own address: unsigned, plain, and
					// signed with the wrong key.
					for _, b := range [][]byte{EncodePlain(MagicStopped), Encode(MagicStopped, Ext{}, nil),
						Encode(MagicStopped, Ext{}, NewKeyring([]byte("attacker's guess at the key")))} {
						if _, err := spoof.WriteToUDPAddrPort(b, dst); err != nil {
							t.Fatal(err)
						}
						sentForged++
					}
				}
				real := Encode(MagicRunning, Ext{Serial: int32(r)}, f.Keys)
				if _, err := spoof.WriteToUDPAddrPort(real, dst); err != nil {
					t.Fatal(err)
				}
				d := recvOne(t, tr)
				p, err := Decode(d.Data)
				if d.From != peer || err != nil || p.Ext == nil || p.Ext.Serial != int32(r) {
					t.Fatalf("round %d: queued %v % x, want the partner's heartbeat %d", r, d.From, d.Data, r)
				}
			}
			select {
			case d := <-tr.Recv():
				t.Fatalf("something else was queued: %+v", d)
			default:
			}
			dr := tr.Drops()
			if dr.Foreign != rounds*floodRound || dr.Forged != sentForged || dr.QueueFull != 0 {
				t.Fatalf("drops %+v, want %d foreign, %d forged, none on a full queue", dr, rounds*floodRound, sentForged)
			}
		})
	}
}

// TestTransportFilterFollowsReload: the driver gives the transport the
// machine's keyring, and a reconfigured keyring replaces it, so that after
// a key rollover the readers accept the new key (and, once the old one is
// gone, refuse it).
func TestTransportFilterFollowsReload(t *testing.T) {
	local, peer := netip.MustParseAddr("127.0.0.1"), netip.MustParseAddr("127.0.0.2")
	tr, port := listenLoopback(t, local, peer)
	cfg := Config{Primary: true, BackupActive: true, Peer: peer, Keepalive: time.Second, Deadtime: 3 * time.Second, Keys: NewKeyring(secretA)}
	m, _, err := New(cfg, t0)
	if err != nil {
		t.Fatal(err)
	}
	d := NewDriver(m, tr, func() time.Time { return t0 }, func(Action) {})
	dst := netip.AddrPortFrom(local, port)
	send := func(kr *Keyring, serial int32) {
		sendFrom(t, peer, dst, Encode(MagicRunning, Ext{Serial: serial}, kr))
	}
	send(NewKeyring(secretB), 1) // not yet known: dropped
	send(NewKeyring(secretA), 2)
	if dg := recvOne(t, tr); dg.Data[offSerial+3] != 2 {
		t.Fatalf("queued % x, want serial 2 (the one signed with the known key)", dg.Data)
	}
	cfg.Keys = NewKeyring(secretB)
	d.Inject(func(m *Machine, now time.Time) []Action {
		if err := m.Reconfigure(cfg, now); err != nil {
			t.Error(err)
		}
		return nil
	})
	send(NewKeyring(secretA), 3) // the old key, now gone: dropped
	send(NewKeyring(secretB), 4)
	if dg := recvOne(t, tr); dg.Data[offSerial+3] != 4 {
		t.Fatalf("queued % x, want serial 4 (the one signed with the new key)", dg.Data)
	}
	if dr := tr.Drops(); dr.Forged != 2 {
		t.Fatalf("drops %+v, want 2 forged", dr)
	}
}

// TestNoticesRateLimited: a flood of refused datagrams from random
// addresses yields one notice per kind of trouble per NoticePeriod (the
// kind does not include the address), with the count of the others.
func TestNoticesRateLimited(t *testing.T) {
	m, _, err := New(baseConfig(false), t0)
	if err != nil {
		t.Fatal(err)
	}
	var notices []string
	collect := func(acts []Action) {
		for _, a := range acts {
			if a.Kind == ActNotice {
				notices = append(notices, a.Reason)
			}
		}
	}
	// 5000 foreign senders and 5000 malformed heartbeats in one second.
	for i := 0; i < 5000; i++ {
		now := t0.Add(time.Duration(i) * 200 * time.Microsecond)
		from := netip.AddrFrom4([4]byte{172, 16 + byte(i>>16), byte(i >> 8), byte(i)})
		collect(m.Receive(now, Datagram{From: from, Data: EncodePlain(MagicStopped)}))
		collect(m.Receive(now, Datagram{From: peerPub, Data: []byte{1}}))
	}
	if len(notices) != 2 || !strings.Contains(notices[0], "unexpected sender") || !strings.Contains(notices[1], "shorter") {
		t.Fatalf("notices %q, want one per kind", notices)
	}
	// Bulk counts from the transport, rate-limited the same way.
	collect(m.Dropped(t0.Add(time.Second), Drops{Foreign: 30000}))
	collect(m.Dropped(t0.Add(2*time.Second), Drops{Foreign: 70000, Forged: 5}))
	if len(notices) != 4 || !strings.Contains(notices[2], "30000 datagrams") || !strings.Contains(notices[3], "5 datagrams") {
		t.Fatalf("notices %q, want one for the foreign drops and one for the forged", notices)
	}
	if s := m.Status(); s.Rejected != 10000 || s.DroppedForeign != 70000 {
		t.Fatalf("status %+v: want 10000 rejected and 70000 dropped", s)
	}
	// Once the period is over, a tick tells what was not logged.
	notices = nil
	collect(m.Tick(t0.Add(NoticePeriod + 2*time.Second)))
	joined := strings.Join(notices, "\n")
	for _, want := range []string{"4999 more heartbeats from an unexpected sender", "4999 more malformed", "40000 more datagrams from an unexpected sender"} {
		if !strings.Contains(joined, want) {
			t.Errorf("after the period: notices %q, want %q", notices, want)
		}
	}
	// And then nothing more until there is something new.
	notices = nil
	collect(m.Tick(t0.Add(2*NoticePeriod + 3*time.Second)))
	if len(notices) != 0 {
		t.Fatalf("notices %q after a quiet period, want none", notices)
	}
}

// failingSender fails every send, as a link that is down does.
type failingSender struct{ in chan Datagram }

func (f failingSender) Send([]byte) error {
	return errors.New("heartbeat: send public: network is unreachable")
}
func (f failingSender) Recv() <-chan Datagram { return f.in }

// TestSendErrorsRateLimited: a link that is down fails every heartbeat;
// that is one notice per NoticePeriod, not one per keepalive.
func TestSendErrorsRateLimited(t *testing.T) {
	m, _, err := New(baseConfig(true), t0)
	if err != nil {
		t.Fatal(err)
	}
	now := t0
	var notices []string
	d := NewDriver(m, failingSender{make(chan Datagram)}, func() time.Time { return now }, func(a Action) {
		if a.Kind == ActNotice {
			notices = append(notices, a.Reason)
		}
	})
	for i := range 40 { // 20 s of heartbeats every 500 ms
		now = t0.Add(time.Duration(i) * 500 * time.Millisecond)
		d.Inject(func(m *Machine, now time.Time) []Action { return m.Tick(now) })
	}
	if len(notices) != 2 || !strings.Contains(notices[1], "19 more like it") {
		t.Fatalf("notices %q, want two (one per 10 s, the second counting the others)", notices)
	}
}
