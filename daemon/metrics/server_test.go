package metrics

import (
	"context"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/lvsadm/lvsadm/internal/testwait"
)

// TestServerRawRequests speaks raw bytes to the hand-written responder:
// garbage gets a 400, an endless header is cut off at the size bound
// without an answer, and the server stops when its context ends.
func TestServerRawRequests(t *testing.T) {
	addr, stop := startFakeServer(t)

	exchange := func(req string) string {
		t.Helper()
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		_ = c.SetDeadline(time.Now().Add(5 * time.Second))
		go func() { _, _ = io.WriteString(c, req) }()
		b, _ := io.ReadAll(c)
		return string(b)
	}
	if got := exchange("HELLO\r\n\r\n"); !strings.HasPrefix(got, "HTTP/1.1 400 ") {
		t.Errorf("garbage answered %q", got)
	}
	if got := exchange("GET /metrics HTTP/1.0\r\nX: " + strings.Repeat("a", 64<<10)); got != "" {
		t.Errorf("oversized request answered %q", got)
	}
	if got := exchange("GET /metrics?x=1 HTTP/1.1\r\nHost: x\r\n\r\n"); !strings.HasPrefix(got, "HTTP/1.1 200 OK\r\n") || !strings.Contains(got, "lvsadm_role") {
		t.Errorf("scrape answered %q", got)
	}
	stop()
}

// startFakeServer serves fakeSnapshot on a loopback port; stop ends it
// and checks that Serve returns nil (it also runs at cleanup).
func startFakeServer(t *testing.T) (addr string, stop func()) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Serve(ctx, ln, func(context.Context) Snapshot { return fakeSnapshot() }) }()
	var stopped bool
	stop = func() {
		t.Helper()
		if stopped {
			return
		}
		stopped = true
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Serve: %v", err)
			}
		case <-time.After(testwait.Patience(t)):
			t.Fatal("Serve did not return after the context ended")
		}
	}
	t.Cleanup(stop)
	return ln.Addr().String(), stop
}
