package tui

import (
	"context"
	"errors"
	"net"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"

	"github.com/lvsadm/lvsadm/ops"
)

// fakeSource returns scripted snapshots, the last one repeatedly, and
// records weight changes. Real servers it was told to remove are left out
// of its snapshots until they are restored, as the kernel would.
type fakeSource struct {
	mu      sync.Mutex
	snaps   []Snapshot
	n       int
	err     error // returned by Snapshot when set
	setErr  error // returned by SetWeight when set
	sets    []fakeSet
	queries []ConnQuery
	conns   []ops.Connection // fed through a collector when asked

	editErr  error           // returned by RemoveServer, RestoreServer and Zero when set
	gone     map[string]bool // fakeDestKey of the servers removed
	removes  []fakeSet
	restores []fakeSet
	zeros    []ops.ServiceKey
}

func fakeDestKey(key ops.ServiceKey, d ops.Destination) string {
	return key.String() + " -> " + hostPort(d.Address, d.Port)
}

type fakeSet struct {
	key    ops.ServiceKey
	dest   ops.Destination
	weight int32
}

func (f *fakeSource) Snapshot(ctx context.Context, q ConnQuery) (Snapshot, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.queries = append(f.queries, q)
	if f.err != nil {
		return Snapshot{}, f.err
	}
	if len(f.snaps) == 0 {
		return Snapshot{}, errors.New("no snapshot")
	}
	i := f.n
	if i >= len(f.snaps) {
		i = len(f.snaps) - 1
	}
	f.n++
	s := f.snaps[i]
	if len(f.gone) > 0 {
		svcs := make([]ServiceSnapshot, len(s.Services))
		for i, ss := range s.Services {
			svcs[i] = ServiceSnapshot{Service: ss.Service}
			for _, d := range ss.Destinations {
				if !f.gone[fakeDestKey(ss.Service.ServiceKey, d)] {
					svcs[i].Destinations = append(svcs[i].Destinations, d)
				}
			}
		}
		s.Services = svcs
	}
	if q.Enabled {
		c := newConnCollector(q.Filter, q.Limit, q.RowsHint)
		for i := range f.conns {
			_ = c.add(&f.conns[i])
		}
		sum := c.summary()
		s.Conns = &sum
	}
	return s, nil
}

func (f *fakeSource) SetWeight(ctx context.Context, key ops.ServiceKey, d ops.Destination, w int32) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.setErr != nil {
		return f.setErr
	}
	f.sets = append(f.sets, fakeSet{key, d, w})
	return nil
}

var t0 = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

func svcKey(ip string, port uint16) ops.ServiceKey {
	return ops.ServiceKey{Family: ops.AFInet, Protocol: ops.ProtoTCP, Address: net.ParseIP(ip).To4(), Port: port}
}

func dest(ip string, port uint16, w int32, act, inact uint32, st ops.Stats) ops.Destination {
	return ops.Destination{Family: ops.AFInet, Address: net.ParseIP(ip).To4(), Port: port, ConnFlags: ops.FwdMasq,
		Weight: w, ActiveConns: act, InactConns: inact, Stats: st}
}

// table is a small table whose counters grow by k per second (k-th sample).
func table(k uint64, at time.Time) Snapshot {
	st := func(m uint64) ops.Stats {
		return ops.Stats{Conns: m * k * 10, InPkts: m * k * 100, OutPkts: m * k * 90, InBytes: m * k * 10000, OutBytes: m * k * 900000,
			CPS: 7, InPPS: 70, OutPPS: 60, InBPS: 7000, OutBPS: 600000}
	}
	return Snapshot{
		Info:  ops.Info{Version: 1<<16 | 2<<8 | 1, ConnTabSize: 4096},
		Taken: at,
		Services: []ServiceSnapshot{
			{Service: ops.Service{ServiceKey: svcKey("10.0.0.1", 80), Scheduler: "wlc", Stats: st(3)},
				Destinations: []ops.Destination{
					dest("10.0.1.1", 80, 1, 5, 10, st(1)),
					dest("10.0.1.2", 80, 3, 50, 100, st(2)),
				}},
			{Service: ops.Service{ServiceKey: svcKey("10.0.0.2", 443), Scheduler: "rr", Stats: st(1)},
				Destinations: []ops.Destination{
					dest("10.0.2.1", 443, 0, 0, 2, st(1)),
				}},
		},
	}
}

