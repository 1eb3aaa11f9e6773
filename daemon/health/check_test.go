package health

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestUnescape(t *testing.T) {
	tests := []struct{ in, want string }{
		{`GET / HTTP/1.0\r\n\r\n`, "GET / HTTP/1.0\r\n\r\n"},
		{`a\tb`, "a\tb"},
		{`\\`, `\`},
		{`\'q\"`, `'q"`},
		{`\x41`, `\x41`}, // not an escape nanny knows: kept
		{`\`, `\`},       // one byte: nanny leaves it
		{`end\`, `end\`},
		{`plain`, `plain`},
	}
	for _, tc := range tests {
		if got := Unescape(tc.in); got != tc.want {
			t.Errorf("Unescape(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func target(ap netip.AddrPort) Target {
	return Target{Virtual: "v", Server: "s", Addr: ap.Addr(), Port: ap.Port(), Interval: 400 * time.Millisecond}
}

func script(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "check.sh")
	if err := os.WriteFile(p, []byte("#!/bin/sh\n"+body+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestCheck runs each kind of check against local servers on 127.0.0.1,
// well-behaved and misbehaving. Every check must end within its interval
// plus a little, whatever the server does.
func TestCheck(t *testing.T) {
	httpOK := "HTTP/1.0 200 OK\r\n\r\nhello"
	tests := []struct {
		name   string
		mk     func(t *testing.T) Target
		ok     bool
		reason string // substring of the failure reason
		answer string // substring of the recorded answer
	}{
		{"tcp connect", func(t *testing.T) Target { return target(serveTCP(t, silent).addrPort()) }, true, "", ""},
		{"tcp refused", func(t *testing.T) Target { return target(closedPort(t, "tcp")) }, false, "refused", ""},
		{"send/expect", func(t *testing.T) Target {
			tg := target(serveTCP(t, answer(httpOK)).addrPort())
			tg.Send, tg.Expect = "GET / HTTP/1.0\r\n\r\n", "HTTP"
			return tg
		}, true, "", ""},
		{"expect mismatch keeps the answer", func(t *testing.T) Target {
			tg := target(serveTCP(t, answer("SSH-2.0-OpenSSH")).addrPort())
			tg.Expect = "HTTP"
			return tg
		}, false, "does not start with", "SSH-"},
		{"answer split over segments", func(t *testing.T) Target {
			tg := target(serveTCP(t, split("HT", "TP/1.1 200")).addrPort())
			tg.Expect = "HTTP/1.1"
			return tg
		}, true, "", ""},
		{"short answer then close", func(t *testing.T) Target {
			tg := target(serveTCP(t, answer("HT")).addrPort())
			tg.Expect = "HTTP"
			return tg
		}, false, "too short", "HT"},
		{"accepts and never answers", func(t *testing.T) Target {
			tg := target(serveTCP(t, silent).addrPort())
			tg.Send, tg.Expect = "ping\n", "pong"
			return tg
		}, false, "timed out", ""},
		{"reset", func(t *testing.T) Target {
			tg := target(serveTCP(t, reset).addrPort())
			tg.Expect = "HTTP"
			return tg
		}, false, "", ""},
		{"closes at once", func(t *testing.T) Target {
			tg := target(serveTCP(t, closeAtOnce).addrPort())
			tg.Expect = "HTTP"
			return tg
		}, false, "closed", ""},
		{"streams endlessly, prefix matches", func(t *testing.T) Target {
			tg := target(serveTCP(t, stream("HTTP HTTP HTTP ")).addrPort())
			tg.Expect = "HTTP"
			return tg
		}, true, "", ""},
		{"streams endlessly, regex never matches", func(t *testing.T) Target {
			tg := target(serveTCP(t, stream("garbage ")).addrPort())
			tg.Expect = "^HTTP"
			tg.Regex = regexp.MustCompilePOSIX(tg.Expect)
			return tg
		}, false, "does not match", "garbage"},
		{"trickles bytes, regex never matches", func(t *testing.T) Target {
			tg := target(serveTCP(t, trickle).addrPort())
			tg.Expect = "OK"
			tg.Regex = regexp.MustCompilePOSIX(tg.Expect)
			return tg
		}, false, "does not match", "xx"},
		{"regex matches", func(t *testing.T) Target {
			tg := target(serveTCP(t, answer(httpOK)).addrPort())
			tg.Send = "GET / HTTP/1.0\r\n\r\n"
			tg.Expect = `^HTTP/1\.[01] 200`
			tg.Regex = regexp.MustCompilePOSIX(tg.Expect)
			return tg
		}, true, "", ""},
		{"expect * takes any answer", func(t *testing.T) Target {
			tg := target(serveTCP(t, answer("whatever")).addrPort())
			tg.Expect = "*"
			return tg
		}, true, "", ""},
		{"udp answer", func(t *testing.T) Target {
			tg := target(serveUDP(t, "pong"))
			tg.UDP, tg.Send, tg.Expect = true, "ping", "pong"
			return tg
		}, true, "", ""},
		{"udp any answer", func(t *testing.T) Target {
			tg := target(serveUDP(t, "x"))
			tg.UDP, tg.Send = true, "ping"
			return tg
		}, true, "", ""},
		{"udp nobody listening", func(t *testing.T) Target {
			tg := target(closedPort(t, "udp"))
			tg.UDP, tg.Send = true, "ping"
			return tg
		}, false, "", ""},
		{"program output equals expect", func(t *testing.T) Target {
			tg := target(netip.MustParseAddrPort("127.0.0.1:80"))
			tg.Program, tg.Expect = splitProgram("/bin/echo %h", tg.Addr, tg.Port), "127.0.0.1"
			return tg
		}, true, "", ""},
		{"program output differs", func(t *testing.T) Target {
			tg := target(netip.MustParseAddrPort("127.0.0.1:80"))
			tg.Program, tg.Expect = []string{"/bin/echo", "FAIL"}, "OK"
			return tg
		}, false, "is not", "FAIL"},
		{"program without expect: output means down", func(t *testing.T) Target {
			tg := target(netip.MustParseAddrPort("127.0.0.1:80"))
			tg.Program = []string{"/bin/echo", "anything"}
			return tg
		}, false, "no expect", "anything"},
		{"program without expect: silence and exit 0 is up", func(t *testing.T) Target {
			tg := target(netip.MustParseAddrPort("127.0.0.1:80"))
			tg.Program = []string{"/bin/true"}
			return tg
		}, true, "", ""},
		{"program fails", func(t *testing.T) Target {
			tg := target(netip.MustParseAddrPort("127.0.0.1:80"))
			tg.Program, tg.Expect = []string{"/bin/false"}, "OK"
			return tg
		}, false, "exit status", ""},
		{"program missing", func(t *testing.T) Target {
			tg := target(netip.MustParseAddrPort("127.0.0.1:80"))
			tg.Program, tg.Expect = []string{"/nonexistent/check"}, "OK"
			return tg
		}, false, "program", ""},
		{"program hangs, and so does its child", func(t *testing.T) Target {
			tg := target(netip.MustParseAddrPort("127.0.0.1:80"))
			tg.Program, tg.Expect = []string{script(t, "sleep 3600 &\nsleep 3600")}, "OK"
			return tg
		}, false, "timed out", ""},
		{"program prints endlessly", func(t *testing.T) Target {
			tg := target(netip.MustParseAddrPort("127.0.0.1:80"))
			tg.Program, tg.Expect = []string{script(t, "while :; do echo yyyyyyyyyyyyyyyyyyyyyyyy; done")}, "OK"
			return tg
		}, false, "timed out", "yyyy"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tg := tc.mk(t)
			// A check ends at its timeout (the interval): one that
			// waited for a hanging program or its child would run for
			// the hour they sleep, far past this generous wait.
			done := make(chan Result, 1)
			go func() { done <- Check(context.Background(), &tg) }()
			var r Result
			select {
			case r = <-done:
			case <-time.After(time.Minute):
				t.Fatal("check still running after a minute: it waits past its timeout")
			}
			if r.OK != tc.ok {
				t.Fatalf("ok = %v, want %v (%+v)", r.OK, tc.ok, r)
			}
			if !strings.Contains(r.Reason, tc.reason) {
				t.Errorf("reason %q does not contain %q", r.Reason, tc.reason)
			}
			if !strings.Contains(r.Answer, tc.answer) {
				t.Errorf("answer %q does not contain %q", r.Answer, tc.answer)
			}
			if len(r.Answer) > maxShownAnswer {
				t.Errorf("answer kept %d bytes, more than %d", len(r.Answer), maxShownAnswer)
			}
		})
	}
}

// TestCheckStopsOnCancel: cancelling the context ends a hanging check at
// once, not at its timeout: the check says it was stopped, where its
// timeout (30 s) would say it timed out.
func TestCheckStopsOnCancel(t *testing.T) {
	tg := target(serveTCP(t, silent).addrPort())
	tg.Expect, tg.Interval = "x", 30*time.Second
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	r := Check(ctx, &tg)
	if r.OK || !strings.Contains(r.Reason, "check stopped") {
		t.Fatalf("check returned %+v, want it stopped", r)
	}
}

// TestCheckLocalErrors: a check the director itself could not run (the
// program cannot be started, descriptors or buffers ran out) is told apart
// from a server that failed it, through the wrapped cause.
func TestCheckLocalErrors(t *testing.T) {
	notExec := filepath.Join(t.TempDir(), "check")
	if err := os.WriteFile(notExec, []byte("#!/bin/sh\necho OK\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	program := func(argv ...string) Target {
		tg := target(netip.MustParseAddrPort("127.0.0.1:80"))
		tg.Program, tg.Expect = argv, "OK"
		return tg
	}
	checks := []struct {
		name  string
		tg    Target
		local bool
	}{
		{"program missing", program("/nonexistent/check"), true},
		{"program not executable", program(notExec), true},
		{"program fails", program("/bin/false"), false},
		{"connection refused", target(closedPort(t, "tcp")), false},
	}
	for _, c := range checks {
		r := Check(context.Background(), &c.tg)
		if r.OK || localError(r.cause) != c.local {
			t.Errorf("%s: %+v (cause %v), want local %v", c.name, r, r.cause, c.local)
		}
	}
	errs := []struct {
		err   error
		local bool
	}{
		{&net.OpError{Op: "dial", Err: os.NewSyscallError("socket", syscall.EMFILE)}, true},
		{fmt.Errorf("dial: %w", os.NewSyscallError("socket", syscall.ENFILE)), true},
		{&net.OpError{Op: "write", Err: os.NewSyscallError("write", syscall.ENOBUFS)}, true},
		{&net.OpError{Op: "dial", Err: os.NewSyscallError("connect", syscall.EADDRNOTAVAIL)}, true},
		{&net.OpError{Op: "dial", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}, false},
		{&net.OpError{Op: "dial", Err: os.NewSyscallError("connect", syscall.EHOSTUNREACH)}, false},
		{io.EOF, false},
		{nil, false},
	}
	for _, e := range errs {
		if got := localError(e.err); got != e.local {
			t.Errorf("localError(%v) = %v, want %v", e.err, got, e.local)
		}
	}
}

// lowestFreeFD is the descriptor the next socket or open would get.
func lowestFreeFD(t *testing.T) uint64 {
	t.Helper()
	d, err := os.Open("/proc/self/fd")
	if err != nil {
		t.Skipf("no /proc/self/fd: %v", err)
	}
	names, err := d.Readdirnames(-1)
	self := d.Fd()
	d.Close()
	if err != nil {
		t.Fatal(err)
	}
	used := map[uint64]bool{}
	for _, n := range names {
		if fd, err := strconv.ParseUint(n, 10, 64); err == nil && fd != uint64(self) {
			used[fd] = true
		}
	}
	var fd uint64
	for used[fd] {
		fd++
	}
	return fd
}

// TestCheckEMFILEIsLocal: a real dial that fails because the director is
// out of descriptors (the limit set just under the next free one) says so,
// and is classified as the director's failure.
func TestCheckEMFILEIsLocal(t *testing.T) {
	tg := target(closedPort(t, "tcp"))
	var orig syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &orig); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Setrlimit(syscall.RLIMIT_NOFILE, &orig) })
	full := syscall.Rlimit{Cur: lowestFreeFD(t), Max: orig.Max}
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &full); err != nil {
		t.Fatal(err)
	}
	r := Check(context.Background(), &tg)
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &orig); err != nil {
		t.Fatal(err)
	}
	if r.OK || !errors.Is(r.cause, syscall.EMFILE) || !localError(r.cause) || !strings.Contains(r.Reason, "too many open files") {
		t.Errorf("check out of descriptors: %+v (cause %v), want a local EMFILE", r, r.cause)
	}
}
