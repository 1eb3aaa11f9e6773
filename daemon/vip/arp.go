package vip

import (
	"encoding/binary"
	"net"
	"net/netip"
)

// Gratuitous ARP as piranha's send_arp builds it (send_arp.c, verified):
// an Ethernet broadcast carrying an ARP *reply* (op 2, although the
// constant is named OP_ARP_REQUEST) whose sender and target hardware
// addresses are both the director's MAC and whose sender and target
// protocol addresses are both the VIP (RFC 2002's form), padded to the
// 60-byte Ethernet minimum.
const (
	etherTypeARP = 0x0806
	arpFrameLen  = 60
	arpOpReply   = 2
)

// ARPFrame builds one gratuitous ARP frame for ip from mac.
func ARPFrame(mac net.HardwareAddr, ip netip.Addr) []byte {
	f := make([]byte, arpFrameLen)
	for i := 0; i < 6; i++ {
		f[i] = 0xff // Ethernet destination: broadcast
	}
	copy(f[6:12], mac)
	binary.BigEndian.PutUint16(f[12:14], etherTypeARP)
	a := f[14:]
	binary.BigEndian.PutUint16(a[0:2], 1)      // hardware type: Ethernet
	binary.BigEndian.PutUint16(a[2:4], 0x0800) // protocol type: IPv4
	a[4], a[5] = 6, 4
	binary.BigEndian.PutUint16(a[6:8], arpOpReply)
	ip4 := ip.As4()
	copy(a[8:14], mac)     // sender hardware address
	copy(a[14:18], ip4[:]) // sender protocol address
	copy(a[18:24], mac)    // target hardware address (send_arp: the same MAC)
	copy(a[24:28], ip4[:]) // target protocol address
	return f
}

// NAMessage builds an ICMPv6 unsolicited neighbour advertisement for ip
// (RFC 4861 7.2.6): type 136, Override set, Solicited clear, with a target
// link-layer address option. The checksum is left zero: the kernel fills it
// in for raw ICMPv6 sockets.
func NAMessage(mac net.HardwareAddr, ip netip.Addr) []byte {
	m := make([]byte, 32)
	m[0] = 136     // neighbour advertisement
	m[4] = 0x20    // flags: Override
	t := ip.As16() // target address
	copy(m[8:24], t[:])
	m[24], m[25] = 2, 1 // option: target link-layer address, 8 bytes
	copy(m[26:32], mac)
	return m
}
