package tui

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/lvsadm/lvsadm/daemon/control"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/lvsadm/lvsadm/ops"
	"github.com/lvsadm/lvsadm/tui/cfedit"
)

// Update turns a message into the next state and the commands to run.
//
// Bubble Tea v2 delivers one KeyPressMsg per key, also for characters that
// arrive together (fast typing, tmux send-keys, a terminal's input buffer
// over a slow link), so "jj" moves twice and "/est" opens the filter and
// types "est". Pasted text (bracketed paste) comes as one PasteMsg.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		// A terminal that does not know its size (a serial console,
		// a pty nobody sized) says 0x0: keep 80x24 then.
		if msg.Width > 0 && msg.Height > 0 {
			m.width, m.height = msg.Width, msg.Height
		}
		m.clampServices()
		m.clampConns()
		m.clampDirector()
		m.sizeConfig()
		return m, nil
	case tea.ColorProfileMsg:
		// The program's profile (Run passes the detected one): the
		// styles follow it, the Config view's too.
		m.st = newStyles(msg.Profile)
		m.cfg.Update(msg)
		return m, nil
	case cfedit.AppliedMsg:
		// The Config view changed the kernel's table or reloaded the
		// daemon: show the result now rather than at the next tick.
		return m, m.startFetch()
	case cfedit.SavedMsg:
		// Nothing the other views show comes from the file until the
		// daemon reloads it (AppliedMsg).
		return m, nil
	case snapshotMsg:
		return m, m.gotSnapshot(msg)
	case tickMsg:
		if msg.gen != m.gen || m.paused {
			return m, nil
		}
		return m, m.startFetch()
	case editMsg:
		return m, m.gotEdit(msg)
	case tea.KeyPressMsg:
		return m.key(msg)
	case tea.MouseWheelMsg:
		if m.help || m.mode != modeNormal {
			return m, nil
		}
		if m.view == viewConfig {
			return m, m.configWheel(msg)
		}
		switch msg.Button {
		case tea.MouseWheelUp:
			m.move(-wheelStep)
		case tea.MouseWheelDown:
			m.move(wheelStep)
		}
		return m, nil
	case tea.PasteMsg:
		return m, m.paste(msg)
	}
	// Everything else is the Config view's: its commands' results come
	// back this way, whichever view is shown.
	_, cmd := m.cfg.Update(msg)
	return m, cmd
}

// configWheel scrolls the Config view, which takes no mouse messages, as
// its arrow keys do. While it captures keys (a prompt, a question, the
// diff) the wheel does nothing: an arrow there would answer or edit.
func (m *Model) configWheel(msg tea.MouseWheelMsg) tea.Cmd {
	if m.cfg.Captures() {
		return nil
	}
	k := tea.KeyPressMsg{Code: tea.KeyDown}
	if msg.Button == tea.MouseWheelUp {
		k = tea.KeyPressMsg{Code: tea.KeyUp}
	} else if msg.Button != tea.MouseWheelDown {
		return nil
	}
	var cmds []tea.Cmd
	for range wheelStep {
		_, cmd := m.cfg.Update(k)
		cmds = append(cmds, cmd)
	}
	return tea.Batch(cmds...)
}

// configKey gives a key to the Config view when it is its: every key
// while the view captures them, and otherwise all but those that work in
// every view (q, ?, the digits). ok is false when the key is the top
// level's.
func (m *Model) configKey(k tea.KeyPressMsg) (cmd tea.Cmd, ok bool) {
	if !m.cfg.Captures() {
		g := m.keys.global
		if key.Matches(k, g.Quit, g.Help, g.Views, g.ConfigView) {
			return nil, false
		}
	}
	_, cmd = m.cfg.Update(k)
	return cmd, true
}

// quit ends the TUI, after asking when the Config view holds unsaved
// edits: they would be lost.
func (m *Model) quit() tea.Cmd {
	if m.cfg.Dirty() {
		m.mode = modeQuit
		return nil
	}
	return tea.Quit
}

