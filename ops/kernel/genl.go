package kernel

import (
	"context"
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"

	"github.com/vishvananda/netlink/nl"
	"golang.org/x/sys/unix"
)

// transport is the datagram path to the kernel: the netlink socket, or a
// fake in tests.
type transport interface {
	// send hands one buffer (one or more netlink messages) to the kernel.
	send(b []byte) error
	// recv reads one datagram into b. It waits until deadline at most and
	// gives up early when ctx ends; it never waits forever.
	recv(ctx context.Context, b []byte, deadline time.Time) (int, error)
	close() error
}

// errTimeout is what a request returns when the kernel stays silent for the
// per-read cap and the context has no earlier deadline.
var errTimeout = fmt.Errorf("no answer from the kernel: %w", os.ErrDeadlineExceeded)

// errTruncated means a datagram did not fit the receive buffer.
var errTruncated = errors.New("netlink message truncated")

// pollSlice bounds one poll so that a cancelled context is noticed soon
// even when it has no deadline.
const pollSlice = 50 * time.Millisecond

// sockTransport does raw I/O on a socket made by the nl package. It uses the
// descriptor directly (nonblocking recvmsg, poll for waiting), so that a read
// reuses the caller's buffer and honours deadlines and cancellation.
type sockTransport struct {
	sock *nl.NetlinkSocket
	fd   int
	pfd  [1]unix.PollFd
}

var kernelAddr = &unix.SockaddrNetlink{Family: unix.AF_NETLINK}

func (t *sockTransport) send(b []byte) error {
	for {
		err := unix.Sendto(t.fd, b, 0, kernelAddr)
		if err != unix.EINTR {
			return err
		}
	}
}

func (t *sockTransport) recv(ctx context.Context, b []byte, deadline time.Time) (int, error) {
	for {
		n, _, rflags, from, err := unix.Recvmsg(t.fd, b, nil, unix.MSG_DONTWAIT)
		switch err {
		case nil:
			if rflags&unix.MSG_TRUNC != 0 {
				return 0, errTruncated
			}
			if sa, ok := from.(*unix.SockaddrNetlink); !ok || sa.Pid == 0 {
				return n, nil
			}
			// Not from the kernel: drop it, within the deadline still.
			if !time.Now().Before(deadline) {
				return 0, errTimeout
			}
			continue
		case unix.EINTR:
			continue
		case unix.EAGAIN:
		default:
			return 0, err
		}
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		wait := time.Until(deadline)
		if wait <= 0 {
			return 0, errTimeout
		}
		wait = min(wait, pollSlice)
		t.pfd[0] = unix.PollFd{Fd: int32(t.fd), Events: unix.POLLIN}
		if _, err := unix.Poll(t.pfd[:], int((wait+time.Millisecond-1)/time.Millisecond)); err != nil && err != unix.EINTR {
			return 0, fmt.Errorf("poll: %w", err)
		}
	}
}

func (t *sockTransport) close() error {
	t.sock.Close()
	return nil
}

// nlError is an error the kernel answered in NLMSG_ERROR (or NLMSG_DONE).
type nlError struct {
	errno syscall.Errno
	msg   string // extended ack message, if any
}

func (e *nlError) Error() string {
	if e.msg != "" {
		return e.errno.Error() + ": " + e.msg
	}
	return e.errno.Error()
}

func (e *nlError) Unwrap() error { return e.errno }

// dataFunc receives one reply message of an exchange: its generic netlink
// command and its attributes. attrs points into the receive buffer and is
// only valid during the call.
type dataFunc func(seq uint32, cmd uint8, attrs []byte) error

// answerFunc receives the kernel's answer to a message other than the last
// one of an exchange: nil for an ack, the error otherwise.
type answerFunc func(seq uint32, err *nlError)

// inSeq reports whether seq lies in [first, last], allowing wrap-around.
func inSeq(seq, first, last uint32) bool { return seq-first <= last-first }

// exchange sends the messages in k.enc (sequence numbers first..last) and
// reads replies until the one that ends message last: its ack, its error, or
// the NLMSG_DONE of a dump. Replies to other sequence numbers (late answers
// to an earlier request that timed out) are skipped. The kernel's error for
// message last is returned as *nlError; answers to earlier messages go to
// onAnswer. Every wait is bounded by ctx and by k.timeout of silence.
func (k *Kernel) exchange(ctx context.Context, first, last uint32, onData dataFunc, onAnswer answerFunc) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if k.dirty {
		k.drain(ctx)
	}
	if err := k.tr.send(k.enc.b); err != nil {
		return fmt.Errorf("netlink send: %w", err)
	}
	// Until the final message is seen, the socket may hold replies of this
	// exchange (or a dump in progress); drain them before the next one.
	k.dirty = true
	var dataErr error
	for {
		dl, ctxDeadline := k.deadline(ctx)
		n, err := k.tr.recv(ctx, k.rbuf, dl)
		if err != nil {
			if errors.Is(err, errTimeout) && ctxDeadline {
				err = context.DeadlineExceeded
			}
			return fmt.Errorf("netlink receive: %w", err)
		}
		done, final, err := k.parse(k.rbuf[:n], first, last, onData, onAnswer, &dataErr)
		if err != nil {
			return err
		}
		if done {
			k.dirty = false
			if final != nil {
				return final
			}
			return dataErr
		}
	}
}

