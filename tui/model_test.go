package tui

import (
	"context"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"

	"github.com/lvsadm/lvsadm/ops"
)

func twoSnaps() *fakeSource {
	return &fakeSource{snaps: []Snapshot{table(1, t0), table(2, t0.Add(time.Second))}}
}

func selectedLabel(m *Model) string {
	r, ok := m.selectedRow()
	if !ok {
		return ""
	}
	if r.miss != nil {
		return missingLabel(r.virt, r.miss)
	}
	if r.virt != nil {
		return virtualLabel(r.virt)
	}
	ss := m.snap.Services[r.svc]
	if r.isDest() {
		return destLabel(ss.Destinations[r.dest])
	}
	return serviceLabel(ss.Service)
}

func TestFirstRefreshAndTick(t *testing.T) {
	src := twoSnaps()
	m := newTestModel(t, src, 80, 24)
	if m.snap == nil || len(m.rows) != 5 {
		t.Fatalf("after Init: snap %v rows %d", m.snap != nil, len(m.rows))
	}
	if len(m.rates.rates) != 0 {
		t.Errorf("rates after one snapshot")
	}
	// The next refresh comes from the tick of the current generation.
	_, cmd := m.Update(tickMsg{gen: m.gen})
	feed(t, m, cmd)
	if _, ok := m.rateOf(m.rows[0].id, ops.Stats{}); !ok {
		t.Errorf("no rate after two snapshots")
	}
	// A stale tick (from before a manual refresh) does nothing.
	if _, cmd := m.Update(tickMsg{gen: m.gen - 1}); cmd != nil {
		t.Errorf("stale tick started a refresh")
	}
	if q := src.queries[0]; q.Enabled {
		t.Errorf("services view read the connection table")
	}
}

func TestNavigation(t *testing.T) {
	m := newTestModel(t, twoSnaps(), 80, 24)
	if got := selectedLabel(m); got != "TCP 10.0.0.1:80 wlc" {
		t.Fatalf("start: %q", got)
	}
	press(t, m, "j", "down")
	if got := selectedLabel(m); got != "10.0.1.2:80" {
		t.Errorf("after 2 down: %q", got)
	}
	press(t, m, "G")
	if got := selectedLabel(m); got != "10.0.2.1:443" {
		t.Errorf("end: %q", got)
	}
	press(t, m, "down")
	if m.cursor != 4 {
		t.Errorf("moved past the end: %d", m.cursor)
	}
	press(t, m, "k", "g", "up")
	if m.cursor != 0 {
		t.Errorf("home: %d", m.cursor)
	}
	// The selection follows its row across a refresh that reorders.
	press(t, m, "j", "j")      // 10.0.1.2:80
	press(t, m, "s", "s", "s") // sort by conn/s (after kernel, address, active)
	if m.sort != sortCPS {
		t.Fatalf("sort = %v", m.sort)
	}
	if got := selectedLabel(m); got != "10.0.1.2:80" {
		t.Errorf("selection moved on re-sort: %q", got)
	}
}

func TestSort(t *testing.T) {
	m := newTestModel(t, twoSnaps(), 80, 24)
	labels := func() string {
		var out []string
		for _, r := range m.rows {
			ss := m.snap.Services[r.svc]
			if r.isDest() {
				out = append(out, destLabel(ss.Destinations[r.dest]))
			} else {
				out = append(out, ss.Service.ServiceKey.String())
			}
		}
		return strings.Join(out, ",")
	}
	kernel := "tcp 10.0.0.1:80,10.0.1.1:80,10.0.1.2:80,tcp 10.0.0.2:443,10.0.2.1:443"
	if got := labels(); got != kernel {
		t.Fatalf("kernel order: %s", got)
	}
	press(t, m, "s", "s") // active conns, largest first
	if got := labels(); got != "tcp 10.0.0.1:80,10.0.1.2:80,10.0.1.1:80,tcp 10.0.0.2:443,10.0.2.1:443" {
		t.Errorf("by active: %s", got)
	}
	press(t, m, "S")
	if got := labels(); got != "tcp 10.0.0.2:443,10.0.2.1:443,tcp 10.0.0.1:80,10.0.1.1:80,10.0.1.2:80" {
		t.Errorf("by active reversed: %s", got)
	}
	for m.sort != sortKernel {
		press(t, m, "s")
	}
	if got := labels(); got != kernel {
		t.Errorf("back to kernel order: %s", got)
	}
}

