package kernel

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net"
)

// Netlink framing sizes (include/uapi/linux/netlink.h, genetlink.h).
const (
	nlmsgHdrLen = 16 // struct nlmsghdr
	genlHdrLen  = 4  // struct genlmsghdr
	nlaHdrLen   = 4  // struct nlattr
	nlaTypeMask = 0x3fff
)

var native = binary.NativeEndian

func align4(n int) int { return (n + 3) &^ 3 }

// encoder appends netlink messages and attributes to one reusable buffer,
// so that a request, or a whole batch of them, is a single []byte that is
// sent with one sendto and never re-serialised.
type encoder struct {
	b []byte
}

func (e *encoder) reset() { e.b = e.b[:0] }

// beginMsg appends a netlink header and a generic netlink header and returns
// the message's offset for endMsg.
func (e *encoder) beginMsg(family, flags uint16, seq uint32, cmd, version uint8) int {
	start := len(e.b)
	var h [nlmsgHdrLen + genlHdrLen]byte
	native.PutUint16(h[4:6], family)
	native.PutUint16(h[6:8], flags)
	native.PutUint32(h[8:12], seq)
	h[16] = cmd
	h[17] = version
	e.b = append(e.b, h[:]...)
	return start
}

// endMsg writes the length of the message begun at start.
func (e *encoder) endMsg(start int) {
	native.PutUint32(e.b[start:start+4], uint32(len(e.b)-start))
}

func (e *encoder) put(typ uint16, v []byte) {
	var h [nlaHdrLen]byte
	native.PutUint16(h[0:2], uint16(nlaHdrLen+len(v)))
	native.PutUint16(h[2:4], typ)
	e.b = append(e.b, h[:]...)
	e.b = append(e.b, v...)
	e.pad()
}

func (e *encoder) pad() {
	for len(e.b)%4 != 0 {
		e.b = append(e.b, 0)
	}
}

func (e *encoder) putU8(typ uint16, v uint8) { e.put(typ, []byte{v}) }

func (e *encoder) putU16(typ uint16, v uint16) {
	var b [2]byte
	native.PutUint16(b[:], v)
	e.put(typ, b[:])
}

func (e *encoder) putBE16(typ uint16, v uint16) {
	var b [2]byte
	binary.BigEndian.PutUint16(b[:], v)
	e.put(typ, b[:])
}

func (e *encoder) putU32(typ uint16, v uint32) {
	var b [4]byte
	native.PutUint32(b[:], v)
	e.put(typ, b[:])
}

func (e *encoder) putBE32(typ uint16, v uint32) {
	var b [4]byte
	binary.BigEndian.PutUint32(b[:], v)
	e.put(typ, b[:])
}

// putString appends a NUL-terminated string (NLA_NUL_STRING).
func (e *encoder) putString(typ uint16, s string) {
	var h [nlaHdrLen]byte
	native.PutUint16(h[0:2], uint16(nlaHdrLen+len(s)+1))
	native.PutUint16(h[2:4], typ)
	e.b = append(e.b, h[:]...)
	e.b = append(e.b, s...)
	e.b = append(e.b, 0)
	e.pad()
}

// beginNest starts a nested attribute. Like libipvs and the kernel's own
// replies, it does not set NLA_F_NESTED, which old kernels do not expect.
func (e *encoder) beginNest(typ uint16) int {
	start := len(e.b)
	var h [nlaHdrLen]byte
	native.PutUint16(h[2:4], typ)
	e.b = append(e.b, h[:]...)
	return start
}

func (e *encoder) endNest(start int) {
	native.PutUint16(e.b[start:start+2], uint16(len(e.b)-start))
}

// attrs iterates over a run of netlink attributes without allocating. It
// never panics on malformed input: a bad length ends the walk with err set.
type attrs struct {
	b   []byte
	typ uint16
	val []byte
	err error
}

func newAttrs(b []byte) attrs { return attrs{b: b} }