// parse walks one datagram. It reports whether the final message of the
// exchange was seen, and the kernel's error for it.
func (k *Kernel) parse(b []byte, first, last uint32, onData dataFunc, onAnswer answerFunc, dataErr *error) (done bool, final *nlError, err error) {
	for len(b) >= nlmsgHdrLen {
		l := int(native.Uint32(b[0:4]))
		if l < nlmsgHdrLen || l > len(b) {
			return false, nil, fmt.Errorf("netlink: malformed message (length %d, %d bytes left)", l, len(b))
		}
		typ := native.Uint16(b[4:6])
		flags := native.Uint16(b[6:8])
		seq := native.Uint32(b[8:12])
		body := b[nlmsgHdrLen:l]
		if al := align4(l); al < len(b) {
			b = b[al:]
		} else {
			b = nil
		}
		if !inSeq(seq, first, last) || done {
			continue
		}
		switch typ {
		case unix.NLMSG_NOOP:
		case unix.NLMSG_OVERRUN:
			return false, nil, errors.New("netlink: overrun, replies were lost")
		case unix.NLMSG_ERROR, unix.NLMSG_DONE:
			var ne *nlError
			if len(body) >= 4 {
				if errno := -int32(native.Uint32(body[0:4])); errno > 0 {
					ne = &nlError{errno: syscall.Errno(errno)}
					if typ == unix.NLMSG_ERROR {
						ne.msg = extAckMsg(flags, body)
					}
				}
			} else if typ == unix.NLMSG_ERROR {
				return false, nil, errors.New("netlink: short error message")
			}
			if seq == last {
				done, final = true, ne
			} else if onAnswer != nil {
				onAnswer(seq, ne)
			}
		default:
			if typ != k.family {
				continue
			}
			if len(body) < genlHdrLen {
				return false, nil, errors.New("netlink: short generic netlink message")
			}
			if onData != nil && *dataErr == nil {
				*dataErr = onData(seq, body[0], body[genlHdrLen:])
			}
		}
	}
	return done, final, nil
}

// extAckMsg returns the NLMSGERR_ATTR_MSG text of an error message, if any.
func extAckMsg(flags uint16, body []byte) string {
	const (
		nlmFCapped  = 0x100
		nlmFAckTLVs = 0x200
		attrMsg     = 1
	)
	if flags&nlmFAckTLVs == 0 || len(body) < 4+nlmsgHdrLen {
		return ""
	}
	off := 4 + nlmsgHdrLen
	if flags&nlmFCapped == 0 {
		off = 4 + align4(int(native.Uint32(body[4:8])))
	}
	if off > len(body) {
		return ""
	}
	a := newAttrs(body[off:])
	for a.next() {
		if a.typ == attrMsg {
			return getString(a.val)
		}
	}
	return ""
}

// deadline is when the next read gives up: the context's deadline or
// k.timeout from now, whichever is first; fromCtx tells which.
func (k *Kernel) deadline(ctx context.Context) (d time.Time, fromCtx bool) {
	d = time.Now().Add(k.timeout())
	if cd, ok := ctx.Deadline(); ok && cd.Before(d) {
		return cd, true
	}
	return d, false
}

func (k *Kernel) timeout() time.Duration {
	if k.Timeout > 0 {
		return k.Timeout
	}
	return DefaultTimeout
}

// drain discards whatever an interrupted exchange left on the socket
// (finishing a dump the kernel is still producing), without waiting.
func (k *Kernel) drain(ctx context.Context) {
	for i := 0; i < 1<<20; i++ {
		_, err := k.tr.recv(ctx, k.rbuf, time.Time{})
		switch {
		case err == nil, errors.Is(err, unix.ENOBUFS):
		case errors.Is(err, errTimeout):
			k.dirty = false
			return
		default:
			return
		}
	}
}

// nextSeq returns the next sequence number.
func (k *Kernel) nextSeq() uint32 {
	k.seq++
	return k.seq
}
