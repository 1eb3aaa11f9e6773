// Command udpflood sends UDP datagrams with forged source addresses
// through one raw socket. It runs only inside the lab VM, towards the VM's
// own addresses.
//
// By default it makes IPVS connection entries for the lab's benchmarks: one
// datagram to VIP:PORT from each of N distinct (source address, source
// port) pairs, so the director's IPVS creates N UDP connections (they live
// for the UDP timeout):
//
//	udpflood -n 50000 -vip 10.0.0.1 -port 53 -src 10.100.0.0
//
// With -random it is a spoofed flood, as an attacker on the heartbeat port
// would send (issue 11): every datagram from a random address of -src's
// /16, at -rate datagrams a second, for -duration:
//
//	udpflood -random -rate 50000 -duration 10s -vip 192.168.100.12 -port 539 -src 172.16.0.0
package main

import (
	"encoding/binary"
	"flag"
	"fmt"
	"net/netip"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

func main() {
	n := flag.Int("n", 50000, "datagrams to send (connections to make); with -duration, at most this many (0: no limit)")
	vip := flag.String("vip", "10.0.0.1", "destination address")
	port := flag.Int("port", 53, "destination UDP port")
	src := flag.String("src", "10.100.0.0", "first source address; each 50,000 ports use the next address (with -random: the /16 the sources are drawn from)")
	random := flag.Bool("random", false, "a random source address of -src's /16 for every datagram")
	rate := flag.Int("rate", 0, "datagrams per second; 0: as fast as the socket takes them")
	duration := flag.Duration("duration", 0, "stop after this long (0: after -n datagrams)")
	flag.Parse()
	if err := run(*n, *vip, *port, *src, *random, *rate, *duration); err != nil {
		fmt.Fprintln(os.Stderr, "udpflood:", err)
		os.Exit(1)
	}
}

func run(n int, vip string, port int, src string, random bool, rate int, duration time.Duration) error {
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
	start := time.Now()
	rng := uint32(start.UnixNano()) | 1 // xorshift state: any non-zero value
	b4 := base.As4()
	prefix := binary.BigEndian.Uint32(b4[:]) &^ 0xffff
	for i := 0; n == 0 || i < n; i++ {
		if duration > 0 && i%256 == 0 && time.Since(start) >= duration {
			break
		}
		if rate > 0 && i%64 == 0 {
			// Pace in bursts of 64: sleeping per datagram cannot keep up.
			if ahead := time.Duration(i)*time.Second/time.Duration(rate) - time.Since(start); ahead > 0 {
				time.Sleep(ahead)
			}
		}
		s := b4
		if random {
			rng ^= rng << 13
			rng ^= rng >> 17
			rng ^= rng << 5
			binary.BigEndian.PutUint32(s[:], prefix|(rng&0xffff))
		} else {
			binary.BigEndian.PutUint32(s[:], binary.BigEndian.Uint32(s[:])+uint32(i/50000)+1)
		}
		sport := uint16(10000 + i%50000)
		build(pkt, s, dst.As4(), sport, uint16(port))
		if err := unix.Sendto(fd, pkt, 0, to); err != nil {
			if err == unix.ENOBUFS {
				continue // a flood outruns the device queue now and then
			}
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
