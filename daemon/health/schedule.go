package health

import (
	"container/heap"
	"context"
	"math/rand/v2"
	"sync"
	"time"
)

// DefaultConcurrency is how many checks run at once unless
// WithConcurrency says otherwise. Each holds a socket or a process; the
// bound keeps a farm of thousands from opening thousands at the same
// instant, while a slot held by a hanging check (up to its timeout) still
// leaves room for the others.
const DefaultConcurrency = 256

// clock is the time the scheduler runs on; tests drive a fake one so that
// nothing depends on how fast a loaded machine is.
type clock interface {
	Now() time.Time
	// Timer returns a channel that receives once d has passed, and a
	// function that releases the timer early.
	Timer(d time.Duration) (<-chan time.Time, func() bool)
}

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

func (realClock) Timer(d time.Duration) (<-chan time.Time, func() bool) {
	t := time.NewTimer(d)
	return t.C, t.Stop
}

// probe is one check definition (Target.checkSpec), run once per round
// for every target that shares it.
type probe struct {
	spec   checkSpec
	target *Target // the check to run: the first subscriber's
	// ctx ends when the last subscriber leaves, which stops a running
	// check at once.
	ctx     context.Context
	cancel  context.CancelFunc
	subs    []*worker
	due     time.Time
	index   int // in Monitor.queue; -1 while running or stopped
	running bool
	// fanning is true while a run hands its result to the subscribers;
	// Update waits for it before returning from removing one, so a removed
	// target sends no event after Update returns.
	fanning bool
}

// queue is a min-heap of the probes waiting for their next run.
type queue []*probe

func (q queue) Len() int           { return len(q) }
func (q queue) Less(i, j int) bool { return q[i].due.Before(q[j].due) }
func (q queue) Swap(i, j int) {
	q[i], q[j] = q[j], q[i]
	q[i].index, q[j].index = i, j
}
func (q *queue) Push(x any) {
	p := x.(*probe)
	p.index = len(*q)
	*q = append(*q, p)
}
func (q *queue) Pop() any {
	old := *q
	p := old[len(old)-1]
	old[len(old)-1] = nil
	p.index = -1
	*q = old[:len(old)-1]
	return p
}

// scheduleFirstLocked places the first run of probes that gained a target.
// A batch of n is spread evenly over interval * min(1, n/limit): a start
// or a large reload fills the interval instead of firing every check at
// once, while a reload that adds a server or two checks it at once. A
// probe already queued only moves earlier, for its new target.
func (m *Monitor) scheduleFirstLocked(now time.Time, probes []*probe) {
	n := len(probes)
	share := min(1, float64(n)/float64(cap(m.slots)))
	for i, p := range probes {
		// In floats: interval × i would overflow for long timeouts and
		// large farms.
		due := now.Add(time.Duration(float64(p.target.Interval) * share * float64(i) / float64(n)))
		switch {
		case p.running:
			// Its result reaches the new target too.
		case p.index < 0:
			p.due = due
			heap.Push(&m.queue, p)
		case due.Before(p.due):
			p.due = due
			heap.Fix(&m.queue, p.index)
		}
	}
	m.wakeLocked()
}

// nextDue is when a probe runs again after a run from start to end: one
// interval after it started, with a jitter of up to 5% either way so that
// checks started together drift apart. A run that overran its interval
// (a server that hangs until the timeout) waits one interval after it
// ended, as nanny sleeps after each check, so hanging servers do not hold
// the concurrency slots all the time.
func nextDue(interval time.Duration, start, end time.Time) time.Time {
	interval = max(interval, time.Millisecond) // Targets never gives less; a caller might
	jitter := time.Duration(rand.Int64N(int64(interval/10)+1)) - interval/20
	next := start.Add(interval + jitter)
	if next.Before(end) {
		next = end.Add(interval + jitter)
	}
	return next
}

// wakeLocked tells the dispatcher that the queue changed, starting it if
// there is work and it is not running.
func (m *Monitor) wakeLocked() {
	if m.dispatching == nil {
		if len(m.probes) == 0 {
			return
		}
		m.dispatching = make(chan struct{})
		go m.dispatch(m.dispatching)
	}
	select {
	case m.wake <- struct{}{}:
	default: // a wake-up is pending already
	}
}

// dispatch is the one goroutine that starts checks: it takes the probe due
// first once it is due and a slot is free, and hands it to a worker. It
// ends when no probe is left (Stop, or every target's context ended), and
// its workers with it.
func (m *Monitor) dispatch(done chan struct{}) {
	defer close(done)
	var pool workers
	defer pool.stop()
	// due says the first queued probe was due when last looked at, under
	// the lock that started the one before: a busy dispatcher takes the
	// lock once a check.
	due := false
	for {
		if !due {
			m.mu.Lock()
			if len(m.probes) == 0 {
				m.dispatching = nil
				m.mu.Unlock()
				return
			}
			var wait <-chan time.Time
			release := func() bool { return false }
			if len(m.queue) > 0 {
				if d := m.queue[0].due.Sub(m.clock.Now()); d > 0 {
					wait, release = m.clock.Timer(d)
				} else {
					due = true
				}
			}
			m.mu.Unlock()
			if !due {
				// Nothing due yet, or everything running: sleep until
				// the first is due or the queue changes.
				select {
				case <-wait:
				case <-m.wake:
				}
				release()
				continue
			}
		}
		select {
		case m.slots <- struct{}{}:
		case <-m.wake:
			due = false // the queue changed while every slot was taken
			continue
		}
		m.mu.Lock()
		now := m.clock.Now()
		if len(m.queue) == 0 || m.queue[0].due.After(now) {
			m.mu.Unlock()
			<-m.slots
			due = false
			continue
		}
		p := heap.Pop(&m.queue).(*probe)
		p.running = true
		m.inFlight++
		due = len(m.queue) > 0 && !m.queue[0].due.After(now)
		m.mu.Unlock()
		pool.hand(m, p)
	}
}

// workers run the checks. They live as long as the dispatcher, so a check
// does not pay for a new goroutine and its stack growing through a dial;
// there are never more than the concurrency bound, and no more than were
// needed at once.
type workers struct {
	jobs chan *probe
	n    int
	wg   sync.WaitGroup
}

// hand runs p on an idle worker, or a new one. The caller holds one of
// m's slots for p: when every worker exists, one of them has released its
// slot and is coming back for work.
func (w *workers) hand(m *Monitor, p *probe) {
	if w.jobs == nil {
		w.jobs = make(chan *probe)
	}
	select {
	case w.jobs <- p:
		return
	default:
	}
	if w.n == cap(m.slots) {
		w.jobs <- p
		return
	}
	w.n++
	w.wg.Go(func() {
		m.run(p)
		for p := range w.jobs {
			m.run(p)
		}
	})
}

// stop ends the workers once their checks, cancelled by then, have ended.
func (w *workers) stop() {
	if w.jobs != nil {
		close(w.jobs)
	}
	w.wg.Wait()
}