// paste handles pasted text: in a prompt it is typed text, even if it holds
// key letters; in the Config view it is the view's (its prompts type it);
// elsewhere it is no key, but like any key it closes the help and answers
// a confirmation with "no".
func (m *Model) paste(msg tea.PasteMsg) tea.Cmd {
	if m.help {
		m.help = false
		return nil
	}
	text := msg.Content
	switch m.mode {
	case modeFilter, modeWeight:
		// Control characters (a pasted newline or tab) would break
		// the prompt's line: they go, printable text stays.
		text = strings.Map(func(r rune) rune {
			if unicode.IsControl(r) {
				return -1
			}
			return r
		}, text)
		m.typed(text)
	case modeConfirm, modeQuit:
		return m.confirm(false)
	default:
		if m.view == viewConfig {
			_, cmd := m.cfg.Update(msg)
			return cmd
		}
	}
	return nil
}

func (m *Model) gotSnapshot(msg snapshotMsg) tea.Cmd {
	m.fetching = false
	m.gotDaemon(msg)
	switch {
	case m.opts.NoKernel != nil:
		// No table to take: only the daemon's part was read.
	case msg.err != nil:
		m.setGlobalStatus("error: refresh failed: "+msg.err.Error(), true)
	default:
		snap := msg.snap
		m.snap = &snap
		m.rates.update(&snap, msg.gen)
		m.forgetReturned(msg.gen)
		m.updateSparks()
		m.lastRefresh = m.now()
		if m.statusErr && strings.HasPrefix(m.status, "error: refresh failed") {
			m.setGlobalStatus("", false)
		}
	}
	m.health = indexHealth(m.snap, m.dstat)
	if msg.err == nil && m.snap != nil && m.snap.Conns != nil {
		m.connKernel = append(m.connKernel[:0], m.snap.Conns.Rows...)
		m.sortConnRows()
	}
	m.buildRows()
	m.restoreSelection()
	m.clampConns()
	m.clampDirector()
	if m.refetch {
		return m.startFetch()
	}
	if m.paused {
		return nil
	}
	return m.tick()
}

// gotDaemon takes the daemon's part of a refresh. Its absence is no error
// screen: the status line says it once (until it changes), health shows
// "-".
func (m *Model) gotDaemon(msg snapshotMsg) {
	if m.opts.Daemon == nil {
		return
	}
	if msg.daemonErr == nil {
		m.dstat = msg.daemon
		if m.daemonMsg != "" && m.status == m.daemonMsg {
			m.setGlobalStatus("", false)
		}
		m.daemonMsg = ""
		return
	}
	m.dstat = nil
	text, isErr := "error: daemon: "+msg.daemonErr.Error(), true
	if errors.Is(msg.daemonErr, control.ErrNoDaemon) {
		text, isErr = "no daemon at "+m.opts.Daemon.Where(), false
	}
	if text != m.daemonMsg {
		m.daemonMsg = text
		m.setGlobalStatus(text, isErr)
	}
}

func (m *Model) gotEdit(msg editMsg) tea.Cmd {
	p := msg.p
	if p.act == actZero {
		// Refreshes that started before the zero completed read
		// counters from before or after it: neither is a base for a
		// rate.
		m.rates.distrust(p.id, m.gen+1)
	}
	if msg.err != nil {
		if p.act == actRemove && p.daemonAct == "" {
			delete(m.removed, p.id)
			m.resort()
		}
		m.setEditStatus("error: "+msg.err.Error(), true)
		return m.startFetch()
	}
	cli := editCLI(p)
	switch {
	case p.daemonAct != "":
		m.setDone(daemonDone(p), cli)
	case p.act == actRemove:
		if g := m.removed[p.id]; g != nil {
			g.taking, g.since = false, m.gen+1
		}
		m.setDone("taken out; u on its row puts it back", cli)
	case p.act == actPutBack:
		if g := m.removed[p.id]; g != nil {
			g.putBack = true
		}
		// The server's counters start again from zero.
		m.rates.distrust(p.id, m.gen+1)
		m.setDone("put back", cli)
	case p.act == actZero:
		m.setDone("zeroed the counters of the service and its real servers", cli)
	case p.weight == 0 && p.dest.Weight != 0:
		m.drainedFrom[p.id] = p.dest.Weight
		m.setDone(fmt.Sprintf("drained; u restores weight %d", p.dest.Weight), cli)
	default:
		if p.weight != 0 {
			delete(m.drainedFrom, p.id)
		}
		m.setDone(fmt.Sprintf("weight %d -> %d", p.dest.Weight, p.weight), cli)
	}
	return m.startFetch()
}

