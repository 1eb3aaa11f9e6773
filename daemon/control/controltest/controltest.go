// Package controltest is a stand-in for the daemon's control socket, for
// the tests of the clients of daemon/control (lvsadm status, the TUI, the
// Config view): a unix socket in the test's temporary directory that reads
// one request line per connection and answers it as the test says.
package controltest

import (
	"bufio"
	"io"
	"net"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// Serve listens on a fresh unix socket and, for each connection, reads the
// request line and calls answer with it (newline included) and the
// connection to write to; the connection is closed after. It returns the
// socket's path; the listener closes, and its goroutine ends, with t.
func Serve(t testing.TB, answer func(line string, w io.Writer)) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "lvsadm.sock")
	ln, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			// A client that never sends must not hold the test.
			_ = c.SetDeadline(time.Now().Add(5 * time.Second))
			line, _ := bufio.NewReader(c).ReadString('\n')
			answer(line, c)
			c.Close()
		}
	}()
	return path
}
