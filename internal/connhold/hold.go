package connhold

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"
)

// HoldOptions says what Hold does.
type HoldOptions struct {
	Target   string        // VIP:PORT
	Conns    int           // connections to open
	Interval time.Duration // between two exchanges on one connection
	// Timeout bounds one dial and one exchange (write a line, read its
	// echo). It must outlast a failover's TCP retransmissions: a
	// connection whose exchange times out is counted as broken.
	Timeout time.Duration
	// DialParallel is how many dials may be in flight at once (a burst
	// of thousands of SYNs overflows the emulated path's queues).
	DialParallel int
	// Ready, if set, is called once every connection has been dialled
	// and has had its first exchange (or failed), with the counts so far.
	Ready func(Report)
}

// Report is what Hold found, in the JSON the command prints.
type Report struct {
	Target     string `json:"target"`
	Requested  int    `json:"requested"`
	Opened     int    `json:"opened"`
	OpenFailed int    `json:"open_failed"`
	// Reset: the connection died with ECONNRESET or EPIPE, as a director
	// without the connection's state answers a mid-flow packet.
	Reset int `json:"reset"`
	// TimedOut: an exchange got no answer within Timeout.
	TimedOut int `json:"timed_out"`
	// Closed: the server side closed the connection (EOF).
	Closed int `json:"closed"`
	// Garbled: an answer that was not the echo of what was sent.
	Garbled int `json:"garbled"`
	// Other: any other error on an open connection.
	Other int `json:"other"`
	// Completed: connections that were healthy until Hold was stopped.
	Completed int   `json:"completed"`
	Exchanges int64 `json:"exchanges"`
	// Backends counts connections by the real server that answered their
	// first exchange; Moved counts those answered later by another one.
	Backends map[string]int `json:"backends"`
	Moved    int            `json:"moved"`
	// Errors holds the first few failures, for a human reading a report.
	Errors      []string `json:"errors,omitempty"`
	OpenSeconds float64  `json:"open_seconds"`
	HeldSeconds float64  `json:"held_seconds"`
}

// Broken is the number of connections that failed to open or broke.
func (r Report) Broken() int {
	return r.OpenFailed + r.Reset + r.TimedOut + r.Closed + r.Garbled + r.Other
}

const maxErrors = 10

type tally struct {
	mu sync.Mutex
	r  Report
}

func (t *tally) add(f func(*Report)) {
	t.mu.Lock()
	f(&t.r)
	t.mu.Unlock()
}

func (t *tally) snapshot() Report {
	t.mu.Lock()
	defer t.mu.Unlock()
	r := t.r
	r.Backends = make(map[string]int, len(t.r.Backends))
	for k, v := range t.r.Backends {
		r.Backends[k] = v
	}
	r.Errors = append([]string(nil), t.r.Errors...)
	return r
}

func (t *tally) fail(kind *int, err error) {
	t.add(func(r *Report) {
		*kind++
		if len(r.Errors) < maxErrors {
			r.Errors = append(r.Errors, err.Error())
		}
	})
}

// Hold opens o.Conns connections to o.Target and exchanges a line on each
// every o.Interval until ctx ends; then it closes them and reports. A
// connection that breaks is counted by cause and not reopened. The error
// is for options that cannot work; a broken connection is in the report.
func Hold(ctx context.Context, o HoldOptions) (Report, error) {
	if o.Conns <= 0 || o.Interval <= 0 || o.Timeout <= 0 {
		return Report{}, fmt.Errorf("connections, interval and timeout must be positive")
	}
	if _, _, err := net.SplitHostPort(o.Target); err != nil {
		return Report{}, fmt.Errorf("target %q: %w", o.Target, err)
	}
	par := o.DialParallel
	if par <= 0 {
		par = 32
	}
	t := &tally{r: Report{Target: o.Target, Requested: o.Conns, Backends: map[string]int{}}}
	start := time.Now()
	var wg, first sync.WaitGroup
	sem := make(chan struct{}, par)
	first.Add(o.Conns)
	for i := 0; i < o.Conns; i++ {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			first.Add(i - o.Conns) // the rest are never dialled
			i = o.Conns
			continue
		}
		wg.Add(1)
		go func(id int) {
			defer wg.Done()
			holdOne(ctx, o, id, t, sem, &first)
		}(i)
	}
	readyDone := make(chan struct{})
	go func() {
		first.Wait()
		t.add(func(r *Report) { r.OpenSeconds = time.Since(start).Seconds() })
		if o.Ready != nil && ctx.Err() == nil {
			o.Ready(t.snapshot())
		}
		close(readyDone)
	}()
	wg.Wait()
	<-readyDone
	r := t.snapshot()
	r.HeldSeconds = time.Since(start).Seconds() - r.OpenSeconds
	return r, nil
}

