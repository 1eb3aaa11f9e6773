// Package bgptest holds what the BGP tests of daemon/bgp and its engine
// share: free ports on the loopback addresses and polling with a bound.
package bgptest

import (
	"context"
	"net"
	"net/netip"
	"testing"
	"time"
)

// WaitLimit bounds every wait of the BGP tests: sessions on a loaded
// machine take seconds (GoBGP waits 1.5-2 s before its first connect).
const WaitLimit = 30 * time.Second

// FreePort is a TCP port nothing listens on at addr right now; it skips
// the test where addr cannot be listened on (no 127.0.0.2, no ::1).
func FreePort(t testing.TB, addr netip.Addr) uint16 {
	t.Helper()
	l, err := net.Listen("tcp", netip.AddrPortFrom(addr, 0).String())
	if err != nil {
		t.Skipf("cannot listen on %v: %v", addr, err)
	}
	defer l.Close()
	return uint16(l.Addr().(*net.TCPAddr).Port)
}

// WaitFor polls cond until it holds, failing the test after WaitLimit.
func WaitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), WaitLimit)
	defer cancel()
	for !cond() {
		select {
		case <-ctx.Done():
			t.Fatalf("timed out waiting for %s", what)
		case <-time.After(20 * time.Millisecond):
		}
	}
}
