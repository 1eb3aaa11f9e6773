package health

import (
	"net"
	"net/netip"
	"sync"
	"testing"
	"time"
)

// testServer is a TCP server on 127.0.0.1 with a scripted behaviour per
// connection; it stops when the test ends.
type testServer struct {
	ln   net.Listener
	wg   sync.WaitGroup
	quit chan struct{}
}

func (s *testServer) addrPort() netip.AddrPort {
	return s.ln.Addr().(*net.TCPAddr).AddrPort()
}

func serveTCP(t *testing.T, handle func(c *net.TCPConn, quit <-chan struct{})) *testServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &testServer{ln: ln, quit: make(chan struct{})}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s.wg.Add(1)
			go func() {
				defer s.wg.Done()
				defer c.Close()
				handle(c.(*net.TCPConn), s.quit)
			}()
		}
	}()
	t.Cleanup(s.stop)
	return s
}

func (s *testServer) stop() {
	select {
	case <-s.quit:
	default:
		close(s.quit)
	}
	s.ln.Close()
	s.wg.Wait()
}

// Behaviours.

func answer(msg string) func(*net.TCPConn, <-chan struct{}) {
	return func(c *net.TCPConn, quit <-chan struct{}) {
		c.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
		buf := make([]byte, 512)
		c.Read(buf) // whatever was sent, if anything
		c.Write([]byte(msg))
	}
}

func silent(c *net.TCPConn, quit <-chan struct{}) { <-quit } // accepts, never answers

func reset(c *net.TCPConn, quit <-chan struct{}) {
	c.SetLinger(0) // close sends RST
}

func closeAtOnce(c *net.TCPConn, quit <-chan struct{}) {}

func stream(chunk string) func(*net.TCPConn, <-chan struct{}) {
	return func(c *net.TCPConn, quit <-chan struct{}) {
		b := []byte(chunk)
		for {
			select {
			case <-quit:
				return
			default:
			}
			c.SetWriteDeadline(time.Now().Add(100 * time.Millisecond))
			if _, err := c.Write(b); err != nil {
				if ne, ok := err.(net.Error); ok && ne.Timeout() {
					continue // the checker stopped reading: keep pushing until it closes
				}
				return
			}
		}
	}
}

func trickle(c *net.TCPConn, quit <-chan struct{}) {
	for {
		select {
		case <-quit:
			return
		case <-time.After(50 * time.Millisecond):
		}
		if _, err := c.Write([]byte("x")); err != nil {
			return
		}
	}
}

func split(parts ...string) func(*net.TCPConn, <-chan struct{}) {
	return func(c *net.TCPConn, quit <-chan struct{}) {
		for _, p := range parts {
			c.Write([]byte(p))
			time.Sleep(30 * time.Millisecond)
		}
	}
}

// serveUDP is a UDP responder on 127.0.0.1.
func serveUDP(t *testing.T, reply string) netip.AddrPort {
	t.Helper()
	c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, 512)
		for {
			_, from, err := c.ReadFromUDPAddrPort(buf)
			if err != nil {
				return
			}
			c.WriteToUDPAddrPort([]byte(reply), from)
		}
	}()
	t.Cleanup(func() { c.Close(); <-done })
	return c.LocalAddr().(*net.UDPAddr).AddrPort()
}

// closedPort returns a loopback port nobody listens on.
func closedPort(t *testing.T, network string) netip.AddrPort {
	t.Helper()
	switch network {
	case "udp":
		c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
		if err != nil {
			t.Fatal(err)
		}
		ap := c.LocalAddr().(*net.UDPAddr).AddrPort()
		c.Close()
		return ap
	default:
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ap := ln.Addr().(*net.TCPAddr).AddrPort()
		ln.Close()
		return ap
	}
}
