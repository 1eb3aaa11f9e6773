package health

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/netip"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/lvsadm/lvsadm/internal/testwait"
)

// fakeClock moves only when a test advances it, so the scheduler's
// decisions can be checked without measuring time on a loaded machine.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	timers []fakeTimer
}

type fakeTimer struct {
	at time.Time
	c  chan time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Timer(d time.Duration) (<-chan time.Time, func() bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := make(chan time.Time, 1)
	c.timers = append(c.timers, fakeTimer{at: c.now.Add(d), c: ch})
	return ch, func() bool { return true }
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	kept := c.timers[:0]
	for _, t := range c.timers {
		if t.at.After(c.now) {
			kept = append(kept, t)
			continue
		}
		t.c <- c.now
	}
	c.timers = kept
}

// fakeMonitor is a monitor on a fake clock whose checks are check.
func fakeMonitor(t *testing.T, onEvent func(Event), check func(context.Context, *Target) Result, opts ...Option) (*Monitor, *fakeClock) {
	t.Helper()
	m := NewMonitor(onEvent, opts...)
	fc := newFakeClock()
	m.clock, m.check = fc, check
	t.Cleanup(m.Stop)
	return m, fc
}

// settle waits until no check runs and none is due at the fake time: from
// then on nothing starts before the clock is advanced again.
func settle(t *testing.T, m *Monitor, fc *fakeClock) {
	t.Helper()
	testwait.Until(t, "the scheduler to settle", func() bool {
		m.mu.Lock()
		defer m.mu.Unlock()
		return m.inFlight == 0 && (len(m.queue) == 0 || m.queue[0].due.After(fc.Now()))
	}, nil)
}

// waitFor polls cond, failing the test only if it never holds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	testwait.Until(t, what, cond, nil)
}

// countingMonitor is a fakeMonitor whose checks pass; checks says how
// many ran.
func countingMonitor(t *testing.T) (m *Monitor, fc *fakeClock, checks func() int) {
	var mu sync.Mutex
	n := 0
	m, fc = fakeMonitor(t, nil, func(context.Context, *Target) Result {
		mu.Lock()
		defer mu.Unlock()
		n++
		return Result{OK: true}
	})
	return m, fc, func() int {
		mu.Lock()
		defer mu.Unlock()
		return n
	}
}

// distinctTargets are n targets with n different checks (ports).
func distinctTargets(n int, interval time.Duration) []Target {
	var ts []Target
	for i := range n {
		ts = append(ts, Target{Virtual: "v", Server: fmt.Sprint("s", i), Addr: netip.MustParseAddr("10.0.0.1"),
			Port: uint16(1000 + i), Interval: interval})
	}
	return ts
}

// TestSchedulerSpreadsFirstRound: the first checks of a farm are spread
// over the interval, not fired at once; each target is checked once in
// its first interval.
func TestSchedulerSpreadsFirstRound(t *testing.T) {
	const n, interval = 100, 10 * time.Second
	var mu sync.Mutex
	first := map[uint16]time.Time{}
	var fc *fakeClock
	check := func(_ context.Context, tg *Target) Result {
		mu.Lock()
		defer mu.Unlock()
		if _, ok := first[tg.Port]; !ok {
			first[tg.Port] = fc.Now()
		}
		return Result{OK: true}
	}
	m, c := fakeMonitor(t, nil, check, WithConcurrency(10))
	fc = c
	start := fc.Now()
	m.Update(context.Background(), distinctTargets(n, interval))
	perSecond := map[int]int{}
	for range interval / time.Second {
		settle(t, m, fc)
		fc.Advance(time.Second)
	}
	settle(t, m, fc)
	mu.Lock()
	defer mu.Unlock()
	if len(first) != n {
		t.Fatalf("%d of %d targets checked in the first interval", len(first), n)
	}
	for _, at := range first {
		perSecond[int(at.Sub(start)/time.Second)]++
	}
	// Evenly spread: 10 a second (one more where the boundary falls).
	for s := range 10 {
		if perSecond[s] > n/10+1 || perSecond[s] == 0 {
			t.Errorf("first checks per second of the interval: %v, want about %d each", perSecond, n/10)
			break
		}
	}
}

// TestSchedulerSmallBatchAtOnce: one server added by a reload is checked
// at once, not somewhere in the next interval.
func TestSchedulerSmallBatchAtOnce(t *testing.T) {
	m, fc, checks := countingMonitor(t)
	m.Update(context.Background(), distinctTargets(1, time.Hour))
	settle(t, m, fc)
	if n := checks(); n != 1 {
		t.Errorf("%d checks at the reload, want 1", n)
	}
}

