package heartbeat

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"
)

// maxDatagram bounds what is read per datagram: lvsadm's packet is
// PacketLen bytes; anything longer is cut and then refused by Decode.
const maxDatagram = 512

// Transport owns the heartbeat sockets: one bound to the director's public
// address and, when the pair has a separate private link, one bound to its
// private address, both on heartbeat_port (pulse binds the same way).
type Transport struct {
	pub, priv         *net.UDPConn
	peerPub, peerPriv netip.AddrPort
	in                chan Datagram
	closed            chan struct{} // closed by closeConns
	wg                sync.WaitGroup
	closeOnce         sync.Once

	// filter is read by every datagram and replaced on reload (the keyring
	// changes), hence atomic rather than under a lock the readers would
	// contend on during a flood.
	filter atomic.Pointer[Filter]
	// Datagrams dropped by the readers, before the queue.
	foreign, forged, queueFull atomic.Uint64
}

// Filter is what a reader checks before a datagram may take a place in the
// queue. Without it a flood from random sources filled the 64-slot queue
// before the state machine could refuse a single packet, crowding the
// partner's heartbeats out (issue 11, item 2).
type Filter struct {
	// Peers are the partner's addresses (public, private); a datagram from
	// any other source is dropped, as pulse ignores it.
	Peers [2]netip.Addr
	// Keys, when not empty, also drop every datagram that does not carry a
	// trailer signed with one of them, so that a flood spoofing the
	// partner's address cannot crowd out its real heartbeats either.
	Keys *Keyring
}

// allows reports whether b from addr may be queued, and if not which
// counter it belongs to.
func (f *Filter) allows(from netip.Addr, b []byte) (ok, foreign bool) {
	if f == nil {
		return true, false
	}
	if !from.IsValid() || (from != f.Peers[0] && from != f.Peers[1]) {
		return false, true
	}
	if f.Keys.Len() > 0 {
		p, err := Decode(b)
		if err != nil || f.Keys.verify(b, p.Ext) != nil {
			return false, false
		}
	}
	return true, false
}

// Drops counts the datagrams the readers dropped before queueing them.
type Drops struct {
	Foreign   uint64 // not from a partner address
	Forged    uint64 // from a partner address, but unsigned or failing the MAC (keyed only)
	QueueFull uint64 // the queue was full
}

// SetFilter replaces the readers' filter; safe while they run.
func (t *Transport) SetFilter(f Filter) { t.filter.Store(&f) }

// Drops returns the counts of datagrams dropped before the queue.
func (t *Transport) Drops() Drops {
	return Drops{Foreign: t.foreign.Load(), Forged: t.forged.Load(), QueueFull: t.queueFull.Load()}
}

// Endpoints says where to listen and whom to talk to. Invalid private
// addresses mean there is no private link.
type Endpoints struct {
	Local, LocalPrivate netip.Addr
	Peer, PeerPrivate   netip.Addr
	Port                uint16
}

// Listen binds the sockets and starts reading until ctx ends or Close.
func Listen(ctx context.Context, ep Endpoints) (*Transport, error) {
	t := &Transport{in: make(chan Datagram, 64), closed: make(chan struct{})}
	// Partner addresses from the start; the driver adds the keyring.
	t.SetFilter(Filter{Peers: [2]netip.Addr{ep.Peer.Unmap(), ep.PeerPrivate.Unmap()}})
	var err error
	t.pub, err = net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.AddrPortFrom(ep.Local, ep.Port)))
	if err != nil {
		return nil, fmt.Errorf("heartbeat: bind public %s port %d: %w", ep.Local, ep.Port, err)
	}
	t.peerPub = netip.AddrPortFrom(ep.Peer, ep.Port)
	if ep.LocalPrivate.IsValid() && ep.LocalPrivate != ep.Local {
		t.priv, err = net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.AddrPortFrom(ep.LocalPrivate, ep.Port)))
		if err != nil {
			t.pub.Close()
			return nil, fmt.Errorf("heartbeat: bind private %s port %d: %w", ep.LocalPrivate, ep.Port, err)
		}
		if ep.PeerPrivate.IsValid() {
			t.peerPriv = netip.AddrPortFrom(ep.PeerPrivate, ep.Port)
		}
	}
	t.wg.Add(1)
	go t.read(ctx, t.pub, Public)
	if t.priv != nil {
		t.wg.Add(1)
		go t.read(ctx, t.priv, Private)
	}
	// Closing the sockets is what ends the readers when ctx ends; Close
	// ends this watcher too.
	t.wg.Add(1)
	go func() {
		defer t.wg.Done()
		select {
		case <-ctx.Done():
			t.closeConns()
		case <-t.closed:
		}
	}()
	return t, nil
}

func (t *Transport) read(ctx context.Context, c *net.UDPConn, link Link) {
	defer t.wg.Done()
	buf := make([]byte, maxDatagram)
	for {
		n, from, err := c.ReadFromUDPAddrPort(buf)
		if err != nil {
			if errors.Is(err, net.ErrClosed) || ctx.Err() != nil {
				return
			}
			// ICMP-induced errors (ECONNREFUSED) are not fatal, as in
			// pulse; the pause keeps an error that repeats from spinning.
			select {
			case <-ctx.Done():
				return
			case <-time.After(10 * time.Millisecond):
			}
			continue
		}
		addr := from.Addr().Unmap()
		// Checked on the reader's buffer, before copying or queueing: a
		// flood costs a comparison (and, keyed, one HMAC) per packet and
		// never a queue slot or a log line. The driver reports the counts.
		if ok, foreign := t.filter.Load().allows(addr, buf[:n]); !ok {
			if foreign {
				t.foreign.Add(1)
			} else {
				t.forged.Add(1)
			}
			continue
		}
		d := Datagram{From: addr, Link: link, Data: append([]byte(nil), buf[:n]...)}
		select {
		case t.in <- d:
		case <-ctx.Done():
			return
		default:
			// A flood must not block the reader or grow memory: drop.
			t.queueFull.Add(1)
		}
	}
}

// Recv is the channel of received datagrams.
func (t *Transport) Recv() <-chan Datagram { return t.in }

// Send sends b to the partner over every link. It returns the first error,
// having tried all links: one dead link must not silence the other.
func (t *Transport) Send(b []byte) error {
	var first error
	if _, err := t.pub.WriteToUDPAddrPort(b, t.peerPub); err != nil {
		first = fmt.Errorf("heartbeat: send public: %w", err)
	}
	if t.priv != nil && t.peerPriv.IsValid() {
		if _, err := t.priv.WriteToUDPAddrPort(b, t.peerPriv); err != nil && first == nil {
			first = fmt.Errorf("heartbeat: send private: %w", err)
		}
	}
	return first
}

func (t *Transport) closeConns() {
	t.closeOnce.Do(func() {
		close(t.closed)
		t.pub.Close()
		if t.priv != nil {
			t.priv.Close()
		}
	})
}

// Close closes the sockets and waits for the readers to end.
func (t *Transport) Close() error {
	t.closeConns()
	return nil
}

// Wait waits for the reader goroutines; call after Close or after the
// context given to Listen has ended.
func (t *Transport) Wait() { t.wg.Wait() }