func TestServicesFilter(t *testing.T) {
	m := newTestModel(t, twoSnaps(), 80, 24)
	press(t, m, "/", "1", "0", ".", "0", ".", "2")
	if m.mode != modeFilter {
		t.Fatalf("mode %v", m.mode)
	}
	// Applied while typing: the 443 service matches, and so does its server.
	if len(m.rows) != 2 {
		t.Errorf("rows while typing: %d", len(m.rows))
	}
	press(t, m, "enter")
	if m.mode != modeNormal || m.filter != "10.0.2" || len(m.rows) != 2 {
		t.Errorf("after enter: mode %v filter %q rows %d", m.mode, m.filter, len(m.rows))
	}
	// A real server matching shows under its service, without its siblings.
	press(t, m, "/", "ctrl+u")
	press(t, m, "1", ".", "2", "enter")
	if len(m.rows) != 2 || !m.rows[1].isDest() {
		t.Errorf("server filter: %d rows", len(m.rows))
	}
	press(t, m, "esc")
	if m.filter != "" || len(m.rows) != 5 {
		t.Errorf("esc: filter %q rows %d", m.filter, len(m.rows))
	}
	press(t, m, "/", "x", "esc")
	if m.mode != modeNormal || m.filter != "" || len(m.rows) != 5 {
		t.Errorf("esc in the prompt: mode %v filter %q", m.mode, m.filter)
	}
}

func TestDrainConfirmAndRestore(t *testing.T) {
	src := twoSnaps()
	m := newTestModel(t, src, 80, 24)
	press(t, m, "d")
	if m.mode != modeNormal || !strings.Contains(m.status, "select a real server") {
		t.Errorf("drain on a service: mode %v status %q", m.mode, m.status)
	}
	press(t, m, "j", "j", "d")
	if m.mode != modeConfirm || m.pending == nil || m.pending.weight != 0 {
		t.Fatalf("drain: mode %v pending %+v", m.mode, m.pending)
	}
	press(t, m, "n")
	if len(src.sets) != 0 || m.status != "cancelled" {
		t.Fatalf("n applied a change: %v %q", src.sets, m.status)
	}
	press(t, m, "d", "y")
	if len(src.sets) != 1 {
		t.Fatalf("y did not apply: %v", src.sets)
	}
	s := src.sets[0]
	if s.weight != 0 || s.dest.Address.String() != "10.0.1.2" || s.key.Port != 80 || s.dest.ConnFlags != ops.FwdMasq {
		t.Errorf("set %+v", s)
	}
	// The status line ends with the same change as a shell command.
	if st := statusText(m); !strings.HasPrefix(st, "drained; u restores weight 3") ||
		!strings.HasSuffix(st, " (lvsadm -e -t 10.0.0.1:80 -r 10.0.1.2:80 -m -w 0)") {
		t.Errorf("status %q", st)
	}
	// The fake's table still says weight 3, so make it say 0 and restore.
	src.snaps = []Snapshot{table(3, t0.Add(2*time.Second))}
	src.snaps[0].Services[0].Destinations[1].Weight = 0
	src.n = 0
	press(t, m, "ctrl+r")
	press(t, m, "u")
	if m.pending == nil || m.pending.weight != 3 || !m.pending.restore {
		t.Fatalf("restore pending %+v (status %q)", m.pending, m.status)
	}
	press(t, m, "y")
	if len(src.sets) != 2 || src.sets[1].weight != 3 {
		t.Errorf("restore sets %v", src.sets)
	}
	if st := statusText(m); !strings.HasSuffix(st, "(lvsadm -e -t 10.0.0.1:80 -r 10.0.1.2:80 -m -w 3)") {
		t.Errorf("restore status %q", st)
	}
}

// statusText is the status line as a 160-column screen draws it.
func statusText(m *Model) string { return m.statusLine(160) }

func TestRestoreUnknownWeightAsks(t *testing.T) {
	m := newTestModel(t, twoSnaps(), 80, 24)
	press(t, m, "G", "u") // 10.0.2.1:443 has weight 0 from outside this session
	if m.mode != modeWeight || m.input != "1" {
		t.Errorf("mode %v input %q", m.mode, m.input)
	}
}