// TestSchedulerBoundsConcurrency: with every check due and each blocking
// until released, never more than the bound run at once, and every target
// gets its turn.
func TestSchedulerBoundsConcurrency(t *testing.T) {
	const n, bound, interval = 20, 3, 10 * time.Second
	var mu sync.Mutex
	running, peak := 0, 0
	checked := map[uint16]bool{}
	release := make(chan struct{})
	check := func(ctx context.Context, tg *Target) Result {
		mu.Lock()
		running++
		checked[tg.Port] = true
		peak = max(peak, running)
		mu.Unlock()
		select {
		case <-release:
		case <-ctx.Done():
		}
		mu.Lock()
		running--
		mu.Unlock()
		return Result{OK: true}
	}
	m, fc := fakeMonitor(t, nil, check, WithConcurrency(bound))
	m.Update(context.Background(), distinctTargets(n, interval))
	fc.Advance(interval) // every first check is due (and the earliest second ones)
	for {
		all := false
		waitFor(t, "every slot taken", func() bool {
			mu.Lock()
			defer mu.Unlock()
			all = len(checked) == n
			return running == bound || all
		})
		if all {
			break
		}
		release <- struct{}{}
	}
	mu.Lock()
	defer mu.Unlock()
	if peak != bound {
		t.Errorf("at most %d checks ran at once, want %d", peak, bound)
	}
}

// TestSchedulerCadence: after its first check a target is checked once per
// interval (within the jitter), not more, not less.
func TestSchedulerCadence(t *testing.T) {
	const interval = 10 * time.Second
	m, fc, checks := countingMonitor(t)
	m.Update(context.Background(), distinctTargets(1, interval))
	settle(t, m, fc)
	for round := 2; round <= 5; round++ {
		// Just before the earliest the jitter allows: nothing.
		fc.Advance(interval - interval/20 - time.Millisecond)
		settle(t, m, fc)
		// Just after the latest: exactly one more.
		fc.Advance(interval/10 + 2*time.Millisecond)
		settle(t, m, fc)
		if got := checks(); got != round {
			t.Fatalf("%d checks after %d intervals, want %d", got, round-1, round)
		}
	}
}

// TestIdenticalChecksShareOneProbe: targets with the same check (the same
// server behind two virtual servers) cost one probe a round, and each gets
// every result and its own transitions; removing one leaves the other
// running undisturbed.
func TestIdenticalChecksShareOneProbe(t *testing.T) {
	const interval = 10 * time.Second
	var mu sync.Mutex
	calls := map[uint16]int{}
	var log eventLog
	m, fc := fakeMonitor(t, log.add, func(_ context.Context, tg *Target) Result {
		mu.Lock()
		calls[tg.Port]++
		mu.Unlock()
		return Result{OK: true}
	})
	web := Target{Virtual: "web", Server: "a", Addr: netip.MustParseAddr("10.0.0.1"), Port: 80,
		Send: "GET /\r\n", Expect: "HTTP", Interval: interval, Reentry: time.Second, Weight: 1}
	web2 := web
	web2.Virtual, web2.Reentry, web2.Weight = "web2", 5*time.Second, 3
	smtp := web
	smtp.Virtual, smtp.Port = "smtp", 25
	m.Update(context.Background(), []Target{web, web2, smtp})
	rounds := func(n int) {
		for range n {
			settle(t, m, fc)
			fc.Advance(interval + interval/10)
		}
		settle(t, m, fc)
	}
	rounds(3)
	a, b, s := m.Health()["web/a"], m.Health()["web2/a"], m.Health()["smtp/a"]
	mu.Lock()
	if calls[80] < 3 || uint64(calls[80]) != a.Checks || a.Checks != b.Checks || uint64(calls[25]) != s.Checks {
		t.Errorf("probes: %v; checks web/a %d, web2/a %d, smtp/a %d: want one probe of :80 a round, seen by both", calls, a.Checks, b.Checks, s.Checks)
	}
	mu.Unlock()
	if evs := log.wait(t, 3); len(evs) != 3 {
		t.Errorf("events %+v, want each target up once", evs)
	}

	m.Update(context.Background(), []Target{web2, smtp})
	rounds(1)
	b2 := m.Health()["web2/a"]
	if st, ok := m.Lookup("web2/a"); !ok || st != b2 {
		t.Errorf("Lookup(web2/a) = %+v, %v; Health has %+v", st, ok, b2)
	}
	mu.Lock()
	if _, ok := m.Lookup("web/a"); ok || b2.Checks != b.Checks+1 || uint64(calls[80]) != b2.Checks || !b2.LastTransition.Equal(b.LastTransition) {
		t.Errorf("after removing web/a: web2/a %+v (before %+v), probes %v", b2, b, calls)
	}
	mu.Unlock()
}

