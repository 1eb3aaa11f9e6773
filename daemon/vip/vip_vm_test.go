//go:build vmtest

package vip

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"
)

const ipCmd = "/usr/sbin/ip"

var (
	labVIP4 = newVIP(netip.MustParseAddr("192.168.77.10"), "eth0:1", netip.MustParseAddr("255.255.255.0"))
	labVIP6 = newVIP(netip.MustParseAddr("2001:db8:77::10"), "eth0", netip.Addr{})
)

// TestMain: in child mode this binary takes the addresses over inside
// namespace "va" (where "ip netns exec" put it), so every netlink call and
// raw socket, from any goroutine, is in that namespace.
func TestMain(m *testing.M) {
	if os.Getenv("LVSADM_VIP_CHILD") == "1" {
		os.Exit(vipChild())
	}
	os.Exit(m.Run())
}

func addrsOn(dev string) string {
	l, err := netlink.LinkByName(dev)
	if err != nil {
		return err.Error()
	}
	as, _ := netlink.AddrList(l, netlink.FAMILY_ALL)
	var out []string
	for _, a := range as {
		out = append(out, a.IPNet.String()+" "+a.Label)
	}
	return strings.Join(out, ", ")
}

func vipChild() int {
	m := NewManager(nil, nil, nil)
	m.Count, m.Spacing = 3, 300*time.Millisecond
	if err := m.Takeover(context.Background(), []VIP{labVIP4, labVIP6}); err != nil {
		fmt.Println("takeover:", err)
		return 1
	}
	fmt.Println("held:", addrsOn("eth0"))
	m.Wait()
	if err := m.Release(); err != nil {
		fmt.Println("release:", err)
		return 1
	}
	fmt.Println("released:", addrsOn("eth0"))
	return 0
}

func run(t *testing.T, args ...string) {
	t.Helper()
	if out, err := exec.Command(args[0], args[1:]...).CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// capture opens a packet socket on dev inside namespace ns.
func capture(t *testing.T, ns, dev string) int {
	t.Helper()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	orig, err := netns.Get()
	if err != nil {
		t.Fatal(err)
	}
	defer orig.Close()
	h, err := netns.GetFromName(ns)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	if err := netns.Set(h); err != nil {
		t.Fatal(err)
	}
	defer netns.Set(orig)
	ifi, err := net.InterfaceByName(dev)
	if err != nil {
		t.Fatal(err)
	}
	fd, err := unix.Socket(unix.AF_PACKET, unix.SOCK_RAW, int(htons(unix.ETH_P_ALL)))
	if err != nil {
		t.Fatal(err)
	}
	if err := unix.Bind(fd, &unix.SockaddrLinklayer{Protocol: htons(unix.ETH_P_ALL), Ifindex: ifi.Index}); err != nil {
		t.Fatal(err)
	}
	tv := unix.NsecToTimeval(int64(200 * time.Millisecond))
	unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv)
	return fd
}

func nsMAC(t *testing.T, ns, dev string) net.HardwareAddr {
	out, err := exec.Command(ipCmd, "-n", ns, "-o", "link", "show", "dev", dev).CombinedOutput()
	if err != nil {
		t.Fatal(err)
	}
	f := strings.Fields(string(out))
	for i := range f {
		if f[i] == "link/ether" {
			m, err := net.ParseMAC(f[i+1])
			if err != nil {
				t.Fatal(err)
			}
			return m
		}
	}
	t.Fatalf("no MAC in %s", out)
	return nil
}

