package heartbeat

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/lvsadm/lvsadm/internal/testwait"
)

// freePort finds a UDP port free on both loopback addresses.
func freePort(t *testing.T) uint16 {
	t.Helper()
	for i := 0; i < 20; i++ {
		c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
		if err != nil {
			t.Fatal(err)
		}
		port := uint16(c.LocalAddr().(*net.UDPAddr).Port)
		c.Close()
		c2, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 2), Port: int(port)})
		if err == nil {
			c2.Close()
			return port
		}
	}
	t.Fatal("no free port")
	return 0
}

// TestPiranhaReadsOnlyTheMagic proves the compatibility claim on a real
// socket: pulse calls recvfrom(fd, &magic, sizeof(magic), 0, ...) and
// checks rc == 4; Linux truncates a longer UDP datagram to the buffer and
// returns the copied length, so lvsadm's trailer is invisible to pulse.
func TestPiranhaReadsOnlyTheMagic(t *testing.T) {
	pulse, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer pulse.Close()
	snd, err := net.DialUDP("udp", nil, pulse.LocalAddr().(*net.UDPAddr))
	if err != nil {
		t.Fatal(err)
	}
	defer snd.Close()
	pkt := Encode(MagicRunning, Ext{Serial: 3, UnixNano: 1}, NewKeyring(secretA))
	if len(pkt) != PacketLen {
		t.Fatalf("packet is %d bytes, want %d", len(pkt), PacketLen)
	}
	if _, err := snd.Write(pkt); err != nil {
		t.Fatal(err)
	}
	pulse.SetReadDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, 4)
	n, _, err := pulse.ReadFromUDP(buf)
	if err != nil {
		t.Fatal(err)
	}
	if n != 4 || Magic(magicOrder.Uint32(buf)) != MagicRunning {
		t.Fatalf("pulse-style read got n=%d % x, want 4 bytes of the running magic", n, buf)
	}
}

type actionLog struct {
	mu   sync.Mutex
	acts []Action
}

func (l *actionLog) add(a Action) { l.mu.Lock(); l.acts = append(l.acts, a); l.mu.Unlock() }
func (l *actionLog) has(k ActionKind) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, a := range l.acts {
		if a.Kind == k {
			return true
		}
	}
	return false
}

// TestPairOverLoopback runs two drivers over real UDP sockets on
// 127.0.0.1 and 127.0.0.2: they converge to one active and one standby
// (usually the primary active; on a loaded machine the backup may win the
// start-up race, and piranha does not fail back); when the active one
// stops, the other takes over within deadtime.
func TestPairOverLoopback(t *testing.T) {
	port := freePort(t)
	a1, a2 := netip.MustParseAddr("127.0.0.1"), netip.MustParseAddr("127.0.0.2")
	kr := NewKeyring(secretA)
	mk := func(primary bool, local, peer netip.Addr) Config {
		return Config{Primary: primary, BackupActive: true, Peer: peer, Keepalive: 50 * time.Millisecond, Deadtime: 300 * time.Millisecond, Keys: kr}
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	start := func(ctx context.Context, primary bool, local, peer netip.Addr, log *actionLog) (*Driver, *Transport, chan error) {
		tr, err := Listen(ctx, Endpoints{Local: local, Peer: peer, Port: port})
		if err != nil {
			t.Fatal(err)
		}
		m, _, err := New(mk(primary, local, peer), time.Now())
		if err != nil {
			t.Fatal(err)
		}
		d := NewDriver(m, tr, nil, log.add)
		done := make(chan error, 1)
		go func() { done <- d.Run(ctx) }()
		return d, tr, done
	}
	// Independent contexts: stopping one director must not stop the other.
	pctx, pcancel := context.WithCancel(ctx)
	bctx, bcancel := context.WithCancel(ctx)
	defer bcancel()
	var plog, blog actionLog
	pd, ptr, pdone := start(pctx, true, a1, a2, &plog)
	bd, btr, bdone := start(bctx, false, a2, a1, &blog)

	waitFor := func(what string, cond func() bool) {
		t.Helper()
		testwait.Until(t, what, cond, func() string { return fmt.Sprintf("primary %+v, backup %+v", pd.Status(), bd.Status()) })
	}
	waitFor("one active, one standby", func() bool {
		p, b := pd.Status(), bd.Status()
		return p.Role != b.Role && p.Peer.State != "" && b.Peer.State != "" &&
			(p.Role == "active") == (b.Peer.State == "running") && (b.Role == "active") == (p.Peer.State == "running")
	})
	if !bd.Status().Peer.Signed || !pd.Status().Peer.Signed {
		t.Errorf("peers: %+v / %+v, want signed", pd.Status().Peer, bd.Status().Peer)
	}
	// Stop the active one; the survivor must take over.
	survivor, survivorLog := bd, &blog
	stopCtx, stopDone, stopTr := pcancel, pdone, ptr
	if bd.Status().Role == "active" {
		survivor, survivorLog = pd, &plog
		stopCtx, stopDone, stopTr = bcancel, bdone, btr
	}
	stopCtx()
	<-stopDone
	stopTr.Wait()
	waitFor("survivor takes over", func() bool { return survivor.Status().Role == "active" })
	if !survivorLog.has(ActActivate) {
		t.Error("survivor did not get an activate action")
	}
	cancel()
	pcancel()
	for _, ch := range []chan error{pdone, bdone} {
		select {
		case <-ch:
		default:
		}
	}
	ptr.Wait()
	btr.Wait()
}
