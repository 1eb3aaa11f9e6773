package tui

import (
	"fmt"
	"strconv"
)

// view renders the connections view: the connection table as
// "ipvsadm -Lcn" shows it, rows from the bounded summary, counts below.
func (p connsPage) view(w int) (tabs, colHead string, body, detail []string) {
	m := p.m
	var extra []string
	switch m.connGroup {
	case groupDest:
		extra = append(extra, "by real server")
	case groupState:
		extra = append(extra, "by state")
	default:
		// Only a chosen order is said: the tab line is short at 80
		// columns, and the kernel's order is the default.
		if m.connSort != connSortKernel {
			order := "sort: " + m.connSort.String()
			if m.connDesc {
				order += " (rev)"
			}
			extra = append(extra, order)
		}
	}
	if s := m.connFilterText(); s != "" {
		// First: what hides rows must show at 80 columns.
		extra = append([]string{"filter: " + s}, extra...)
	}
	tabs = m.tabLine(w, extra...)
	aw := connAddrWidth(w)
	colHead = fit("PRO", 5) + fit("EXPIRE", 7) + fit("STATE", 12) +
		fit("SOURCE", aw+1) + fit("VIRTUAL", aw+1) + fit("DESTINATION", aw)
	// The group's name gets what the two numbers leave, up to 48
	// (an IPv6 address and port): at 60 columns SHARE was cut.
	gw := max(min(w-16, 48), 8)
	switch m.connGroup {
	case groupDest:
		colHead = fit("REAL SERVER", gw) + right("CONNS", 8) + right("SHARE", 8)
	case groupState:
		colHead = fit("STATE", gw) + right("CONNS", 8) + right("SHARE", 8)
	}
	if m.opts.NoKernel != nil {
		return tabs, colHead, m.noKernelLines(), []string{"", ""}
	}
	var sum *ConnSummary
	if m.snap != nil {
		sum = m.snap.Conns
	}
	if sum == nil {
		if m.snap != nil || m.fetching {
			return tabs, colHead, []string{"reading the connection table..."}, []string{"", ""}
		}
		return tabs, colHead, nil, []string{"", ""}
	}
	if sum.Matched == 0 {
		msg := "no connections"
		if sum.Total > 0 {
			msg = "no connection matches the filter (esc clears it)"
		}
		body = append(body, msg)
	}
	h := m.bodyHeight()
	if m.connGroup != groupNone {
		groups := connGroups(sum, m.connGroup)
		for i := m.connOffset; i < len(groups) && i < m.connOffset+h; i++ {
			g := groups[i]
			share := strconv.FormatFloat(100*float64(g.count)/float64(max(sum.Matched, 1)), 'f', 1, 64) + "%"
			body = append(body, fit(fit(g.name, gw)+right(siCount(uint64(g.count)), 8)+right(share, 8), w))
		}
		return tabs, colHead, body, wrap(m.connCounts(sum), w, 2)
	}
	for i := m.connOffset; i < len(sum.Rows) && i < m.connOffset+h; i++ {
		c := &sum.Rows[i]
		line := fit(c.Protocol, 5) + fit(clock(c.Expires), 7) + fit(c.State, 12) +
			fitLeft(hostPort(c.Client, c.CPort), aw) + " " + fitLeft(hostPort(c.Virtual, c.VPort), aw) + " " +
			fitLeft(hostPort(c.Dest, c.DPort), aw)
		body = append(body, fit(line, w))
	}
	return tabs, colHead, body, wrap(m.connCounts(sum), w, 2)
}

// connFilterText is the connection filter as typed, with the state chosen
// with the s key.
func (m *Model) connFilterText() string {
	s := m.connFilter.String()
	if m.connState != "" {
		if s != "" {
			s += " "
		}
		s += "state:" + m.connState
	}
	return s
}

// connCounts says how many entries there are, how many match and are
// listed, and how many are in each state over the whole table.
func (m *Model) connCounts(sum *ConnSummary) []string {
	head := siCount(uint64(sum.Total)) + " entries"
	if !m.effectiveConnFilter().Empty() {
		head += ", " + siCount(uint64(sum.Matched)) + " match"
	}
	if len(sum.Rows) < sum.Matched {
		head += ", first " + strconv.Itoa(len(sum.Rows)) + " listed"
	}
	if n := m.connLines(); n > 0 {
		last := min(m.connOffset+m.bodyHeight(), n)
		what := "rows"
		if m.connGroup != groupNone {
			what = "groups"
		}
		head += fmt.Sprintf(" (%s %d-%d)", what, m.connOffset+1, last)
	}
	words := []string{head + ":"}
	for _, st := range sum.States() {
		name := st
		if name == "" {
			name = "-"
		}
		words = append(words, name+" "+siCount(uint64(sum.ByState[st])))
	}
	if sum.Total == 0 {
		words = append(words, "table empty")
	}
	return words
}

// wrap lays out words (never split) on at most n lines of width w, two
// spaces apart; what does not fit is cut.
func wrap(words []string, w, n int) []string {
	lines := make([]string, 1, n)
	for _, wd := range words {
		cur := &lines[len(lines)-1]
		switch {
		case *cur == "":
			*cur = wd
		case len(*cur)+2+len(wd) <= w:
			*cur += "  " + wd
		case len(lines) < n:
			lines = append(lines, wd)
		default:
			*cur = clip(*cur+"  "+wd, w)
		}
	}
	for len(lines) < n {
		lines = append(lines, "")
	}
	return lines
}

// connAddrWidth is the width of each of the three address columns: what is
// left after marker, protocol, expiry and state, shared out.
func connAddrWidth(w int) int {
	aw := (w - 5 - 7 - 12 - 2) / 3
	if aw < 10 {
		aw = 10
	}
	return aw
}
