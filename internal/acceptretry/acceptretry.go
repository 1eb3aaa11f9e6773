// Package acceptretry accepts connections the way net/http's server does
// when the process runs short of resources: out of file descriptors
// (EMFILE, ENFILE) or kernel memory (ENOBUFS, ENOMEM), accept fails for a
// moment, not for good. Stopping the accept loop on such an error killed
// the control socket for good under descriptor exhaustion (issue 11 item
// 5); retrying at once would spin a CPU and flood the log. Loop.Accept
// backs off (5 ms doubling to 1 s, as net/http) and logs rate-limited.
package acceptretry

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"syscall"
	"time"
)

// Backoff bounds and the interval between two log lines of one Loop.
const (
	minDelay    = 5 * time.Millisecond
	maxDelay    = time.Second
	logInterval = 10 * time.Second
)

// Loop accepts on one listener; it keeps the backoff and log state of its
// accept loop, so it belongs to one goroutine. The zero value is usable
// (no log).
type Loop struct {
	Log  *slog.Logger // nil: nothing is logged
	What string       // names the listener in log lines ("metrics endpoint")

	delay      time.Duration
	lastLog    time.Time
	suppressed int
	// sleep waits d or until ctx ends (tests replace it).
	sleep func(ctx context.Context, d time.Duration) error
	now   func() time.Time
}

// Accept returns the next connection of ln. Errors that pass (Retryable)
// are retried after a backoff, logged at most once per 10 s (with the
// count of those not logged); it returns an error only when ctx ends, ln
// is closed (net.ErrClosed) or accept fails otherwise.
func (l *Loop) Accept(ctx context.Context, ln net.Listener) (net.Conn, error) {
	for {
		c, err := ln.Accept()
		if err == nil {
			l.delay = 0
			return c, nil
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if !Retryable(err) {
			return nil, err
		}
		if l.delay == 0 {
			l.delay = minDelay
		} else {
			l.delay = min(2*l.delay, maxDelay)
		}
		l.logRetry(err)
		if err := l.wait(ctx, l.delay); err != nil {
			return nil, err
		}
	}
}

// Retryable says whether an accept error passes by itself: a shortage of
// descriptors or memory, a connection aborted before it was accepted, a
// timeout. A closed listener is not.
func Retryable(err error) bool {
	if errors.Is(err, net.ErrClosed) {
		return false
	}
	for _, e := range []syscall.Errno{syscall.EMFILE, syscall.ENFILE, syscall.ENOBUFS, syscall.ENOMEM, syscall.ECONNABORTED, syscall.EINTR, syscall.EAGAIN} {
		if errors.Is(err, e) {
			return true
		}
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func (l *Loop) logRetry(err error) {
	if l.Log == nil {
		return
	}
	now := time.Now()
	if l.now != nil {
		now = l.now()
	}
	if !l.lastLog.IsZero() && now.Sub(l.lastLog) < logInterval {
		l.suppressed++
		return
	}
	args := []any{"err", err, "retry_in", l.delay}
	if l.suppressed > 0 {
		args = append(args, "not_logged", l.suppressed)
	}
	l.Log.Warn(l.What+": accept failed, retrying", args...)
	l.lastLog, l.suppressed = now, 0
}

func (l *Loop) wait(ctx context.Context, d time.Duration) error {
	if l.sleep != nil {
		return l.sleep(ctx, d)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