func TestEditWeight(t *testing.T) {
	src := twoSnaps()
	m := newTestModel(t, src, 80, 24)
	press(t, m, "j", "w")
	if m.mode != modeWeight || m.input != "1" {
		t.Fatalf("w: mode %v input %q", m.mode, m.input)
	}
	// A refused value keeps the prompt open with the reason: the keys
	// that follow are typed, not commands (d would drain).
	press(t, m, "backspace", "x", "enter")
	if m.mode != modeWeight || m.input != "x" {
		t.Errorf("bad weight: mode %v input %q", m.mode, m.input)
	}
	wantIn(t, m.View().Content, "weight of 10.0.1.1:80: x_  error: want a number from 0 to 2147483647")
	press(t, m, "d")
	if m.mode != modeWeight || m.input != "xd" || m.pending != nil {
		t.Errorf("d after a bad weight: mode %v input %q pending %v", m.mode, m.input, m.pending)
	}
	if strings.Contains(m.View().Content, "error:") {
		t.Error("the refusal stays after typing")
	}
	press(t, m, "ctrl+u")
	press(t, m, append(strings.Split("2147483648", ""), "enter")...)
	if m.mode != modeWeight || m.inputErr == "" {
		t.Errorf("2147483648 accepted: %v %q", m.mode, m.inputErr)
	}
	press(t, m, "esc", "w", "backspace", "5", "enter")
	if m.mode != modeConfirm || m.pending.weight != 5 {
		t.Fatalf("confirm: %v %+v %q", m.mode, m.pending, m.status)
	}
	press(t, m, "y")
	if len(src.sets) != 1 || src.sets[0].weight != 5 || src.sets[0].dest.Address.String() != "10.0.1.1" {
		t.Errorf("sets %+v", src.sets)
	}
}

func TestErrorsGoToTheStatusLine(t *testing.T) {
	src := twoSnaps()
	m := newTestModel(t, src, 80, 24)
	src.setErr = errors.New("ipvs edit-dest: operation not permitted")
	press(t, m, "j", "d", "y")
	if !m.statusErr || !strings.Contains(m.status, "operation not permitted") {
		t.Errorf("status %q", m.status)
	}
	src.err = errors.New("netlink: timeout")
	_, cmd := m.Update(tickMsg{gen: m.gen})
	feed(t, m, cmd)
	if !strings.Contains(m.status, "refresh failed: netlink: timeout") || m.snap == nil {
		t.Errorf("refresh error: status %q, snapshot kept %v", m.status, m.snap != nil)
	}
	if !strings.Contains(m.View().Content, "error: refresh failed") {
		t.Errorf("error not on screen")
	}
	src.err = nil
	_, cmd = m.Update(tickMsg{gen: m.gen})
	feed(t, m, cmd)
	if m.status != "" {
		t.Errorf("status not cleared after a good refresh: %q", m.status)
	}
}

func TestRefreshesDoNotOverlap(t *testing.T) {
	m := newTestModel(t, twoSnaps(), 80, 24)
	cmd := m.startFetch()
	if cmd == nil || !m.fetching {
		t.Fatal("no fetch")
	}
	if again := m.startFetch(); again != nil || !m.refetch {
		t.Errorf("second fetch while one runs: %v, refetch %v", again != nil, m.refetch)
	}
	_, next := m.Update(cmd())
	if next == nil || !m.fetching {
		t.Errorf("the pending refetch did not start")
	}
}

func TestPause(t *testing.T) {
	m := newTestModel(t, twoSnaps(), 80, 24)
	press(t, m, "p")
	if !m.paused {
		t.Fatal("not paused")
	}
	if _, cmd := m.Update(tickMsg{gen: m.gen}); cmd != nil {
		t.Errorf("paused model refreshed")
	}
	_, cmd := m.Update(keyMsg(t, "p"))
	if m.paused || cmd == nil {
		t.Errorf("resume: paused %v cmd %v", m.paused, cmd != nil)
	}
}