// forgetReturned drops the ghosts of servers that a refresh of generation
// gen lists again: put back, by u or by someone else (ipvsadm, the
// daemon). Refreshes older than the deletion prove nothing.
func (m *Model) forgetReturned(gen int) {
	for id, g := range m.removed {
		if g.taking || gen < g.since {
			continue
		}
		for i := range m.snap.Services {
			ss := &m.snap.Services[i]
			if serviceID(ss.Service.ServiceKey) == g.sid && hasDest(ss, g.dest) {
				delete(m.removed, id)
				break
			}
		}
	}
}

// key handles a key press according to the mode.
func (m *Model) key(k tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	g := m.keys.global
	if key.Matches(k, g.ForceQuit) {
		return m, tea.Quit
	}
	if m.help {
		return m, m.helpKey(k)
	}
	switch m.mode {
	case modeFilter, modeWeight:
		return m, m.inputKey(k)
	case modeConfirm, modeQuit:
		return m, m.confirmKey(k)
	}
	if m.view == viewConfig {
		if cmd, ok := m.configKey(k); ok {
			return m, cmd
		}
	}
	switch {
	case key.Matches(k, g.Quit):
		return m, m.quit()
	case key.Matches(k, g.Help):
		m.help, m.helpOffset = true, 0
	case key.Matches(k, g.NextView):
		return m, m.switchView((m.view + 1) % tabViews)
	case key.Matches(k, g.PrevView):
		return m, m.switchView((m.view + tabViews - 1) % tabViews)
	case key.Matches(k, g.Views, g.ConfigView):
		return m, m.switchView(viewID(k.String()[0] - '1'))
	case key.Matches(k, g.Up):
		m.move(-1)
	case key.Matches(k, g.Down):
		m.move(1)
	case key.Matches(k, g.PageUp):
		m.move(-m.bodyHeight())
	case key.Matches(k, g.PageDown):
		m.move(m.bodyHeight())
	case key.Matches(k, g.HalfUp):
		m.move(-max(m.bodyHeight()/2, 1))
	case key.Matches(k, g.HalfDown):
		m.move(max(m.bodyHeight()/2, 1))
	case key.Matches(k, g.Slower):
		return m, m.changeInterval(1)
	case key.Matches(k, g.Faster):
		return m, m.changeInterval(-1)
	case key.Matches(k, g.Home):
		m.move(-1 << 30)
	case key.Matches(k, g.End):
		m.move(1 << 30)
	case key.Matches(k, g.Filter):
		if m.view == viewDirector {
			return m, nil
		}
		m.mode = modeFilter
		if m.view == viewConns {
			m.input = m.connFilter.String()
		} else {
			m.input = m.filter
		}
	case key.Matches(k, g.Pause):
		m.paused = !m.paused
		if m.paused {
			m.setGlobalStatus("paused (p resumes)", false)
			return m, nil
		}
		m.setGlobalStatus("", false)
		return m, m.startFetch()
	case key.Matches(k, g.Sync):
		return m, m.startFetch()
	case key.Matches(k, g.ClearFilter):
		return m, m.clearFilter()
	default:
		switch m.view {
		case viewConns:
			return m, m.connsKey(k)
		case viewServices:
			return m, m.servicesKey(k)
		}
	}
	return m, nil
}

