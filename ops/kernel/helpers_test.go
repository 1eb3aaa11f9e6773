package kernel

import (
	"context"
	"encoding/binary"
	"sync"
	"time"
)

// Hand-built netlink bytes, laid out as include/uapi/linux/netlink.h,
// genetlink.h and ip_vs.h describe them (host byte order unless the header
// says __be), independent of the package's encoder.

var ne = binary.NativeEndian

func nla(typ uint16, payload ...[]byte) []byte {
	var body []byte
	for _, p := range payload {
		body = append(body, p...)
	}
	b := make([]byte, 4, 4+len(body)+3)
	ne.PutUint16(b[0:2], uint16(4+len(body)))
	ne.PutUint16(b[2:4], typ)
	b = append(b, body...)
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	return b
}

func u8(v uint8) []byte { return []byte{v} }
func u16(v uint16) []byte {
	b := make([]byte, 2)
	ne.PutUint16(b, v)
	return b
}
func be16(v uint16) []byte {
	b := make([]byte, 2)
	binary.BigEndian.PutUint16(b, v)
	return b
}
func u32(v uint32) []byte {
	b := make([]byte, 4)
	ne.PutUint32(b, v)
	return b
}
func be32(v uint32) []byte {
	b := make([]byte, 4)
	binary.BigEndian.PutUint32(b, v)
	return b
}
func u64(v uint64) []byte {
	b := make([]byte, 8)
	ne.PutUint64(b, v)
	return b
}
func cstr(s string) []byte { return append([]byte(s), 0) }

// inetAddr is a union nf_inet_addr holding ip (4 or 16 bytes).
func inetAddr(ip ...byte) []byte {
	b := make([]byte, 16)
	copy(b, ip)
	return b
}

func cat(parts ...[]byte) []byte {
	var b []byte
	for _, p := range parts {
		b = append(b, p...)
	}
	return b
}

// nlmsg builds a struct nlmsghdr followed by payload.
func nlmsg(typ, flags uint16, seq uint32, payload ...[]byte) []byte {
	body := cat(payload...)
	b := make([]byte, 16, 16+len(body))
	ne.PutUint32(b[0:4], uint32(16+len(body)))
	ne.PutUint16(b[4:6], typ)
	ne.PutUint16(b[6:8], flags)
	ne.PutUint32(b[8:12], seq)
	b = append(b, body...)
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	return b
}

// genlmsg is a struct genlmsghdr (cmd, version, reserved) and attributes.
func genlmsg(cmd uint8, attrs ...[]byte) []byte {
	return cat([]byte{cmd, 1, 0, 0}, cat(attrs...))
}

// nlerr is an NLMSG_ERROR for seq carrying errno as the kernel writes it
// (0 for an ack, -E... for an error): struct nlmsgerr {int error; struct
// nlmsghdr msg}, capped (NETLINK_CAP_ACK) so only the header is echoed.
func nlerr(seq uint32, errno int32, tlvs ...[]byte) []byte {
	var hdr [16]byte
	ne.PutUint32(hdr[0:4], 16)
	ne.PutUint32(hdr[8:12], seq)
	flags := uint16(0x100) // NLM_F_CAPPED
	if len(tlvs) > 0 {
		flags |= 0x200 // NLM_F_ACK_TLVS
	}
	return nlmsg(2, flags, seq, u32(uint32(errno)), hdr[:], cat(tlvs...))
}

func nldone(seq uint32) []byte { return nlmsg(3, 2, seq, u32(0)) }

const nlmFMulti = 2

// sentMsg is one message the code under test sent.
type sentMsg struct {
	typ, flags uint16
	seq        uint32
	cmd        uint8
	attrs      []byte
}

func splitMsgs(b []byte) []sentMsg {
	var out []sentMsg
	for len(b) >= 16 {
		l := int(ne.Uint32(b[0:4]))
		if l < 20 || l > len(b) {
			break
		}
		out = append(out, sentMsg{
			typ: ne.Uint16(b[4:6]), flags: ne.Uint16(b[6:8]), seq: ne.Uint32(b[8:12]),
			cmd: b[16], attrs: append([]byte(nil), b[20:l]...),
		})
		b = b[min(align4(l), len(b)):]
	}
	return out
}

// fakeTransport answers sends with what reply returns (one datagram per
// element) and, when it has nothing queued, waits like the socket does:
// until the deadline or the context's end.
type fakeTransport struct {
	mu    sync.Mutex
	sent  [][]sentMsg
	reply func(msgs []sentMsg) [][]byte
	queue [][]byte
}

func (f *fakeTransport) send(b []byte) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	msgs := splitMsgs(b)
	f.sent = append(f.sent, msgs)
	if f.reply != nil {
		f.queue = append(f.queue, f.reply(msgs)...)
	}
	return nil
}

func (f *fakeTransport) recv(ctx context.Context, b []byte, deadline time.Time) (int, error) {
	f.mu.Lock()
	if len(f.queue) > 0 {
		n := copy(b, f.queue[0])
		f.queue = f.queue[1:]
		f.mu.Unlock()
		return n, nil
	}
	f.mu.Unlock()
	t := time.NewTimer(time.Until(deadline))
	defer t.Stop()
	select {
	case <-ctx.Done():
		return 0, ctx.Err()
	case <-t.C:
		return 0, errTimeout
	}
}

func (f *fakeTransport) close() error { return nil }

const testFamily = 0x2a

func newFake(reply func(msgs []sentMsg) [][]byte) (*Kernel, *fakeTransport) {
	ft := &fakeTransport{reply: reply}
	return newKernel(ft, testFamily), ft
}

// ackAll answers every message that asks for one with an ack.
func ackAll(msgs []sentMsg) [][]byte {
	var out [][]byte
	for _, m := range msgs {
		if m.flags&0x4 != 0 {
			out = append(out, nlerr(m.seq, 0))
		}
	}
	return out
}
