package heartbeat

import (
	"errors"
	"fmt"
	"time"
)

// Fail-back (lvs.cf's failback, an lvsadm extension). pulse never fails
// back: a returning primary hears the active backup's "running" and stays
// standby. With Config.Failback set, such a primary begins waiting; it
// takes the services back when the daemon says its sync backup has caught
// up with the partner's connection table (TakeBack), or at the latest
// Failback after the wait began (Tick), so a download through the backup
// is not cut by the take-back. The take-back is an ordinary activation:
// the primary sends "running" at once, and the active backup yields on it
// ("partner active: deactivating lvs", pulse's rule, which a piranha
// backup follows too).
//
// The wait ends without taking back when the partner stops being active
// ("stopped": the ordinary rules activate at once), falls silent (partner
// dead: takeover at once), or when this director's links or services fail
// (it takes nothing over until they are back; the next "running" starts a
// new wait). A reload that sets failback to 0 ends it; one that changes
// the hold keeps the wait's start.

// ErrNoTakeBack is wrapped by TakeBack's refusals.
var ErrNoTakeBack = errors.New("no take-back")

// startWaiting begins a fail-back wait: a standby primary has heard the
// backup running.
func (m *Machine) startWaiting(now time.Time) []Action {
	if m.cfg.Failback <= 0 || !m.awaitSince.IsZero() || m.linkFail || m.childFail {
		return nil
	}
	m.awaitSince = now
	return []Action{{Kind: ActInfo, Reason: fmt.Sprintf(
		"failback: the backup is active; taking the services back once the connection table has caught up, at most in %v", m.cfg.Failback)}}
}

// stopWaiting ends a fail-back wait without taking back.
func (m *Machine) stopWaiting(why string) []Action {
	if m.awaitSince.IsZero() {
		return nil
	}
	m.awaitSince = time.Time{}
	return []Action{{Kind: ActInfo, Reason: "failback: no longer waiting to take the services back: " + why}}
}

// holdEnds is when a fail-back wait under way takes back whatever the
// connection table says.
func (m *Machine) holdEnds() (time.Time, bool) {
	if m.awaitSince.IsZero() || m.cfg.Failback <= 0 {
		return time.Time{}, false
	}
	return m.awaitSince.Add(m.cfg.Failback), true
}

// Waiting reports whether this director is waiting to take the services
// back, and since when.
func (m *Machine) Waiting() (time.Time, bool) { return m.awaitSince, !m.awaitSince.IsZero() }

// TakeBack ends a fail-back wait by taking the services back (reason says
// why now, for the log): it activates and sends "running" at once, so the
// backup yields within a round trip. It refuses (an error wrapping
// ErrNoTakeBack, no action) unless this is a standby primary with
// failback set that is waiting, with its links and services fine, and
// has heard the partner within deadtime; nor within deadtime of yielding
// for a stall (Stalled).
func (m *Machine) TakeBack(now time.Time, reason string) ([]Action, error) {
	refuse := func(why string) ([]Action, error) {
		return nil, fmt.Errorf("%w: %s", ErrNoTakeBack, why)
	}
	switch {
	case !m.cfg.Primary:
		return refuse("only the primary takes the services back")
	case m.active:
		return refuse("already active")
	case m.cfg.Failback <= 0:
		return refuse("failback is 0: never")
	case m.linkFail:
		return refuse("a local link is down")
	case m.childFail:
		return refuse("the local services failed")
	case m.awaitSince.IsZero():
		return refuse("not waiting: the partner has not been heard active")
	case now.Sub(m.peer.LastHeard) > m.cfg.Deadtime:
		return refuse("the partner has not been heard for deadtime")
	case now.Sub(m.yieldedAt) < m.cfg.Deadtime:
		return refuse("yielded after a stall less than deadtime ago")
	}
	waited := now.Sub(m.awaitSince)
	m.awaitSince = time.Time{}
	m.active = true
	acts := []Action{{Kind: ActActivate, Reason: fmt.Sprintf("failback: %s after %v: taking the services back from the backup", reason, waited.Round(time.Millisecond))}}
	// "running" at once: the backup yields on it, so both are active for
	// a round trip rather than until the next keepalive.
	acts = append(acts, m.heartbeat(now)...)
	m.sendAt = now.Add(m.cfg.Keepalive)
	return acts, nil
}