// helpKey scrolls the help overlay with the movement keys; any other key
// closes it.
func (m *Model) helpKey(k tea.KeyPressMsg) tea.Cmd {
	g := m.keys.global
	page := max(m.height-2, 1)
	if m.helpTotal <= page {
		// All of it is on the screen: the footer says any key closes.
		m.help = false
		return nil
	}
	switch {
	case key.Matches(k, g.Up):
		m.helpOffset--
	case key.Matches(k, g.Down):
		m.helpOffset++
	case key.Matches(k, g.PageUp):
		m.helpOffset -= page
	case key.Matches(k, g.PageDown):
		m.helpOffset += page
	case key.Matches(k, g.Home):
		m.helpOffset = 0
	case key.Matches(k, g.End):
		m.helpOffset = m.helpTotal // drawing clamps it
	default:
		m.help = false
	}
	return nil
}

// wheelStep is how many rows one notch of the mouse wheel scrolls.
const wheelStep = 3

// intervalSteps are the refresh intervals + and - step through.
func intervalSteps() []time.Duration {
	return []time.Duration{100 * time.Millisecond, 250 * time.Millisecond, 500 * time.Millisecond,
		time.Second, 2 * time.Second, 5 * time.Second, 10 * time.Second, 30 * time.Second, time.Minute}
}

// changeInterval moves the refresh interval one step longer (dir > 0) or
// shorter, from wherever --interval put it. The pending tick was armed
// with the old interval: a new chain replaces it.
func (m *Model) changeInterval(dir int) tea.Cmd {
	steps := intervalSteps()
	cur, next := m.opts.Interval, m.opts.Interval
	if dir > 0 {
		for _, s := range steps {
			if s > cur {
				next = s
				break
			}
		}
	} else {
		for i := len(steps) - 1; i >= 0; i-- {
			if steps[i] < cur {
				next = steps[i]
				break
			}
		}
	}
	if next == cur {
		m.setGlobalStatus("refresh interval stays "+cur.String()+" (from 100ms to 1m)", false)
		return nil
	}
	m.opts.Interval = next
	m.setGlobalStatus("refreshing every "+next.String(), false)
	if m.fetching || m.paused {
		return nil // the running refresh arms the next tick with it
	}
	m.gen++
	return m.tick()
}

func (m *Model) switchView(v viewID) tea.Cmd {
	if m.view == v {
		return nil
	}
	m.view = v
	if v == viewConfig && !m.cfgStarted {
		// Read when first shown, not at start: a TUI that never
		// shows it does not read lvs.cf, and the one it edits is
		// the file as it is now.
		m.cfgStarted = true
		return m.cfg.Init()
	}
	if v == viewConns {
		// The services view does not read the connection table (it
		// can be large), so the first look needs a refresh.
		return m.startFetch()
	}
	return nil
}

func (m *Model) move(delta int) {
	switch m.view {
	case viewConns:
		m.connOffset += delta
		m.clampConns()
		return
	case viewDirector:
		m.dirOffset += delta
		m.clampDirector()
		return
	}
	m.cursor += delta
	m.clampServices()
}

func (m *Model) clearFilter() tea.Cmd {
	if m.view == viewConns {
		if m.connFilter.Empty() && m.connState == "" {
			return nil
		}
		m.connFilter, m.connState = ConnFilter{}, ""
		return m.startFetch()
	}
	m.filter = ""
	m.buildRows()
	m.restoreSelection()
	return nil
}

