package daemon

import (
	"net"
	"path/filepath"
	"testing"
	"time"
)

func TestSdNotify(t *testing.T) {
	p := filepath.Join(t.TempDir(), "notify")
	c, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: p, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	t.Setenv("NOTIFY_SOCKET", p)
	if err := sdNotify("READY=1\nSTATUS=standby"); err != nil {
		t.Fatal(err)
	}
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, 128)
	n, err := c.Read(buf)
	if err != nil || string(buf[:n]) != "READY=1\nSTATUS=standby" {
		t.Fatalf("got %q, %v", buf[:n], err)
	}
	t.Setenv("NOTIFY_SOCKET", "")
	if err := sdNotify("READY=1"); err != nil {
		t.Fatalf("without NOTIFY_SOCKET: %v", err)
	}
}

func TestControlSocketStaleAndLive(t *testing.T) {
	p := filepath.Join(t.TempDir(), "run", "ctl.sock")
	s1, err := listenControl(p)
	if err != nil {
		t.Fatal(err)
	}
	// A second daemon must not steal a live socket.
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := s1.ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	if _, err := listenControl(p); err == nil {
		t.Fatal("second listener took over a live socket")
	}
	s1.ln.SetUnlinkOnClose(false) // leave a stale socket file behind, as a crash would
	s1.ln.Close()
	<-done
	s2, err := listenControl(p)
	if err != nil {
		t.Fatalf("stale socket not replaced: %v", err)
	}
	s2.ln.Close()
}