func TestConnectionsView(t *testing.T) {
	src := twoSnaps()
	src.conns = []ops.Connection{
		conn("TCP", "ESTABLISHED", "192.168.1.5", 40000, "10.0.0.1", 80, "10.0.1.1", 80),
		conn("TCP", "ESTABLISHED", "192.168.1.6", 40001, "10.0.0.1", 80, "10.0.1.2", 80),
		conn("TCP", "TIME_WAIT", "192.168.1.7", 40002, "10.0.0.2", 443, "10.0.2.1", 443),
	}
	m := newTestModel(t, src, 80, 24)
	press(t, m, "tab")
	if m.view != viewConns || m.snap.Conns == nil || m.snap.Conns.Total != 3 {
		t.Fatalf("conns view: %v %+v", m.view, m.snap.Conns)
	}
	if q := src.queries[len(src.queries)-1]; !q.Enabled || q.Limit != DefaultConnRows {
		t.Errorf("query %+v", q)
	}
	press(t, m, "s")
	if m.connState != "ESTABLISHED" || m.snap.Conns.Matched != 2 || m.snap.Conns.Total != 3 {
		t.Errorf("s: state %q matched %d", m.connState, m.snap.Conns.Matched)
	}
	press(t, m, "s", "s")
	if m.connState != "" {
		t.Errorf("s cycles back to all: %q", m.connState)
	}
	press(t, m, "/", "s", "v", "c", ":", "1", "0", ".", "0", ".", "0", ".", "2", "enter")
	if m.snap.Conns.Matched != 1 || m.connFilter.String() != "svc:10.0.0.2" {
		t.Errorf("filter: %q matched %d", m.connFilter.String(), m.snap.Conns.Matched)
	}
	press(t, m, "/", "b", "o", "g", "u", "s", ":", "1", "enter")
	if m.mode != modeFilter || m.inputErr == "" || m.connFilter.String() != "svc:10.0.0.2" {
		t.Errorf("bad filter: mode %v error %q filter %q", m.mode, m.inputErr, m.connFilter.String())
	}
	press(t, m, "esc")
	if !m.connFilter.Empty() || m.snap.Conns.Matched != 3 {
		t.Errorf("esc: %q %d", m.connFilter.String(), m.snap.Conns.Matched)
	}
	press(t, m, "2", "1")
	if m.view != viewServices {
		t.Errorf("1 did not go back")
	}
}

func TestHelpAndQuit(t *testing.T) {
	m := newTestModel(t, twoSnaps(), 80, 24)
	press(t, m, "?")
	if !m.help {
		t.Fatal("no help")
	}
	_, cmd := m.Update(keyMsg(t, "q"))
	if m.help || cmd != nil {
		t.Errorf("q in help should close it, not quit")
	}
	_, cmd = m.Update(keyMsg(t, "q"))
	if cmd == nil {
		t.Fatal("q did not quit")
	}
	if _, ok := cmd().(tea.QuitMsg); !ok {
		t.Errorf("q: %T", cmd())
	}
	// In a prompt q is a letter, ctrl+c still quits.
	press(t, m, "/")
	_, cmd = m.Update(keyMsg(t, "q"))
	if cmd != nil || m.input != "q" {
		t.Errorf("q in the filter prompt: %q", m.input)
	}
	_, cmd = m.Update(keyMsg(t, "ctrl+c"))
	if cmd == nil {
		t.Fatal("ctrl+c did not quit")
	}
	if _, ok := cmd().(tea.QuitMsg); !ok {
		t.Errorf("ctrl+c: %T", cmd())
	}
}