func (a *attrs) next() bool {
	if a.err != nil || len(a.b) == 0 {
		return false
	}
	if len(a.b) < nlaHdrLen {
		a.err = fmt.Errorf("%w: %d trailing bytes", errShortAttr, len(a.b))
		return false
	}
	l := int(native.Uint16(a.b[0:2]))
	if l < nlaHdrLen || l > len(a.b) {
		a.err = fmt.Errorf("%w: length %d with %d bytes left", errBadAttr, l, len(a.b))
		return false
	}
	a.typ = native.Uint16(a.b[2:4]) & nlaTypeMask
	a.val = a.b[nlaHdrLen:l]
	if al := align4(l); al < len(a.b) {
		a.b = a.b[al:]
	} else {
		a.b = nil
	}
	return true
}

var (
	errShortAttr = errors.New("netlink attribute truncated")
	errBadAttr   = errors.New("netlink attribute has a bad length")
)

// attrLenError reports an attribute whose payload is too short for its type.
func attrLenError(what string, got, want int) error {
	return fmt.Errorf("netlink attribute %s: %d bytes, want %d", what, got, want)
}

func getU8(what string, v []byte) (uint8, error) {
	if len(v) < 1 {
		return 0, attrLenError(what, len(v), 1)
	}
	return v[0], nil
}

func getU16(what string, v []byte) (uint16, error) {
	if len(v) < 2 {
		return 0, attrLenError(what, len(v), 2)
	}
	return native.Uint16(v), nil
}

func getBE16(what string, v []byte) (uint16, error) {
	if len(v) < 2 {
		return 0, attrLenError(what, len(v), 2)
	}
	return binary.BigEndian.Uint16(v), nil
}

func getU32(what string, v []byte) (uint32, error) {
	if len(v) < 4 {
		return 0, attrLenError(what, len(v), 4)
	}
	return native.Uint32(v), nil
}

// getUint reads a counter that the kernel sends as u32 or u64 (the 32-bit
// stats nest mixes both; STATS64 is all u64).
func getUint(what string, v []byte) (uint64, error) {
	switch {
	case len(v) >= 8:
		return native.Uint64(v), nil
	case len(v) >= 4:
		return uint64(native.Uint32(v)), nil
	}
	return 0, attrLenError(what, len(v), 4)
}

// getString reads a NUL-terminated (or unterminated) string.
func getString(v []byte) string {
	for i, c := range v {
		if c == 0 {
			return string(v[:i])
		}
	}
	return string(v)
}

// getAddr reads a union nf_inet_addr (or a bare in_addr/in6_addr) for af,
// copying it out of the receive buffer.
func getAddr(what string, af uint16, v []byte) (net.IP, error) {
	switch af {
	case afInet:
		if len(v) < 4 {
			return nil, attrLenError(what, len(v), 4)
		}
		return net.IPv4(v[0], v[1], v[2], v[3]).To4(), nil
	case afInet6:
		if len(v) < 16 {
			return nil, attrLenError(what, len(v), 16)
		}
		ip := make(net.IP, 16)
		copy(ip, v)
		return ip, nil
	}
	return nil, fmt.Errorf("netlink attribute %s: unknown address family %d", what, af)
}

// putAddr appends addr as a 16-byte union nf_inet_addr, as libipvs does.
func putAddr(e *encoder, typ uint16, af uint16, ip net.IP) error {
	var b [16]byte
	switch af {
	case afInet:
		if ip != nil {
			v4 := ip.To4()
			if v4 == nil {
				return fmt.Errorf("address %v is not IPv4", ip)
			}
			copy(b[:], v4)
		}
	case afInet6:
		if ip != nil {
			v6 := ip.To16()
			if v6 == nil {
				return fmt.Errorf("address %v is not IPv6", ip)
			}
			copy(b[:], v6)
		}
	default:
		return fmt.Errorf("unknown address family %d", af)
	}
	e.put(typ, b[:])
	return nil
}
