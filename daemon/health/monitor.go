package health

import (
	"cmp"
	"container/heap"
	"context"
	"log/slog"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"time"
)

// Event is a transition of one real server.
type Event struct {
	Virtual string        `json:"virtual"`
	Server  string        `json:"server"`
	Address string        `json:"address"`
	State   State         `json:"state"`
	Reason  string        `json:"reason,omitempty"`
	Answer  string        `json:"answer,omitempty"`
	Latency time.Duration `json:"latency_ns"`
	At      time.Time     `json:"at"`
}

// ServerStatus is what the monitor knows of one real server.
type ServerStatus struct {
	Virtual        string     `json:"virtual"`
	Server         string     `json:"server"`
	Address        netip.Addr `json:"address"`
	State          State      `json:"state"`
	EverUp         bool       `json:"ever_up"`
	LastCheck      *Result    `json:"last_check,omitempty"`
	LastTransition time.Time  `json:"last_transition,omitzero"`
	Checks         uint64     `json:"checks"`
	Failures       uint64     `json:"failures"`
	// LoadWeight is the weight load monitoring gave the server (0: none
	// yet, the table uses the configured weight or the slow start's).
	LoadWeight int `json:"load_weight,omitempty"`
	// Load is the last load-average reading, with load_monitor.
	Load *LoadReading `json:"load,omitempty"`
	// LocalError is why the director could not check the server the last
	// time (out of descriptors, a check program that cannot start); the
	// state is the one from before. Cleared by the next real check.
	LocalError string `json:"local_error,omitempty"`
}

// LoadReading is one answer of the load_monitor command.
type LoadReading struct {
	Average float64   `json:"average"`
	Error   string    `json:"error,omitempty"`
	At      time.Time `json:"at"`
}

// keepEvents is how many recent events the monitor keeps for status.
const keepEvents = 100

// localLogEvery is how often at most a local error is logged: when the
// director runs out of descriptors, every check fails the same way, and
// one line says it as well as ten thousand.
const localLogEvery = 5 * time.Second

// worker is one target: its own state, fed by the probe it shares. It
// holds no context of its own (a farm has thousands of workers): its load
// command ends with its probe.
//
// Its status is put together when asked for (statusLocked) from the
// target, the tracker and the counters, rather than kept as a
// ServerStatus that would hold names and times a second time: a farm has
// one worker per real server.
type worker struct {
	target     Target
	probe      *probe
	watch      *ctxWatch
	gone       bool
	tr         tracker
	lastAdjust time.Time
	stats      serverStats
}

// serverStats is what a worker's checks and load readings left.
type serverStats struct {
	checks, failures uint64
	lastCheck        *Result // never changed once published: readers share it
	loadWeight       int
	load             *LoadReading
	localError       string
}

// statusLocked is w's ServerStatus.
func (w *worker) statusLocked() ServerStatus {
	st := w.tr.state
	if st == "" {
		st = Unknown
	}
	return ServerStatus{Virtual: w.target.Virtual, Server: w.target.Server, Address: w.target.Addr,
		State: st, EverUp: w.tr.everUp, LastCheck: w.stats.lastCheck, LastTransition: w.tr.transition,
		Checks: w.stats.checks, Failures: w.stats.failures, LoadWeight: w.stats.loadWeight,
		Load: w.stats.load, LocalError: w.stats.localError}
}

// ctxWatch drops the targets that came with one Update context when it
// ends: one watch per context, not one per target.
type ctxWatch struct {
	ctx     context.Context
	stop    func() bool
	workers map[*worker]struct{}
}

