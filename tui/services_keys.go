package tui

import (
	"strconv"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/lvsadm/lvsadm/ops"
)

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

// selectedDest returns the selected row when it is a real server.
func (m *Model) selectedDest() (row, ops.Destination, bool) {
	r, ok := m.selectedRow()
	if !ok || !r.isDest() || m.snap == nil {
		return row{}, ops.Destination{}, false
	}
	return r, m.snap.Services[r.svc].Destinations[r.dest], true
}
