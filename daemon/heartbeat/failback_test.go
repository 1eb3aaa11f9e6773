package heartbeat

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

func failbackConfig(primary bool, hold time.Duration) Config {
	c := baseConfig(primary)
	c.Failback = hold
	return c
}

// takeBack calls TakeBack and fails the test on any outcome but want
// (nil: a refusal mentioning refusal).
func takeBack(t *testing.T, m *Machine, now time.Time, want []ActionKind, refusal string) []Action {
	t.Helper()
	acts, err := m.TakeBack(now, "test")
	if refusal != "" {
		if !errors.Is(err, ErrNoTakeBack) || !strings.Contains(err.Error(), refusal) || acts != nil {
			t.Fatalf("TakeBack: %v %+v, want a refusal: %s", err, acts, refusal)
		}
		return nil
	}
	if err != nil || !reflect.DeepEqual(kinds(acts), want) {
		t.Fatalf("TakeBack: %v %v, want %v", kinds(acts), err, want)
	}
	return acts
}

func TestFailbackWaitAndTakeBack(t *testing.T) {
	running := recv(peerPub, Public, plain(MagicRunning))
	at := func(d time.Duration) time.Time { return t0.Add(d) }

	t.Run("a standby primary hearing the backup running waits, then takes back on TakeBack", func(t *testing.T) {
		m, _, _ := New(failbackConfig(true, 30*time.Second), t0)
		if got := kinds(running(m, at(time.Second))); !reflect.DeepEqual(got, []ActionKind{ActInfo}) {
			t.Fatalf("first running: %v, want the wait's start", got)
		}
		if got := running(m, at(1500*time.Millisecond)); len(got) != 0 {
			t.Fatalf("second running: %+v, want nothing (one wait)", got)
		}
		since, ok := m.Waiting()
		if st := m.Status(); !ok || !since.Equal(at(time.Second)) || !st.FailbackSince.Equal(since) || st.FailbackHold != 30*time.Second {
			t.Fatalf("waiting %v since %v, status %+v", ok, since, st)
		}
		running(m, at(4500*time.Millisecond))
		acts := takeBack(t, m, at(5*time.Second), []ActionKind{ActActivate, ActSend}, "")
		if !strings.Contains(acts[0].Reason, "failback: test after 4s") || acts[1].Reason != "running" {
			t.Fatalf("take-back actions %+v", acts)
		}
		if _, ok := m.Waiting(); ok || !m.Active() || !m.Status().FailbackSince.IsZero() {
			t.Fatalf("after the take-back: active %v, waiting %v", m.Active(), ok)
		}
		// The backup's last "running" (it yields on ours): re-ARP, no flap.
		if got := kinds(running(m, at(5100*time.Millisecond))); !reflect.DeepEqual(got, []ActionKind{ActRearp}) {
			t.Fatalf("running after the take-back: %v, want a re-ARP", got)
		}
		if got := recv(peerPub, Public, plain(MagicStopped))(m, at(5600*time.Millisecond)); len(got) != 0 || !m.Active() {
			t.Fatalf("stopped from the yielded backup: %+v, active %v", got, m.Active())
		}
	})

	t.Run("the hold time bounds the wait", func(t *testing.T) {
		m, _, _ := New(failbackConfig(true, 10*time.Second), t0)
		running(m, at(time.Second))
		for d := 1500 * time.Millisecond; d < 11*time.Second; d += 500 * time.Millisecond {
			running(m, at(d)) // the backup keeps the primary's needAt ahead
			if m.Next().After(at(11 * time.Second)) {
				t.Fatalf("Next %v is past the hold's end", m.Next())
			}
			if acts := m.Tick(at(d)); m.Active() {
				t.Fatalf("took back at %v, before the hold passed: %+v", d, acts)
			}
		}
		acts := m.Tick(at(11 * time.Second))
		if !m.Active() || !strings.Contains(acts[len(acts)-2].Reason, "hold time 10s passed") {
			t.Fatalf("hold passed: active %v, %+v", m.Active(), acts)
		}
	})

	t.Run("the backup stopping ends the wait: the primary activates at once", func(t *testing.T) {
		m, _, _ := New(failbackConfig(true, 30*time.Second), t0)
		running(m, at(time.Second))
		acts := recv(peerPub, Public, plain(MagicStopped))(m, at(2*time.Second))
		if !m.Active() || !strings.Contains(acts[0].Reason, "backup inactive") {
			t.Fatalf("stopped while waiting: %+v", acts)
		}
	})

	t.Run("the backup dying ends the wait: takeover after deadtime as always", func(t *testing.T) {
		m, _, _ := New(failbackConfig(true, 30*time.Second), t0)
		running(m, at(time.Second))
		acts := m.Tick(at(2500 * time.Millisecond))
		if !m.Active() || !strings.Contains(acts[len(acts)-1].Reason, "partner dead") {
			t.Fatalf("silent backup: %+v", acts)
		}
		if _, ok := m.Waiting(); ok {
			t.Fatal("still waiting after the takeover")
		}
	})

	t.Run("refusals", func(t *testing.T) {
		// failback 0 (piranha): no wait, no take-back.
		m, _, _ := New(failbackConfig(true, 0), t0)
		if got := running(m, at(time.Second)); len(got) != 0 {
			t.Fatalf("failback 0: %+v", got)
		}
		takeBack(t, m, at(2*time.Second), nil, "failback is 0")

		// The backup never takes back.
		m, _, _ = New(failbackConfig(false, 30*time.Second), t0)
		running(m, at(time.Second))
		takeBack(t, m, at(2*time.Second), nil, "only the primary")

		// Not waiting: the partner was not heard running.
		m, _, _ = New(failbackConfig(true, 30*time.Second), t0)
		takeBack(t, m, at(time.Second), nil, "not waiting")

		// Already active.
		m, _, _ = New(failbackConfig(true, 30*time.Second), t0)
		recv(peerPub, Public, plain(MagicStopped))(m, at(time.Second))
		takeBack(t, m, at(2*time.Second), nil, "already active")

		// A local link down ends the wait and refuses; the wait starts
		// again with the next "running" once the link is back.
		m, _, _ = New(failbackConfig(true, 30*time.Second), t0)
		running(m, at(time.Second))
		if got := kinds(m.LinkState(at(2*time.Second), false)); !reflect.DeepEqual(got, []ActionKind{ActNotice, ActInfo}) {
			t.Fatalf("link down while waiting: %v", got)
		}
		takeBack(t, m, at(2100*time.Millisecond), nil, "a local link is down")
		if m.Tick(at(40 * time.Second)); m.Active() {
			t.Fatal("took back after the hold with a link down")
		}
		m.LinkState(at(41*time.Second), true)
		running(m, at(41500*time.Millisecond))
		takeBack(t, m, at(42*time.Second), []ActionKind{ActActivate, ActSend}, "")

		// Services failed: the same.
		m, _, _ = New(failbackConfig(true, 30*time.Second), t0)
		running(m, at(time.Second))
		m.ServicesFailed(at(2*time.Second), "test")
		takeBack(t, m, at(2100*time.Millisecond), nil, "services failed")

		// A reload to failback 0 ends the wait; one that changes the
		// hold keeps its start.
		m, _, _ = New(failbackConfig(true, 30*time.Second), t0)
		running(m, at(time.Second))
		if err := m.Reconfigure(failbackConfig(true, 5*time.Second), at(2*time.Second)); err != nil {
			t.Fatal(err)
		}
		if hold, _ := m.holdEnds(); !hold.Equal(at(6 * time.Second)) {
			t.Fatalf("hold after a reload to 5s ends %v", hold)
		}
		if err := m.Reconfigure(failbackConfig(true, 0), at(3*time.Second)); err != nil {
			t.Fatal(err)
		}
		takeBack(t, m, at(3100*time.Millisecond), nil, "failback is 0")
		for d := 3500 * time.Millisecond; d < 10*time.Second; d += 500 * time.Millisecond {
			running(m, at(d))
			if m.Tick(at(d)); m.Active() {
				t.Fatalf("took back at %v after failback was reloaded to 0", d)
			}
		}
	})
}

