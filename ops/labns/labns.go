// Package labns gives the real-kernel tests (build tag vmtest, run in the
// lab VM) a fresh network namespace each: IPVS tables, addresses and
// iptables rules are per namespace, so every test starts from empty ones.
// It is test support; nothing in the lvsadm binary imports it.
package labns

import (
	"net"
	"runtime"
	"syscall"
	"testing"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
)

// Run runs fn on the calling goroutine's OS thread moved into a new network
// namespace with lo up; processes fn starts (ipvsadm, iptables) inherit it.
// Afterwards the thread goes back to its namespace; if that fails it stays
// locked, and Go retires it with the goroutine. Namespaces nest.
func Run(t testing.TB, fn func()) {
	t.Helper()
	runtime.LockOSThread()
	prev, err := netns.Get()
	if err != nil {
		runtime.UnlockOSThread()
		t.Fatal(err)
	}
	ns, err := netns.New()
	if err != nil {
		prev.Close()
		runtime.UnlockOSThread()
		t.Fatalf("new netns: %v", err)
	}
	defer func() {
		if err := netns.Set(prev); err != nil {
			t.Errorf("restoring netns: %v", err)
			return
		}
		ns.Close()
		prev.Close()
		runtime.UnlockOSThread()
	}()
	lo, err := netlink.LinkByName("lo")
	if err != nil {
		t.Fatal(err)
	}
	if err := netlink.LinkSetUp(lo); err != nil {
		t.Fatal(err)
	}
	fn()
}

// Dummy describes a dummy link for AddDummy.
type Dummy struct {
	Name  string
	Addrs []string // CIDR, added without duplicate address detection
	// DefaultRoute routes everything through the link, so that any
	// real-server address is routable (the kernel refuses destinations it
	// cannot route: "address not unicast").
	DefaultRoute bool
	Multicast    bool // the sync daemon needs a multicast-capable link
}

// AddDummy creates the link in the current namespace and brings it up.
func AddDummy(t testing.TB, d Dummy) {
	t.Helper()
	if err := netlink.LinkAdd(&netlink.Dummy{LinkAttrs: netlink.LinkAttrs{Name: d.Name}}); err != nil {
		t.Fatalf("dummy link %s: %v", d.Name, err)
	}
	link, err := netlink.LinkByName(d.Name)
	if err != nil {
		t.Fatal(err)
	}
	if d.Multicast {
		if err := netlink.LinkSetMulticastOn(link); err != nil {
			t.Fatal(err)
		}
	}
	for _, a := range d.Addrs {
		addr, err := netlink.ParseAddr(a)
		if err != nil {
			t.Fatal(err)
		}
		addr.Flags = syscall.IFA_F_NODAD
		if err := netlink.AddrAdd(link, addr); err != nil {
			t.Fatalf("address %s: %v", a, err)
		}
	}
	if err := netlink.LinkSetUp(link); err != nil {
		t.Fatal(err)
	}
	if d.DefaultRoute {
		route := &netlink.Route{LinkIndex: link.Attrs().Index, Scope: netlink.SCOPE_LINK, Dst: &net.IPNet{IP: net.IPv4zero, Mask: net.CIDRMask(0, 32)}}
		if err := netlink.RouteAdd(route); err != nil {
			t.Fatalf("default route: %v", err)
		}
	}
}
