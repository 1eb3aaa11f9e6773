package health

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lvsadm/lvsadm/internal/testwait"
	"github.com/lvsadm/lvsadm/lvscf"
)

type eventLog struct {
	mu  sync.Mutex
	evs []Event
}

func (l *eventLog) add(e Event) { l.mu.Lock(); l.evs = append(l.evs, e); l.mu.Unlock() }

// wait returns the events once there are n, however long that takes on
// this machine (testwait: only a hang fails it).
func (l *eventLog) wait(t *testing.T, n int) []Event {
	t.Helper()
	var out []Event
	testwait.Until(t, fmt.Sprintf("%d events", n), func() bool {
		l.mu.Lock()
		defer l.mu.Unlock()
		out = append(out[:0], l.evs...)
		return len(out) >= n
	}, func() string { return fmt.Sprintf("have %+v", out) })
	return out
}

// TestMonitorUpDownUp: a server that stops listening goes down at the
// first check that starts after it stopped, and comes back after reentry
// once it listens again on the same port.
func TestMonitorUpDownUp(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ap := ln.Addr().(*net.TCPAddr).AddrPort()
	accept := func(ln net.Listener) {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}
	go accept(ln)

	var log eventLog
	var m *Monitor
	var checksAt []uint64 // the server's check count at each event
	m = NewMonitor(func(e Event) {
		st, _ := m.Lookup(e.Virtual + "/" + e.Server)
		log.mu.Lock()
		checksAt = append(checksAt, st.Checks)
		log.mu.Unlock()
		log.add(e)
	})
	defer m.Stop()
	tg := Target{Virtual: "web", Server: "rs1", Addr: ap.Addr(), Port: ap.Port(), Interval: 100 * time.Millisecond, Reentry: 500 * time.Millisecond}
	m.Update(context.Background(), []Target{tg})

	evs := log.wait(t, 1)
	if evs[0].State != Up {
		t.Fatalf("first event %+v, want up", evs[0])
	}
	ln.Close()
	// Counted, not timed: one check may have been under way at the close.
	closedAt, _ := m.Lookup("web/rs1")
	evs = log.wait(t, 2)
	if evs[1].State != Down || evs[1].Reason == "" {
		t.Fatalf("second event %+v, want down with a reason", evs[1])
	}
	log.mu.Lock()
	downAt := checksAt[1]
	log.mu.Unlock()
	if downAt > closedAt.Checks+2 {
		t.Errorf("down at check %d, the listener closed after check %d: want one of the next two", downAt, closedAt.Checks)
	}
	ln2, err := net.Listen("tcp", ap.String())
	if err != nil {
		t.Skipf("port %v taken meanwhile: %v", ap, err)
	}
	defer ln2.Close()
	go accept(ln2)
	restarted := time.Now()
	evs = log.wait(t, 3)
	if evs[2].State != Up {
		t.Fatalf("third event %+v, want up", evs[2])
	}
	if took := evs[2].At.Sub(restarted); took < tg.Reentry {
		t.Errorf("back up after %v, before reentry %v", took, tg.Reentry)
	}
	st := m.Status()
	if len(st) != 1 || st[0].State != Up || !st[0].EverUp || st[0].LastCheck == nil || !st[0].LastCheck.OK {
		t.Errorf("status %+v", st)
	}
	if got := len(m.Events()); got != 3 {
		t.Errorf("kept %d events, want 3", got)
	}
}