func (m *Model) servicesKey(k tea.KeyPressMsg) tea.Cmd {
	s := m.keys.services
	if key.Matches(k, s.changes()...) && m.opts.ReadOnly {
		m.setStatus("read-only: no changes (lvsadm tui --read-only)", false)
		return nil
	}
	if r, ok := m.selectedRow(); ok && r.ghost != nil {
		switch {
		case key.Matches(k, s.Drain, s.Weight, s.Out):
			m.setStatus(destLabel(r.ghost.dest)+" is out of the kernel table: u puts it back", false)
			return nil
		case key.Matches(k, s.Restore):
			m.putBackSelected(r)
			return nil
		}
	}
	if r, ok := m.selectedRow(); ok && r.miss != nil {
		switch {
		case key.Matches(k, s.Restore):
			m.putInSelected(r)
			return nil
		case key.Matches(k, s.Drain, s.Weight, s.Out):
			m.setStatus(missingNothing(r), false)
			return nil
		}
	}
	switch {
	case key.Matches(k, s.Sort):
		m.sort = (m.sort + 1) % numSortKeys
		m.sortDesc = false
		m.resort()
	case key.Matches(k, s.Reverse):
		m.sortDesc = !m.sortDesc
		m.resort()
	case key.Matches(k, s.Rates):
		m.kernelRates = !m.kernelRates
		m.resort()
	case key.Matches(k, s.Drain):
		m.drainSelected()
	case key.Matches(k, s.Restore):
		m.restoreSelected()
	case key.Matches(k, s.Out):
		m.removeSelected()
	case key.Matches(k, s.Zero):
		return m.zeroSelected()
	case key.Matches(k, s.Weight):
		if _, d, ok := m.selectedDest(); ok {
			m.mode = modeWeight
			m.input = strconv.Itoa(int(d.Weight))
		} else {
			m.setStatus("select a real server to change its weight", false)
		}
	}
	return nil
}

func (m *Model) resort() {
	m.buildRows()
	m.restoreSelection()
}

func (m *Model) connsKey(k tea.KeyPressMsg) tea.Cmd {
	c := m.keys.conns
	switch {
	case key.Matches(k, c.Sort):
		col, _ := connSortKeys(k.String())
		// The same key again inverts the order.
		m.connDesc = col == m.connSort && !m.connDesc
		m.connSort = col
		m.sortConnRows()
		return nil
	case key.Matches(k, c.NextSort):
		m.connSort = (m.connSort + 1) % numConnSortKeys
		m.connDesc = false
		m.sortConnRows()
		return nil
	case key.Matches(k, c.Count):
		m.connGroup = (m.connGroup + 1) % numGroups
		m.connOffset = 0
		m.clampConns()
		return nil
	case key.Matches(k, c.State):
		if m.snap == nil || m.snap.Conns == nil {
			return nil
		}
		states := m.snap.Conns.States()
		next := ""
		if m.connState == "" && len(states) > 0 {
			next = states[0]
		} else {
			for i, s := range states {
				if s == m.connState && i+1 < len(states) {
					next = states[i+1]
				}
			}
		}
		m.connState = next
		m.connOffset = 0
		return m.startFetch()
	}
	return nil
}

// effectiveConnFilter is the typed filter with the state chosen by s.
func (m *Model) effectiveConnFilter() ConnFilter {
	f := m.connFilter
	if m.connState != "" {
		f.State = m.connState
	}
	return f
}

// inputKey edits the filter or weight being typed.
func (m *Model) inputKey(k tea.KeyPressMsg) tea.Cmd {
	p := m.keys.prompt
	// The reason a value was refused is about that value.
	m.inputErr = ""
	switch {
	case key.Matches(k, p.Cancel):
		// Esc in the filter prompt clears the filter, as it does
		// outside the prompt; in the weight prompt it cancels.
		md := m.mode
		m.mode, m.input = modeNormal, ""
		if md == modeFilter {
			return m.clearFilter()
		}
		return nil
	case key.Matches(k, p.Apply):
		in := strings.TrimSpace(m.input)
		md := m.mode
		m.mode, m.input = modeNormal, ""
		if md == modeWeight {
			return m.weightEntered(in)
		}
		return m.filterEntered(in)
	case key.Matches(k, p.Erase):
		if r := []rune(m.input); len(r) > 0 {
			m.input = string(r[:len(r)-1])
		}
	case key.Matches(k, p.Clear):
		m.input = ""
	default:
		// Text is set for printable keys (space too), with or without
		// shift, and empty for other keys and combinations.
		m.typed(k.Text)
		return nil
	}
	m.inputChanged()
	return nil
}

// typed adds text to the prompt's input.
func (m *Model) typed(text string) {
	if text != "" && len(m.input) < 200 {
		m.input += text
	}
	m.inputChanged()
}

