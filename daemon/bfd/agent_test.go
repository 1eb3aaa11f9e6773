package bfd

import (
	"context"
	"net/netip"
	"runtime"
	"testing"
	"time"
)

func startAgent(t *testing.T, ctx context.Context, addr string) *Agent {
	t.Helper()
	a := New(Config{ListenAddress: netip.MustParseAddr(addr), ListenPort: -1})
	if err := a.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.Stop)
	return a
}

// waitFor polls a's only session until ok says yes or ctx ends.
func waitFor(t *testing.T, ctx context.Context, a *Agent, what string, ok func(Status) bool) Status {
	t.Helper()
	for {
		sts, err := a.Status(ctx)
		if err != nil {
			t.Fatalf("waiting for %s: %v", what, err)
		}
		if len(sts) == 1 && ok(sts[0]) {
			return sts[0]
		}
		select {
		case <-ctx.Done():
			t.Fatalf("waiting for %s: %v; last %+v", what, ctx.Err(), sts)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// TestTwoAgents runs two agents over loopback: they come Up, one falls
// silent and the other goes Down on its Detection Time and forgets the
// remote discriminator, the silent one speaks again and both come back Up
// (what GoBGP 4.8's BFD did not do with BIRD), and removing a session tells
// the peer AdminDown.
func TestTwoAgents(t *testing.T) {
	goroutines := runtime.NumGoroutine()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	a := startAgent(t, ctx, "127.0.0.1")
	b := startAgent(t, ctx, "127.0.0.2")
	sa := SessionConfig{Remote: netip.MustParseAddr("127.0.0.2"), Local: netip.MustParseAddr("127.0.0.1"),
		RemotePort: uint16(b.Port()), Interval: 50 * time.Millisecond, Multiplier: 3}
	sb := SessionConfig{Remote: netip.MustParseAddr("127.0.0.1"), Local: netip.MustParseAddr("127.0.0.2"),
		RemotePort: uint16(a.Port()), Interval: 50 * time.Millisecond, Multiplier: 3}
	if err := a.Set(ctx, []SessionConfig{sa}); err != nil {
		t.Fatal(err)
	}
	if err := b.Set(ctx, []SessionConfig{sb}); err != nil {
		t.Fatal(err)
	}
	up := func(s Status) bool { return s.State == StateUp && s.RemoteState == StateUp }
	waitFor(t, ctx, a, "a up", up)
	waitFor(t, ctx, b, "b up", up)
	// Once Up and the Polls done, the Detection Time is 3 x 50 ms.
	waitFor(t, ctx, a, "a's detection time at the fast interval", func(s Status) bool { return s.DetectTime == 150*time.Millisecond })

	// b falls silent: its sending socket goes, as with a dead host.
	if err := b.do(ctx, func(time.Time) {
		for _, s := range b.sessions {
			s.conn.Close()
		}
	}); err != nil {
		t.Fatal(err)
	}
	st := waitFor(t, ctx, a, "a down on silence", func(s Status) bool { return s.State == StateDown })
	if st.LastDiag != DiagTimeExpired {
		t.Fatalf("a went down with %v", st.LastDiag)
	}
	waitFor(t, ctx, a, "a forgetting b's discriminator", func(s Status) bool { return s.RemoteDiscr == 0 })
	waitFor(t, ctx, b, "b down", func(s Status) bool { return s.State == StateDown && s.LastDiag == DiagNeighborDown })

	// b speaks again from a new socket: both come back.
	if err := b.do(ctx, func(time.Time) {
		for _, s := range b.sessions {
			c, err := dialUDP(s.cfg)
			if err != nil {
				t.Error(err)
				return
			}
			s.conn = c
		}
	}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, a, "a up again", up)
	waitFor(t, ctx, b, "b up again", up)

	// Removing b's session says AdminDown: a goes Down, told by the peer.
	if err := b.Set(ctx, nil); err != nil {
		t.Fatal(err)
	}
	st = waitFor(t, ctx, a, "a down on admin down", func(s Status) bool { return s.State == StateDown })
	if st.LastDiag != DiagNeighborDown || st.RemoteState != StateAdminDown {
		t.Fatalf("a after b's removal: %+v", st)
	}

	a.Stop()
	b.Stop()
	if _, err := a.Status(ctx); err == nil {
		t.Fatal("status of a stopped agent")
	}
	for runtime.NumGoroutine() > goroutines {
		select {
		case <-ctx.Done():
			t.Fatalf("%d goroutines left, %d before", runtime.NumGoroutine(), goroutines)
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// TestGTSM: a packet sent with a TTL below 255 never reaches the session.
func TestGTSM(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	a := startAgent(t, ctx, "127.0.0.1")
	if err := a.Set(ctx, []SessionConfig{{Remote: netip.MustParseAddr("127.0.0.3"), RemotePort: 9}}); err != nil {
		t.Fatal(err)
	}
	c, err := listenUDP(ctx, netip.MustParseAddrPort("127.0.0.3:0"), false)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	p := Packet{State: StateDown, DetectMult: 3, MyDiscr: 5, DesiredMinTx: 1000000, RequiredMinRx: 100000}
	to := netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), uint16(a.Port()))
	send := func(ttl int) {
		raw, err := c.SyscallConn()
		if err != nil {
			t.Fatal(err)
		}
		raw.Control(func(fd uintptr) { setTTL(t, fd, ttl) })
		if _, err := c.WriteToUDPAddrPort(p.Marshal(), to); err != nil {
			t.Fatal(err)
		}
	}
	// The TTL 64 packet, were it accepted, would take the session to Init,
	// and the AdminDown after it back Down with a diagnostic; the agent
	// handles one socket's packets in order.
	send(64)
	p.MyDiscr, p.State = 6, StateAdminDown
	send(255)
	st := waitFor(t, ctx, a, "the TTL 255 packet", func(s Status) bool { return s.RemoteDiscr != 0 })
	if st.RemoteDiscr != 6 || st.State != StateDown || st.LastDiag != DiagNone || st.RemoteState != StateAdminDown {
		t.Fatalf("the TTL 64 packet was accepted: %+v", st)
	}
}
