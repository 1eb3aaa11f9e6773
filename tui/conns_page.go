package tui

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/lvsadm/lvsadm/ops"
)

// connsPage is the connections view (page.go): the connection table as
// ipvsadm -Lcn lists it, filtered, sorted or counted.
type connsPage struct{ m *Model }

// connsState is the connections view's state.
type connsState struct {
	connFilter ConnFilter
	connOffset int    // first row shown; the view scrolls, it has no cursor
	connState  string // state chosen with the s key, "" for all
	connSort   connSortKey
	connDesc   bool
	connGroup  connGroup
	connKernel []ops.Connection // the kept rows in the kernel's order
}

func (p connsPage) move(delta int) {
	p.m.connOffset += delta
	p.m.clampConns()
}

func (p connsPage) help() []helpSection {
	return []helpSection{{"Connections", p.m.keys.conns.help()},
		// The filter's terms are no keys, but this is where they are looked for.
		{"Connections filter (/): terms, all of which must match", []key.Binding{
			bind("state:EST", "proto:udp client:IP svc:IP:PORT rs:IP  a word: a state"),
			bind("~REGEXP", "rs~REGEXP (and state~ proto~ client~ svc~)  !TERM inverts"),
		}}}
}

func (p connsPage) hints() []hint {
	g, c := p.m.keys.global, p.m.keys.conns
	help, views, quit := p.m.commonHints()
	return []hint{help, views, {b: g.Filter, word: "filter"}, {b: c.State, word: "state"},
		{b: c.Sort, keys: "PESCVD", word: "sort"}, {b: c.Count, word: "count"}, {b: g.Pause, word: "pause"}, quit}
}

func (p connsPage) update(k tea.KeyPressMsg) tea.Cmd {
	m := p.m
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
