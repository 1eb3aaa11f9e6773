package heartbeat

import (
	"context"
	"sync"
	"testing"
	"time"
)

// TestStalledYields: a director that did not run for longer than deadtime
// (frozen by SIGSTOP, a paused VM) finds the partner has taken over: it
// gives the services up at once, does not take them back on the "stopped"
// heartbeats queued while it was frozen, stays standby on the partner's
// "running", and takes over again on "stopped" once a deadtime has passed
// (the partner really gave up).
func TestStalledYields(t *testing.T) {
	cfg := baseConfig(true)
	cfg.ForceActive = true
	m, _, err := New(cfg, t0)
	if err != nil {
		t.Fatal(err)
	}
	now := t0.Add(time.Second)
	if acts := m.Stalled(now, cfg.Deadtime/2); acts != nil {
		t.Fatalf("a late timer within deadtime yielded: %v", acts)
	}
	now = now.Add(5 * time.Second)
	acts := m.Stalled(now, 5*time.Second)
	if len(acts) != 1 || acts[0].Kind != ActDeactivate || m.Active() {
		t.Fatalf("after a 5 s stall: %v, active %v; want one deactivate", acts, m.Active())
	}
	stopped := Datagram{From: peerPub, Link: Public, Data: EncodePlain(MagicStopped)}
	running := Datagram{From: peerPub, Link: Public, Data: EncodePlain(MagicRunning)}
	for i := range 3 { // queued while frozen
		if acts := m.Receive(now.Add(time.Duration(i)*time.Millisecond), stopped); hasKind(acts, ActActivate) {
			t.Fatalf("took the services back on a stale 'stopped': %v", acts)
		}
	}
	if acts := m.Receive(now.Add(10*time.Millisecond), running); hasKind(acts, ActActivate) || hasKind(acts, ActRearp) || m.Active() {
		t.Fatalf("on the partner's 'running': %v", acts)
	}
	// The other link's queue may deliver an older "stopped" after it.
	if acts := m.Receive(now.Add(20*time.Millisecond), stopped); hasKind(acts, ActActivate) {
		t.Fatalf("took the services back on a stale 'stopped' after the partner's 'running': %v", acts)
	}
	// The partner gives up after that: the primary's rule applies again.
	if acts := m.Receive(now.Add(cfg.Deadtime+time.Second), stopped); !hasKind(acts, ActActivate) {
		t.Fatalf("no takeover on 'stopped' a deadtime after yielding: %v", acts)
	}
	// A lone director (no backup) keeps going whatever the stall.
	lone := baseConfig(true)
	lone.BackupActive, lone.ForceActive = false, true
	l, _, _ := New(lone, t0)
	if acts := l.Stalled(t0.Add(time.Minute), time.Minute); acts != nil || !l.Active() {
		t.Fatalf("a lone director yielded: %v", acts)
	}
}

func hasKind(acts []Action, k ActionKind) bool {
	for _, a := range acts {
		if a.Kind == k {
			return true
		}
	}
	return false
}

// TestDriverTellsStalls: the driver measures how late its own timer fires
// (here a clock that jumps while the timer waits, as it does for a
// process that was stopped) and hands a stall past deadtime to the
// machine, which yields.
func TestDriverTellsStalls(t *testing.T) {
	cfg := baseConfig(true)
	cfg.ForceActive = true
	m, _, err := New(cfg, t0)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	now := t0
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	got := make(chan Action, 16)
	sent := make(chan struct{}, 16) // the failing link's notice: a heartbeat went out
	d := NewDriver(m, failingSender{make(chan Datagram)}, clock, func(a Action) {
		switch a.Kind {
		case ActDeactivate:
			got <- a
		case ActNotice:
			sent <- struct{}{}
		}
	})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	<-sent // the first tick ran at t0 and set the timer
	mu.Lock()
	now = now.Add(10 * time.Second) // the process "wakes" 10 s later
	mu.Unlock()
	select {
	case a := <-got:
		if d.Status().Role != "standby" {
			t.Errorf("after %q the role is %s", a.Reason, d.Status().Role)
		}
	case <-time.After(30 * time.Second): // a bound for a hung driver, not a timing
		t.Fatal("the driver did not hand the stall to the machine")
	}
	cancel()
	<-done
}

// TestLateCopyOverOtherLinkIsNotAReplay: each heartbeat goes out on both
// links, and the two links' readers can deliver heartbeat N over one
// link after N+1 over the other. That is not a replay: no rejection is
// counted (TestLabKill saw one at a keyed pair's start).
func TestLateCopyOverOtherLinkIsNotAReplay(t *testing.T) {
	cfg := baseConfig(true)
	p := newFakePeer(secretA)
	cfg.Keys = p.kr
	m, _, err := New(cfg, t0)
	if err != nil {
		t.Fatal(err)
	}
	m.Tick(t0) // a nonce for the partner to echo
	n := p.pkt(m, MagicStopped)
	n1 := p.pkt(m, MagicStopped)
	m.Receive(t0.Add(time.Millisecond), Datagram{From: peerPub, Link: Public, Data: n1})
	m.Receive(t0.Add(2*time.Millisecond), Datagram{From: peerPriv, Link: Private, Data: n})
	if st := m.Status(); st.Rejected != 0 {
		t.Errorf("the previous heartbeat over the other link counted as rejected: %q", st.LastReject)
	}
	// The same on the same link is a replay.
	m.Receive(t0.Add(3*time.Millisecond), Datagram{From: peerPub, Link: Public, Data: n})
	if st := m.Status(); st.Rejected != 1 {
		t.Errorf("an older heartbeat on the same link: rejected %d, want 1", st.Rejected)
	}
}
