package vip

import (
	"bytes"
	"context"
	"errors"
	"net"
	"net/netip"
	"reflect"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/vishvananda/netlink"

	"github.com/lvsadm/lvsadm/internal/testwait"
	"github.com/lvsadm/lvsadm/lvscf"
)

func TestFromConfig(t *testing.T) {
	src := `primary = 10.0.0.1
network = nat
nat_router = 10.10.0.254 eth1:1
nat_nmask = 255.255.255.0
virtual a {
     active = 1
     address = 192.168.0.10 eth0:1
     vip_nmask = 255.255.255.0
     server s {
         address = 10.10.0.2
         active = 1
     }
}
virtual b {
     active = 1
     address = 192.168.0.10 eth0:1
     port = 443
}
virtual c {
     active = 0
     address = 192.168.0.11 eth0:2
}
virtual d {
     active = 1
     address = 192.168.0.12 eth0:3
}
`
	cfg, diags := lvscf.Decode(lvscf.Parse("t.cf", []byte(src)))
	if lvscf.HasErrors(diags) {
		t.Fatal(lvscf.FormatDiagnostics(diags))
	}
	got := FromConfig(cfg)
	want := []VIP{
		{Addr: netip.MustParseAddr("10.10.0.254"), Bits: 24, Label: "eth1:1", Link: "eth1", Broadcast: netip.MustParseAddr("10.10.0.255")},
		{Addr: netip.MustParseAddr("192.168.0.10"), Bits: 24, Label: "eth0:1", Link: "eth0", Broadcast: netip.MustParseAddr("192.168.0.255")},
		{Addr: netip.MustParseAddr("192.168.0.12"), Bits: 32, Label: "eth0:3", Link: "eth0"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("FromConfig:\n got %+v\nwant %+v", got, want)
	}
	cfg.Network = "direct"
	if got := FromConfig(cfg); len(got) != 2 || got[0].Addr != want[1].Addr {
		t.Fatalf("direct routing must not float the NAT router: %+v", got)
	}
}

func TestARPFrame(t *testing.T) {
	mac := net.HardwareAddr{0x02, 0x00, 0x00, 0xaa, 0xbb, 0xcc}
	f := ARPFrame(mac, netip.MustParseAddr("192.168.0.10"))
	want := []byte{
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, // broadcast
		0x02, 0x00, 0x00, 0xaa, 0xbb, 0xcc, // source MAC
		0x08, 0x06, // ARP
		0x00, 0x01, 0x08, 0x00, 6, 4, // Ethernet, IPv4
		0x00, 0x02, // reply, as send_arp sends
		0x02, 0x00, 0x00, 0xaa, 0xbb, 0xcc, 192, 168, 0, 10, // sender
		0x02, 0x00, 0x00, 0xaa, 0xbb, 0xcc, 192, 168, 0, 10, // target
	}
	want = append(want, make([]byte, 18)...)
	if !bytes.Equal(f, want) {
		t.Fatalf("frame\n% x\nwant\n% x", f, want)
	}
}

func TestNAMessage(t *testing.T) {
	mac := net.HardwareAddr{0x02, 0, 0, 0, 0, 1}
	m := NAMessage(mac, netip.MustParseAddr("2001:db8::10"))
	if m[0] != 136 || m[4] != 0x20 || m[24] != 2 || m[25] != 1 || !bytes.Equal(m[26:32], mac) ||
		!bytes.Equal(m[8:24], netip.MustParseAddr("2001:db8::10").AsSlice()) {
		t.Fatalf("NA % x", m)
	}
}

// fakeNL records address operations.
type fakeNL struct {
	mu      sync.Mutex
	ops     []string
	have    map[string]bool
	missing map[string]bool // devices that do not exist
	failAdd map[string]error
}

func newFake() *fakeNL {
	return &fakeNL{have: map[string]bool{}, missing: map[string]bool{}, failAdd: map[string]error{}}
}

func (f *fakeNL) LinkByName(name string) (netlink.Link, error) {
	if f.missing[name] {
		return nil, netlink.LinkNotFoundError{}
	}
	return &netlink.Dummy{LinkAttrs: netlink.LinkAttrs{Name: name, Index: 7, HardwareAddr: net.HardwareAddr{2, 0, 0, 0, 0, 7}}}, nil
}

func (f *fakeNL) AddrAdd(l netlink.Link, a *netlink.Addr) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	k := a.IPNet.String()
	if err := f.failAdd[k]; err != nil {
		return err
	}
	f.ops = append(f.ops, "add "+k+" "+a.Label)
	if f.have[k] {
		return syscall.EEXIST
	}
	f.have[k] = true
	return nil
}

