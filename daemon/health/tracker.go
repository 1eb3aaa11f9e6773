package health

import "time"

// State of a real server.
type State string

const (
	Unknown State = "unknown" // not checked yet: not in the table
	Up      State = "up"
	Down    State = "down"
)

// tracker turns check results into up/down transitions (nanny's run loop).
type tracker struct {
	reentry    time.Duration
	state      State
	everUp     bool
	goodSince  time.Time // start of the current run of good checks; zero when the last check failed
	transition time.Time
}

// observe records one result at time now and reports whether the state
// changed.
func (tr *tracker) observe(now time.Time, ok bool) bool {
	if tr.state == "" {
		tr.state = Unknown
	}
	if !ok {
		tr.goodSince = time.Time{}
		if tr.state != Down {
			tr.state = Down
			tr.transition = now
			return true
		}
		return false
	}
	if tr.goodSince.IsZero() {
		tr.goodSince = now
	}
	if tr.state == Up {
		return false
	}
	// The first check ever brings a server up at once; a server that went
	// down needs reentry seconds of good checks.
	if tr.state == Unknown || now.Sub(tr.goodSince) >= tr.reentry {
		tr.state = Up
		tr.everUp = true
		tr.transition = now
		return true
	}
	return false
}
