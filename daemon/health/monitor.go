package health

import (
	"context"
	"slices"
	"sort"
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
	Virtual        string    `json:"virtual"`
	Server         string    `json:"server"`
	Address        string    `json:"address"`
	State          State     `json:"state"`
	EverUp         bool      `json:"ever_up"`
	LastCheck      *Result   `json:"last_check,omitempty"`
	LastTransition time.Time `json:"last_transition,omitzero"`
	Checks         uint64    `json:"checks"`
	Failures       uint64    `json:"failures"`
	// LoadWeight is the weight load monitoring gave the server (0: none
	// yet, the table uses the configured weight or the slow start's).
	LoadWeight int `json:"load_weight,omitempty"`
	// Load is the last load-average reading, with load_monitor.
	Load *LoadReading `json:"load,omitempty"`
}

// LoadReading is one answer of the load_monitor command.
type LoadReading struct {
	Average float64   `json:"average"`
	Error   string    `json:"error,omitempty"`
	At      time.Time `json:"at"`
}

// keepEvents is how many recent events the monitor keeps for status.
const keepEvents = 100

type worker struct {
	target Target
	spec   string
	cancel context.CancelFunc
	done   chan struct{}
	status ServerStatus
}

// Monitor runs one checking goroutine per target.
type Monitor struct {
	onEvent func(Event)
	check   func(context.Context, *Target) Result
	// step is nanny's 20-second slow-start and load-adjust period (tests
	// shorten it).
	step time.Duration

	mu      sync.Mutex
	workers map[string]*worker
	events  []Event
}

// NewMonitor builds a monitor. onEvent (may be nil) is called from the
// checking goroutines for every transition; it must not block for long.
func NewMonitor(onEvent func(Event)) *Monitor {
	return &Monitor{onEvent: onEvent, check: Check, step: slowStartStep, workers: map[string]*worker{}}
}

// Update makes the running checks match targets: new ones start, removed
// ones stop, changed ones restart (losing their state), unchanged ones keep
// running undisturbed. The checks live until ctx ends or Stop.
func (m *Monitor) Update(ctx context.Context, targets []Target) {
	want := map[string]Target{}
	for _, t := range targets {
		want[t.Key()] = t
	}
	m.mu.Lock()
	var stopping []*worker
	for k, w := range m.workers {
		if t, ok := want[k]; !ok || t.spec() != w.spec {
			w.cancel()
			stopping = append(stopping, w)
			delete(m.workers, k)
		}
	}
	for k, t := range want {
		if w, ok := m.workers[k]; ok {
			// Same check: take the new weight and load command; a
			// load-adjusted weight of the old weight starts over.
			if w.target.Weight != t.Weight || !slices.Equal(w.target.Load, t.Load) {
				w.target.Weight, w.target.Load = t.Weight, t.Load
				w.status.LoadWeight = 0
			}
			continue
		}
		wctx, cancel := context.WithCancel(ctx)
		w := &worker{target: t, spec: t.spec(), cancel: cancel, done: make(chan struct{}),
			status: ServerStatus{Virtual: t.Virtual, Server: t.Server, Address: t.Addr.String(), State: Unknown}}
		m.workers[k] = w
		go m.run(wctx, w)
	}
	m.mu.Unlock()
	for _, w := range stopping {
		<-w.done
	}
}

// Stop stops every check and waits for them.
func (m *Monitor) Stop() {
	m.Update(context.Background(), nil)
}

func (m *Monitor) run(ctx context.Context, w *worker) {
	defer close(w.done)
	m.mu.Lock() // Update changes the target's weight and load command in place
	tr := tracker{reentry: w.target.Reentry}
	t := w.target
	m.mu.Unlock()
	var lastAdjust time.Time
	for {
		r := m.check(ctx, &t)
		if ctx.Err() != nil {
			return // stopped mid-check: the result means nothing
		}
		now := time.Now()
		changed := tr.observe(now, r.OK)
		m.mu.Lock()
		// Update changes these in place on a reload.
		weight, load := w.target.Weight, w.target.Load
		st := &w.status
		st.Checks++
		if !r.OK {
			st.Failures++
		}
		rc := r
		st.LastCheck = &rc
		st.State = tr.state
		st.EverUp = tr.everUp
		st.LastTransition = tr.transition
		var ev *Event
		if changed {
			ev = &Event{Virtual: t.Virtual, Server: t.Server, Address: t.Addr.String(), State: tr.state,
				Reason: r.Reason, Answer: r.Answer, Latency: r.Latency, At: now}
			if r.OK {
				ev.Reason = "check passed"
			}
			m.events = append(m.events, *ev)
			if len(m.events) > keepEvents {
				m.events = append(m.events[:0:0], m.events[len(m.events)-keepEvents:]...)
			}
		}
		m.mu.Unlock()
		if ev != nil && m.onEvent != nil {
			m.onEvent(*ev)
		}
		if load != nil {
			m.adjustLoad(ctx, w, weight, load, &tr, &lastAdjust)
		}
		// nanny sleeps one interval after each check.
		select {
		case <-ctx.Done():
			return
		case <-time.After(t.Interval):
		}
	}
}

// adjustLoad is nanny's load monitoring for one server: once its slow start
// is over, every adjust period, the load command's answer moves the
// weight the table uses (AdjustWeight). A server that is not up starts
// again from its configured weight when it returns.
func (m *Monitor) adjustLoad(ctx context.Context, w *worker, weight int, load []string, tr *tracker, last *time.Time) {
	interval := w.target.Interval // not changed in place: a new interval is a new check
	now := time.Now()
	full := max(weight, 1)
	if tr.state != Up || slowStart(weight, interval, now.Sub(tr.transition), m.step) < full {
		m.mu.Lock()
		w.status.LoadWeight = 0
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
	*last = time.Now()
	r := &LoadReading{Average: avg, At: *last}
	m.mu.Lock()
	defer m.mu.Unlock()
	if err != nil {
		r.Error = err.Error()
	} else {
		cur := w.status.LoadWeight
		if cur == 0 {
			cur = full
		}
		if nw, ok := AdjustWeight(full, cur, avg); ok {
			cur = nw
		}
		w.status.LoadWeight = cur
	}
	w.status.Load = r
}

// Status lists every real server, sorted by virtual and server name.
func (m *Monitor) Status() []ServerStatus {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]ServerStatus, 0, len(m.workers))
	for _, w := range m.workers {
		s := w.status
		if s.LastCheck != nil {
			c := *s.LastCheck
			s.LastCheck = &c
		}
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Virtual != out[j].Virtual {
			return out[i].Virtual < out[j].Virtual
		}
		return out[i].Server < out[j].Server
	})
	return out
}

// Events returns the recent transitions, oldest first.
func (m *Monitor) Events() []Event {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]Event(nil), m.events...)
}

// Health maps "virtual/server" to the server's state, for the table
// applier.
func (m *Monitor) Health() map[string]ServerStatus {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make(map[string]ServerStatus, len(m.workers))
	for k, w := range m.workers {
		out[k] = w.status
	}
	return out
}
