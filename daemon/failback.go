package daemon

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/lvsadm/lvsadm/daemon/control"
	"github.com/lvsadm/lvsadm/daemon/heartbeat"
	"github.com/lvsadm/lvsadm/ops"
)

// Fail-back (lvs.cf's failback): the heartbeat machine decides when a
// standby primary waits to take the services back from the active backup,
// and takes back by itself when the hold time passes (heartbeat/failback.go).
// What it cannot see is the connection table: this watcher polls it while
// the machine waits and asks for the take-back once the sync backup has
// caught up.
//
// "Caught up": the kernel's sync backup creates an entry in this
// director's IPVS connection table (services or not) for every connection
// the partner's sync master sends. The master sends a connection after its
// third packet and again every sync_period (50) packets, and flushes its
// buffer at least every 2 s; so a table that has not grown for three polls
// in a row, a second apart, at least failbackMinWait after the wait began,
// holds every connection that carried traffic meanwhile. No traffic at all
// (the count stays 0) takes back after that minimum. A connection that
// carries no packet during the wait is not sent again by the kernel (unless
// net.ipv4.vs.sync_refresh_period is set): the hold time bounds the wait
// for those.
const (
	failbackPoll      = time.Second
	failbackMinWait   = 3 * time.Second
	failbackStableFor = 3 // polls without growth
)

// failbackState is the watcher's view of the wait under way, for status.
type failbackState struct {
	since      time.Time // the machine's wait this state belongs to
	polled     bool
	conns      int
	stable     int // consecutive polls without growth
	stableFrom time.Time
	lastErr    string
}

// watchFailback polls the connection table while the heartbeat machine
// waits to take back, until ctx ends.
func (d *Daemon) watchFailback(ctx context.Context, drv *heartbeat.Driver) {
	t := time.NewTicker(failbackPoll)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			d.pollFailback(ctx, drv)
		case <-ctx.Done():
			return
		}
	}
}

func (d *Daemon) pollFailback(ctx context.Context, drv *heartbeat.Driver) {
	since := drv.Status().FailbackSince
	cfg := d.cfg()
	d.mu.Lock()
	st := d.failback
	d.mu.Unlock()
	if since.IsZero() {
		if !st.since.IsZero() {
			d.setFailback(failbackState{})
		}
		return
	}
	if !st.since.Equal(since) {
		st = failbackState{since: since} // a new wait
	}
	if !cfg.SyncDaemon {
		// No connection table to wait for: the hold time decides.
		d.setFailback(st)
		return
	}
	n, err := countConnections(ctx, d.o.Kernel)
	now := time.Now()
	if err != nil {
		st.lastErr = err.Error()
		d.setFailback(st)
		return
	}
	st.lastErr = ""
	switch {
	case !st.polled || n > st.conns:
		st.stable, st.stableFrom = 0, now
	default:
		st.stable++
	}
	st.polled, st.conns = true, n
	d.setFailback(st)
	if st.stable < failbackStableFor || now.Sub(since) < failbackMinWait {
		return
	}
	reason := fmt.Sprintf("the connection table has caught up (%d connections, unchanged for %d polls)", n, st.stable)
	var terr error
	drv.Inject(func(m *heartbeat.Machine, now time.Time) []heartbeat.Action {
		if s, ok := m.Waiting(); !ok || !s.Equal(since) {
			terr = errors.New("the wait ended meanwhile")
			return nil
		}
		acts, err := m.TakeBack(now, reason)
		terr = err
		return acts
	})
	if terr != nil {
		// The machine ended the wait or refuses (links, services): it
		// says why in its own events; nothing to force here.
		d.log.Debug("failback: no take-back", "err", terr)
	}
}

func (d *Daemon) setFailback(st failbackState) {
	d.mu.Lock()
	d.failback = st
	d.mu.Unlock()
}

// countConnections counts the entries of the kernel's IPVS connection
// table (templates included).
func countConnections(ctx context.Context, k ops.Kernel) (int, error) {
	if k == nil {
		return 0, errors.New("no kernel")
	}
	cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	n := 0
	err := k.Connections(cctx, func(*ops.Connection) error { n++; return nil })
	if err != nil {
		return 0, fmt.Errorf("counting IPVS connections: %w", err)
	}
	return n, nil
}

// failbackStatus is the wait under way for status; nil when none.
func (d *Daemon) failbackStatus(hb heartbeat.Status, now time.Time) *control.FailbackStatus {
	if hb.FailbackSince.IsZero() {
		return nil
	}
	s := &control.FailbackStatus{Since: hb.FailbackSince, HoldSeconds: hb.FailbackHold.Seconds()}
	d.mu.Lock()
	st := d.failback
	d.mu.Unlock()
	if st.since.Equal(hb.FailbackSince) {
		s.Polled, s.Connections, s.LastError = st.polled, st.conns, st.lastErr
		if st.polled {
			s.StableSeconds = now.Sub(st.stableFrom).Round(time.Second).Seconds()
		}
	}
	return s
}
