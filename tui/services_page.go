package tui

import (
	"strconv"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/lvsadm/lvsadm/ops"
)

// servicesPage is the services view (page.go): services and their real
// servers, with health, weights, connections and rates.
type servicesPage struct{ m *Model }

// servicesState is the services view's state.
type servicesState struct {
	sort        sortKey
	sortDesc    bool
	kernelRates bool // show the kernel's estimates instead of deltas
	filter      string
	rows        []row
	cursor      int
	offset      int
	selID       itemID
	drainedFrom map[itemID]int32          // destID -> weight before this session drained it
	removed     map[itemID]*removedServer // destID -> a server this session took out
}

func (p servicesPage) move(delta int) {
	p.m.cursor += delta
	p.m.clampServices()
}

func (p servicesPage) help() []helpSection {
	m := p.m
	title := "Services"
	if m.opts.ReadOnly {
		title += " (read-only: " + firstKeys(m.keys.services.changes()) + " are refused)"
	}
	return []helpSection{{title, m.keys.services.help()}}
}

func (p servicesPage) hints() []hint {
	m := p.m
	g, s := m.keys.global, m.keys.services
	help, _, quit := m.commonHints()
	// No "tab views" here: the tab line above shows the views, and the
	// actions need the room at 80 columns.
	out := []hint{help, {b: g.Filter, word: "filter"}, {b: s.Sort, word: "sort"}}
	if m.opts.ReadOnly {
		return append(out, hint{b: g.Slower, keys: "+-", word: "interval"}, quit,
			hint{keys: "read-only:", word: "no " + firstKeys(s.changes())})
	}
	return append(out, hint{b: s.Drain, word: "drain"}, hint{b: s.Restore, word: "restore"},
		hint{b: s.Weight, word: "weight"}, hint{b: s.Out, word: "out"}, hint{b: s.Zero, word: "zero"}, quit)
}

func (p servicesPage) update(k tea.KeyPressMsg) tea.Cmd {
	m := p.m
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

// selectedDest returns the selected row when it is a real server.
func (m *Model) selectedDest() (row, ops.Destination, bool) {
	r, ok := m.selectedRow()
	if !ok || !r.isDest() || m.snap == nil {
		return row{}, ops.Destination{}, false
	}
	return r, m.snap.Services[r.svc].Destinations[r.dest], true
}
