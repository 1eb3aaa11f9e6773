package tui

import (
	"fmt"
	"path/filepath"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/lvsadm/lvsadm/ops"
)

// Screen layout: header, tab line and column header on top, then the body,
// then two detail lines (the selected row in full and its health; the
// connection counts), a status line and the key hints. Every line is cut
// to the terminal's width before it is styled, so nothing wraps.
const chromeLines = 7

func (m *Model) bodyHeight() int {
	if h := m.height - chromeLines; h > 0 {
		return h
	}
	return 1
}

// View renders the whole screen, full-window (the alternate screen).
func (m *Model) View() tea.View {
	v := tea.NewView(m.screen())
	v.AltScreen = true
	if !m.opts.NoMouse {
		// Cell motion reports the wheel (and clicks, which are
		// ignored); shift+drag still selects text in most terminals.
		v.MouseMode = tea.MouseModeCellMotion
	}
	return v
}

// screen renders the whole screen as text: m.height lines (when known),
// none wider than m.width.
func (m *Model) screen() string {
	w := m.width
	if w <= 0 {
		w = 80
	}
	lines := make([]string, 0, m.height)
	lines = append(lines, m.st.header.Render(fit(m.headerLine(w), w)))
	switch {
	case m.help:
		lines = append(lines, m.helpLines(w, m.height-2)...)
	case m.view == viewConfig:
		// The Config view draws its own panel tabs, status line and
		// key hints, in the height sizeConfig gave it.
		lines = append(lines, m.tabLine(w, m.opts.Config.Path))
		lines = append(lines, strings.Split(m.cfg.View(), "\n")...)
	default:
		tabs, colHead, body, detail := m.page().view(w)
		lines = append(lines, tabs, m.st.colHead.Render(fit(colHead, w)))
		for _, b := range body {
			// Views cut their lines already; this guards the
			// messages ("no connections...") on tiny terminals.
			lines = append(lines, clip(b, w))
		}
		for i := len(body); i < m.bodyHeight(); i++ {
			lines = append(lines, "")
		}
		for _, d := range detail {
			lines = append(lines, m.st.detail.Render(clip(d, w)))
		}
		lines = append(lines, m.statusLine(w))
	}
	for len(lines) < m.height-1 {
		lines = append(lines, "")
	}
	if m.view == viewConfig && !m.help && m.mode == modeQuit {
		// The Config view has the status line: the question takes
		// the place of the top level's hints.
		lines = append(lines, m.statusLine(w))
	} else {
		lines = append(lines, m.st.footer.Render(clip(m.footerLine(w), w)))
	}
	if m.height > 0 && len(lines) > m.height {
		lines = lines[:m.height]
	}
	return strings.Join(lines, "\n")
}

// headerLine is the first line, in w columns. What does not fit goes, the
// least needed first: the connection table's size, then the IPVS
// version; the counts, the time and read-only stay (at 80 columns
// read-only used to be cut).
func (m *Model) headerLine(w int) string {
	const name = "lvsadm tui"
	if m.opts.NoKernel != nil {
		return name + "  no IPVS table: config and director views only"
	}
	if m.snap == nil {
		if m.fetching {
			return name + "  reading the IPVS table..."
		}
		return name
	}
	nd := 0
	for _, s := range m.snap.Services {
		nd += len(s.Destinations)
	}
	counts := fmt.Sprintf("%d svc %d rs", len(m.snap.Services), nd)
	if n := downCount(m.dstat); n > 0 {
		counts += fmt.Sprintf(" %d DOWN", n)
	}
	when := m.lastRefresh.Format("15:04:05")
	if m.paused {
		when += " PAUSED"
	} else {
		when += " every " + m.opts.Interval.String()
	}
	tail := []string{counts, when}
	if m.opts.ReadOnly {
		tail = append(tail, "read-only")
	}
	version := "IPVS " + ops.VersionString(m.snap.Info.Version)
	table := fmt.Sprintf("conn tab %d", m.snap.Info.ConnTabSize)
	for _, head := range [][]string{{name, version, table}, {name, version}, {name}} {
		line := strings.Join(append(head, tail...), "  ")
		if len(line) <= w {
			return line
		}
	}
	return strings.Join(append([]string{name}, tail...), "  ")
}

