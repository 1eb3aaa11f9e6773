// Package kernel implements ops.Kernel on the Linux kernel's IPVS generic
// netlink family (include/uapi/linux/ip_vs.h) and /proc/net/ip_vs_conn.
//
// It is built on github.com/vishvananda/netlink: nl for the socket,
// netlink.GenlFamilyGet for the family id. Messages are encoded into one
// reusable buffer and read into one reusable buffer; every read is bounded
// by the caller's context and by Kernel.Timeout of silence, so no request
// can hang.
package kernel

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/vishvananda/netlink/nl"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"

	"github.com/lvsadm/lvsadm/ops"
)

// DefaultTimeout caps how long a request waits for the kernel when the
// context has no earlier deadline. It bounds each wait for the next reply,
// not a whole dump, so that large tables never time out spuriously.
const DefaultTimeout = 5 * time.Second

// DefaultConnPath is where the kernel shows its connection table.
const DefaultConnPath = "/proc/net/ip_vs_conn"

// Modprobe is the program Open runs, as ipvsadm does, when the IPVS family
// is missing: "/sbin/modprobe -- ip_vs".
const Modprobe = "/sbin/modprobe"

// recvBufSize fits the largest datagram the kernel sends: netlink dumps
// are at most 32 KiB (netlink_recvmsg caps max_recvmsg_len there), other
// replies far less.
const recvBufSize = 64 << 10

// Kernel is an open connection to IPVS in the network namespace it was
// opened in. Its methods are safe for concurrent use (they serialise).
type Kernel struct {
	// ConnPath is the file Connections reads; empty means DefaultConnPath.
	// Tests point it at sample files, and a process that switched a
	// thread's network namespace at /proc/thread-self/net/ip_vs_conn.
	ConnPath string
	// Timeout caps each wait for the kernel when the context has no
	// earlier deadline; zero means DefaultTimeout.
	Timeout time.Duration

	mu       sync.Mutex
	tr       transport
	family   uint16
	seq      uint32
	enc      encoder
	rbuf     []byte
	dirty    bool      // an exchange ended early; drain before the next
	openInfo *ops.Info // Open's GET_INFO reply, handed out once by Info
	closed   bool
}

var _ ops.Kernel = (*Kernel)(nil)

// Options tune OpenWith.
type Options struct {
	// NoModprobe stops Open from running modprobe when IPVS is missing.
	NoModprobe bool
	// ModprobeStderr receives modprobe's standard error (ipvsadm lets it
	// through to the terminal); nil discards it.
	ModprobeStderr io.Writer
	// Timeout sets Kernel.Timeout.
	Timeout time.Duration
}

// Open connects to IPVS like ipvsadm's start-up does: it resolves the
// "IPVS" generic netlink family, loading the module with modprobe if the
// family is missing (as ipvsadm does), then asks the kernel for its info,
// which fails with EPERM for an unprivileged caller. When IPVS cannot be
// found the error wraps ops.ErrNoIPVS.
func Open() (*Kernel, error) { return OpenWith(Options{}) }

// OpenWith is Open with options.
func OpenWith(o Options) (*Kernel, error) {
	sock, err := nl.GetNetlinkSocketAt(netns.None(), netns.None(), unix.NETLINK_GENERIC)
	if err != nil {
		return nil, &ops.KernelError{Op: ops.OpOpen, Err: fmt.Errorf("netlink socket: %w", err)}
	}
	t := &sockTransport{sock: sock, fd: sock.GetFd()}
	tuneSocket(t.fd)
	k := newKernel(t, 0)
	k.Timeout = o.Timeout
	ctx, cancel := context.WithTimeout(context.Background(), k.timeout())
	defer cancel()
	fam, err := k.resolveFamily(ctx)
	if errors.Is(err, ops.ErrNoIPVS) && !o.NoModprobe {
		if merr := loadModule(o.ModprobeStderr); merr != nil {
			err = fmt.Errorf("%w (%s -- ip_vs: %v)", err, Modprobe, merr)
		} else {
			fam, err = k.resolveFamily(ctx)
		}
	}
	if err != nil {
		k.Close()
		return nil, &ops.KernelError{Op: ops.OpOpen, Err: err}
	}
	k.family = fam
	info, err := k.Info(ctx)
	if err != nil {
		k.Close()
		return nil, kernelError(ops.OpOpen, err)
	}
	// Version and table size are fixed while the module is loaded: the
	// first Info after Open is answered from this reply, saving a round
	// trip on every short ipvsadm-style invocation.
	k.openInfo = &info
	return k, nil
}

func newKernel(t transport, family uint16) *Kernel {
	return &Kernel{
		tr:     t,
		family: family,
		rbuf:   make([]byte, recvBufSize),
		enc:    encoder{b: make([]byte, 0, 4096)},
		seq:    uint32(time.Now().UnixNano()),
	}
}

