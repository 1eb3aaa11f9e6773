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

// pulseEmulator behaves as piranha's pulse does on the wire: it sends a
// bare 4-byte magic and reads each datagram into a 4-byte buffer,
// accepting it only when recvfrom returned exactly 4 and the magic is one
// it knows (pulse.c run).
type pulseEmulator struct {
	conn *net.UDPConn
	peer *net.UDPAddr

	mu       sync.Mutex
	accepted map[Magic]int
	bad      int
	lengths  []int // of the datagrams on the wire (pulse itself never sees them)
}

func (p *pulseEmulator) run(ctx context.Context, magic Magic, every time.Duration) {
	go func() {
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				p.conn.WriteToUDP(EncodePlain(magic), p.peer)
			}
		}
	}()
	buf := make([]byte, 512)
	for {
		wire, _, err := p.conn.ReadFromUDP(buf)
		if err != nil {
			return
		}
		// What pulse's recvfrom(fd, &magic, 4, ...) returns: at most 4.
		n := min(wire, 4)
		m := Magic(magicOrder.Uint32(buf))
		p.mu.Lock()
		p.lengths = append(p.lengths, wire)
		if n == 4 && (m == MagicRunning || m == MagicStopped) {
			p.accepted[m]++
		} else {
			p.bad++
		}
		p.mu.Unlock()
	}
}

// TestPiranhaPeer pairs an lvsadm backup (sending its trailer, the
// default) with an emulated piranha primary that is active: pulse accepts
// every lvsadm heartbeat, lvsadm stays standby and sees a plain partner;
// when pulse goes silent, lvsadm takes over.
func TestPiranhaPeer(t *testing.T) {
	port := freePort(t)
	pc, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: int(port)})
	if err != nil {
		t.Fatal(err)
	}
	pulse := &pulseEmulator{conn: pc, peer: &net.UDPAddr{IP: net.IPv4(127, 0, 0, 2), Port: int(port)}, accepted: map[Magic]int{}}
	pctx, pcancel := context.WithCancel(context.Background())
	pdone := make(chan struct{})
	go func() { defer close(pdone); pulse.run(pctx, MagicRunning, 50*time.Millisecond) }()

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	a1, a2 := netip.MustParseAddr("127.0.0.1"), netip.MustParseAddr("127.0.0.2")
	tr, err := Listen(ctx, Endpoints{Local: a2, Peer: a1, Port: port})
	if err != nil {
		t.Fatal(err)
	}
	m, _, err := New(Config{Primary: false, BackupActive: true, Peer: a1, Keepalive: 50 * time.Millisecond, Deadtime: 400 * time.Millisecond, Digest: Digest{9}}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	d := NewDriver(m, tr, nil, func(Action) {})
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()

	time.Sleep(600 * time.Millisecond)
	st := d.Status()
	if st.Role != "standby" || st.Peer.State != "running" || st.Peer.Lvsadm || st.Peer.DigestMatch != nil {
		t.Fatalf("lvsadm next to an active pulse: %+v", st)
	}
	pulse.mu.Lock()
	stopped, bad, lengths := pulse.accepted[MagicStopped], pulse.bad, pulse.lengths
	pulse.mu.Unlock()
	if stopped < 3 || bad != 0 {
		t.Fatalf("pulse accepted %d stopped heartbeats and refused %d, want several and none", stopped, bad)
	}
	// Negotiation: once lvsadm has heard the bare magics, it sends them too.
	if last := lengths[len(lengths)-1]; last != 4 {
		t.Errorf("datagram lengths %v: want 4 bytes once pulse has been heard", lengths)
	}

	pcancel()
	pc.Close()
	<-pdone
	testwait.Until(t, "a takeover after pulse went silent", func() bool { return d.Status().Role == "active" },
		func() string { return fmt.Sprintf("%+v", d.Status()) })
	cancel()
	<-done
	tr.Wait()
}