// tabLine renders the view tabs followed by extra, the view's settings,
// the most important first: those that do not fit go from the end, and
// the first is cut (~) rather than dropped, so that an active filter
// shows at 80 columns. The current tab is in brackets, so that it shows
// without attributes. When the tabs and the settings do not fit, the
// Connections tab, unless it is the current one, is shortened to
// "2 Conns": at 80 columns four tabs and the services view's settings
// need it.
func (m *Model) tabLine(w int, extra ...string) string {
	var parts []string
	for _, e := range extra {
		if e = strings.TrimSpace(e); e != "" {
			parts = append(parts, "  "+e)
		}
	}
	full := [numViews]string{"1 Services", "2 Connections", "3 Director", "4 Config"}
	short := full
	if m.view != viewConns {
		short[viewConns] = "2 Conns"
	}
	// At 60 columns a filter after even the short tabs would be a "~".
	tiny := [numViews]string{"1 Svc", "2 Conns", "3 Dir", "4 Cfg"}
	// The tabs with which the most settings fit, the longer on a tie;
	// when not even the first (the filter) fits, the short ones and a
	// cut (a long lvs.cf path).
	names, most := short, 0
	if len(parts) == 0 {
		names = full
	}
	for _, v := range [][numViews]string{full, short, tiny} {
		_, plain := m.tabs(v)
		n := 0
		for n < len(parts) && len(plain)+ansi.StringWidth(strings.Join(parts[:n+1], "")) <= w {
			n++
		}
		if n > most {
			names, most = v, n
		}
	}
	styled, plain := m.tabs(names)
	p := strings.TrimRight(plain, " ")
	if w < len(p) {
		return clip(p, w)
	}
	room := w - len(plain)
	for len(parts) > 1 && ansi.StringWidth(strings.Join(parts, "")) > room {
		parts = parts[:len(parts)-1]
	}
	return strings.TrimRight(styled, " ") + strings.TrimRight(fit(strings.Join(parts, ""), room), " ")
}

// tabs renders the view tabs, styled and plain.
func (m *Model) tabs(names [numViews]string) (styled, plain string) {
	var sb, pb strings.Builder
	for i, n := range names {
		t := " " + n + " "
		st := m.st.tabOff
		if viewID(i) == m.view {
			t, st = "["+n+"]", m.st.tabOn
		}
		pb.WriteString(t)
		sb.WriteString(st.Render(t))
	}
	return sb.String(), pb.String()
}

func (m *Model) footerLine(w int) string {
	p := m.keys.prompt
	switch {
	case m.help:
		if h := max(m.height-2, 0); m.helpTotal > h {
			return fmt.Sprintf("lines %d-%d of %d  up down scroll  other keys close",
				m.helpOffset+1, min(m.helpOffset+h, m.helpTotal), m.helpTotal)
		}
		return "any key closes the help"
	case m.mode == modeFilter || m.mode == modeWeight:
		return joinHints(p.Apply, p.Cancel, p.Clear)
	case m.mode == modeConfirm || m.mode == modeQuit:
		return hint{b: p.Yes, word: "confirm"}.String() + "  any other key cancels"
	}
	if m.view == viewConfig && m.cfg.Captures() {
		// Every key but ctrl+c is the Config view's: its own hints
		// say what they do.
		return ""
	}
	return m.footerHints(w)
}

func (m *Model) statusLine(w int) string {
	switch m.mode {
	case modeFilter:
		return m.promptLine("filter: "+m.input+"_", w)
	case modeWeight:
		label := ""
		if _, d, ok := m.selectedDest(); ok {
			label = " of " + destLabel(d)
		}
		return m.promptLine("weight"+label+": "+m.input+"_", w)
	case modeQuit:
		return m.st.prompt.Render(question("unsaved changes in "+m.configName()+": quit anyway? [y/N]", w))
	case modeConfirm:
		if p := m.pending; p != nil {
			return m.st.prompt.Render(question(confirmQuestion(p), w))
		}
	}
	if !m.statusAll && m.statusView != m.view {
		return ""
	}
	if m.statusErr {
		return m.st.errStat.Render(clip(m.status, w))
	}
	if m.statusCLI != "" {
		return m.st.status.Render(withCLI(m.status, m.statusCLI, w))
	}
	return m.st.status.Render(clip(m.status, w))
}

