// Package connhold is the traffic of the ECMP lab (internal/ecmplab): an
// echo service that names the real server answering, a client that holds
// many long-lived TCP connections through a VIP and counts every one that
// breaks, and a bulk download whose length the client checks. The lab's
// question is "did any connection break while directors came and went",
// so the client classifies each failure (reset, timeout, closed) instead
// of retrying it away. The command is testdata/lab/connhold.
package connhold

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The protocol is line based. A client line "get N [RATE]" asks for N
// bytes (at RATE bytes a second, 0 for as fast as possible): the server
// answers "NAME N\n" and then the bytes (Pattern), and closes. Any other
// line L is echoed as "NAME L\n", so every answer tells which real server
// the connection reached.

// Pattern is the i-th byte of a download: a cycle whose length is prime,
// so a lost or repeated block shows as a mismatch rather than as a
// coincidentally equal byte.
func Pattern(i int64) byte { return byte('a' + i%23) }

// Serve answers connections accepted on ln as the real server name until
// ctx ends; then it closes ln and every open connection and returns.
func Serve(ctx context.Context, ln net.Listener, name string) error {
	var wg sync.WaitGroup
	defer wg.Wait()
	stop := context.AfterFunc(ctx, func() { ln.Close() })
	defer stop()
	for {
		c, err := ln.Accept()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			return fmt.Errorf("accept: %w", err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			serveConn(ctx, c, name)
		}()
	}
}

func serveConn(ctx context.Context, c net.Conn, name string) {
	defer c.Close()
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer stop()
	r := bufio.NewReader(c)
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		line = strings.TrimRight(line, "\r\n")
		if n, rate, ok := parseGet(line); ok {
			sendBulk(ctx, c, name, n, rate)
			return
		}
		if _, err := fmt.Fprintf(c, "%s %s\n", name, line); err != nil {
			return
		}
	}
}

func parseGet(line string) (n, rate int64, ok bool) {
	f := strings.Fields(line)
	if len(f) < 2 || len(f) > 3 || f[0] != "get" {
		return 0, 0, false
	}
	n, err := strconv.ParseInt(f[1], 10, 64)
	if err != nil || n < 0 {
		return 0, 0, false
	}
	if len(f) == 3 {
		if rate, err = strconv.ParseInt(f[2], 10, 64); err != nil || rate < 0 {
			return 0, 0, false
		}
	}
	return n, rate, true
}

// sendBulk writes the header and n pattern bytes; with a rate, in tenths
// of it ten times a second, so a download can be made to last across a
// failover.
func sendBulk(ctx context.Context, c net.Conn, name string, n, rate int64) {
	if _, err := fmt.Fprintf(c, "%s %d\n", name, n); err != nil {
		return
	}
	chunk := int64(64 << 10)
	var tick *time.Ticker
	if rate > 0 {
		chunk = max(rate/10, 1)
		tick = time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
	}
	buf := make([]byte, chunk)
	for sent := int64(0); sent < n; {
		if tick != nil {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
		}
		m := min(chunk, n-sent)
		for i := int64(0); i < m; i++ {
			buf[i] = Pattern(sent + i)
		}
		if _, err := c.Write(buf[:m]); err != nil {
			return
		}
		sent += m
	}
}
