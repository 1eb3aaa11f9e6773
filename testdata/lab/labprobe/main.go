// Command labprobe is the client and the real-server farm of the daemon
// benchmarks (testdata/lab/bench-daemon.sh). It runs only inside the lab VM.
//
//	labprobe sink PORT        accept TCP connections on every address and close
//	                          them at once: thousands of real servers for
//	                          connect-only health checks (busybox nc serves one
//	                          connection at a time; httpd forks one per check)
//	labprobe wait URL         GET URL every 20 ms, each attempt bounded to 200 ms,
//	                          until one succeeds (exit 0) or 60 s pass (exit 1)
//	labprobe floor FILE SECS  the CPU floor of the health checks: connect to every
//	                          HOST:PORT listed in FILE (one a line) once every SECS
//	                          seconds, spread evenly over the interval, and close
//	                          at once (what a connect-only check does, without the
//	                          daemon); each connect is bounded to SECS. Runs until
//	                          SIGTERM, then prints its count of connects to stderr
//	                          (the benchmark reads its CPU from /proc/PID/stat)
//	labprobe logtime TEXT     for each line on stdin that contains TEXT and a slog
//	                          time=... field, print that time as guest boot time
//	                          (seconds, the clock of /proc/uptime), then the line's
//	                          first 200 bytes: log events on the benchmark's clock
package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

func main() {
	if len(os.Args) == 4 && os.Args[1] == "floor" {
		if err := floor(os.Args[2], os.Args[3]); err != nil {
			fmt.Fprintln(os.Stderr, "labprobe:", err)
			os.Exit(1)
		}
		return
	}
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: labprobe sink PORT | labprobe wait URL | labprobe floor FILE SECS | labprobe logtime TEXT")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "sink":
		err = sink(os.Args[2])
	case "wait":
		err = wait(os.Args[2])
	case "logtime":
		err = logtime(os.Stdin, os.Stdout, os.Args[2])
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

func floor(file, secs string) error {
	data, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	targets := strings.Fields(string(data))
	if len(targets) == 0 {
		return fmt.Errorf("%s: no targets", file)
	}
	f, err := strconv.ParseFloat(secs, 64)
	if err != nil || f <= 0 {
		return fmt.Errorf("bad interval %q", secs)
	}
	interval := time.Duration(f * float64(time.Second))
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	var failed atomic.Int64
	dial := func(addr string) {
		dctx, cancel := context.WithTimeout(ctx, interval)
		defer cancel()
		var d net.Dialer
		c, err := d.DialContext(dctx, "tcp", addr)
		if err != nil {
			failed.Add(1)
			return
		}
		c.Close()
	}
	// One scheduler wakes every 10 ms and starts the connects that fell
	// due since: target i of n is due at i/n of each interval.
	n := int64(len(targets))
	start := time.Now()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	var fired int64
	for {
		select {
		case <-ctx.Done():
			el := time.Since(start).Seconds()
			fmt.Fprintf(os.Stderr, "labprobe floor: %d targets, %d connects (%d failed) in %.1f s: %.0f/s\n",
				n, fired, failed.Load(), el, float64(fired)/el)
			return nil
		case <-tick.C:
		}
		due := int64(time.Since(start)) * n / int64(interval)
		for ; fired < due; fired++ {
			go dial(targets[fired%n])
		}
	}
}

// logtime rewrites slog's wall-clock time= into the guest's boot time (the
// clock /proc/uptime reads; no NTP runs in the lab, so the two differ by a
// constant).
func logtime(in io.Reader, out io.Writer, text string) error {
	var rt, bt unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_REALTIME, &rt); err != nil {
		return err
	}
	if err := unix.ClockGettime(unix.CLOCK_BOOTTIME, &bt); err != nil {
		return err
	}
	offset := time.Unix(rt.Unix()).Sub(time.Unix(bt.Unix()))
	r := bufio.NewReaderSize(in, 1<<16)
	w := bufio.NewWriter(out)
	defer w.Flush()
	for {
		line, err := r.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			// A long line (a "table changed" list of edits): keep its
			// start, skip the rest.
			line = bytes.Clone(line)
			for err == bufio.ErrBufferFull {
				_, err = r.ReadSlice('\n')
			}
		}
		if bytes.Contains(line, []byte(text)) {
			if i := bytes.Index(line, []byte("time=")); i >= 0 {
				f := line[i+5:]
				if j := bytes.IndexByte(f, ' '); j >= 0 {
					f = f[:j]
				}
				if t, perr := time.Parse(time.RFC3339Nano, string(f)); perr == nil {
					up := t.Sub(time.Unix(0, 0)) - offset
					show := bytes.TrimRight(line, "\n")
					if len(show) > 200 {
						show = show[:200]
					}
					fmt.Fprintf(w, "%.3f %s\n", up.Seconds(), show)
				}
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}
