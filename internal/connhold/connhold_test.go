package connhold

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"testing"
	"time"
)

// listen serves ln with handle (or Serve as "rs1" if nil) until the test
// ends.
func listen(t *testing.T, handle func(net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if handle == nil {
			Serve(ctx, ln, "rs1")
			return
		}
		defer ln.Close()
		go func() { <-ctx.Done(); ln.Close() }()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go handle(c)
		}
	}()
	t.Cleanup(func() { cancel(); <-done })
	return ln.Addr().String()
}

func holdFor(t *testing.T, target string, n int, d, timeout time.Duration) Report {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	ready := make(chan Report, 1)
	r, err := Hold(ctx, HoldOptions{Target: target, Conns: n, Interval: 20 * time.Millisecond, Timeout: timeout, Ready: func(r Report) { ready <- r }})
	if err != nil {
		t.Fatal(err)
	}
	select {
	case rr := <-ready:
		if rr.Opened+rr.OpenFailed != n {
			t.Errorf("ready with %d opened and %d failed, want %d dialled", rr.Opened, rr.OpenFailed, n)
		}
	default:
		t.Error("Ready was never called")
	}
	return r
}

func TestHoldHealthy(t *testing.T) {
	addr := listen(t, nil)
	r := holdFor(t, addr, 50, 2*time.Second, 5*time.Second)
	if r.Opened != 50 || r.Completed != 50 || r.Broken() != 0 || r.Backends["rs1"] != 50 || r.Moved != 0 {
		t.Errorf("report %+v: want 50 opened and completed on rs1, none broken", r)
	}
	if r.Exchanges < 100 {
		t.Errorf("%d exchanges in 2 s over 50 connections, want each exercised more than once", r.Exchanges)
	}
}

// echoOnce answers one line as server "x", then does after.
func echoOnce(after func(*net.TCPConn)) func(net.Conn) {
	return func(c net.Conn) {
		line, err := bufio.NewReader(c).ReadString('\n')
		if err != nil {
			c.Close()
			return
		}
		fmt.Fprintf(c, "x %s", line)
		after(c.(*net.TCPConn))
	}
}

func TestHoldCountsResets(t *testing.T) {
	addr := listen(t, echoOnce(func(c *net.TCPConn) {
		c.SetLinger(0) // close with RST, as a director without the flow's state
		c.Close()
	}))
	r := holdFor(t, addr, 10, 2*time.Second, 5*time.Second)
	if r.Opened != 10 || r.Reset != 10 || r.Completed != 0 || r.Backends["x"] != 10 {
		t.Errorf("report %+v: want 10 opened, 10 reset", r)
	}
}

func TestHoldCountsTimeouts(t *testing.T) {
	addr := listen(t, echoOnce(func(c *net.TCPConn) {
		time.Sleep(3 * time.Second) // answers nothing more
		c.Close()
	}))
	r := holdFor(t, addr, 5, time.Second, 500*time.Millisecond)
	if r.Opened != 5 || r.TimedOut != 5 || r.Completed != 0 {
		t.Errorf("report %+v: want 5 opened, 5 timed out", r)
	}
}

func TestHoldCountsOpenFailures(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens: every dial is refused
	r := holdFor(t, addr, 3, time.Second, time.Second)
	if r.OpenFailed != 3 || r.Opened != 0 || r.Broken() != 3 {
		t.Errorf("report %+v: want 3 failed to open", r)
	}
}

func TestGet(t *testing.T) {
	addr := listen(t, nil)
	r, err := Get(context.Background(), addr, 3<<20+7, 0, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if !r.OK() || r.Backend != "rs1" || r.Got != 3<<20+7 {
		t.Errorf("report %+v: want every byte from rs1", r)
	}
}

func TestGetShort(t *testing.T) {
	addr := listen(t, func(c net.Conn) {
		bufio.NewReader(c).ReadString('\n')
		fmt.Fprintf(c, "x 100\n")
		for i := int64(0); i < 60; i++ {
			c.Write([]byte{Pattern(i)})
		}
		c.Close()
	})
	r, err := Get(context.Background(), addr, 100, 0, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if r.OK() || r.Got != 60 || r.Error == "" {
		t.Errorf("report %+v: want a failure after 60 bytes", r)
	}
}

func TestGetWrongBytes(t *testing.T) {
	addr := listen(t, func(c net.Conn) {
		bufio.NewReader(c).ReadString('\n')
		fmt.Fprintf(c, "x 10\n")
		c.Write([]byte("abcXefghij"))
		c.Close()
	})
	r, _ := Get(context.Background(), addr, 10, 0, 5*time.Second)
	if r.OK() || r.Got != 3 {
		t.Errorf("report %+v: want a mismatch at byte 3", r)
	}
}

func TestParseSize(t *testing.T) {
	for in, want := range map[string]int64{"20M": 20 << 20, "5": 5, "3K": 3072, "1G": 1 << 30} {
		if got, err := ParseSize(in); err != nil || got != want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "M", "-1", "1T", "x5"} {
		if _, err := ParseSize(in); err == nil {
			t.Errorf("ParseSize(%q) accepted", in)
		}
	}
}
