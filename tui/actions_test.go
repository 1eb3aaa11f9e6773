package tui

import (
	"strings"
	"syscall"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/lvsadm/lvsadm/ops"
	rules "github.com/lvsadm/lvsadm/ops/ipvsadm"
)

// thresholdSnaps is twoSnaps with 10.0.1.2:80 carrying thresholds, so that
// putting it back must send more than forwarding and weight.
func thresholdSnaps() *fakeSource {
	src := twoSnaps()
	for i := range src.snaps {
		d := &src.snaps[i].Services[0].Destinations[1]
		d.UThreshold, d.LThreshold = 100, 10
	}
	return src
}

// screenLines are the lines of the model's screen that contain sub.
func screenLines(m *Model, sub string) []string {
	var out []string
	for _, l := range strings.Split(m.View().Content, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return out
}

func TestTakeOutAndPutBack(t *testing.T) {
	src := thresholdSnaps()
	m := newTestModel(t, src, 80, 24)
	orig := src.snaps[0].Services[0].Destinations[1]
	press(t, m, "x")
	if m.mode != modeNormal || !strings.Contains(m.status, "select a real server") {
		t.Errorf("x on a service: mode %v status %q", m.mode, m.status)
	}
	press(t, m, "j", "j", "x")
	if m.mode != modeConfirm {
		t.Fatalf("x: mode %v", m.mode)
	}
	if q := m.statusLine(80); q != "Take 10.0.1.2:80 out? Its traffic is dropped: its connections are cut. [y/N]" {
		t.Errorf("question %q", q)
	}
	press(t, m, "n")
	if len(src.removes) != 0 || len(m.removed) != 0 {
		t.Fatalf("n took it out: %v", src.removes)
	}
	press(t, m, "x", "y")
	if len(src.removes) != 1 || !src.removes[0].dest.Address.Equal(orig.Address) || src.removes[0].key.Port != 80 {
		t.Fatalf("removes %+v", src.removes)
	}
	if st := statusText(m); st != "taken out; u on its row puts it back (lvsadm -d -t 10.0.0.1:80 -r 10.0.1.2:80)" {
		t.Errorf("status %q", st)
	}
	// The refresh after the deletion no longer lists it: its ghost does,
	// selected still, and a later refresh keeps it.
	press(t, m, "ctrl+r")
	ghost := screenLines(m, "-> 10.0.1.2:80")
	if len(ghost) != 1 || !strings.Contains(ghost[0], "OUT") || !strings.Contains(ghost[0], "taken out by you; u puts it back") ||
		!strings.HasPrefix(ghost[0], ">") {
		t.Fatalf("ghost row %q in\n%s", ghost, m.View().Content)
	}
	if r, _ := m.selectedRow(); r.ghost == nil {
		t.Fatalf("the selection left the ghost: %+v", r)
	}
	if d := m.servicesDetail(); d[0] != "taken out; u puts it back: lvsadm -a -t 10.0.0.1:80 -r 10.0.1.2:80 -m -w 3 -x 100 -y 10" {
		t.Errorf("detail %q", d[0])
	}
	// On the ghost, d w x say what u does.
	press(t, m, "d")
	if m.mode != modeNormal || !strings.Contains(m.status, "u puts it back") {
		t.Errorf("d on the ghost: %v %q", m.mode, m.status)
	}
	press(t, m, "u")
	if q := m.statusLine(80); q != "Put 10.0.1.2:80 in tcp 10.0.0.1:80 back (masq, weight 3)? [y/N]" {
		t.Errorf("question %q", q)
	}
	press(t, m, "y")
	if len(src.restores) != 1 {
		t.Fatalf("restores %+v", src.restores)
	}
	got := src.restores[0]
	if got.key.String() != "tcp 10.0.0.1:80" || !got.dest.Address.Equal(orig.Address) || got.dest.Port != orig.Port ||
		got.dest.ConnFlags != orig.ConnFlags || got.dest.Weight != orig.Weight || got.dest.UThreshold != 100 ||
		got.dest.LThreshold != 10 || got.dest.TunType != orig.TunType || got.dest.Family != orig.Family {
		t.Errorf("put back %+v, want %+v", got.dest, orig)
	}
	if st := statusText(m); st != "put back (lvsadm -a -t 10.0.0.1:80 -r 10.0.1.2:80 -m -w 3 -x 100 -y 10)" {
		t.Errorf("status %q", st)
	}
	// The refresh lists it: the ghost is gone, its kernel row selected.
	if len(m.removed) != 0 {
		t.Errorf("ghosts left: %v", m.removed)
	}
	if r, _ := m.selectedRow(); !r.isDest() || selectedLabel(m) != "10.0.1.2:80" {
		t.Errorf("selected %q", selectedLabel(m))
	}
	if l := screenLines(m, "-> 10.0.1.2:80"); len(l) != 1 || strings.Contains(l[0], "OUT") {
		t.Errorf("row %q", l)
	}
}

func TestGhostGoesWhenSomeoneElsePutsItBack(t *testing.T) {
	src := twoSnaps()
	m := newTestModel(t, src, 80, 24)
	press(t, m, "j", "j", "x", "y")
	g := m.removed[m.rows[m.cursor].id]
	if g == nil {
		t.Fatalf("no ghost after x y")
	}
	// A refresh that started before the deletion still lists the
	// server: that is no proof of anyone adding it back.
	old := table(2, t0.Add(time.Second))
	m.Update(snapshotMsg{snap: old, gen: g.since - 1})
	if len(m.removed) != 1 {
		t.Fatalf("a stale refresh dropped the ghost")
	}
	if l := screenLines(m, "-> 10.0.1.2:80"); len(l) != 1 || strings.Contains(l[0], "OUT") {
		t.Errorf("with the kernel listing it, its kernel row shows: %q", l)
	}
	press(t, m, "ctrl+r")
	if l := screenLines(m, "-> 10.0.1.2:80"); len(l) != 1 || !strings.Contains(l[0], "OUT") {
		t.Fatalf("ghost %q", l)
	}
	// ipvsadm -a elsewhere: the table lists it again.
	src.mu.Lock()
	src.gone = nil
	src.mu.Unlock()
	press(t, m, "ctrl+r")
	if len(m.removed) != 0 {
		t.Errorf("the ghost stays after the server came back")
	}
	if l := screenLines(m, "-> 10.0.1.2:80"); len(l) != 1 || strings.Contains(l[0], "OUT") {
		t.Errorf("row %q", l)
	}
}

func TestTakeOutErrorLeavesNoGhost(t *testing.T) {
	src := twoSnaps()
	src.editErr = &ops.KernelError{Op: ops.OpDelDest, Errno: syscall.EPERM}
	m := newTestModel(t, src, 80, 24)
	press(t, m, "j", "x", "y")
	if !m.statusErr || !strings.HasPrefix(m.status, "error: ") || len(m.removed) != 0 {
		t.Errorf("status %q (err %v), ghosts %v", m.status, m.statusErr, m.removed)
	}
	press(t, m, "Z")
	if !m.statusErr || !strings.HasPrefix(m.status, "error: ") {
		t.Errorf("zero error: %q", m.status)
	}
}

func TestZeroCounters(t *testing.T) {
	src := twoSnaps()
	m := newTestModel(t, src, 80, 24)
	_, cmd := m.Update(tickMsg{gen: m.gen})
	feed(t, m, cmd)
	sid := m.rows[0].id
	if _, ok := m.rateOf(sid, ops.Stats{}); !ok {
		t.Fatalf("no rate before the zero")
	}
	// Counters that, after the zero, grew past their old values by the
	// next reading do not go backwards: the rate must still wait for
	// two readings after the zero.
	src.mu.Lock()
	src.snaps, src.n = []Snapshot{table(3, t0.Add(2*time.Second)), table(4, t0.Add(3*time.Second))}, 0
	src.mu.Unlock()
	press(t, m, "Z")
	if len(src.zeros) != 1 || src.zeros[0].String() != "tcp 10.0.0.1:80" {
		t.Fatalf("zeros %v", src.zeros)
	}
	if st := statusText(m); st != "zeroed the counters of the service and its real servers (lvsadm -Z -t 10.0.0.1:80)" {
		t.Errorf("status %q", st)
	}
	if _, ok := m.rateOf(sid, ops.Stats{}); ok {
		t.Errorf("a rate over the zero")
	}
	if _, ok := m.rateOf(m.rows[1].id, ops.Stats{}); ok {
		t.Errorf("a real server's rate over the zero")
	}
	if _, ok := m.rateOf(m.rows[3].id, ops.Stats{}); !ok {
		t.Errorf("the other service lost its rate")
	}
	_, cmd = m.Update(tickMsg{gen: m.gen})
	feed(t, m, cmd)
	if _, ok := m.rateOf(sid, ops.Stats{}); !ok {
		t.Errorf("no rate two readings after the zero")
	}
	// On a real server, Z zeroes its service.
	press(t, m, "G", "Z")
	if len(src.zeros) != 2 || src.zeros[1].String() != "tcp 10.0.0.2:443" ||
		!strings.HasSuffix(statusText(m), "(lvsadm -Z -t 10.0.0.2:443)") {
		t.Errorf("zeros %v status %q", src.zeros, statusText(m))
	}
}

func TestZeroDistrustsRefreshesDuringIt(t *testing.T) {
	m := newTestModel(t, twoSnaps(), 80, 24)
	sid := m.rows[0].id
	// Z pressed, the zero not answered yet: a refresh arriving now may
	// have read either side of it.
	m.Update(keyMsg(t, "Z"))
	m.Update(snapshotMsg{snap: table(2, t0.Add(time.Second)), gen: m.gen})
	if _, ok := m.rateOf(sid, ops.Stats{}); ok {
		t.Errorf("a rate from a refresh during the zero")
	}
}

func TestReadOnlyRefusesTheTableActions(t *testing.T) {
	src := twoSnaps()
	m := NewModel(t.Context(), src, Options{Interval: time.Millisecond, ReadOnly: true, Now: func() time.Time { return t0 }})
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	feed(t, m, m.Init())
	for _, k := range []string{"Z", "j", "x", "u", "Z"} {
		press(t, m, k)
		if k != "j" && (m.mode != modeNormal || !strings.HasPrefix(m.status, "read-only")) {
			t.Errorf("%s: mode %v status %q", k, m.mode, m.status)
		}
	}
	if len(src.removes)+len(src.restores)+len(src.zeros)+len(src.sets) != 0 {
		t.Errorf("read-only changed the table")
	}
}

func TestStatusKeepsTheCommand(t *testing.T) {
	cli := "lvsadm -e -t 10.0.0.1:80 -r 10.0.1.2:80 -m -w 0"
	if got := withCLI("drained", cli, 80); got != "drained ("+cli+")" {
		t.Errorf("fits: %q", got)
	}
	// Too long: the message is cut, the command stays whole.
	got := withCLI(strings.Repeat("m", 60), cli, 80)
	if len(got) != 80 || !strings.HasSuffix(got, "~ ("+cli+")") {
		t.Errorf("cut: %q", got)
	}
	// Not even the command fits: the end goes.
	if got := withCLI("drained", cli, 30); len(got) != 30 || !strings.HasPrefix(got, "drained (lvsadm") {
		t.Errorf("narrow: %q", got)
	}
}

// The put-back command is the remembered server: read back by the rules
// parser (what lvsadm -R makes of the line), it is the same destination.
func TestPutBackCommandMeansTheSameServer(t *testing.T) {
	key := svcKey("10.0.0.1", 80)
	d := dest("10.0.1.1", 80, 7, 0, 0, ops.Stats{})
	d.ConnFlags, d.TunType, d.TunPort, d.TunFlags = ops.FwdTunnel, ops.TunGUE, 6080, ops.TunFlagCsum
	d.UThreshold, d.LThreshold = 100, 10
	cli := editCLI(pendingEdit{act: actPutBack, key: key, dest: d})
	svcs, err := rules.ParseRules([]string{"-A -t 10.0.0.1:80 -s wlc", strings.TrimPrefix(cli, "lvsadm ")})
	if err != nil {
		t.Fatalf("%s: %v", cli, err)
	}
	got := svcs[0].Destinations[0]
	if !got.Address.Equal(d.Address) || got.Port != d.Port || got.ConnFlags&ops.FwdMask != ops.FwdTunnel || got.Weight != 7 ||
		got.UThreshold != 100 || got.LThreshold != 10 || got.TunType != ops.TunGUE || got.TunPort != 6080 || got.TunFlags != ops.TunFlagCsum {
		t.Errorf("%s reads back as %+v, want %+v", cli, got, d)
	}
}