// inputChanged applies the services filter as it is typed: it is cheap.
func (m *Model) inputChanged() {
	if m.mode == modeFilter && m.view == viewServices {
		m.filter = m.input
		m.resort()
	}
}

func (m *Model) filterEntered(in string) tea.Cmd {
	if m.view == viewServices {
		m.filter = in
		m.resort()
		return nil
	}
	f, err := ParseConnFilter(in)
	if err != nil {
		// Open, as the weight prompt stays: esc gives up.
		m.mode, m.input, m.inputErr = modeFilter, in, err.Error()
		return nil
	}
	m.connFilter = f
	m.connState = ""
	m.connOffset = 0
	m.setStatus("", false)
	return m.startFetch()
}

func (m *Model) weightEntered(in string) tea.Cmd {
	w, err := strconv.ParseInt(in, 10, 32)
	// The kernel's and ipvsadm's range (-w).
	if err != nil || w < 0 || w > ops.MaxWeight {
		// The prompt stays open with the reason, as the Config
		// view's does: closed, the next keys typed would be commands
		// (a "d" meant for the number would drain).
		m.mode, m.input = modeWeight, in
		m.inputErr = fmt.Sprintf("want a number from 0 to %d", ops.MaxWeight)
		return nil
	}
	r, d, ok := m.selectedDest()
	if !ok {
		m.setStatus("error: the real server is no longer in the table", true)
		return nil
	}
	if m.daemonEdit(r, d, control.ActWeight, int32(w)) {
		return nil
	}
	m.pending = m.destEdit(actWeight, r, d)
	m.pending.weight = int32(w)
	m.mode = modeConfirm
	return nil
}

// destEdit is change act of the selected real server d (row r).
func (m *Model) destEdit(act action, r row, d ops.Destination) *pendingEdit {
	key := m.snap.Services[r.svc].Service.ServiceKey
	return &pendingEdit{act: act, key: key, dest: d, id: r.id, label: destLabel(d) + " in " + key.String()}
}

func (m *Model) drainSelected() {
	r, d, ok := m.selectedDest()
	if !ok {
		m.setStatus("select a real server to drain it", false)
		return
	}
	if m.daemonEdit(r, d, control.ActDrain, 0) {
		return
	}
	if d.Weight == 0 {
		m.setStatus(destLabel(d)+" is already drained (weight 0)", false)
		return
	}
	m.pending = m.destEdit(actWeight, r, d)
	m.mode = modeConfirm
}

func (m *Model) restoreSelected() {
	r, d, ok := m.selectedDest()
	if !ok {
		m.setStatus("select a real server to restore it", false)
		return
	}
	if m.daemonEdit(r, d, control.ActUndrain, 0) {
		return
	}
	if d.Weight != 0 {
		m.setStatus(fmt.Sprintf("%s is not drained (weight %d)", destLabel(d), d.Weight), false)
		return
	}
	w, known := m.drainedFrom[r.id]
	if !known {
		// Drained outside this session: the old weight is not
		// recorded anywhere, so ask for one.
		m.mode = modeWeight
		m.input = "1"
		m.setStatus("weight before draining unknown: type one", false)
		return
	}
	m.pending = m.destEdit(actWeight, r, d)
	m.pending.weight, m.pending.restore = w, true
	m.mode = modeConfirm
}

// removeSelected asks to take the selected real server out of the table.
func (m *Model) removeSelected() {
	r, d, ok := m.selectedDest()
	if !ok {
		m.setStatus("select a real server to take it out", false)
		return
	}
	if m.daemonEdit(r, d, control.ActOut, 0) {
		return
	}
	m.pending = m.destEdit(actRemove, r, d)
	m.mode = modeConfirm
}

// putBackSelected asks to add the server of ghost row r back, as it was.
func (m *Model) putBackSelected(r row) {
	g := r.ghost
	switch {
	case g.taking:
		m.setStatus(destLabel(g.dest)+" is still being taken out", false)
		return
	case g.putBack:
		m.setStatus(destLabel(g.dest)+" is put back already: the next refresh lists it", false)
		return
	}
	m.pending = &pendingEdit{act: actPutBack, key: g.key, dest: g.dest, id: r.id,
		label: destLabel(g.dest) + " in " + g.key.String()}
	m.mode = modeConfirm
}

