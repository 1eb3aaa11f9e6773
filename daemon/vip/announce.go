package vip

import (
	"fmt"
	"net"

	"golang.org/x/sys/unix"
)

// RawAnnouncer sends gratuitous ARP on an AF_PACKET socket (IPv4) and
// unsolicited neighbour advertisements on a raw ICMPv6 socket (IPv6).
type RawAnnouncer struct{}

// A Batcher is an Announcer that can send a round of announcements over
// sockets it keeps for the round. Closing an AF_PACKET socket waits for an
// RCU grace period (synchronize_net): with a socket per announcement, one
// round for 2,000 addresses took 15 s of the lab VM's time.
type Batcher interface {
	Batch() (Batch, error)
}

// A Batch announces until closed.
type Batch interface {
	Announce(v VIP, ifindex int, mac net.HardwareAddr) error
	Close() error
}

// Batch returns a batch that sends every IPv4 announcement over one
// AF_PACKET socket, opened at the first.
func (RawAnnouncer) Batch() (Batch, error) { return &rawBatch{fd4: -1}, nil }

type rawBatch struct{ fd4 int }

func (b *rawBatch) Announce(v VIP, ifindex int, mac net.HardwareAddr) error {
	if !v.Addr.Is4() || len(mac) != 6 {
		return RawAnnouncer{}.Announce(v, ifindex, mac)
	}
	if b.fd4 < 0 {
		fd, err := unix.Socket(unix.AF_PACKET, unix.SOCK_RAW|unix.SOCK_CLOEXEC, 0)
		if err != nil {
			return fmt.Errorf("gratuitous arp %s: socket: %w", v.Addr, err)
		}
		b.fd4 = fd
	}
	return sendARPOn(b.fd4, v, ifindex, mac)
}

func (b *rawBatch) Close() error {
	if b.fd4 < 0 {
		return nil
	}
	err := unix.Close(b.fd4)
	b.fd4 = -1
	return err
}

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
	return sendARPOn(fd, v, ifindex, mac)
}

// sendARPOn sends one gratuitous ARP of v over the AF_PACKET socket fd.
func sendARPOn(fd int, v VIP, ifindex int, mac net.HardwareAddr) error {
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
