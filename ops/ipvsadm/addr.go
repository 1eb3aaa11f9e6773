package ipvsadm

import (
	"encoding/binary"
	"net"
	"strconv"

	"github.com/lvsadm/lvsadm/ops"
)

// inetAddr is an address as ipvsadm holds it (union nf_inet_addr): an IPv4
// address in the first four bytes and zeros after, or an IPv6 address.
type inetAddr [16]byte

func (a inetAddr) isZero() bool { return a == inetAddr{} }

// v4 is the first four bytes as a host-order number (ntohl(addr.ip)).
func (a inetAddr) v4() uint32 { return binary.BigEndian.Uint32(a[:4]) }

// word is the i-th 32-bit word in host order (ntohl(s6_addr32[i])).
func (a inetAddr) word(i int) uint32 { return binary.BigEndian.Uint32(a[4*i:]) }

// toIP converts a to the net.IP the ops interface carries: 4 bytes for
// IPv4, 16 for IPv6.
func (a inetAddr) toIP(af uint16) net.IP {
	if af == ops.AFInet6 {
		ip := make(net.IP, 16)
		copy(ip, a[:])
		return ip
	}
	ip := make(net.IP, 4)
	copy(ip, a[:4])
	return ip
}

// addrFromIP converts ip of family af to an inetAddr.
func addrFromIP(af uint16, ip net.IP) inetAddr {
	var a inetAddr
	if af == ops.AFInet6 {
		if ip16 := ip.To16(); ip16 != nil {
			copy(a[:], ip16)
		}
		return a
	}
	if ip4 := ip.To4(); ip4 != nil {
		copy(a[:4], ip4)
	} else if len(ip) == 16 {
		copy(a[:], ip)
	}
	return a
}

// familyOf guesses the family of an address that comes without one.
func familyOf(ip net.IP) uint16 {
	if ip.To4() != nil {
		return ops.AFInet
	}
	return ops.AFInet6
}

// inetAton parses an IPv4 address as glibc's inet_aton does: one to four
// parts separated by dots, each decimal, octal (leading 0) or hex (0x), the
// last part filling the remaining bytes; anything after white space is
// ignored.
func inetAton(s string) (uint32, bool) {
	maxLast := [4]uint64{0xffffffff, 0xffffff, 0xffff, 0xff}
	var parts [3]uint64
	np := 0
	i := 0
	var val uint64
	for {
		if i >= len(s) || s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		var ok bool
		val, i, ok = strtoulBase0(s, i)
		if !ok || val > 0xffffffff {
			return 0, false
		}
		if i < len(s) && s[i] == '.' {
			if np > 2 || val > 0xff {
				return 0, false
			}
			parts[np] = val
			np++
			i++
			continue
		}
		break
	}
	if i < len(s) && (s[i] >= 0x80 || !isCSpace(s[i])) {
		return 0, false
	}
	if val > maxLast[np] {
		return 0, false
	}
	var res uint32
	for k := 0; k < np; k++ {
		res |= uint32(parts[k]) << (24 - 8*k)
	}
	return res | uint32(val), true
}

// strtoulBase0 reads a number at s[i:] the way strtoul(..., 0) does once a
// digit is known to start it. It returns the value, the index after it and
// false on overflow.
func strtoulBase0(s string, i int) (uint64, int, bool) {
	base := uint64(10)
	if s[i] == '0' {
		if i+2 < len(s) && (s[i+1] == 'x' || s[i+1] == 'X') && hexVal(s[i+2]) >= 0 {
			base = 16
			i += 2
		} else {
			base = 8
		}
	}
	var v uint64
	overflow := false
	for i < len(s) {
		d := hexVal(s[i])
		if d < 0 || uint64(d) >= base {
			break
		}
		if v > (^uint64(0)-uint64(d))/base {
			overflow = true
		}
		v = v*base + uint64(d)
		i++
	}
	return v, i, !overflow
}

func hexVal(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

// inetPton4 is glibc's strict inet_pton for IPv4: four decimal parts, no
// leading zeros.
func inetPton4(s string) ([4]byte, bool) {
	var out [4]byte
	octets := 0
	sawDigit := false
	cur := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			n := int(out[cur])*10 + int(c-'0')
			if sawDigit && out[cur] == 0 {
				return out, false
			}
			if n > 255 {
				return out, false
			}
			out[cur] = byte(n)
			if !sawDigit {
				octets++
				if octets > 4 {
					return out, false
				}
				sawDigit = true
			}
		case c == '.' && sawDigit:
			if octets == 4 {
				return out, false
			}
			cur++
			out[cur] = 0
			sawDigit = false
		default:
			return out, false
		}
	}
	if octets < 4 {
		return out, false
	}
	return out, true
}