// holdOne is one connection's life. It releases its dial slot and marks
// its first exchange done (first) exactly once, whatever happens.
func holdOne(ctx context.Context, o HoldOptions, id int, t *tally, sem chan struct{}, first *sync.WaitGroup) {
	firstOnce := sync.OnceFunc(first.Done)
	defer firstOnce()
	release := sync.OnceFunc(func() { <-sem })
	defer release()

	d := net.Dialer{Timeout: o.Timeout}
	c, err := d.DialContext(ctx, "tcp", o.Target)
	if err != nil {
		if ctx.Err() == nil {
			t.fail(&t.r.OpenFailed, fmt.Errorf("conn %d: open: %w", id, err))
		}
		return
	}
	defer c.Close()
	t.add(func(r *Report) { r.Opened++ })
	r := bufio.NewReader(c)
	backend := ""
	// A random phase spreads the connections' exchanges over the interval.
	next := time.Now()
	for seq := 0; ; seq++ {
		got, err := exchange(c, r, o.Timeout, fmt.Sprintf("c%d %d", id, seq))
		if err != nil {
			t.fail(classify(t, err), fmt.Errorf("conn %d (%s) exchange %d: %w", id, backend, seq, err))
			return
		}
		t.add(func(rep *Report) {
			rep.Exchanges++
			switch {
			case backend == "":
				rep.Backends[got]++
			case got != backend:
				rep.Moved++
			}
		})
		if backend == "" {
			backend = got
			release()
			firstOnce()
			next = time.Now().Add(rand.N(o.Interval))
		} else {
			next = next.Add(o.Interval)
		}
		if wait := time.Until(next); wait > 0 {
			select {
			case <-ctx.Done():
			case <-time.After(wait):
			}
		} else {
			next = time.Now()
		}
		if ctx.Err() != nil {
			t.add(func(rep *Report) { rep.Completed++ })
			return
		}
	}
}

// errGarbled marks an answer that is not the echo of the line sent.
var errGarbled = errors.New("answer is not the echo")

// exchange writes msg and reads its echo; it returns the name of the
// server that answered.
func exchange(c net.Conn, r *bufio.Reader, timeout time.Duration, msg string) (string, error) {
	if err := c.SetDeadline(time.Now().Add(timeout)); err != nil {
		return "", err
	}
	if _, err := io.WriteString(c, msg+"\n"); err != nil {
		return "", err
	}
	line, err := r.ReadString('\n')
	if err != nil {
		return "", err
	}
	name, echo, ok := strings.Cut(strings.TrimSuffix(line, "\n"), " ")
	if !ok || echo != msg {
		return "", fmt.Errorf("%w: %q", errGarbled, line)
	}
	return name, nil
}

func classify(t *tally, err error) *int {
	var ne net.Error
	switch {
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE):
		return &t.r.Reset
	case errors.As(err, &ne) && ne.Timeout():
		return &t.r.TimedOut
	case errors.Is(err, io.EOF):
		return &t.r.Closed
	case errors.Is(err, errGarbled):
		return &t.r.Garbled
	}
	return &t.r.Other
}

// SortedBackends lists the report's backends as "name=count", by name.
func (r Report) SortedBackends() string {
	names := make([]string, 0, len(r.Backends))
	for n := range r.Backends {
		names = append(names, n)
	}
	sort.Strings(names)
	for i, n := range names {
		names[i] = fmt.Sprintf("%s=%d", n, r.Backends[n])
	}
	return strings.Join(names, " ")
}