// Monitor checks every target through one scheduler: a heap of probes by
// due time, one dispatching goroutine, and at most a bounded number of
// checks running at once. Targets with the same check share one probe.
type Monitor struct {
	onEvent func(Event)
	check   func(context.Context, *Target) Result
	// step is nanny's 20-second slow-start and load-adjust period (tests
	// shorten it).
	step  time.Duration
	clock clock
	log   *slog.Logger
	// slots holds a token per running check; its capacity is the bound.
	slots chan struct{}
	wake  chan struct{}

	mu      sync.Mutex
	workers map[string]*worker
	// byVirtual indexes workers by their virtual server, for
	// UpdateVirtuals to look at those alone.
	byVirtual map[string]map[*worker]struct{}
	probes    map[checkSpec]*probe
	watches   map[context.Context]*ctxWatch
	queue     queue
	// inFlight counts the runs started and not finished.
	inFlight int
	// dispatching is closed when the dispatcher ends; nil when none runs.
	dispatching chan struct{}
	// settled is signalled when a probe's fan-out ends, and when a
	// stopped probe's last run ends.
	settled *sync.Cond
	events  []Event
	local   localErrors
}

// localErrors counts the checks the director itself could not run.
type localErrors struct {
	count      uint64
	last       string
	at         time.Time
	logged     time.Time
	suppressed uint64 // since the last log line
}

// Option changes how a Monitor works.
type Option func(*Monitor)

// WithConcurrency bounds how many checks run at once (DefaultConcurrency
// when n < 1).
func WithConcurrency(n int) Option {
	return func(m *Monitor) {
		if n < 1 {
			n = DefaultConcurrency
		}
		m.slots = make(chan struct{}, n)
	}
}

// WithCheck replaces Check, the function that runs one check: the
// daemon's tests and benchmarks run thousands of targets without a network.
func WithCheck(check func(context.Context, *Target) Result) Option {
	return func(m *Monitor) { m.check = check }
}

// WithLogger sets where local errors are logged (slog.Default without).
func WithLogger(l *slog.Logger) Option {
	return func(m *Monitor) { m.log = l }
}

// NewMonitor builds a monitor. onEvent (may be nil) is called from the
// checking goroutines for every transition; it must not block for long.
func NewMonitor(onEvent func(Event), opts ...Option) *Monitor {
	m := &Monitor{onEvent: onEvent, check: Check, step: slowStartStep, clock: realClock{},
		log: slog.Default(), slots: make(chan struct{}, DefaultConcurrency), wake: make(chan struct{}, 1),
		workers: map[string]*worker{}, byVirtual: map[string]map[*worker]struct{}{}, probes: map[checkSpec]*probe{},
		watches: map[context.Context]*ctxWatch{}}
	m.settled = sync.NewCond(&m.mu)
	for _, o := range opts {
		o(m)
	}
	return m
}

// Update makes the running checks match targets: new ones start, removed
// ones stop, changed ones restart (losing their state), unchanged ones keep
// running undisturbed. The checks live until ctx ends or Stop.
func (m *Monitor) Update(ctx context.Context, targets []Target) {
	m.update(ctx, targets, nil)
}

// UpdateVirtuals is Update for the named virtual servers alone: their
// checks become targets (which must all be theirs), and every other
// check is left as it is, unlooked at. A reload that changed one real
// server of 10,000 restarts at most that check, at the cost of what it
// changed rather than of comparing every target again.
func (m *Monitor) UpdateVirtuals(ctx context.Context, virtuals []string, targets []Target) {
	if virtuals == nil {
		virtuals = []string{} // none, not all
	}
	m.update(ctx, targets, virtuals)
}