// inetPton6 is glibc's inet_pton for IPv6.
func inetPton6(s string) (inetAddr, bool) {
	var tmp inetAddr
	if len(s) == 0 {
		return tmp, false
	}
	i := 0
	if s[0] == ':' {
		i++
		if i >= len(s) || s[i] != ':' {
			return tmp, false
		}
	}
	tp := 0
	colon := -1
	curtok := i
	digits := 0
	var val uint32
	for i < len(s) {
		c := s[i]
		i++
		if d := hexVal(c); d >= 0 {
			if digits == 4 {
				return tmp, false
			}
			val = val<<4 | uint32(d)
			digits++
			continue
		}
		if c == ':' {
			curtok = i
			if digits == 0 {
				if colon >= 0 {
					return tmp, false
				}
				colon = tp
				continue
			} else if i >= len(s) {
				return tmp, false
			}
			if tp+2 > 16 {
				return tmp, false
			}
			tmp[tp] = byte(val >> 8)
			tmp[tp+1] = byte(val)
			tp += 2
			digits = 0
			val = 0
			continue
		}
		if c == '.' && tp+4 <= 16 {
			if v4, ok := inetPton4(s[curtok:]); ok {
				copy(tmp[tp:], v4[:])
				tp += 4
				digits = 0
				break
			}
		}
		return tmp, false
	}
	if digits > 0 {
		if tp+2 > 16 {
			return tmp, false
		}
		tmp[tp] = byte(val >> 8)
		tmp[tp+1] = byte(val)
		tp += 2
	}
	if colon >= 0 {
		if tp == 16 {
			return tmp, false
		}
		n := tp - colon
		var out inetAddr
		copy(out[:colon], tmp[:colon])
		copy(out[16-n:], tmp[colon:tp])
		return out, true
	}
	if tp != 16 {
		return tmp, false
	}
	return tmp, true
}

// appendInetNtop4 appends a dotted quad.
func appendInetNtop4(b []byte, a []byte) []byte {
	for i := 0; i < 4; i++ {
		if i > 0 {
			b = append(b, '.')
		}
		b = strconv.AppendUint(b, uint64(a[i]), 10)
	}
	return b
}

// appendInetNtop6 appends a as glibc's inet_ntop prints an IPv6 address:
// the first longest run of two or more zero words shortened to "::", and
// IPv4-compatible and IPv4-mapped addresses ending in a dotted quad.
func appendInetNtop6(b []byte, a inetAddr) []byte {
	var words [8]uint32
	for i := range words {
		words[i] = uint32(a[2*i])<<8 | uint32(a[2*i+1])
	}
	bestBase, bestLen := -1, 0
	curBase, curLen := -1, 0
	for i := 0; i < 8; i++ {
		if words[i] == 0 {
			if curBase == -1 {
				curBase, curLen = i, 1
			} else {
				curLen++
			}
		} else if curBase != -1 {
			if bestBase == -1 || curLen > bestLen {
				bestBase, bestLen = curBase, curLen
			}
			curBase = -1
		}
	}
	if curBase != -1 && (bestBase == -1 || curLen > bestLen) {
		bestBase, bestLen = curBase, curLen
	}
	if bestBase != -1 && bestLen < 2 {
		bestBase = -1
	}
	for i := 0; i < 8; i++ {
		if bestBase != -1 && i >= bestBase && i < bestBase+bestLen {
			if i == bestBase {
				b = append(b, ':')
			}
			continue
		}
		if i != 0 {
			b = append(b, ':')
		}
		if i == 6 && bestBase == 0 && (bestLen == 6 || (bestLen == 5 && words[5] == 0xffff)) {
			return appendInetNtop4(b, a[12:16])
		}
		b = strconv.AppendUint(b, uint64(words[i]), 16)
	}
	if bestBase != -1 && bestBase+bestLen == 8 {
		b = append(b, ':')
	}
	return b
}

// appendAddr appends a numerically, by family (inet_ntop).
func appendAddr(b []byte, af uint16, a inetAddr) []byte {
	if af == ops.AFInet6 {
		return appendInetNtop6(b, a)
	}
	return appendInetNtop4(b, a[:4])
}

// formatAddr is appendAddr to a string.
func formatAddr(af uint16, a inetAddr) string {
	var buf [64]byte
	return string(appendAddr(buf[:0], af, a))
}

// formatMask4 prints an IPv4 mask held as a big-endian number (inet_ntoa).
func formatMask4(m uint32) string {
	var a [4]byte
	binary.BigEndian.PutUint32(a[:], m)
	var buf [16]byte
	return string(appendInetNtop4(buf[:0], a[:]))
}