// TestMonitorStopIsPrompt: stopping ends checks that hang on a silent
// server by cancelling them, without waiting for their timeout: each
// check has ended, and ended as stopped rather than timed out, by the time
// Stop returns.
func TestMonitorStopIsPrompt(t *testing.T) {
	const n = 5
	var targets []Target
	for i := range n {
		ap := serveTCP(t, silent).addrPort()
		targets = append(targets, Target{Virtual: "v", Server: string(rune('a' + i)), Addr: ap.Addr(), Port: ap.Port(),
			Expect: "never", Interval: 30 * time.Second})
	}
	m := NewMonitor(nil)
	started := make(chan struct{}, n)
	var mu sync.Mutex
	var ended []string
	m.check = func(ctx context.Context, tg *Target) Result {
		started <- struct{}{}
		r := Check(ctx, tg)
		mu.Lock()
		ended = append(ended, r.Reason)
		mu.Unlock()
		return r
	}
	m.Update(context.Background(), targets)
	for range n {
		<-started
	}
	m.Stop()
	mu.Lock()
	defer mu.Unlock()
	if len(ended) != n {
		t.Fatalf("%d of %d checks ended when Stop returned", len(ended), n)
	}
	for _, reason := range ended {
		if !strings.Contains(reason, "check stopped") {
			t.Errorf("a check ended with %q, want it stopped", reason)
		}
	}
	if len(m.Status()) != 0 {
		t.Fatal("workers left after Stop")
	}
}

// TestMonitorUpdateKeepsUnchanged: a reload that does not change a check
// keeps its state; a changed one restarts.
func TestMonitorUpdateKeepsUnchanged(t *testing.T) {
	ap := serveTCP(t, silent).addrPort()
	a := Target{Virtual: "v", Server: "a", Addr: ap.Addr(), Port: ap.Port(), Interval: 50 * time.Millisecond}
	b := a
	b.Server = "b"
	var log eventLog
	m := NewMonitor(log.add)
	defer m.Stop()
	m.Update(context.Background(), []Target{a, b})
	log.wait(t, 2)
	before := m.Health()
	b2 := b
	b2.Interval = 60 * time.Millisecond
	reload := time.Now()
	m.Update(context.Background(), []Target{a, b2})
	after := m.Health()
	if after["v/a"].Checks < before["v/a"].Checks || !after["v/a"].LastTransition.Equal(before["v/a"].LastTransition) {
		t.Errorf("unchanged check a restarted: before %+v, after %+v", before["v/a"], after["v/a"])
	}
	// The restarted check starts from scratch: unknown, or up again with a
	// transition after the reload.
	if nb := after["v/b"]; nb.State != Unknown && nb.LastTransition.Before(reload) {
		t.Errorf("changed check b kept its state: %+v", nb)
	}
}