// promptLine is a prompt, followed by why its last value was refused.
func (m *Model) promptLine(p string, w int) string {
	if m.inputErr == "" || ansi.StringWidth(p) >= w {
		return m.st.prompt.Render(clip(p, w))
	}
	return m.st.prompt.Render(p) + m.st.errStat.Render(clip("  error: "+m.inputErr+" (esc gives up)", w-ansi.StringWidth(p)))
}

// question is a y/n question in w columns: when it does not fit, its
// text is cut (~) rather than the "[y/N]" that says what to press.
func question(q string, w int) string {
	const yn = " [y/N]"
	text, ok := strings.CutSuffix(q, yn)
	if !ok || ansi.StringWidth(q) <= w || w < len(yn)+8 {
		return clip(q, w)
	}
	return fit(text, w-len(yn)) + yn
}

// confirmQuestion asks whether to make change p.
func confirmQuestion(p *pendingEdit) string {
	if p.daemonAct != "" {
		return daemonQuestion(p)
	}
	switch p.act {
	case actRemove:
		// IPVS drops the packets of a deleted destination's
		// connections (unless expire_nodest_conn is set): say so.
		return "Take " + destLabel(p.dest) + " out? Its traffic is dropped: its connections are cut. [y/N]"
	case actPutBack:
		return fmt.Sprintf("Put %s back (%s, weight %d)? [y/N]", p.label, ops.ForwardName(p.dest.ConnFlags), p.dest.Weight)
	}
	verb := "Set weight of"
	if p.weight == 0 {
		verb = "Drain"
	} else if p.restore {
		verb = "Restore"
	}
	return fmt.Sprintf("%s %s: weight %d -> %d? [y/N]", verb, p.label, p.dest.Weight, p.weight)
}

// withCLI is a status message followed by its shell command, in w
// columns. When both do not fit, the message is cut (marked ~) rather
// than the command: the command names the server and the service, and is
// the part to copy; only when even it does not fit is the end cut.
func withCLI(msg, cli string, w int) string {
	tail := " (" + cli + ")"
	room := w - ansi.StringWidth(tail)
	if ansi.StringWidth(msg) <= room {
		return msg + tail
	}
	if room < 8 {
		return clip(msg+tail, w)
	}
	return fit(msg, room) + tail
}

// helpLines is the help overlay, from line m.helpOffset on, in h lines:
// at 60x20 it does not fit, so it scrolls.
func (m *Model) helpLines(w, h int) []string {
	var all []string
	for i, sec := range m.helpSections() {
		if i > 0 {
			all = append(all, "")
		}
		all = append(all, m.st.header.Render(clip(sec.title, w)))
		lines := sec.lines()
		col, wrap := 0, false
		for _, l := range lines {
			col = max(col, len(l.keys)+2)
		}
		for _, l := range lines {
			wrap = wrap || 2+col+ansi.StringWidth(l.what) > w
		}
		for _, l := range lines {
			if wrap {
				// Narrow: each description under its keys rather
				// than cut after them.
				if l.keys != "" {
					all = append(all, clip("  "+l.keys, w))
				}
				all = append(all, clip("      "+l.what, w))
				continue
			}
			all = append(all, clip("  "+fit(l.keys, col)+l.what, w))
		}
	}
	h = max(h, 0)
	m.helpOffset = max(min(m.helpOffset, len(all)-h), 0)
	m.helpTotal = len(all)
	out := all[m.helpOffset:]
	if len(out) > h {
		out = out[:h]
	}
	return out
}

// joinHints is the hint line of bindings: their help, two spaces apart.
func joinHints(bs ...key.Binding) string {
	var parts []string
	for _, b := range bs {
		parts = append(parts, b.Help().Key+" "+b.Help().Desc)
	}
	return strings.Join(parts, "  ")
}

// configName is the edited file's name as the quit question says it.
func (m *Model) configName() string {
	if p := m.opts.Config.Path; p != "" {
		return filepath.Base(p)
	}
	return "lvs.cf"
}
