package tui

import (
	"fmt"
	"strconv"
)

// connsView renders the connections view: the connection table as
// "ipvsadm -Lcn" shows it, rows from the bounded summary, counts below.
func (m *Model) connsView(w int) (tabs, colHead string, body, detail []string) {
	extra := ""
	if s := m.connFilterText(); s != "" {
		extra = "filter: " + s
	}
	tabs = m.tabLine(w, extra)
	aw := connAddrWidth(w)
	colHead = fit("PRO", 5) + fit("EXPIRE", 7) + fit("STATE", 12) +
		fit("SOURCE", aw+1) + fit("VIRTUAL", aw+1) + fit("DESTINATION", aw)
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
	if len(sum.Rows) == 0 {
		msg := "no connections"
		if sum.Total > 0 {
			msg = "no connection matches the filter (esc clears it)"
		}
		body = append(body, msg)
	}
	h := m.bodyHeight()
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
	if len(sum.Rows) > 0 {
		last := m.connOffset + m.bodyHeight()
		if last > len(sum.Rows) {
			last = len(sum.Rows)
		}
		head += fmt.Sprintf(" (rows %d-%d)", m.connOffset+1, last)
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