func (f *fakeNL) AddrDel(l netlink.Link, a *netlink.Addr) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	k := a.IPNet.String()
	f.ops = append(f.ops, "del "+k)
	if !f.have[k] {
		return syscall.EADDRNOTAVAIL
	}
	delete(f.have, k)
	return nil
}

func (f *fakeNL) takeOps() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	o := f.ops
	f.ops = nil
	return o
}

type countAnn struct {
	mu sync.Mutex
	n  map[netip.Addr]int
	at []time.Time
}

func (c *countAnn) Announce(v VIP, ifindex int, mac net.HardwareAddr) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n == nil {
		c.n = map[netip.Addr]int{}
	}
	c.n[v.Addr]++
	c.at = append(c.at, time.Now())
	return nil
}

func (c *countAnn) count(a netip.Addr) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[a]
}

var (
	vipA = newVIP(netip.MustParseAddr("192.168.0.10"), "eth0:1", netip.Addr{})
	vipB = newVIP(netip.MustParseAddr("192.168.0.11"), "eth0:2", netip.Addr{})
	vipC = newVIP(netip.MustParseAddr("2001:db8::10"), "eth0", netip.Addr{})
)

func TestManagerTakeoverRelease(t *testing.T) {
	nl := newFake()
	nl.have["192.168.0.11/32"] = true // left over from a crash: EEXIST is fine
	ann := &countAnn{}
	m := NewManager(nl, ann, nil)
	m.Spacing = 20 * time.Millisecond
	ctx := context.Background()
	if err := m.Takeover(ctx, []VIP{vipA, vipB, vipC}); err != nil {
		t.Fatal(err)
	}
	if got, want := nl.takeOps(), []string{"add 192.168.0.10/32 eth0:1", "add 192.168.0.11/32 eth0:2", "add 2001:db8::10/128 "}; !reflect.DeepEqual(got, want) {
		t.Fatalf("ops %q, want %q", got, want)
	}
	m.Wait()
	for _, v := range []VIP{vipA, vipB, vipC} {
		if n := ann.count(v.Addr); n != DefaultAnnounceCount {
			t.Errorf("%s announced %d times, want %d", v.Addr, n, DefaultAnnounceCount)
		}
	}
	if err := m.Release(); err != nil {
		t.Fatal(err)
	}
	if got, want := nl.takeOps(), []string{"del 2001:db8::10/128", "del 192.168.0.11/32", "del 192.168.0.10/32"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("release ops %q, want reverse order %q", got, want)
	}
	if len(m.Held()) != 0 {
		t.Fatal("addresses still held")
	}
}

func TestManagerPartialFailure(t *testing.T) {
	nl := newFake()
	nl.missing["eth9"] = true
	nl.failAdd["192.168.0.11/32"] = syscall.EPERM
	m := NewManager(nl, &countAnn{}, nil)
	m.Spacing = time.Millisecond
	bad := newVIP(netip.MustParseAddr("192.168.0.99"), "eth9:1", netip.Addr{})
	err := m.Takeover(context.Background(), []VIP{bad, vipB, vipA})
	if err == nil || !errors.Is(err, syscall.EPERM) {
		t.Fatalf("err = %v, want one wrapping EPERM and naming eth9", err)
	}
	if h := m.Held(); len(h) != 1 || h[0].Addr != vipA.Addr {
		t.Fatalf("held %+v, want only %s", h, vipA.Addr)
	}
	m.Release()
	m.Wait()
}

func TestManagerReleaseStopsAnnouncements(t *testing.T) {
	ann := &countAnn{}
	m := NewManager(newFake(), ann, nil)
	m.Spacing = time.Hour
	m.Takeover(context.Background(), []VIP{vipA})
	// The first round goes out at once, in the background.
	testwait.Until(t, "an announcement after the takeover", func() bool { return ann.count(vipA.Addr) > 0 }, nil)
	done := make(chan struct{})
	go func() { m.Release(); m.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(testwait.Patience(t)):
		t.Fatal("Release did not stop the announcement loop")
	}
	if n := ann.count(vipA.Addr); n != 1 {
		t.Fatalf("announced %d times, want 1 before release", n)
	}
}

