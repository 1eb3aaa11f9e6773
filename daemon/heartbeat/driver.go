package heartbeat

import (
	"context"
	"sync"
	"time"
)

// Sender is the part of Transport the driver needs.
type Sender interface {
	Send([]byte) error
	Recv() <-chan Datagram
}

// filtering is the part of Transport that drops datagrams before its queue:
// the driver keeps its filter equal to the machine's configuration (the
// keyring changes on reload) and reports its drop counts. Test fakes need
// not implement it.
type filtering interface {
	SetFilter(Filter)
	Drops() Drops
}

// Driver runs a Machine against a transport and a clock, serialising every
// call into it, and hands each action other than sending to Handle.
type Driver struct {
	actMu  sync.Mutex // keeps actions in the order the machine produced them
	mu     sync.Mutex // guards m; never held while actions run, so Status stays quick
	m      *Machine
	tr     Sender
	now    func() time.Time
	handle func(Action)
	kick   chan struct{}
	// sendErrs limits the notices of failed sends (guarded by actMu): a
	// link that is down fails every keepalive, on every heartbeat.
	sendErrs noticeState
}

// NewDriver builds a driver. now defaults to time.Now. handle is called
// one action at a time, in the machine's order (from Run's goroutine or
// from Inject's caller); it may call Status but not Inject.
func NewDriver(m *Machine, tr Sender, now func() time.Time, handle func(Action)) *Driver {
	if now == nil {
		now = time.Now
	}
	d := &Driver{m: m, tr: tr, now: now, handle: handle, kick: make(chan struct{}, 1)}
	d.syncFilter()
	return d
}

// syncFilter gives the transport the machine's filter. The caller holds
// d.mu or owns d exclusively.
func (d *Driver) syncFilter() {
	if f, ok := d.tr.(filtering); ok {
		f.SetFilter(d.m.Filter())
	}
}

// Run drives the machine until ctx ends.
func (d *Driver) Run(ctx context.Context) error {
	timer := time.NewTimer(0)
	defer timer.Stop()
	due := d.now() // when the timer is due: lateness past deadtime is a stall
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-timer.C:
			d.checkStall(due)
			d.do(func(now time.Time) []Action { return d.m.Tick(now) })
		case dg := <-d.tr.Recv():
			// After a stall, the datagrams queued meanwhile come before
			// the timer: the stall is handled first either way.
			d.checkStall(due)
			d.do(func(now time.Time) []Action { return d.m.Receive(now, dg) })
		case <-d.kick:
		}
		if f, ok := d.tr.(filtering); ok {
			drops := f.Drops()
			d.do(func(now time.Time) []Action { return d.m.Dropped(now, drops) })
		}
		d.mu.Lock()
		wait := d.m.Next().Sub(d.now())
		d.mu.Unlock()
		if wait < 0 {
			wait = 0
		}
		if !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
		timer.Reset(wait)
		due = d.now().Add(wait)
	}
}

// checkStall tells the machine when its timer fired (or anything ran)
// more than a moment after it was due.
func (d *Driver) checkStall(due time.Time) {
	if late := d.now().Sub(due); late > 0 {
		d.do(func(now time.Time) []Action { return d.m.Stalled(now, late) })
	}
}

func (d *Driver) do(fn func(time.Time) []Action) {
	d.actMu.Lock()
	defer d.actMu.Unlock()
	d.mu.Lock()
	acts := fn(d.now())
	d.mu.Unlock()
	d.perform(acts)
}

func (d *Driver) perform(acts []Action) {
	for _, a := range acts {
		if a.Kind == ActSend {
			if err := d.tr.Send(a.Data); err != nil {
				for _, n := range d.sendErrs.limit(d.now(), err.Error(), 1) {
					d.handle(n)
				}
			}
			continue
		}
		d.handle(a)
	}
}

// Inject runs fn (ServicesFailed, Reconfigure, ...) inside the driver's
// serialisation and performs the actions it returns.
func (d *Driver) Inject(fn func(m *Machine, now time.Time) []Action) {
	d.do(func(now time.Time) []Action {
		acts := fn(d.m, now)
		// Reconfigure may have changed the keyring (reload): the readers
		// must drop what the machine would now refuse, and let through
		// what it would now accept.
		d.syncFilter()
		return acts
	})
	select {
	case d.kick <- struct{}{}: // timers may have changed
	default:
	}
}

// Status returns the machine's status.
func (d *Driver) Status() Status {
	d.mu.Lock()
	s := d.m.Status()
	d.mu.Unlock()
	// The counters as they are now, not as of the last wake-up: during a
	// flood that drops everything the driver only wakes every keepalive.
	if f, ok := d.tr.(filtering); ok {
		dr := f.Drops()
		s.DroppedForeign, s.DroppedForged, s.DroppedQueueFull = dr.Foreign, dr.Forged, dr.QueueFull
	}
	return s
}