// update is Update over the workers of the named virtual servers (nil:
// all).
func (m *Monitor) update(ctx context.Context, targets []Target, virtuals []string) {
	// Indexes, not copies: a reload of 10,000 servers should cost little
	// more than looking each one up. A key given twice is its last one.
	want := make(map[string]int, len(targets))
	for i := range targets {
		want[targets[i].Key()] = i
	}
	m.mu.Lock()
	var left []*probe
	look := func(k string, w *worker) {
		if i, ok := want[k]; !ok || targets[i].spec() != w.target.spec() {
			m.dropLocked(w)
			left = append(left, w.probe)
		}
	}
	if virtuals == nil {
		for k, w := range m.workers {
			look(k, w)
		}
	}
	for _, v := range virtuals {
		for w := range m.byVirtual[v] {
			look(w.target.Key(), w)
		}
	}
	var fresh []*probe
	seen := map[*probe]bool{}
	for k, i := range want {
		t := &targets[i]
		if w, ok := m.workers[k]; ok {
			// Same check: take the new weight and load command; a
			// load-adjusted weight of the old weight starts over.
			if w.target.Weight != t.Weight || !slices.Equal(w.target.Load, t.Load) {
				w.target.Weight, w.target.Load = t.Weight, t.Load
				w.stats.loadWeight = 0
			}
			continue
		}
		if p := m.addLocked(ctx, *t); !seen[p] {
			seen[p] = true
			fresh = append(fresh, p)
		}
	}
	m.scheduleFirstLocked(m.clock.Now(), fresh)
	// A removed target sends no event once Update has returned, and a
	// stopped check (cancelled: it ends at once) does not outlive it.
	for _, p := range left {
		for p.fanning || (p.running && p.ctx.Err() != nil) {
			m.settled.Wait()
		}
	}
	m.mu.Unlock()
}

// addLocked starts following t, on the probe of its check definition.
func (m *Monitor) addLocked(ctx context.Context, t Target) *probe {
	cs := t.checkSpec()
	p := m.probes[cs]
	w := &worker{target: t, watch: m.watchLocked(ctx), tr: tracker{reentry: t.Reentry}}
	if p == nil {
		pctx, cancel := context.WithCancel(context.Background())
		// The probe checks through its first target's definition, which
		// lives as long as the probe even after that target leaves; the
		// fields a check reads never change in place (Update changes
		// only Weight and Load).
		p = &probe{spec: cs, target: &w.target, ctx: pctx, cancel: cancel, index: -1}
		m.probes[cs] = p
	}
	w.probe = p
	w.watch.workers[w] = struct{}{}
	p.subs = append(p.subs, w)
	m.workers[t.Key()] = w
	ws := m.byVirtual[t.Virtual]
	if ws == nil {
		ws = map[*worker]struct{}{}
		m.byVirtual[t.Virtual] = ws
	}
	ws[w] = struct{}{}
	return p
}

// watchLocked is the watch on ctx, made on its first target: a target
// whose context ends leaves as if Update had removed it.
func (m *Monitor) watchLocked(ctx context.Context) *ctxWatch {
	if cw := m.watches[ctx]; cw != nil {
		return cw
	}
	cw := &ctxWatch{ctx: ctx, workers: map[*worker]struct{}{}}
	cw.stop = context.AfterFunc(ctx, func() {
		m.mu.Lock()
		defer m.mu.Unlock()
		for w := range cw.workers {
			m.dropLocked(w)
		}
	})
	m.watches[ctx] = cw
	return cw
}

// dropLocked stops following w. A probe left without targets stops, and
// its running check is cancelled.
func (m *Monitor) dropLocked(w *worker) {
	if w.gone {
		return
	}
	w.gone = true
	delete(w.watch.workers, w)
	if len(w.watch.workers) == 0 {
		w.watch.stop()
		delete(m.watches, w.watch.ctx)
	}
	if m.workers[w.target.Key()] == w {
		delete(m.workers, w.target.Key())
	}
	if ws := m.byVirtual[w.target.Virtual]; ws != nil {
		delete(ws, w)
		if len(ws) == 0 {
			delete(m.byVirtual, w.target.Virtual)
		}
	}
	p := w.probe
	p.subs = slices.DeleteFunc(p.subs, func(x *worker) bool { return x == w })
	if len(p.subs) > 0 {
		return
	}
	p.cancel()
	delete(m.probes, p.spec)
	if p.index >= 0 {
		heap.Remove(&m.queue, p.index)
	}
	if len(m.probes) == 0 {
		m.wakeLocked() // the dispatcher ends
	}
}