// TestFailbackPair: the pair in the simulator. The backup runs alone and
// is active; the primary starts, waits, takes back: the backup yields
// within a round trip, and neither changes role again. The same with the
// hold time alone ending the wait, and with a keyed pair.
func TestFailbackPair(t *testing.T) {
	for _, tc := range []struct {
		name   string
		keys   *Keyring
		manual bool // TakeBack before the hold passes
	}{
		{"take-back", nil, true},
		{"hold time", nil, false},
		{"keyed take-back", NewKeyring(secretA), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			const dt = 10 * time.Millisecond
			s := newSim(t, tc.keys)
			s.cfg[0].Failback = 8 * time.Second
			s.up = [2]bool{}
			s.start(1)
			if _, ok := s.runUntil(5*time.Second, dt, s.m[1].Active); !ok {
				t.Fatal("the lone backup did not take over")
			}
			s.start(0)
			if _, ok := s.runUntil(5*time.Second, dt, func() bool { _, w := s.m[0].Waiting(); return w }); !ok {
				t.Fatal("the returning primary did not begin waiting")
			}
			if s.m[0].Active() || !s.m[1].Active() || s.bothActive != 0 {
				t.Fatalf("while waiting: primary %v, backup %v, both %d", s.m[0].Active(), s.m[1].Active(), s.bothActive)
			}
			if tc.manual {
				s.run(2*time.Second, dt)
				acts, err := s.m[0].TakeBack(s.clock(0), "caught up")
				if err != nil {
					t.Fatal(err)
				}
				s.do(0, acts)
			}
			changes, prev := 0, [2]bool{s.m[0].Active(), s.m[1].Active()}
			bothSteps := 0
			for end := s.now.Add(15 * time.Second); s.now.Before(end); {
				before := s.bothActive
				s.step(dt)
				if s.bothActive > before {
					bothSteps++
				}
				cur := [2]bool{s.m[0].Active(), s.m[1].Active()}
				if cur != prev {
					changes++
					prev = cur
				}
			}
			if !s.m[0].Active() || s.m[1].Active() {
				t.Fatalf("at the end: primary %v, backup %v", s.m[0].Active(), s.m[1].Active())
			}
			// A round trip of 2 ms is within one step; the hold-time case
			// also has its take-back in the loop (one more change).
			if bothSteps > 1 || changes > 2 {
				t.Errorf("both active at %d steps, %d role changes: want at most 1 and 2", bothSteps, changes)
			}
		})
	}
}