// TestRuneBurstsAreSplit runs the model in a real Bubble Tea program and
// types through its input decoder: characters that arrive together (fast
// typing, tmux send-keys, a terminal's input buffer over a slow link; here
// one write) are one key each, so "jj" moves twice and "/10.0.2" opens the
// filter and types "10.0.2"; a bracketed paste in a prompt is text, even if
// it holds key letters.
func TestRuneBurstsAreSplit(t *testing.T) {
	m := NewModel(t.Context(), twoSnaps(), Options{Interval: time.Hour,
		Profile: colorprofile.NoTTY, Now: func() time.Time { return t0 }})
	type seen struct {
		msg    string
		cursor int
		mode   mode
		input  string
	}
	var (
		log              []seen // the model's state before each key or paste
		loaded, escaped  = make(chan struct{}), make(chan struct{})
		loadOnce, escOne sync.Once
	)
	// The filter runs in the event loop before Update: m is the state
	// after every earlier message.
	filter := func(_ tea.Model, msg tea.Msg) tea.Msg {
		switch msg := msg.(type) {
		case snapshotMsg:
			loadOnce.Do(func() { close(loaded) })
		case tea.KeyPressMsg:
			log = append(log, seen{msg.String(), m.cursor, m.mode, m.input})
			if msg.String() == "esc" {
				escOne.Do(func() { close(escaped) })
			}
		case tea.PasteMsg:
			log = append(log, seen{"paste " + msg.Content, m.cursor, m.mode, m.input})
		}
		return msg
	}
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	in, typist := io.Pipe()
	defer in.Close()
	p := tea.NewProgram(m, tea.WithContext(ctx), tea.WithInput(in), tea.WithOutput(io.Discard),
		tea.WithWindowSize(80, 24), tea.WithColorProfile(colorprofile.NoTTY), tea.WithoutSignals(),
		tea.WithFilter(filter))
	go func() {
		defer typist.Close()
		for _, step := range []struct {
			after <-chan struct{}
			input string
		}{
			// The first snapshot is in before the keys. An escape
			// alone ends its write: the decoder would read an escape
			// followed by "/" as alt+/.
			{loaded, "jj/10.0.2\x1b"},
			{escaped, "/\x1b[200~qq\x1b[201~\x03"},
		} {
			select {
			case <-step.after:
			case <-ctx.Done():
				return
			}
			if _, err := io.WriteString(typist, step.input); err != nil {
				return
			}
		}
	}()
	final, err := p.Run()
	if err != nil {
		t.Fatalf("program: %v (keys seen: %+v)", err, log)
	}
	var keys []string
	for _, s := range log {
		keys = append(keys, s.msg)
	}
	if got, want := strings.Join(keys, ","), "j,j,/,1,0,.,0,.,2,esc,/,paste qq,ctrl+c"; got != want {
		t.Fatalf("keys %s, want %s", got, want)
	}
	if s := log[2]; s.cursor != 2 {
		t.Errorf("jj moved to %d", s.cursor)
	}
	if s := log[9]; s.mode != modeFilter || s.input != "10.0.2" {
		t.Errorf("burst: mode %v input %q", s.mode, s.input)
	}
	fm := final.(*Model)
	if fm.input != "qq" || fm.mode != modeFilter {
		t.Errorf("paste: %q %v", fm.input, fm.mode)
	}
}

func TestPaste(t *testing.T) {
	src := twoSnaps()
	m := newTestModel(t, src, 80, 24)
	// In a prompt, a paste is text, even if it holds key letters; a
	// pasted newline or tab is no enter or tab.
	press(t, m, "/")
	if _, cmd := m.Update(tea.PasteMsg{Content: "qq"}); cmd != nil || m.input != "qq" || m.mode != modeFilter {
		t.Errorf("paste: %q %v", m.input, m.mode)
	}
	m.Update(tea.PasteMsg{Content: "1\n0\t.\r"})
	if m.input != "qq10." || m.mode != modeFilter || m.filter != "qq10." {
		t.Errorf("paste with control characters: input %q mode %v filter %q", m.input, m.mode, m.filter)
	}
	// Outside a prompt it is no key: "q" does not quit.
	press(t, m, "esc")
	if _, cmd := m.Update(tea.PasteMsg{Content: "q"}); cmd != nil || m.mode != modeNormal {
		t.Errorf("paste outside a prompt: cmd %v mode %v", cmd != nil, m.mode)
	}
	// Like any key but y, it answers a confirmation with no.
	press(t, m, "j", "d")
	if m.mode != modeConfirm {
		t.Fatalf("drain: mode %v", m.mode)
	}
	m.Update(tea.PasteMsg{Content: "y"})
	if m.mode != modeNormal || m.status != "cancelled" || len(src.sets) != 0 {
		t.Errorf("paste in the confirmation: mode %v status %q sets %v", m.mode, m.status, src.sets)
	}
	// And it closes the help, as any key does.
	press(t, m, "?")
	m.Update(tea.PasteMsg{Content: "x"})
	if m.help {
		t.Errorf("paste did not close the help")
	}
}

func TestManualRefreshMakesPendingTickStale(t *testing.T) {
	src := twoSnaps()
	m := newTestModel(t, src, 80, 24)
	pending := tickMsg{gen: m.gen} // the tick the first refresh scheduled
	_, cmd := m.Update(keyMsg(t, "ctrl+r"))
	if cmd == nil {
		t.Fatal("ctrl+r started no refresh")
	}
	if _, c := m.Update(pending); c != nil || m.refetch {
		t.Errorf("the old tick asked for another refresh while ctrl+r's runs")
	}
	n := len(src.queries)
	feed(t, m, cmd)
	if len(src.queries) != n+1 {
		t.Errorf("%d reads for one manual refresh", len(src.queries)-n)
	}
}

