package health

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// serveListeners runs n TCP listeners on 127.0.0.1 that accept, wait for
// the client to close, and reset; it prints their addresses, one a line,
// and serves until its standard input closes. The reset leaves no
// TIME_WAIT socket on either side: tens of thousands of them on the few
// destinations of a benchmark would crowd the ephemeral ports and slow
// every later connect (and the next run). Resetting before the client
// closed could fail its connect.
func serveListeners(n int) int {
	for range n {
		ln, err := net.ListenTCP("tcp", &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)})
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		go func() {
			for {
				c, err := ln.AcceptTCP()
				if err != nil {
					return
				}
				go func() {
					c.Read(make([]byte, 1))
					c.SetLinger(0)
					c.Close()
				}()
			}
		}()
		fmt.Println(ln.Addr())
	}
	io.Copy(io.Discard, os.Stdin)
	return 0
}

// loopbackListeners starts serveListeners in a process of its own, so
// that the servers' CPU time is not counted as the checker's, and returns
// the addresses.
func loopbackListeners(b *testing.B, n int) []netip.AddrPort {
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%d", listenersEnv, n))
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		stdin.Close()
		cmd.Wait()
	})
	var out []netip.AddrPort
	lines := bufio.NewScanner(stdout)
	for len(out) < n && lines.Scan() {
		ap, err := netip.ParseAddrPort(lines.Text())
		if err != nil {
			b.Fatal(err)
		}
		out = append(out, ap)
	}
	if len(out) < n {
		b.Fatalf("the listener process gave %d of %d addresses", len(out), n)
	}
	return out
}

// cpuTime is the CPU time this process has used, user and system: on a
// shared machine, checks per CPU second is the figure that says what a
// core can do, where checks per wall second says what this run got.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportRate reports n connects done in wall time and cpu time.
func reportRate(b *testing.B, n int64, wall, cpu time.Duration) {
	b.ReportMetric(float64(n)/wall.Seconds(), "checks/s")
	b.ReportMetric(float64(n)/cpu.Seconds(), "checks/cpu-s")
}

// BenchmarkConnectChecks runs TCP connect checks against listeners on
// 127.0.0.1 through the scheduler and Check, as the daemon does, with every
// slot busy. The targets' intervals differ by a nanosecond each, so that
// they are distinct checks and not one shared probe.
func BenchmarkConnectChecks(b *testing.B) {
	// 32768 targets checked every second ask for more checks than a core
	// can run: every slot stays busy. A timeout of a second (the interval)
	// keeps a loaded machine's scheduling delays from failing checks.
	const targets, interval = 32768, time.Second
	addrs := loopbackListeners(b, 8)
	var ts []Target
	for i := range targets {
		ap := addrs[i%len(addrs)]
		ts = append(ts, Target{Virtual: "bench", Server: strconv.Itoa(i),
			Addr: ap.Addr(), Port: ap.Port(), Interval: interval + time.Duration(i)})
	}
	var done, failed atomic.Int64
	var reason atomic.Value
	// The count starts once Update has returned: building the targets is
	// not part of a check.
	var target atomic.Int64
	target.Store(math.MaxInt64)
	enough := make(chan struct{})
	var once sync.Once
	n := int64(b.N)
	m := NewMonitor(nil)
	m.check = func(ctx context.Context, t *Target) Result {
		r := Check(ctx, t)
		if !r.OK && ctx.Err() == nil { // not one that Stop cut short
			failed.Add(1)
			reason.Store(r.Reason)
		}
		if done.Add(1) >= target.Load() {
			once.Do(func() { close(enough) })
		}
		return r
	}
	m.Update(context.Background(), ts)
	b.ResetTimer()
	cpu, start := cpuTime(b), time.Now()
	target.Store(done.Load() + n)
	<-enough
	wall, cpu := time.Since(start), cpuTime(b)-cpu
	b.StopTimer()
	m.Stop()
	// A connect may time out on a very busy machine; many mean something
	// is wrong.
	if f := failed.Load(); f*10 > n {
		b.Fatalf("%d of %d checks failed (%v)", f, n, reason.Load())
	}
	reportRate(b, n, wall, cpu)
	b.ReportMetric(float64(failed.Load())/float64(n), "failed/check")
}

// BenchmarkBareConnects is the floor BenchmarkConnectChecks compares with:
// the same connects and closes, from as many goroutines as the monitor's
// concurrency bound, with nothing around them.
func BenchmarkBareConnects(b *testing.B) {
	addrs := loopbackListeners(b, 8)
	var next atomic.Int64
	n := int64(b.N)
	var wg sync.WaitGroup
	b.ResetTimer()
	cpu, start := cpuTime(b), time.Now()
	for g := range DefaultConcurrency {
		wg.Go(func() {
			var d net.Dialer
			for i := g; next.Add(1) <= n; i++ {
				c, err := d.DialTCP(context.Background(), "tcp", netip.AddrPort{}, addrs[i%len(addrs)])
				if err != nil {
					continue
				}
				c.Close()
			}
		})
	}
	wg.Wait()
	wall, cpu := time.Since(start), cpuTime(b)-cpu
	reportRate(b, n, wall, cpu)
}

// BenchmarkUpdateUnchanged is the monitor's share of a reload that changes
// nothing, at 10,000 real servers: every check keeps running.
func BenchmarkUpdateUnchanged(b *testing.B) {
	m := NewMonitor(nil)
	m.check = func(context.Context, *Target) Result { return Result{OK: true} }
	ts := distinctTargets(10000, time.Hour)
	m.Update(context.Background(), ts)
	defer m.Stop()
	for b.Loop() {
		m.Update(context.Background(), ts)
	}
}
