package health

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"strings"
	"syscall"
	"time"

	"github.com/lvsadm/lvsadm/internal/procgroup"
)

// Byte bounds. nanny reads strlen(expect) bytes for a plain expect and 254
// for a regular expression; a program's output is read once into 4 KiB.
const (
	MaxAnswer        = 254
	maxProgramOutput = 4096
	maxShownAnswer   = 64 // bytes of a failing answer kept for status
)

// Result is the outcome of one check.
type Result struct {
	OK      bool          `json:"ok"`
	Reason  string        `json:"reason,omitempty"`
	Answer  string        `json:"answer,omitempty"` // what the server said, cut to 64 bytes, when the check failed
	Latency time.Duration `json:"latency_ns"`
	At      time.Time     `json:"at"`
	// cause is the error behind a failure, kept so the monitor can tell
	// the director's own failures (localError) from the server's.
	cause error
}

func fail(reason string, answer []byte) Result {
	if len(answer) > maxShownAnswer {
		answer = answer[:maxShownAnswer]
	}
	return Result{Reason: reason, Answer: string(answer)}
}

// failErr is fail for a failure with an error behind it.
func failErr(ctx context.Context, what string, err error, answer []byte) Result {
	r := fail(what+": "+errTextCtx(ctx, err), answer)
	r.cause = err
	return r
}

// errStart marks a check program that could not be started (not found,
// not executable, no fork): the director's problem, not the server's.
var errStart = procgroup.ErrStart

// localErrnos are the errors by which the director itself fails a check:
// out of descriptors, buffers or memory, or out of local addresses and
// ports. The real server was never asked.
var localErrnos = []error{syscall.EMFILE, syscall.ENFILE, syscall.ENOBUFS, syscall.ENOMEM, syscall.EADDRNOTAVAIL}