// lockedBuffer is a log destination the test reads while checks write.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestLocalErrorKeepsState: a check the director could not run (EMFILE)
// leaves an up server up, is counted, shown per server and logged once
// for a round, not once per check; a real failure still takes the server
// down.
func TestLocalErrorKeepsState(t *testing.T) {
	const interval = 10 * time.Second
	var mu sync.Mutex
	result := Result{OK: true}
	var log eventLog
	var logged lockedBuffer
	m, fc := fakeMonitor(t, log.add, func(context.Context, *Target) Result {
		mu.Lock()
		defer mu.Unlock()
		return result
	}, WithLogger(slog.New(slog.NewTextHandler(&logged, nil))))
	setResult := func(reason string, cause error) {
		mu.Lock()
		result = Result{Reason: reason, cause: cause}
		mu.Unlock()
	}
	round := func() {
		fc.Advance(interval + interval/10)
		settle(t, m, fc)
	}
	m.Update(context.Background(), distinctTargets(2, interval))
	settle(t, m, fc)
	round()
	log.wait(t, 2)

	before := m.Health()
	emfile := fmt.Errorf("dial: %w", syscall.EMFILE)
	setResult("connect: "+emfile.Error(), emfile)
	round()
	for _, st := range m.Status() {
		was := before[st.Virtual+"/"+st.Server]
		if st.State != Up || st.Checks != was.Checks || *st.LastCheck != *was.LastCheck || !strings.Contains(st.LocalError, "too many open files") {
			t.Errorf("after a local error: %+v, want up, the last check of before, the local error shown", st)
		}
	}
	if n, last, at := m.LocalErrors(); n != 2 || !strings.Contains(last, "too many open files") || !at.Equal(fc.Now()) {
		t.Errorf("LocalErrors() = %d, %q, %v; want 2, the EMFILE, now", n, last, at)
	}
	if lines := strings.Count(logged.String(), "\n"); lines != 1 {
		t.Errorf("logged %d lines for one round of local errors, want 1:\n%s", lines, logged.String())
	}
	if evs := m.Events(); len(evs) != 2 {
		t.Errorf("events %+v, want only the two ups", evs)
	}

	refused := fmt.Errorf("dial: %w", syscall.ECONNREFUSED)
	setResult("connect: "+refused.Error(), refused)
	round()
	for _, st := range m.Status() {
		if st.State != Down || st.LocalError != "" {
			t.Errorf("after a refused connect: %+v, want down, no local error", st)
		}
	}
}

// TestNextDue: one interval after the start, within the jitter; one
// interval after the end of a run that overran; never a panic or a spin on
// a nonsensical interval.
func TestNextDue(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	const interval = 10 * time.Second
	for range 100 {
		if d := nextDue(interval, start, start.Add(time.Millisecond)).Sub(start); d < interval-interval/20 || d > interval+interval/20 {
			t.Fatalf("next run %v after the start, want %v ± 5%%", d, interval)
		}
		end := start.Add(interval + time.Second) // timed out, and then some
		if d := nextDue(interval, start, end).Sub(end); d < interval-interval/20 || d > interval+interval/20 {
			t.Fatalf("next run %v after an overrun's end, want %v ± 5%%", d, interval)
		}
	}
	for _, bad := range []time.Duration{0, -time.Second} {
		if next := nextDue(bad, start, start); !next.After(start) {
			t.Errorf("interval %v: next run at %v, not after the start", bad, next)
		}
	}
}

// TestTargetsLeaveWithTheirContext: targets whose Update context ends are
// no longer checked and leave the status, the others stay; after Stop the
// dispatcher has ended.
func TestTargetsLeaveWithTheirContext(t *testing.T) {
	m, fc, _ := countingMonitor(t)
	ts := distinctTargets(4, time.Second)
	ctx, cancel := context.WithCancel(context.Background())
	m.Update(ctx, ts[:3])
	m.Update(context.Background(), ts) // the first three unchanged: still on ctx
	settle(t, m, fc)
	cancel()
	waitFor(t, "the cancelled targets gone", func() bool { return len(m.Status()) == 1 })
	if st := m.Status(); st[0].Server != ts[3].Server {
		t.Errorf("left %+v, want %s", st, ts[3].Server)
	}
	m.mu.Lock()
	probes := len(m.probes)
	m.mu.Unlock()
	if probes != 1 {
		t.Errorf("%d probes left, want 1", probes)
	}
	m.Stop()
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.dispatching != nil || len(m.queue) != 0 || m.inFlight != 0 {
		t.Errorf("after Stop: dispatcher %v, %d queued, %d running", m.dispatching != nil, len(m.queue), m.inFlight)
	}
}