// Stop stops every check and waits for them.
func (m *Monitor) Stop() {
	m.Update(context.Background(), nil)
	m.mu.Lock()
	d := m.dispatching
	if len(m.probes) > 0 {
		d = nil // an Update raced with Stop: the dispatcher has work
	}
	m.mu.Unlock()
	if d != nil {
		<-d
	}
}

// run runs one check of p, hands the result to every target sharing it,
// and queues p again. Without a transition or load_monitor it takes the
// lock twice.
func (m *Monitor) run(p *probe) {
	defer func() { <-m.slots }()
	start := m.clock.Now()
	r := m.check(p.ctx, p.target)
	m.mu.Lock()
	if p.ctx.Err() != nil {
		// Stopped mid-check: the result means nothing.
		m.finishLocked(p, start)
		m.mu.Unlock()
		return
	}
	evs, logLocal, loads := m.fanOutLocked(p, r, m.clock.Now())
	p.fanning = len(evs) > 0
	m.mu.Unlock()

	if logLocal != nil {
		m.log.Warn("health check failed on the director, not the server: the servers keep their state",
			"error", logLocal.last, "local_errors", logLocal.count, "not_logged", logLocal.suppressed)
	}
	if m.onEvent != nil {
		for _, ev := range evs {
			m.onEvent(ev)
		}
	}
	if len(evs) > 0 {
		m.mu.Lock()
		p.fanning = false
		m.settled.Broadcast()
		m.mu.Unlock()
	}
	for _, l := range loads {
		m.adjustLoad(l)
	}
	m.mu.Lock()
	m.finishLocked(p, start)
	m.mu.Unlock()
}

// finishLocked ends a run that started at start: a probe still wanted
// goes back in the queue.
func (m *Monitor) finishLocked(p *probe, start time.Time) {
	p.running = false
	m.inFlight--
	if p.ctx.Err() != nil {
		m.settled.Broadcast() // an Update may wait for this stopped check
		return
	}
	p.due = nextDue(p.target.Interval, start, m.clock.Now())
	heap.Push(&m.queue, p)
	if p.index == 0 {
		m.wakeLocked() // the dispatcher sleeps until a later probe, or has none
	}
}

// loadJob is one target's load_monitor step after a run: the weight and
// command as they were at the run, since Update changes them in place.
type loadJob struct {
	w      *worker
	weight int
	argv   []string
}

// fanOutLocked records r for every target of p and returns their
// transitions and load_monitor steps. A local error (localError) leaves
// every state as it was; it is counted, and returned for logging at most
// every localLogEvery.
func (m *Monitor) fanOutLocked(p *probe, r Result, now time.Time) (evs []Event, logLocal *localErrors, loads []loadJob) {
	if localError(r.cause) {
		reason := netip.AddrPortFrom(p.target.Addr, p.target.Port).String() + ": " + r.Reason
		for _, w := range p.subs {
			w.stats.localError = reason
		}
		l := &m.local
		l.count++
		l.last, l.at = reason, now
		if !l.logged.IsZero() && now.Sub(l.logged) < localLogEvery {
			l.suppressed++
			return nil, nil, nil
		}
		shown := *l
		l.logged, l.suppressed = now, 0
		return nil, &shown, nil
	}
	rc := r
	for _, w := range p.subs {
		if w.target.Load != nil {
			loads = append(loads, loadJob{w, w.target.Weight, w.target.Load})
		}
		changed := w.tr.observe(now, r.OK)
		st := &w.stats
		st.checks++
		if !r.OK {
			st.failures++
		}
		st.lastCheck = &rc
		st.localError = ""
		if !changed {
			continue
		}
		ev := Event{Virtual: w.target.Virtual, Server: w.target.Server, Address: w.target.Addr.String(), State: w.tr.state,
			Reason: r.Reason, Answer: r.Answer, Latency: r.Latency, At: now}
		if r.OK {
			ev.Reason = "check passed"
		}
		evs = append(evs, ev)
		m.events = append(m.events, ev)
	}
	if len(m.events) >= 2*keepEvents {
		// Trimmed in place and only every keepEvents events: a start
		// that brings 10,000 servers up would otherwise copy the whole
		// ring into a new array at every event past the first 100.
		m.events = m.events[:copy(m.events, m.events[len(m.events)-keepEvents:])]
	}
	return evs, nil, loads
}