// TestLabAnnounce adds an IPv4 and an IPv6 floating address in one
// namespace and captures, on the other end of the link, the gratuitous
// ARP frames (byte-exact: send_arp's layout) and the unsolicited
// neighbour advertisements, three of each; then the addresses go.
func TestLabAnnounce(t *testing.T) {
	if os.Getenv("LAB") == "" {
		t.Skip("LAB not set (run through testdata/vm/vmtest.sh)")
	}
	exec.Command(ipCmd, "netns", "del", "va").Run()
	exec.Command(ipCmd, "netns", "del", "vb").Run()
	run(t, ipCmd, "netns", "add", "va")
	run(t, ipCmd, "netns", "add", "vb")
	t.Cleanup(func() {
		exec.Command(ipCmd, "netns", "del", "va").Run()
		exec.Command(ipCmd, "netns", "del", "vb").Run()
	})
	run(t, ipCmd, "-n", "va", "link", "add", "eth0", "type", "veth", "peer", "name", "eth0", "netns", "vb")
	for _, ns := range []string{"va", "vb"} {
		// No duplicate address detection: the link-local address (the NA's
		// source) must be usable at once.
		run(t, ipCmd, "netns", "exec", ns, "sh", "-c", "echo 0 >/proc/sys/net/ipv6/conf/default/accept_dad; echo 0 >/proc/sys/net/ipv6/conf/eth0/accept_dad")
		run(t, ipCmd, "-n", ns, "link", "set", "eth0", "up")
	}
	run(t, ipCmd, "-n", "va", "addr", "add", "192.168.77.1/24", "dev", "eth0")
	fd := capture(t, "vb", "eth0")
	defer unix.Close(fd)
	mac := nsMAC(t, "va", "eth0")

	self, _ := os.Executable()
	child := exec.Command(ipCmd, "netns", "exec", "va", self)
	child.Env = append(os.Environ(), "LVSADM_VIP_CHILD=1")
	var out bytes.Buffer
	child.Stdout, child.Stderr = &out, &out
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- child.Wait() }()

	wantARP := ARPFrame(mac, labVIP4.Addr)
	arps, nas := 0, 0
	var arpTimes []time.Time
	buf := make([]byte, 2048)
	deadline := time.Now().Add(10 * time.Second)
	childDone := false
	for time.Now().Before(deadline) && !(childDone && arps >= 3 && nas >= 3) {
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("child: %v\n%s", err, out.String())
			}
			childDone = true
		default:
		}
		n, _, err := unix.Recvfrom(fd, buf, 0)
		if err != nil || n < 14 {
			continue
		}
		f := buf[:n]
		switch binary.BigEndian.Uint16(f[12:14]) {
		case 0x0806:
			if !bytes.Equal(f[:42], wantARP[:42]) {
				t.Errorf("ARP frame\n% x\nwant\n% x", f, wantARP)
			}
			arps++
			arpTimes = append(arpTimes, time.Now())
		case 0x86dd:
			ip6 := f[14:]
			if len(ip6) < 40+32 || ip6[6] != 58 {
				continue
			}
			icmp := ip6[40:]
			if icmp[0] != 136 {
				continue // router/neighbour solicitations of the kernel's own
			}
			if ip6[7] != 255 || !bytes.Equal(ip6[24:40], net.ParseIP("ff02::1")) || icmp[4]&0x20 == 0 ||
				!bytes.Equal(icmp[8:24], labVIP6.Addr.AsSlice()) || !bytes.Equal(icmp[26:32], mac) {
				t.Errorf("neighbour advertisement % x", ip6)
			}
			nas++
		}
	}
	if !childDone {
		<-done
	}
	t.Logf("child:\n%s", out.String())
	if arps != 3 || nas != 3 {
		t.Fatalf("captured %d gratuitous ARPs and %d neighbour advertisements, want 3 of each", arps, nas)
	}
	if gap := arpTimes[2].Sub(arpTimes[0]); gap < 500*time.Millisecond {
		t.Errorf("3 announcements within %v, want them 300 ms apart", gap)
	}
	if !strings.Contains(out.String(), "192.168.77.10/24 eth0:1") || !strings.Contains(out.String(), "2001:db8:77::10/128") {
		t.Errorf("addresses not held with their label: %s", out.String())
	}
	if rel := out.String()[strings.Index(out.String(), "released:"):]; strings.Contains(rel, "192.168.77.10") || strings.Contains(rel, "2001:db8:77::10") {
		t.Errorf("addresses left after release: %s", rel)
	}
}