// localError reports whether err is the director's own failure, which
// must not take a real server down.
func localError(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, errStart) {
		return true
	}
	for _, e := range localErrnos {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// Check runs one check of t, bounded by t.Interval (and by ctx).
func Check(ctx context.Context, t *Target) Result {
	start := time.Now()
	ctx, cancel := context.WithTimeout(ctx, t.Interval)
	defer cancel()
	var r Result
	if len(t.Program) > 0 {
		r = runProgram(ctx, t)
	} else {
		r = netCheck(ctx, t)
	}
	r.Latency = time.Since(start)
	r.At = start
	return r
}

func netCheck(ctx context.Context, t *Target) Result {
	// A check connection lives one timeout at most: keep-alive probes
	// would never fire, and leaving them off saves four setsockopt calls
	// a check. The address goes in as is, not through a string and a
	// resolver.
	raddr := netip.AddrPortFrom(t.Addr, t.Port)
	if !t.UDP && t.Send == "" && t.Expect == "" && t.Addr.Zone() == "" {
		if err := connectOnly(ctx, raddr); err != nil {
			return failErr(ctx, "connect", err, nil)
		}
		return Result{OK: true}
	}
	d := net.Dialer{KeepAlive: -1}
	var conn net.Conn
	var err error
	if t.UDP {
		conn, err = d.DialUDP(ctx, "udp", netip.AddrPort{}, raddr)
	} else {
		conn, err = d.DialTCP(ctx, "tcp", netip.AddrPort{}, raddr)
	}
	if err != nil {
		return failErr(ctx, "connect", err, nil)
	}
	defer conn.Close()
	if t.Send == "" && t.Expect == "" && !t.UDP {
		return Result{OK: true} // connect only: nothing to bound or unblock
	}
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	// Closing the connection when ctx is cancelled unblocks any read or
	// write at once (stop, reload), not only at the deadline.
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()

	if t.Send != "" {
		if _, err := io.WriteString(conn, t.Send); err != nil {
			return failErr(ctx, "send", err, nil)
		}
	}
	// nanny reads only when there is an expectation, or for UDP (where
	// an answer is the only sign of life).
	if t.Expect == "" && !t.UDP {
		return Result{OK: true}
	}
	return expect(ctx, conn, t)
}

// expect reads the answer and compares it, never reading more than the
// comparison needs.
func expect(ctx context.Context, conn net.Conn, t *Target) Result {
	switch {
	case t.Regex != nil:
		// Read until the expression matches, the server stops, or MaxAnswer
		// bytes have come (nanny matches regexec against up to 254 bytes).
		buf := make([]byte, 0, MaxAnswer)
		chunk := make([]byte, MaxAnswer)
		for len(buf) < MaxAnswer {
			n, err := conn.Read(chunk[:MaxAnswer-len(buf)])
			buf = append(buf, chunk[:n]...)
			if t.Regex.Match(buf) {
				return Result{OK: true}
			}
			if err != nil {
				if len(buf) == 0 {
					return failErr(ctx, "read", err, nil)
				}
				return fail("answer does not match "+t.Regex.String(), buf)
			}
			if t.UDP {
				break // one datagram is the whole answer
			}
		}
		return fail("answer does not match "+t.Regex.String(), buf)
	case t.Expect == "" || t.Expect == "*":
		// UDP without expect, or "*": any answer at all will do.
		buf := make([]byte, 1)
		if t.UDP {
			buf = make([]byte, MaxAnswer)
		}
		if n, err := conn.Read(buf); n == 0 {
			return failErr(ctx, "read", err, nil)
		}
		return Result{OK: true}
	default:
		// nanny reads strlen(expect) bytes and compares them (a prefix
		// match). io.ReadFull also survives an answer split over segments.
		want := t.Expect
		if len(want) > MaxAnswer {
			want = want[:MaxAnswer]
		}
		buf := make([]byte, len(want))
		var n int
		var err error
		if t.UDP {
			big := make([]byte, MaxAnswer)
			n, err = conn.Read(big)
			copy(buf, big[:n])
			if n > len(buf) {
				n = len(buf)
			}
		} else {
			n, err = io.ReadFull(conn, buf)
		}
		if n < len(want) {
			if n == 0 {
				return failErr(ctx, "read", err, nil)
			}
			return fail(fmt.Sprintf("answer too short (%d of %d bytes)", n, len(want)), buf[:n])
		}
		if string(buf) != want {
			return fail(fmt.Sprintf("answer does not start with %q", want), buf)
		}
		return Result{OK: true}
	}
}

// runProgram runs send_program (runBounded). The output, without one
// trailing newline, must equal expect; without expect, any output means
// down (nanny).
func runProgram(ctx context.Context, t *Target) Result {
	got, err := runBounded(ctx, t.Program)
	if ctx.Err() != nil {
		return fail("program timed out", []byte(got))
	}
	if err != nil {
		// nanny treats a failing program whose expect is set as up (its
		// getExecOutput returns NULL and external_check returns 0); a
		// failing check program meaning "up" is surely a bug, so lvsadm
		// reads it as down.
		return failErr(ctx, "program", err, []byte(got))
	}
	if t.Expect == "" {
		if got != "" {
			return fail("program printed output and no expect is set", []byte(got))
		}
		return Result{OK: true}
	}
	if got != t.Expect {
		return fail(fmt.Sprintf("program output is not %q", t.Expect), []byte(got))
	}
	return Result{OK: true}
}

// runBounded runs argv directly (no shell), bounded by ctx, and returns
// its first 4 KiB of output without one trailing newline. It runs in a
// process group of its own, killed whole at the deadline, and leaves
// nothing running (procgroup.Output): what it left in its group is killed
// when it exits, and so is a descendant that left the group (setsid) but
// still holds its output 500 ms later.
func runBounded(ctx context.Context, argv []string) (string, error) {
	out, err := procgroup.Output(ctx, 500*time.Millisecond, maxProgramOutput, argv...)
	return strings.TrimSuffix(out, "\n"), err
}

// errTextCtx shortens network errors to their cause (connection refused,
// timed out, ...). When ctx has ended, that is the cause: closing the
// connection on cancellation shows up as "use of closed connection".
func errTextCtx(ctx context.Context, err error) string {
	switch ctx.Err() {
	case context.DeadlineExceeded:
		return "timed out"
	case context.Canceled:
		return "check stopped"
	}
	return errText(err)
}

// errText shortens network errors to their cause.
func errText(err error) string {
	if err == nil {
		return "no answer"
	}
	if errors.Is(err, io.EOF) {
		return "connection closed without an answer"
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, syscall.ETIMEDOUT) {
		return "timed out"
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return "timed out"
	}
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Err != nil {
		if se, ok := oe.Err.(*syscall.Errno); ok {
			return se.Error()
		}
		return oe.Err.Error()
	}
	return err.Error()
}
