package acceptretry

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"
)

// fakeListener returns the errors of errs in turn, then conns, then
// net.ErrClosed.
type fakeListener struct {
	errs  []error
	conns []net.Conn
	calls int
}

func (f *fakeListener) Accept() (net.Conn, error) {
	f.calls++
	if len(f.errs) > 0 {
		err := f.errs[0]
		f.errs = f.errs[1:]
		return nil, err
	}
	if len(f.conns) > 0 {
		c := f.conns[0]
		f.conns = f.conns[1:]
		return c, nil
	}
	return nil, net.ErrClosed
}
func (f *fakeListener) Close() error   { return nil }
func (f *fakeListener) Addr() net.Addr { return &net.TCPAddr{} }

// acceptErr is how the net package reports an accept that failed.
func acceptErr(errno syscall.Errno) error {
	return &net.OpError{Op: "accept", Net: "tcp", Err: os.NewSyscallError("accept4", errno)}
}

// TestAcceptRetriesEMFILE: descriptors run out (EMFILE, then ENFILE) and
// come back: Accept backs off (5, 10, 20 ms...) and then returns the
// connection instead of failing, logging once for the burst.
func TestAcceptRetriesEMFILE(t *testing.T) {
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	ln := &fakeListener{conns: []net.Conn{a}}
	for range 3 {
		ln.errs = append(ln.errs, acceptErr(syscall.EMFILE))
	}
	ln.errs = append(ln.errs, acceptErr(syscall.ENFILE))
	var logs bytes.Buffer
	var slept []time.Duration
	clock := time.Unix(1000, 0)
	l := &Loop{
		Log: slog.New(slog.NewTextHandler(&logs, nil)), What: "test listener",
		sleep: func(_ context.Context, d time.Duration) error {
			slept = append(slept, d)
			clock = clock.Add(d)
			return nil
		},
		now: func() time.Time { return clock },
	}
	c, err := l.Accept(t.Context(), ln)
	if err != nil || c != a {
		t.Fatalf("Accept = %v, %v; want the connection after the errors", c, err)
	}
	want := []time.Duration{5 * time.Millisecond, 10 * time.Millisecond, 20 * time.Millisecond, 40 * time.Millisecond}
	if len(slept) != len(want) {
		t.Fatalf("backoffs %v, want %v", slept, want)
	}
	for i := range want {
		if slept[i] != want[i] {
			t.Fatalf("backoffs %v, want %v", slept, want)
		}
	}
	if n := strings.Count(logs.String(), "accept failed"); n != 1 || !strings.Contains(logs.String(), "too many open files") {
		t.Errorf("logged %d lines (want 1, rate-limited):\n%s", n, logs.String())
	}
	// After a success the backoff starts again from the bottom.
	ln.errs = []error{acceptErr(syscall.EMFILE)}
	ln.conns = []net.Conn{b}
	slept = nil
	if c, err := l.Accept(t.Context(), ln); err != nil || c != b || len(slept) != 1 || slept[0] != minDelay {
		t.Errorf("second Accept = %v, %v after %v", c, err, slept)
	}
	// 10 s on, a new burst is logged again, with the count of the 4
	// failures not logged since the first line.
	clock = clock.Add(logInterval)
	ln.errs = []error{acceptErr(syscall.EMFILE)}
	if _, err := l.Accept(t.Context(), ln); !errors.Is(err, net.ErrClosed) {
		t.Errorf("closed listener: %v", err)
	}
	if n := strings.Count(logs.String(), "accept failed"); n != 2 || !strings.Contains(logs.String(), "not_logged=4") {
		t.Errorf("after 10 s: %d lines:\n%s", n, logs.String())
	}
}

// TestAcceptStops: a closed listener, another error, and the end of ctx
// during a backoff end Accept.
func TestAcceptStops(t *testing.T) {
	var l Loop
	if _, err := l.Accept(t.Context(), &fakeListener{}); !errors.Is(err, net.ErrClosed) {
		t.Errorf("closed: %v", err)
	}
	if _, err := l.Accept(t.Context(), &fakeListener{errs: []error{acceptErr(syscall.EINVAL)}}); !errors.Is(err, syscall.EINVAL) {
		t.Errorf("EINVAL: %v", err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	ln := &fakeListener{}
	for range 1000 {
		ln.errs = append(ln.errs, acceptErr(syscall.EMFILE))
	}
	l.sleep = func(ctx context.Context, _ time.Duration) error { cancel(); return ctx.Err() }
	if _, err := l.Accept(ctx, ln); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
	if ln.calls != 1 {
		t.Errorf("%d accepts after the cancel, want 1", ln.calls)
	}
}