// zeroSelected zeroes the counters of the selected service, or of the
// selected real server's service (IPVS zeroes a service with its real
// servers; there is no zeroing of one real server). It asks nothing: no
// traffic is affected.
func (m *Model) zeroSelected() tea.Cmd {
	r, ok := m.selectedRow()
	if !ok || r.svc < 0 || m.snap == nil {
		m.setStatus("select a service of the kernel's table to zero its counters", false)
		return nil
	}
	key := m.snap.Services[r.svc].Service.ServiceKey
	p := pendingEdit{act: actZero, key: key, id: serviceID(key), label: key.String()}
	// Until the zero is done, no reading is a base for a rate.
	m.rates.distrust(p.id, math.MaxInt)
	m.setStatus("zeroing the counters of "+p.label+"...", false)
	return m.editCmd(p)
}

func (m *Model) confirmKey(k tea.KeyPressMsg) tea.Cmd {
	return m.confirm(key.Matches(k, m.keys.prompt.Yes))
}

// confirm ends the confirmation of the pending change: yes applies it.
func (m *Model) confirm(yes bool) tea.Cmd {
	if m.mode == modeQuit {
		m.mode = modeNormal
		if yes {
			return tea.Quit
		}
		m.setStatus("not quitting: the edits of "+m.configName()+" are still unsaved (4, then ctrl+s saves them)", false)
		return nil
	}
	p := m.pending
	m.pending = nil
	m.mode = modeNormal
	if p == nil {
		return nil
	}
	if !yes {
		m.setStatus("cancelled", false)
		return nil
	}
	switch {
	case p.daemonAct != "":
		m.setStatus("asking the daemon: "+daemonCLI(*p)+"...", false)
	case p.act == actRemove:
		// The ghost row exists from now on, so that the row cannot
		// vanish under the selection when a refresh sees the server
		// gone before the deletion's answer arrives.
		m.removed[p.id] = &removedServer{key: p.key, sid: serviceID(p.key), dest: p.dest, since: math.MaxInt, taking: true}
		m.setStatus("taking "+p.label+" out...", false)
	case p.act == actPutBack:
		m.setStatus("putting "+p.label+" back...", false)
	default:
		m.setStatus(fmt.Sprintf("setting weight of %s to %d...", p.label, p.weight), false)
	}
	return m.editCmd(*p)
}

// selectedDest returns the selected row when it is a real server.
func (m *Model) selectedDest() (row, ops.Destination, bool) {
	r, ok := m.selectedRow()
	if !ok || !r.isDest() || m.snap == nil {
		return row{}, ops.Destination{}, false
	}
	return r, m.snap.Services[r.svc].Destinations[r.dest], true
}

func (m *Model) clampDirector() {
	if last := len(m.directorLines()) - m.bodyHeight(); m.dirOffset > last {
		m.dirOffset = last
	}
	if m.dirOffset < 0 {
		m.dirOffset = 0
	}
}

// sortConnRows orders the kept connection rows by the chosen column,
// from the kernel's order each time, so that ties keep it.
func (m *Model) sortConnRows() {
	if m.snap != nil && m.snap.Conns != nil {
		copy(m.snap.Conns.Rows, m.connKernel)
		sortConns(m.snap.Conns.Rows, m.connSort, m.connDesc)
	}
}

// connLines is how many lines the connections view lists: rows, or
// groups.
func (m *Model) connLines() int {
	if m.snap == nil || m.snap.Conns == nil {
		return 0
	}
	if m.connGroup != groupNone {
		return len(connGroups(m.snap.Conns, m.connGroup))
	}
	return len(m.snap.Conns.Rows)
}

func (m *Model) clampConns() {
	n := m.connLines()
	if last := n - m.bodyHeight(); m.connOffset > last {
		m.connOffset = last
	}
	if m.connOffset < 0 {
		m.connOffset = 0
	}
}
