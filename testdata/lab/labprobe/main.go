// Command labprobe is the client and the real-server farm of the daemon
// benchmarks (testdata/lab/bench-daemon.sh). It runs only inside the lab VM.
//
//	labprobe sink PORT        accept TCP connections on every address and close
//	                          them at once: thousands of real servers for
//	                          connect-only health checks (busybox nc serves one
//	                          connection at a time; httpd forks one per check)
//	labprobe wait URL         GET URL every 20 ms, each attempt bounded to 200 ms,
//	                          until one succeeds (exit 0) or 60 s pass (exit 1)
package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: labprobe sink PORT | labprobe wait URL")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "sink":
		err = sink(os.Args[2])
	case "wait":
		err = wait(os.Args[2])
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "labprobe:", err)
		os.Exit(1)
	}
}

func sink(port string) error {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	lc := net.ListenConfig{}
	ln, err := lc.Listen(ctx, "tcp", ":"+port)
	if err != nil {
		return err
	}
	go func() { <-ctx.Done(); ln.Close() }()
	for {
		c, err := ln.Accept()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		c.Close()
	}
}

func wait(url string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	// A fresh connection each time: a kept-alive one would pin the attempt
	// to the director that served the previous one.
	client := &http.Client{Timeout: 200 * time.Millisecond, Transport: &http.Transport{DisableKeepAlives: true}}
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return err
		}
		resp, err := client.Do(req)
		if err == nil {
			_, err = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if err == nil && resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s: no answer within 60 s: %w", url, err)
		case <-time.After(20 * time.Millisecond):
		}
	}
}
