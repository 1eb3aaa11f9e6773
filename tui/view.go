package tui

import (
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"

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
	lines = append(lines, m.st.header.Render(fit(m.headerLine(), w)))
	if m.help {
		lines = append(lines, m.helpLines(w, m.height-2)...)
	} else {
		var body, detail []string
		var tabs, colHead string
		switch m.view {
		case viewConns:
			tabs, colHead, body, detail = m.connsView(w)
		case viewDirector:
			tabs, colHead, body, detail = m.directorView(w)
		default:
			tabs, colHead, body, detail = m.servicesView(w)
		}
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
	lines = append(lines, m.st.footer.Render(clip(m.footerLine(), w)))
	if m.height > 0 && len(lines) > m.height {
		lines = lines[:m.height]
	}
	return strings.Join(lines, "\n")
}

func (m *Model) headerLine() string {
	var b strings.Builder
	b.WriteString("lvsadm tui")
	if m.snap == nil {
		if m.fetching {
			b.WriteString("  reading the IPVS table...")
		}
		return b.String()
	}
	nd := 0
	for _, s := range m.snap.Services {
		nd += len(s.Dests)
	}
	fmt.Fprintf(&b, "  IPVS %s  conn tab %d  %d svc %d rs", ops.VersionString(m.snap.Info.Version),
		m.snap.Info.ConnTabSize, len(m.snap.Services), nd)
	if n := downCount(m.dstat); n > 0 {
		fmt.Fprintf(&b, " %d DOWN", n)
	}
	b.WriteString("  " + m.lastRefresh.Format("15:04:05"))
	if m.paused {
		b.WriteString(" PAUSED")
	} else {
		b.WriteString(" every " + m.opts.Interval.String())
	}
	if m.opts.ReadOnly {
		b.WriteString("  read-only")
	}
	return b.String()
}

// tabLine renders the view tabs followed by extra, the view's settings.
// The current tab is in brackets, so that it shows without attributes.
func (m *Model) tabLine(w int, extra string) string {
	names := [numViews]string{"1 Services", "2 Connections", "3 Director"}
	var styled, plain strings.Builder
	for i, n := range names {
		t := " " + n + " "
		st := m.st.tabOff
		if viewID(i) == m.view {
			t, st = "["+n+"]", m.st.tabOn
		}
		plain.WriteString(t)
		styled.WriteString(st.Render(t))
	}
	p := strings.TrimRight(plain.String(), " ")
	if w < len(p) {
		return clip(p, w)
	}
	rest := ""
	if extra = strings.TrimSpace(extra); extra != "" {
		rest = clip("  "+extra, w-len(plain.String()))
	}
	return strings.TrimRight(styled.String(), " ") + rest
}

func (m *Model) footerLine() string {
	if m.help {
		return "any key closes the help"
	}
	switch m.mode {
	case modeFilter, modeWeight:
		return "enter apply  esc cancel  ctrl+u clear"
	case modeConfirm:
		return "y confirm  any other key cancels"
	}
	return footerHints(m.view, m.opts.ReadOnly)
}

func (m *Model) statusLine(w int) string {
	switch m.mode {
	case modeFilter:
		return m.st.prompt.Render(clip("filter: "+m.input+"_", w))
	case modeWeight:
		label := ""
		if _, d, ok := m.selectedDest(); ok {
			label = " of " + destLabel(d)
		}
		return m.st.prompt.Render(clip("weight"+label+" (0-65535): "+m.input+"_", w))
	case modeConfirm:
		if p := m.pending; p != nil {
			verb := "Set weight of"
			if p.weight == 0 {
				verb = "Drain"
			} else if p.restore {
				verb = "Restore"
			}
			return m.st.prompt.Render(clip(fmt.Sprintf("%s %s: weight %d -> %d? [y/N]", verb, p.label, p.dest.Weight, p.weight), w))
		}
	}
	if m.statusErr {
		return m.st.errStat.Render(clip(m.status, w))
	}
	return m.st.status.Render(clip(m.status, w))
}

// helpLines is the help overlay, cut to h lines.
func (m *Model) helpLines(w, h int) []string {
	var out []string
	for i, sec := range helpSections(m.view) {
		if i > 0 {
			out = append(out, "")
		}
		title := sec.title
		if m.opts.ReadOnly && sec.title == "Services" {
			title += " (read-only: d u w are refused)"
		}
		out = append(out, m.st.header.Render(clip(title, w)))
		for _, k := range sec.keys {
			out = append(out, clip("  "+fit(k.keys, 20)+k.what, w))
		}
	}
	if len(out) > h && h >= 0 {
		out = out[:h]
	}
	return out
}