func connsModel(t *testing.T) *Model {
	t.Helper()
	src := twoSnaps()
	src.conns = []ops.Connection{
		conn("TCP", "ESTABLISHED", "192.168.1.9", 40000, "10.0.0.1", 80, "10.0.1.2", 80),
		conn("UDP", "UDP", "192.168.1.5", 5353, "10.0.0.2", 53, "10.0.2.1", 53),
		conn("TCP", "TIME_WAIT", "192.168.1.10", 40001, "10.0.0.1", 80, "10.0.1.1", 80),
		conn("TCP", "ESTABLISHED", "192.168.1.7", 40002, "10.0.0.1", 80, "10.0.1.2", 80),
	}
	src.conns[0].Expires, src.conns[1].Expires, src.conns[2].Expires, src.conns[3].Expires = 30, 200, 90, 10
	m := newTestModel(t, src, 80, 24)
	press(t, m, "2")
	return m
}

func connClients(m *Model) string {
	var out []string
	for _, c := range m.snap.Conns.Rows {
		out = append(out, c.Client.String())
	}
	return strings.Join(out, " ")
}

func TestConnectionsSort(t *testing.T) {
	m := connsModel(t)
	for _, tt := range []struct{ key, want, says string }{
		{"C", "192.168.1.5 192.168.1.7 192.168.1.9 192.168.1.10", "sort: source"},
		{"C", "192.168.1.10 192.168.1.9 192.168.1.7 192.168.1.5", "sort: source (rev)"},
		{"E", "192.168.1.7 192.168.1.9 192.168.1.10 192.168.1.5", "sort: expire"},
		{"E", "192.168.1.5 192.168.1.10 192.168.1.9 192.168.1.7", "sort: expire (rev)"},
		{"S", "192.168.1.9 192.168.1.7 192.168.1.10 192.168.1.5", "sort: state"},
		{"P", "192.168.1.9 192.168.1.10 192.168.1.7 192.168.1.5", "sort: protocol"},
		{"D", "192.168.1.10 192.168.1.9 192.168.1.7 192.168.1.5", "sort: destination"},
		{"V", "192.168.1.9 192.168.1.10 192.168.1.7 192.168.1.5", "sort: virtual"},
	} {
		press(t, m, tt.key)
		if got := connClients(m); got != tt.want {
			t.Errorf("after %s: %s, want %s", tt.key, got, tt.want)
		}
		wantIn(t, m.View().Content, tt.says)
	}
	// The order holds across refreshes (each brings the kernel's order).
	press(t, m, "E")
	feed(t, m, m.startFetch())
	if got := connClients(m); got != "192.168.1.7 192.168.1.9 192.168.1.10 192.168.1.5" {
		t.Errorf("after a refresh: %s", got)
	}
	// Filtering keeps the sort: it applies to the rows kept.
	press(t, m, "/", "!", "~", "u", "d", "p", "enter")
	if got := connClients(m); got != "192.168.1.7 192.168.1.9 192.168.1.10" {
		t.Errorf("filtered: %s", got)
	}
	wantIn(t, m.View().Content, "filter: !~udp", "4 entries, 3 match")
}

func TestConnectionsGroups(t *testing.T) {
	m := connsModel(t)
	press(t, m, "c")
	out := m.View().Content
	wantIn(t, out, "by real server", "REAL SERVER", "CONNS", "SHARE", "(groups 1-3)")
	wantIn(t, lineWith(t, out, "10.0.1.2:80"), "2", "50.0%")
	wantIn(t, lineWith(t, out, "10.0.2.1:53"), "1", "25.0%")
	press(t, m, "c")
	out = m.View().Content
	wantIn(t, out, "by state")
	wantIn(t, lineWith(t, out, "ESTABLISHED "), "2", "50.0%")
	// The filter applies to the counts.
	press(t, m, "/", "r", "s", ":", "1", "0", ".", "0", ".", "1", ".", "2", "enter")
	out = m.View().Content
	wantIn(t, lineWith(t, out, "ESTABLISHED "), "2", "100.0%")
	if strings.Contains(out, "TIME_WAIT   ") {
		t.Errorf("a filtered-out state is counted:\n%s", out)
	}
	press(t, m, "c")
	wantIn(t, m.View().Content, "PRO  EXPIRE STATE")
}