// newTestModel returns a model over src, sized w x h, after its first
// refresh.
func newTestModel(t *testing.T, src *fakeSource, w, h int) *Model {
	t.Helper()
	m := NewModel(context.Background(), src, Options{Interval: time.Millisecond,
		Profile: colorprofile.NoTTY, Now: func() time.Time { return t0 }})
	m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	feed(t, m, m.Init())
	return m
}

// feed runs cmd, gives its message to the model, and follows the returned
// commands until one is a tick (which it does not wait for), returning the
// last command.
func feed(t *testing.T, m *Model, cmd tea.Cmd) tea.Cmd {
	t.Helper()
	for i := 0; cmd != nil && i < 10; i++ {
		msg := cmd()
		if _, ok := msg.(tickMsg); ok {
			return cmd
		}
		_, cmd = m.Update(msg)
	}
	return cmd
}

// keyMsg is the key press Bubble Tea v2 delivers for the key named k: a
// name as tea.KeyPressMsg.String() spells it, or one character.
func keyMsg(t *testing.T, k string) tea.KeyPressMsg {
	t.Helper()
	switch k {
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	case "tab":
		return tea.KeyPressMsg{Code: tea.KeyTab}
	case "shift+tab":
		return tea.KeyPressMsg{Code: tea.KeyTab, Mod: tea.ModShift}
	case "up":
		return tea.KeyPressMsg{Code: tea.KeyUp}
	case "down":
		return tea.KeyPressMsg{Code: tea.KeyDown}
	case "backspace":
		return tea.KeyPressMsg{Code: tea.KeyBackspace}
	case "ctrl+c":
		return tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl}
	case "ctrl+r":
		return tea.KeyPressMsg{Code: 'r', Mod: tea.ModCtrl}
	case "ctrl+u":
		return tea.KeyPressMsg{Code: 'u', Mod: tea.ModCtrl}
	case "ctrl+d":
		return tea.KeyPressMsg{Code: 'd', Mod: tea.ModCtrl}
	case "ctrl+s":
		return tea.KeyPressMsg{Code: 's', Mod: tea.ModCtrl}
	case " ", "space":
		return tea.KeyPressMsg{Code: tea.KeySpace, Text: " "}
	case "f1", "f3", "f6", "f10":
		n, _ := strconv.Atoi(k[1:])
		return tea.KeyPressMsg{Code: tea.KeyF1 + rune(n-1)}
	}
	r, n := utf8.DecodeRuneInString(k)
	if n != len(k) || !unicode.IsPrint(r) {
		t.Fatalf("keyMsg(%q): not a key name or one character", k)
	}
	if unicode.IsUpper(r) {
		// As the decoder reports a shifted letter.
		return tea.KeyPressMsg{Code: unicode.ToLower(r), ShiftedCode: r, Mod: tea.ModShift, Text: k}
	}
	return tea.KeyPressMsg{Code: r, Text: k}
}

// press sends keys, following the commands they return.
func press(t *testing.T, m *Model, keys ...string) {
	t.Helper()
	for _, k := range keys {
		msg := keyMsg(t, k)
		if got := msg.String(); got != k && k != " " {
			t.Fatalf("keyMsg(%q).String() = %q", k, got)
		}
		_, cmd := m.Update(msg)
		feed(t, m, cmd)
	}
}

func (f *fakeSource) RemoveServer(ctx context.Context, key ops.ServiceKey, d ops.Destination) error {
	return f.mark(key, d, true, &f.removes)
}

func (f *fakeSource) RestoreServer(ctx context.Context, key ops.ServiceKey, d ops.Destination) error {
	return f.mark(key, d, false, &f.restores)
}

// mark takes d out of the snapshots (gone) or puts it back, recording the
// call in calls; as the kernel does, it refuses to delete a server that
// is not there (ENOENT) or to add one that is (EEXIST).
func (f *fakeSource) mark(key ops.ServiceKey, d ops.Destination, gone bool, calls *[]fakeSet) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.editErr != nil {
		return f.editErr
	}
	k := fakeDestKey(key, d)
	switch {
	case gone && f.gone[k]:
		return syscall.ENOENT
	case !gone && !f.gone[k]:
		return syscall.EEXIST
	}
	if f.gone == nil {
		f.gone = map[string]bool{}
	}
	f.gone[k] = gone
	*calls = append(*calls, fakeSet{key, d, d.Weight})
	return nil
}

func (f *fakeSource) Zero(ctx context.Context, key ops.ServiceKey) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.editErr != nil {
		return f.editErr
	}
	f.zeros = append(f.zeros, key)
	return nil
}