// TestMonitorUpdateVirtuals: an update of some virtual servers replaces
// their checks (added, changed, removed) and leaves every other one as it
// was, even one missing from the targets given.
func TestMonitorUpdateVirtuals(t *testing.T) {
	m := NewMonitor(nil, WithCheck(func(context.Context, *Target) Result { return Result{OK: true} }))
	defer m.Stop()
	tg := func(v, s string, port uint16) Target {
		return Target{Virtual: v, Server: s, Addr: netip.MustParseAddr("10.0.0.1"), Port: port, Interval: time.Hour}
	}
	m.Update(context.Background(), []Target{tg("v", "a", 1), tg("v", "b", 2), tg("w", "a", 3), tg("x", "a", 4)})
	before := m.workers["x/a"]
	keptV := m.workers["v/a"]
	m.UpdateVirtuals(context.Background(), []string{"v", "w"}, []Target{tg("v", "a", 1), tg("v", "c", 5), tg("w", "a", 6)})
	var keys []string
	for k := range m.workers {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if want := []string{"v/a", "v/c", "w/a", "x/a"}; !slices.Equal(keys, want) {
		t.Fatalf("checks %q, want %q", keys, want)
	}
	if m.workers["x/a"] != before || m.workers["v/a"] != keptV {
		t.Error("an unchanged check was restarted")
	}
	if m.workers["w/a"].target.Port != 6 {
		t.Errorf("changed check w/a has port %d, want 6", m.workers["w/a"].target.Port)
	}
	// The index UpdateVirtuals looks through holds every check once,
	// under its virtual server, and nothing else.
	m.Update(context.Background(), []Target{tg("v", "c", 5), tg("y", "a", 7)})
	n := 0
	for v, ws := range m.byVirtual {
		for w := range ws {
			if n++; w.target.Virtual != v || m.workers[w.target.Key()] != w {
				t.Errorf("index: %s under %q", w.target.Key(), v)
			}
		}
	}
	if n != len(m.workers) || len(m.workers) != 2 {
		t.Errorf("index holds %d checks, the monitor %d (want 2)", n, len(m.workers))
	}
}

func TestTargets(t *testing.T) {
	src := `primary = 10.0.0.1
network = direct
virtual web {
     active = 1
     address = 192.168.0.10 eth0:1
     port = 80
     server a {
         address = 10.0.1.1
         active = 1
     }
     server off {
         address = 10.0.1.2
         active = 0
     }
}
virtual smtp {
     active = 1
     address = 192.168.0.10 eth0:1
     port = 25
     send = "HELO x\r\n"
     expect = "^2[0-9][0-9] "
     use_regex = 1
     timeout = 2.5
     reentry = 30
     server m {
         address = 10.0.1.3
         port = 2525
         active = 1
     }
}
virtual dns {
     active = 1
     address = 192.168.0.11 eth0:2
     protocol = udp
     port = 53
     send_program = "/usr/local/bin/dnscheck  %h %p"
     expect = "OK"
     server d {
         address = 10.0.1.4
         active = 1
     }
}
virtual idle {
     active = 0
     address = 192.168.0.12 eth0:3
     server i {
         address = 10.0.1.5
         active = 1
     }
}
`
	f := lvscf.Parse("t.cf", []byte(src))
	cfg, diags := lvscf.Decode(f)
	if lvscf.HasErrors(diags) {
		t.Fatal(lvscf.FormatDiagnostics(diags))
	}
	ts, err := Targets(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(ts) != 3 {
		t.Fatalf("got %d targets, want 3: %+v", len(ts), ts)
	}
	web, smtp, dns := ts[0], ts[1], ts[2]
	if web.Key() != "web/a" || web.Send != defaultHTTPSend || web.Expect != "HTTP" || web.Interval != 10*time.Second || web.Reentry != 180*time.Second {
		t.Errorf("web: %+v", web)
	}
	if smtp.Send != "HELO x\r\n" || smtp.Regex == nil || smtp.Port != 2525 || smtp.Interval != 2500*time.Millisecond || smtp.Reentry != 30*time.Second {
		t.Errorf("smtp: %+v", smtp)
	}
	wantProg := []string{"/usr/local/bin/dnscheck", "10.0.1.4", "53"}
	if !dns.UDP || len(dns.Program) != 3 || dns.Program[0] != wantProg[0] || dns.Program[1] != wantProg[1] || dns.Program[2] != wantProg[2] || dns.Addr != netip.MustParseAddr("10.0.1.4") {
		t.Errorf("dns: %+v", dns)
	}
}

// TestMonitorKeepsLastEvents: the ring keeps the last keepEvents
// transitions, oldest first, however many there were.
func TestMonitorKeepsLastEvents(t *testing.T) {
	const interval = 10 * time.Second
	var mu sync.Mutex
	ok := false
	m, fc := fakeMonitor(t, nil, func(context.Context, *Target) Result {
		mu.Lock()
		defer mu.Unlock()
		ok = !ok
		return Result{OK: ok, Reason: "flapping"}
	})
	m.Update(context.Background(), distinctTargets(1, interval))
	const rounds = 2*keepEvents + 37
	for range rounds - 1 {
		settle(t, m, fc)
		fc.Advance(interval + interval/10)
	}
	settle(t, m, fc)
	evs := m.Events()
	if len(evs) != keepEvents {
		t.Fatalf("kept %d events after %d transitions, want %d", len(evs), rounds, keepEvents)
	}
	// Transitions alternate up, down, ...: the last of an odd count is up.
	for i, e := range evs {
		want := Up
		if (rounds-keepEvents+i)%2 == 1 {
			want = Down
		}
		if e.State != want || (i > 0 && !e.At.After(evs[i-1].At)) {
			t.Fatalf("event %d of the last %d: %+v, want %s, later than the one before", i, keepEvents, e, want)
		}
	}
}
