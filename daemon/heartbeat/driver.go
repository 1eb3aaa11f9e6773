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
}

// NewDriver builds a driver. now defaults to time.Now. handle is called
// one action at a time, in the machine's order (from Run's goroutine or
// from Inject's caller); it may call Status but not Inject.
func NewDriver(m *Machine, tr Sender, now func() time.Time, handle func(Action)) *Driver {
	if now == nil {
		now = time.Now
	}
	return &Driver{m: m, tr: tr, now: now, handle: handle, kick: make(chan struct{}, 1)}
}

// Run drives the machine until ctx ends.
func (d *Driver) Run(ctx context.Context) error {
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-timer.C:
			d.do(func(now time.Time) []Action { return d.m.Tick(now) })
		case dg := <-d.tr.Recv():
			d.do(func(now time.Time) []Action { return d.m.Receive(now, dg) })
		case <-d.kick:
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
				d.handle(Action{Kind: ActNotice, Reason: err.Error()})
			}
			continue
		}
		d.handle(a)
	}
}

// Inject runs fn (ServicesFailed, Reconfigure, ...) inside the driver's
// serialisation and performs the actions it returns.
func (d *Driver) Inject(fn func(m *Machine, now time.Time) []Action) {
	d.do(func(now time.Time) []Action { return fn(d.m, now) })
	select {
	case d.kick <- struct{}{}: // timers may have changed
	default:
	}
}

// Status returns the machine's status.
func (d *Driver) Status() Status {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.m.Status()
}
