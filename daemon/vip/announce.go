package vip

import (
	"fmt"
	"net"

	"golang.org/x/sys/unix"
)

// RawAnnouncer sends gratuitous ARP on an AF_PACKET socket (IPv4) and
// unsolicited neighbour advertisements on a raw ICMPv6 socket (IPv6).
type RawAnnouncer struct{}

func htons(v uint16) uint16 { return v<<8 | v>>8 }

// Announce sends one announcement of v.
func (RawAnnouncer) Announce(v VIP, ifindex int, mac net.HardwareAddr) error {
	if len(mac) != 6 {
		return fmt.Errorf("announce %s: device %s has no Ethernet address", v.Addr, v.Link)
	}
	if v.Addr.Is4() {
		return sendARP(v, ifindex, mac)
	}
	return sendNA(v, ifindex, mac)
}

func sendARP(v VIP, ifindex int, mac net.HardwareAddr) error {
	// Protocol 0: this socket only sends, so it never queues received
	// frames.
	fd, err := unix.Socket(unix.AF_PACKET, unix.SOCK_RAW|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("gratuitous arp %s: socket: %w", v.Addr, err)
	}
	defer unix.Close(fd)
	sa := &unix.SockaddrLinklayer{Ifindex: ifindex, Protocol: htons(etherTypeARP), Halen: 6}
	copy(sa.Addr[:], []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff})
	if err := unix.Sendto(fd, ARPFrame(mac, v.Addr), 0, sa); err != nil {
		return fmt.Errorf("gratuitous arp %s on %s: %w", v.Addr, v.Link, err)
	}
	return nil
}

func sendNA(v VIP, ifindex int, mac net.HardwareAddr) error {
	fd, err := unix.Socket(unix.AF_INET6, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.IPPROTO_ICMPV6)
	if err != nil {
		return fmt.Errorf("neighbour advertisement %s: socket: %w", v.Addr, err)
	}
	defer unix.Close(fd)
	// RFC 4861: neighbour discovery messages carry hop limit 255.
	if err := unix.SetsockoptInt(fd, unix.IPPROTO_IPV6, unix.IPV6_MULTICAST_HOPS, 255); err != nil {
		return fmt.Errorf("neighbour advertisement %s: %w", v.Addr, err)
	}
	if err := unix.SetsockoptInt(fd, unix.IPPROTO_IPV6, unix.IPV6_MULTICAST_IF, ifindex); err != nil {
		return fmt.Errorf("neighbour advertisement %s: %w", v.Addr, err)
	}
	// All-nodes multicast.
	sa := &unix.SockaddrInet6{Addr: [16]byte{0xff, 0x02, 15: 1}, ZoneId: uint32(ifindex)}
	if err := unix.Sendto(fd, NAMessage(mac, v.Addr), 0, sa); err != nil {
		return fmt.Errorf("neighbour advertisement %s on %s: %w", v.Addr, v.Link, err)
	}
	return nil
}
