package heartbeat

import (
	"fmt"
	"testing"
	"time"
)

// TestSimultaneousStartNeverTwoActive: two directors started together (or
// up to half a deadtime apart, either first), over links of equal or very
// unequal latency, ticked in either order, signed or not, are never both
// active at any step, and end with exactly one active. pulse's rule (act on
// the partner's first "stopped") made both active until the backup heard
// "running" (issue 11, item 7).
func TestSimultaneousStartNeverTwoActive(t *testing.T) {
	const dt = time.Millisecond
	offsets := []time.Duration{0, dt, 7 * dt, 100 * dt, 250 * dt, 499 * dt, 900 * dt}
	delays := [][2]time.Duration{{dt, dt}, {dt, 200 * dt}, {200 * dt, dt}, {30 * dt, 30 * dt}}
	runs := 0
	for _, keyed := range []bool{false, true} {
		for _, off := range offsets {
			for _, backupFirst := range []bool{false, true} {
				for _, d := range delays {
					for _, tickLast := range []bool{false, true} {
						name := fmt.Sprintf("keyed=%v offset=%v backupFirst=%v delays=%v tickBackupFirst=%v", keyed, off, backupFirst, d, tickLast)
						var kr *Keyring
						if keyed {
							kr = NewKeyring(secretA)
						}
						s := newSim(t, kr)
						s.delay, s.tickLast = d, tickLast
						first, second := 0, 1
						if backupFirst {
							first, second = 1, 0
						}
						s.up = [2]bool{}
						s.start(first)
						startAt := s.now.Add(off)
						for s.now.Before(t0.Add(4 * time.Second)) {
							if !s.up[second] && !s.now.Before(startAt) {
								s.start(second)
							}
							s.step(dt)
						}
						runs++
						if s.bothActive != 0 {
							t.Errorf("%s: both active at %d steps", name, s.bothActive)
						}
						if s.m[0].Active() == s.m[1].Active() {
							t.Errorf("%s: active %v/%v at the end, want exactly one", name, s.m[0].Active(), s.m[1].Active())
						}
					}
				}
			}
		}
	}
	if runs != 2*len(offsets)*2*len(delays)*2 {
		t.Fatalf("ran %d interleavings", runs)
	}
}

// TestStartUpRuleKeepsTakeovers: the start-up rule delays nothing else.
// A lone primary or a forced-active director starts at once; a director
// whose partner is silent takes over after deadtime; a backup whose
// primary gives up (running, then stopped) takes over at once; and one
// whose primary can only say "stopped" (its services failed) takes over
// after hearing that for deadtime.
func TestStartUpRuleKeepsTakeovers(t *testing.T) {
	t.Run("forced active", func(t *testing.T) {
		c := simConfig(false, nil)
		c.ForceActive = true
		m, acts, err := New(c, t0)
		if err != nil || len(acts) != 1 || acts[0].Kind != ActActivate || !m.Active() {
			t.Fatalf("forced active: %+v %v", acts, err)
		}
	})
	t.Run("silent partner", func(t *testing.T) {
		s := newSim(t, NewKeyring(secretA))
		s.up = [2]bool{}
		s.start(1)
		at, ok := s.runUntil(5*time.Second, simStep, func() bool { return s.m[1].Active() })
		if !ok || at.Sub(t0) != s.cfg[1].Deadtime {
			t.Fatalf("backup alone active at +%v (%v), want at deadtime", at.Sub(t0), ok)
		}
	})
	t.Run("primary gives up", func(t *testing.T) {
		s := settle(t, NewKeyring(secretA))
		failed := s.now
		s.do(0, s.m[0].ServicesFailed(s.clock(0), "test"))
		at, ok := s.runUntil(5*time.Second, simStep, func() bool { return s.m[1].Active() })
		if !ok || at.Sub(failed) > s.cfg[0].Keepalive+2*simStep {
			t.Fatalf("backup active at +%v (%v) after the primary gave up, want within a keepalive", at.Sub(failed), ok)
		}
		if s.bothActive != 0 {
			t.Fatalf("both active at %d steps", s.bothActive)
		}
	})
	t.Run("primary that cannot start", func(t *testing.T) {
		s := newSim(t, NewKeyring(secretA))
		s.start(0)
		s.do(0, s.m[0].ServicesFailed(s.clock(0), "test")) // sends "stopped" for ever
		s.start(1)
		at, ok := s.runUntil(10*time.Second, simStep, func() bool { return s.m[1].Active() })
		if !ok || at.Sub(t0) > s.cfg[1].Deadtime+s.cfg[0].Keepalive+2*simStep || s.m[0].Active() {
			t.Fatalf("backup active at +%v (%v), want within deadtime and a keepalive of the start", at.Sub(t0), ok)
		}
	})
}
