// Command udpflood makes IPVS connection entries for the lab's benchmarks:
// it sends one UDP datagram to VIP:PORT from each of N distinct
// (source address, source port) pairs through one raw socket, so the
// director's IPVS creates N UDP connections (they live for the UDP
// timeout). It runs only inside the lab VM, towards the VM's own addresses.
//
//	udpflood -n 50000 -vip 10.0.0.1 -port 53 -src 10.100.0.0
package main

import (
	"encoding/binary"
	"flag"
	"fmt"
	"net/netip"
	"os"

	"golang.org/x/sys/unix"
)

func main() {
	n := flag.Int("n", 50000, "connections to make")
	vip := flag.String("vip", "10.0.0.1", "virtual address")
	port := flag.Int("port", 53, "virtual UDP port")
	src := flag.String("src", "10.100.0.0", "first source address; each 50,000 ports use the next address")
	flag.Parse()
	if err := run(*n, *vip, *port, *src); err != nil {
		fmt.Fprintln(os.Stderr, "udpflood:", err)
		os.Exit(1)
	}
}

func run(n int, vip string, port int, src string) error {
	dst, err := netip.ParseAddr(vip)
	if err != nil || !dst.Is4() {
		return fmt.Errorf("bad -vip %q", vip)
	}
	base, err := netip.ParseAddr(src)
	if err != nil || !base.Is4() {
		return fmt.Errorf("bad -src %q", src)
	}
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_RAW, unix.IPPROTO_RAW)
	if err != nil {
		return fmt.Errorf("raw socket: %w", err)
	}
	defer unix.Close(fd)
	to := &unix.SockaddrInet4{Addr: dst.As4()}
	pkt := make([]byte, 20+8+4)
	for i := 0; i < n; i++ {
		s := base.As4()
		binary.BigEndian.PutUint32(s[:], binary.BigEndian.Uint32(s[:])+uint32(i/50000)+1)
		sport := uint16(10000 + i%50000)
		build(pkt, s, dst.As4(), sport, uint16(port))
		if err := unix.Sendto(fd, pkt, 0, to); err != nil {
			return fmt.Errorf("packet %d: %w", i, err)
		}
	}
	return nil
}

// build writes an IPv4 header (the kernel fills the checksum and id for
// IPPROTO_RAW) and a UDP header without checksum, with a 4-byte payload.
func build(p []byte, src, dst [4]byte, sport, dport uint16) {
	p[0] = 0x45
	p[1] = 0
	binary.BigEndian.PutUint16(p[2:], uint16(len(p)))
	binary.BigEndian.PutUint16(p[4:], 0)
	binary.BigEndian.PutUint16(p[6:], 0)
	p[8] = 64
	p[9] = unix.IPPROTO_UDP
	binary.BigEndian.PutUint16(p[10:], 0)
	copy(p[12:16], src[:])
	copy(p[16:20], dst[:])
	binary.BigEndian.PutUint16(p[20:], sport)
	binary.BigEndian.PutUint16(p[22:], dport)
	binary.BigEndian.PutUint16(p[24:], 12)
	binary.BigEndian.PutUint16(p[26:], 0)
	copy(p[28:], "lvs!")
}
