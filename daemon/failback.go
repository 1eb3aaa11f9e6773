package daemon

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"time"

	"github.com/lvsadm/lvsadm/daemon/control"
	"github.com/lvsadm/lvsadm/daemon/heartbeat"
	"github.com/lvsadm/lvsadm/lvscf"
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
// the partner's sync master sends, and with the sync by time that lvsadm
// sets (syncrefresh.go) the master sends every live connection at least
// every R seconds, delivered within syncDelivery. So once R +
// syncDelivery + one poll have passed since the wait began, every
// connection that carried a packet meanwhile is here; the watcher then
// takes back once no connection it had not seen before has appeared for
// three polls in a row. Entries the director already held when the wait
// began (its own leftovers: TIME_WAIT, or a stale copy of a connection the
// partner now carries) are the first poll's and never count as news, so
// they cannot make an empty table look caught up. A connection that
// carries no packet during the whole wait is not sent: the hold time
// bounds the wait for those.
const (
	failbackPoll      = time.Second
	failbackStableFor = 3 // polls without a new connection
)

// failbackMinWait is how long the partner's sync master needs to send
// every live connection once.
func failbackMinWait(cfg *lvscf.Config) time.Duration {
	return syncRefreshPeriod(cfg) + syncDelivery + failbackPoll
}

// failbackState is the watcher's view of the wait under way, for status.
type failbackState struct {
	since      time.Time // the machine's wait this state belongs to
	polled     bool
	conns      int
	seen       map[uint64]struct{} // connections seen since the wait began
	news       int                 // connections new since the first poll
	stable     int                 // consecutive polls without a new one
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
	if st.seen == nil {
		st.seen = map[uint64]struct{}{}
	}
	first := !st.polled
	n, fresh, err := seenConnections(ctx, d.o.Kernel, st.seen)
	now := time.Now()
	if err != nil {
		st.lastErr = err.Error()
		d.setFailback(st)
		return
	}
	st.lastErr = ""
	switch {
	case first || fresh > 0:
		if !first {
			st.news += fresh
		}
		st.stable, st.stableFrom = 0, now
	default:
		st.stable++
	}
	st.polled, st.conns = true, n
	d.setFailback(st)
	if st.stable < failbackStableFor || now.Sub(since) < failbackMinWait(cfg) {
		return
	}
	reason := fmt.Sprintf("the connection table has caught up (%d connections, %d received since the wait began, none new for %d polls)", n, st.news, st.stable)
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

// seenConnections reads the kernel's IPVS connection table (templates
// included) into seen, by a hash of each entry's addresses and ports; it
// returns the table's size and how many entries seen did not hold.
func seenConnections(ctx context.Context, k ops.Kernel, seen map[uint64]struct{}) (n, fresh int, err error) {
	if k == nil {
		return 0, 0, errors.New("no kernel")
	}
	cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	h := fnv.New64a()
	err = k.Connections(cctx, func(c *ops.Connection) error {
		n++
		h.Reset()
		fmt.Fprintf(h, "%s %s %d %s %d %s %d", c.Protocol, c.Client, c.CPort, c.Virtual, c.VPort, c.Dest, c.DPort)
		key := h.Sum64()
		if _, ok := seen[key]; !ok {
			seen[key] = struct{}{}
			fresh++
		}
		return nil
	})
	if err != nil {
		return 0, 0, fmt.Errorf("reading IPVS connections: %w", err)
	}
	return n, fresh, nil
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
