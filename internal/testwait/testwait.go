// Package testwait lets a test wait for something that must happen
// without a time limit of its own: a limit such as "within 2 s" fails on a
// loaded machine (a health test failed with "Stop took 1.38s" against 1 s),
// while the test binary already has one (go test -timeout, 10 minutes by
// default). A wait here gives up shortly before that deadline, so a slow
// machine only makes a test slower, and a hang still fails with the
// wait's own message rather than the binary's panic.
package testwait

import (
	"testing"
	"time"
)

// noDeadline is how long a wait lasts when the binary has no deadline
// (go test -timeout 0): only a hang reaches it.
const noDeadline = 10 * time.Minute

// Deadline is when a wait in t gives up: a twentieth of the time left (at
// least a second, at most 30 s) before the test binary's deadline, kept
// for the failure to be reported and the cleanups to run.
func Deadline(t *testing.T) time.Time {
	d, ok := t.Deadline()
	if !ok {
		return time.Now().Add(noDeadline)
	}
	margin := min(max(time.Until(d)/20, time.Second), 30*time.Second)
	return d.Add(-margin)
}

// Patience is the time left until Deadline, for a context or a select.
func Patience(t *testing.T) time.Duration { return time.Until(Deadline(t)) }

// Until polls cond every few milliseconds until it holds; at Deadline it
// fails t with what it waited for and, when state is not nil, what state
// says then.
func Until(t *testing.T, what string, cond func() bool, state func() string) {
	t.Helper()
	deadline := Deadline(t)
	for !cond() {
		if time.Now().After(deadline) {
			if state != nil {
				t.Fatalf("timed out waiting for %s; %s", what, state())
			}
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