func TestManagerUpdate(t *testing.T) {
	nl := newFake()
	ann := &countAnn{}
	m := NewManager(nl, ann, nil)
	m.Spacing = time.Millisecond
	ctx := context.Background()
	m.Takeover(ctx, []VIP{vipA, vipB})
	m.Wait()
	nl.takeOps()
	if err := m.Update(ctx, []VIP{vipA, vipC}); err != nil {
		t.Fatal(err)
	}
	if got, want := nl.takeOps(), []string{"del 192.168.0.11/32", "add 2001:db8::10/128 "}; !reflect.DeepEqual(got, want) {
		t.Fatalf("update ops %q, want %q (vipA untouched)", got, want)
	}
	m.Wait()
	// A reload announces what it added, not every address held.
	if a, c := ann.count(vipA.Addr), ann.count(vipC.Addr); a != DefaultAnnounceCount || c != DefaultAnnounceCount {
		t.Errorf("announcements: kept address %d (want %d, from the takeover only), added address %d (want %d)", a, DefaultAnnounceCount, c, DefaultAnnounceCount)
	}
	m.Release()
	m.Wait()
}

func TestManagerRemoveStale(t *testing.T) {
	nl := newFake()
	nl.have["192.168.0.11/32"] = true // left behind by a killed instance
	nl.missing["eth9"] = true
	m := NewManager(nl, &countAnn{}, nil)
	m.Spacing = time.Millisecond
	gone := newVIP(netip.MustParseAddr("192.168.0.99"), "eth9:1", netip.Addr{})
	removed, err := m.RemoveStale([]VIP{vipA, vipB, gone})
	if err != nil {
		t.Fatal(err)
	}
	if len(removed) != 1 || removed[0].Addr != vipB.Addr {
		t.Fatalf("removed %+v, want only %s", removed, vipB.Addr)
	}
	if nl.have["192.168.0.11/32"] {
		t.Fatal("stale address still on the device")
	}
	if got, want := nl.takeOps(), []string{"del 192.168.0.10/32", "del 192.168.0.11/32"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("ops %q, want %q", got, want)
	}
	// An address this manager holds is its own, not stale.
	if err := m.Takeover(context.Background(), []VIP{vipA}); err != nil {
		t.Fatal(err)
	}
	nl.takeOps()
	if removed, err := m.RemoveStale([]VIP{vipA}); err != nil || len(removed) != 0 || !nl.have["192.168.0.10/32"] {
		t.Fatalf("RemoveStale of a held address: removed %+v, err %v, still there %v", removed, err, nl.have["192.168.0.10/32"])
	}
	m.Release()
	m.Wait()
}

// batchAnn is a Batcher: each round must go through one batch, closed at
// the round's end.
type batchAnn struct {
	countAnn
	mu             sync.Mutex
	opened, closed int
}

func (b *batchAnn) Batch() (Batch, error) {
	b.mu.Lock()
	b.opened++
	b.mu.Unlock()
	return batchOf{b}, nil
}

type batchOf struct{ b *batchAnn }

func (o batchOf) Announce(v VIP, ifindex int, mac net.HardwareAddr) error {
	return o.b.countAnn.Announce(v, ifindex, mac)
}

func (o batchOf) Close() error {
	o.b.mu.Lock()
	o.b.closed++
	o.b.mu.Unlock()
	return nil
}

// TestManagerAnnouncesInBatches: a Batcher gets one batch per round for
// all the addresses (one socket per round, not one per announcement).
func TestManagerAnnouncesInBatches(t *testing.T) {
	ann := &batchAnn{}
	m := NewManager(newFake(), ann, nil)
	m.Spacing = time.Millisecond
	m.Takeover(context.Background(), []VIP{vipA, vipB, vipC})
	m.Wait()
	ann.mu.Lock()
	defer ann.mu.Unlock()
	if ann.opened != DefaultAnnounceCount || ann.closed != DefaultAnnounceCount {
		t.Errorf("batches opened %d, closed %d; want %d each (one per round)", ann.opened, ann.closed, DefaultAnnounceCount)
	}
	for _, v := range []VIP{vipA, vipB, vipC} {
		if n := ann.count(v.Addr); n != DefaultAnnounceCount {
			t.Errorf("%s announced %d times, want %d", v.Addr, n, DefaultAnnounceCount)
		}
	}
}