// adjustLoad is nanny's load monitoring for one server: once its slow start
// is over, every adjust period, the load command's answer moves the
// weight the table uses (AdjustWeight). A server that is not up starts
// again from its configured weight when it returns.
func (m *Monitor) adjustLoad(j loadJob) {
	ctx, w, weight, load := j.w.probe.ctx, j.w, j.weight, j.argv
	tr, last := &w.tr, &w.lastAdjust
	interval := w.target.Interval // not changed in place: a new interval is a new check
	now := m.clock.Now()
	full := max(weight, 1)
	if tr.state != Up || slowStart(weight, interval, now.Sub(tr.transition), m.step) < full {
		m.mu.Lock()
		w.stats.loadWeight = 0
		m.mu.Unlock()
		*last = time.Time{}
		return
	}
	if last.IsZero() {
		*last = now // the slow start has just ended: nanny asks one period later
		return
	}
	if now.Sub(*last) < adjustPeriod(interval, m.step) {
		return
	}
	avg, err := remoteLoad(ctx, load, interval)
	if ctx.Err() != nil {
		return
	}
	*last = m.clock.Now()
	r := &LoadReading{Average: avg, At: *last}
	m.mu.Lock()
	defer m.mu.Unlock()
	if err != nil {
		r.Error = err.Error()
	} else {
		cur := w.stats.loadWeight
		if cur == 0 {
			cur = full
		}
		if nw, ok := AdjustWeight(full, cur, avg); ok {
			cur = nw
		}
		w.stats.loadWeight = cur
	}
	w.stats.load = r
}

// Status lists every real server, sorted by virtual and server name.
// LastCheck and Load are shared: a result is never changed once
// published, so 10,000 servers cost no copy each. The sort runs outside
// the lock, which the checks need.
func (m *Monitor) Status() []ServerStatus {
	m.mu.Lock()
	out := make([]ServerStatus, 0, len(m.workers))
	for _, w := range m.workers {
		out = append(out, w.statusLocked())
	}
	m.mu.Unlock()
	slices.SortFunc(out, func(a, b ServerStatus) int {
		return cmp.Or(strings.Compare(a.Virtual, b.Virtual), strings.Compare(a.Server, b.Server))
	})
	return out
}

// Events returns the recent transitions, oldest first.
func (m *Monitor) Events() []Event {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]Event(nil), m.events[max(0, len(m.events)-keepEvents):]...)
}

// Health maps "virtual/server" to the server's state, for the table
// applier.
func (m *Monitor) Health() map[string]ServerStatus {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make(map[string]ServerStatus, len(m.workers))
	for k, w := range m.workers {
		out[k] = w.statusLocked()
	}
	return out
}

// Lookup is one server's status by "virtual/server", without copying the
// whole table as Health does: the table applier asks for each server of
// a large farm on every apply. LastCheck is shared, never changed.
func (m *Monitor) Lookup(key string) (ServerStatus, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	w, ok := m.workers[key]
	if !ok {
		return ServerStatus{}, false
	}
	return w.statusLocked(), true
}

// LocalErrors reports the checks the director itself could not run since
// the start (localError): how many, the last one and when.
func (m *Monitor) LocalErrors() (count uint64, last string, at time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.local.count, m.local.last, m.local.at
}
