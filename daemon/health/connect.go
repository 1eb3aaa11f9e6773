package health

import (
	"context"
	"errors"
	"net/netip"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// connectOnly is a TCP connect check without the rest of a connection:
// the handshake completing is the whole answer (nanny's check without send
// or expect). It costs a socket, a connect and a close where net.Dialer
// adds getsockname, getpeername, TCP_NODELAY and a resolver's bookkeeping,
// and it closes with a reset (SO_LINGER 0, as HAProxy closes its checks):
// no FIN exchange and no TIME_WAIT socket per check on the director, which
// at 10,000 servers would hold tens of thousands of local ports. The
// server sees a connection that opened and was reset, as with HAProxy.
// The errors are bare errnos (EMFILE stays a local error for the monitor).
func connectOnly(ctx context.Context, raddr netip.AddrPort) error {
	family, sa := sockaddrOf(raddr)
	fd, err := unix.Socket(family, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return err
	}
	if err := unix.SetsockoptLinger(fd, unix.SOL_SOCKET, unix.SO_LINGER, &unix.Linger{Onoff: 1, Linger: 0}); err != nil {
		unix.Close(fd)
		return err
	}
	// The file registers the non-blocking socket with Go's poller, so the
	// wait below parks the goroutine, not a thread.
	f := os.NewFile(uintptr(fd), "tcp-check")
	defer f.Close()
	if dl, ok := ctx.Deadline(); ok {
		f.SetWriteDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { f.SetWriteDeadline(time.Unix(1, 0)) })
	defer stop()
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var soErr error
	connecting := false
	werr := rc.Write(func(fd uintptr) bool {
		// The connect happens inside the poller's write wait: a
		// readiness the connect causes cannot be lost between the
		// connect and the wait (Write resets the poller's state first).
		if !connecting {
			connecting = true
			err := unix.Connect(int(fd), sa)
			if errors.Is(err, unix.EINPROGRESS) {
				return false
			}
			soErr = err
			return true
		}
		// A wake-up is not an answer (a fresh socket reads as writable
		// when registered): SO_ERROR for a failure, the peer's address
		// for a finished handshake, else wait on (as net.Dialer does).
		v, err := unix.GetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_ERROR)
		switch {
		case err != nil:
			soErr = err
			return true
		case v == int(unix.EINPROGRESS) || v == int(unix.EALREADY) || v == int(unix.EINTR):
			return false
		case v != 0:
			soErr = unix.Errno(v)
			return true
		}
		if _, err := unix.Getpeername(int(fd)); errors.Is(err, unix.ENOTCONN) {
			return false
		}
		return true
	})
	if werr != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if errors.Is(werr, os.ErrDeadlineExceeded) {
			return context.DeadlineExceeded
		}
		return werr
	}
	return soErr
}

func sockaddrOf(ap netip.AddrPort) (int, unix.Sockaddr) {
	a := ap.Addr()
	if a.Is4() || a.Is4In6() {
		return unix.AF_INET, &unix.SockaddrInet4{Port: int(ap.Port()), Addr: a.Unmap().As4()}
	}
	return unix.AF_INET6, &unix.SockaddrInet6{Port: int(ap.Port()), Addr: a.As16()}
}
