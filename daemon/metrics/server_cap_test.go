package metrics

import (
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/lvsadm/lvsadm/internal/testwait"
)

// TestServerCapsConnections: with DefaultMaxConns (16) connections held
// open without a request, a 17th that sends a whole request is closed
// unanswered; the held ones are still served, and once they are gone a
// new scrape is answered. Without the cap the 17th would get a 200.
// Accept order makes this deterministic: the server takes its slots in
// the accept loop, in the order the connections were queued.
func TestServerCapsConnections(t *testing.T) {
	addr, _ := startFakeServer(t)

	dial := func() net.Conn {
		t.Helper()
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		_ = c.SetDeadline(time.Now().Add(8 * time.Second)) // below the server's 10 s
		return c
	}
	scrape := func(c net.Conn) string {
		t.Helper()
		if _, err := io.WriteString(c, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
			return "write: " + err.Error()
		}
		b, _ := io.ReadAll(c)
		return string(b)
	}
	held := make([]net.Conn, DefaultMaxConns)
	for i := range held {
		held[i] = dial()
		defer held[i].Close()
	}
	extra := dial()
	if got := scrape(extra); strings.Contains(got, "200 OK") {
		t.Fatalf("connection %d answered while %d were in flight", DefaultMaxConns+1, DefaultMaxConns)
	}
	extra.Close()
	// The held ones hold real slots: each is served.
	if got := scrape(held[0]); !strings.HasPrefix(got, "HTTP/1.1 200 OK") {
		t.Fatalf("held connection answered %q", got)
	}
	// held[0] is done: its slot is free once its handler returned, which
	// the test cannot see, so retry a few times.
	testwait.Until(t, "a slot freed after a held connection was served", func() bool {
		c := dial()
		defer c.Close()
		return strings.HasPrefix(scrape(c), "HTTP/1.1 200 OK")
	}, nil)
}