// resolveFamily opens a throw-away socket and finds the IPVS family id on
// it (tests use it to learn whether this kernel has IPVS).
func resolveFamily() (uint16, error) {
	sock, err := nl.GetNetlinkSocketAt(netns.None(), netns.None(), unix.NETLINK_GENERIC)
	if err != nil {
		return 0, fmt.Errorf("netlink socket: %w", err)
	}
	t := &sockTransport{sock: sock, fd: sock.GetFd()}
	k := newKernel(t, 0)
	defer k.Close()
	ctx, cancel := context.WithTimeout(context.Background(), DefaultTimeout)
	defer cancel()
	return k.resolveFamily(ctx)
}

// tuneSocket enlarges the receive buffer (a dump of a large table
// arrives faster than it is read), asks for short error messages
// (NETLINK_CAP_ACK) and extended acks. Failures only cost speed.
func tuneSocket(fd int) {
	const want = 4 << 20
	if unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_RCVBUFFORCE, want) != nil {
		_ = unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_RCVBUF, want)
	}
	_ = unix.SetsockoptInt(fd, unix.SOL_NETLINK, unix.NETLINK_CAP_ACK, 1)
	_ = unix.SetsockoptInt(fd, unix.SOL_NETLINK, unix.NETLINK_EXT_ACK, 1)
}

// Close releases the socket.
func (k *Kernel) Close() error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.closed {
		return nil
	}
	k.closed = true
	return k.tr.close()
}

// request sends one message, cmd, with the attributes build appends, and
// waits for its end (ack, error, or NLMSG_DONE of a dump). Reply messages go
// to onData.
func (k *Kernel) request(ctx context.Context, op ops.Op, cmd uint8, flags uint16, build func(*encoder) error, onData func(cmd uint8, attrs []byte) error) error {
	return k.requestOpt(ctx, op, cmd, flags, false, build, onData)
}

// errNoAnswer is what a command behind a barrier returns when the kernel
// handled it without answering, which netlink_rcv_skb does only when the
// command returned -EINTR.
var errNoAnswer = &nlError{errno: unix.EINTR, msg: "the kernel did not answer"}

// requestOpt is request; with barrier it sends an NLMSG_NOOP asking for an
// ack right behind the command, in the same buffer. The kernel handles the
// messages of one send in order, so the barrier's ack proves that the
// command was handled: if the command's own answer did not come first, the
// kernel swallowed it (errNoAnswer), and the request ends at once instead
// of waiting for the timeout.
func (k *Kernel) requestOpt(ctx context.Context, op ops.Op, cmd uint8, flags uint16, barrier bool, build func(*encoder) error, onData func(cmd uint8, attrs []byte) error) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.closed {
		return &ops.KernelError{Op: op, Err: ErrClosed}
	}
	k.enc.reset()
	seq := k.nextSeq()
	start := k.enc.beginMsg(k.family, unix.NLM_F_REQUEST|flags, seq, cmd, genlVersion)
	if build != nil {
		if err := build(&k.enc); err != nil {
			return &ops.KernelError{Op: op, Err: err}
		}
	}
	k.enc.endMsg(start)
	var fn dataFunc
	if onData != nil {
		fn = func(s uint32, cmd uint8, attrs []byte) error {
			if s != seq {
				return nil
			}
			return onData(cmd, attrs)
		}
	}
	if !barrier {
		return kernelError(op, k.exchange(ctx, seq, seq, fn, nil))
	}
	last := k.nextSeq()
	k.enc.endMsg(k.enc.beginMsg(unix.NLMSG_NOOP, unix.NLM_F_REQUEST|unix.NLM_F_ACK, last, 0, 0))
	var (
		answered bool
		answer   *nlError
	)
	err := k.exchange(ctx, seq, last, fn, func(s uint32, ne *nlError) {
		if s == seq {
			answered, answer = true, ne
		}
	})
	switch {
	case err != nil:
		return kernelError(op, err)
	case !answered:
		return kernelError(op, errNoAnswer)
	case answer != nil:
		return kernelError(op, answer)
	}
	return nil
}

// set sends a command that changes state and waits for its ack.
func (k *Kernel) set(ctx context.Context, op ops.Op, cmd uint8, build func(*encoder) error) error {
	return k.request(ctx, op, cmd, unix.NLM_F_ACK, build, nil)
}

// get sends a command answered by one reply message, and its ack.
func (k *Kernel) get(ctx context.Context, op ops.Op, cmd uint8, build func(*encoder) error, onData func(cmd uint8, attrs []byte) error) error {
	return k.request(ctx, op, cmd, unix.NLM_F_ACK, build, onData)
}

// dump sends a dump request; onData gets every part until NLMSG_DONE.
func (k *Kernel) dump(ctx context.Context, op ops.Op, cmd uint8, build func(*encoder) error, onData func(cmd uint8, attrs []byte) error) error {
	return k.request(ctx, op, cmd, unix.NLM_F_DUMP, build, onData)
}
