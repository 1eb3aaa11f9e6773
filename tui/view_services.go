package tui

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/lvsadm/lvsadm/ops"
)

// Services view columns: right-aligned numbers after a name column.
type column struct {
	title string
	width int
	left  bool  // words, not numbers
	val   colID // which of a row's values it shows
}

// colID indexes a row's values, which are built for every column; the
// layout picks those that fit.
type colID int

const (
	colHealth colID = iota
	colFwd
	colWeight
	colActive
	colInact
	colCPS
	colPPSIn
	colPPSOut
	colBPSIn
	colBPSOut
	colTraffic
	numCols
)

// minNameWidth is what the name column keeps before columns are dropped
// for it: what 80 columns leave it next to every column but the wide
// ones, HEALTH included, so that the 80x24 layout keeps all its numbers
// ("TCP 10.0.0.1:80 wlc" whole, "TCP 192.0.2.10:80 w~"). At 60 columns
// the numbers would otherwise leave "TCP 192~".
const minNameWidth = 20

// svcLayout is the services view's columns at one width, and the name
// column's width.
type svcLayout struct {
	w     int
	nameW int
	cols  []column
}

// serviceLayout chooses the columns for width w and rows whose longest
// name is longest wide. The name column is as wide as the longest name
// (the slack of a wide terminal stays on the right, not between a name
// and its numbers); when it would be narrower than minNameWidth, columns
// go, the least needed first: bytes/s (the detail line has the bytes),
// then inactive connections, then the forwarding method.
func (m *Model) serviceLayout(w, longest int) svcLayout {
	cols := []column{{"FWD", 6, true, colFwd}, {"WEIGHT", 6, false, colWeight}, {"ACTIVE", 6, false, colActive},
		{"INACT", 6, false, colInact}, {"CONN/s", 6, false, colCPS}}
	if m.withHealth() {
		cols = append([]column{{"HEALTH", 8, true, colHealth}}, cols...)
	}
	if w >= 100 {
		cols = append(cols, column{"PKT/s IN", 8, false, colPPSIn}, column{"OUT", 6, false, colPPSOut})
	}
	cols = append(cols, column{"B/s IN", 6, false, colBPSIn}, column{"OUT", 6, false, colBPSOut})
	if w >= sparkMinWidth {
		cols = append(cols, column{"TRAFFIC", sparkWidth, true, colTraffic})
	}
	want := min(max(longest, len(serviceHead)), minNameWidth)
	for _, drop := range [][]colID{{colBPSIn, colBPSOut}, {colInact}, {colFwd}} {
		if nameRoom(w, cols) >= want {
			break
		}
		cols = slices.DeleteFunc(cols, func(c column) bool { return slices.Contains(drop, c.val) })
	}
	// One blank more than the longest name: a name that ends where
	// HEALTH begins reads as one word with it.
	nameW := max(min(nameRoom(w, cols), max(longest, len(serviceHead))+1), 8)
	return svcLayout{w: w, nameW: nameW, cols: cols}
}

// serviceHead is the name column's title.
const serviceHead = "SERVICE -> SERVER"

// withHealth says whether the view has a HEALTH column: only when a daemon
// answered. Without one the column would hold "-" on every row, and at 80
// columns its width is what longer service names need (a VIP, its port
// and the scheduler).
func (m *Model) withHealth() bool { return m.dstat != nil }

// nameRoom is the width left to the name column by cols.
func nameRoom(w int, cols []column) int {
	used := 2
	for _, c := range cols {
		used += c.width + 1
	}
	return w - used
}

// line lays out a name and its values (indexed by colID; missing ones
// are blank) in the columns.
func (l svcLayout) line(marker, name string, vals []string) string {
	var b strings.Builder
	b.WriteString(marker)
	b.WriteString(fit(name, l.nameW))
	for _, c := range l.cols {
		b.WriteByte(' ')
		v := ""
		if int(c.val) < len(vals) {
			v = vals[c.val]
		}
		if c.left {
			b.WriteString(fit(v, c.width))
		} else {
			b.WriteString(right(v, c.width))
		}
	}
	return fit(b.String(), l.w)
}

// rowName is the name column's text for row r.
func (m *Model) rowName(r row) string {
	switch {
	case r.ghost != nil:
		return "  -> " + destLabel(r.ghost.dest)
	case r.miss != nil:
		return "  -> " + missingLabel(r.virt, r.miss)
	case r.virt != nil:
		return virtualLabel(r.virt)
	case r.isDest():
		return "  -> " + destLabel(m.snap.Services[r.svc].Destinations[r.dest])
	}
	return serviceLabel(m.snap.Services[r.svc].Service)
}

// longestName is the widest name of the rows: all of them, not only those
// shown, so that the columns stay put while scrolling.
func (m *Model) longestName() int {
	n := 0
	for _, r := range m.rows {
		n = max(n, ansi.StringWidth(m.rowName(r)))
	}
	return n
}

// view renders the services view: services and their real
// servers, with the selected row in full below.
func (p servicesPage) view(w int) (tabs, colHead string, body, detail []string) {
	m := p.m
	rates := "rates: measured"
	if m.kernelRates {
		rates = "rates: kernel est."
	}
	order := "sort: " + m.sort.String()
	if m.sortDesc {
		order += " (rev)"
	}
	extra := []string{order, rates}
	if m.filter != "" {
		// First: what hides rows must show at 80 columns.
		extra = append([]string{"filter: " + m.filter}, extra...)
	}
	tabs = m.tabLine(w, extra...)
	lay := m.serviceLayout(w, m.longestName())
	titles := make([]string, numCols)
	for _, c := range lay.cols {
		titles[c.val] = c.title
	}
	colHead = lay.line("  ", serviceHead, titles)
	if m.opts.NoKernel != nil {
		return tabs, colHead, m.noKernelLines(), []string{"", ""}
	}
	if m.snap == nil {
		return tabs, colHead, nil, []string{"", ""}
	}
	if len(m.rows) == 0 {
		msg := "  no virtual services"
		if m.filter != "" {
			msg = "  nothing matches the filter (esc clears it)"
		}
		return tabs, colHead, []string{msg}, []string{"", ""}
	}
	h := m.bodyHeight()
	for i := m.offset; i < len(m.rows) && i < m.offset+h; i++ {
		r := m.rows[i]
		if r.virt != nil || r.ghost != nil {
			body = append(body, m.daemonOnlyLine(lay, i, r))
			continue
		}
		ss := &m.snap.Services[r.svc]
		sid := serviceID(ss.Service.ServiceKey)
		vals := make([]string, numCols)
		var stats ops.Stats
		var bad bool
		if r.isDest() {
			d := &ss.Destinations[r.dest]
			stats = d.Stats
			vals[colHealth], bad = m.destHealth(sid, d)
			vals[colFwd], vals[colWeight] = ops.ForwardName(d.ConnFlags), strconv.Itoa(int(d.Weight))
			vals[colActive], vals[colInact] = siCount(uint64(d.ActiveConns)), siCount(uint64(d.InactConns))
		} else {
			stats = ss.Service.Stats
			act, inact, _ := serviceTotals(ss)
			vals[colHealth], bad = m.kernelServiceHealth(ss)
			vals[colActive], vals[colInact] = siCount(act), siCount(inact)
			vals[colTraffic] = sparkline(m.sparks[sid])
		}
		if rt, ok := m.rateOf(r.id, stats); ok {
			vals[colCPS], vals[colPPSIn], vals[colPPSOut] = siRate(rt.CPS), siRate(rt.InPPS), siRate(rt.OutPPS)
			vals[colBPSIn], vals[colBPSOut] = siRate(rt.InBPS), siRate(rt.OutBPS)
		} else {
			for _, c := range []colID{colCPS, colPPSIn, colPPSOut, colBPSIn, colBPSOut} {
				vals[c] = "-"
			}
		}
		marker := "  "
		if i == m.cursor {
			marker = "> "
		}
		line := lay.line(marker, m.rowName(r), vals)
		switch {
		case i == m.cursor:
			line = m.st.selected.Render(line)
		case bad:
			line = m.st.bad.Render(line)
		case r.isDest() && ss.Destinations[r.dest].Weight == 0:
			line = m.st.drained.Render(line)
		case !r.isDest():
			line = m.st.service.Render(line)
		}
		body = append(body, line)
	}
	return tabs, colHead, body, m.servicesDetail()
}

// daemonOnlyLine renders a row the kernel lacks: a virtual service or a
// real server the daemon has, or a real server this session took out (a
// ghost), with its health and, where the counters would be, why they are
// not.
func (m *Model) daemonOnlyLine(lay svcLayout, i int, r row) string {
	var h string
	var bad bool
	why := "not in the kernel table"
	switch {
	case r.ghost != nil:
		h, bad = ghostHealth, true
		why = "taken out by you; u puts it back"
		if r.ghost.putBack {
			why = "put back; waiting for the table to list it"
		}
	case r.miss != nil:
		h, bad = serverHealth(r.miss, false, 0)
	default:
		h, bad = serviceHealth(r.virt, nil)
	}
	name, w := m.rowName(r), lay.w
	marker := "  "
	if i == m.cursor {
		marker = "> "
	}
	var line string
	if m.withHealth() {
		line = lay.line(marker, name, []string{colHealth: h})
		line = fit(clip(line, 2+lay.nameW+1+lay.cols[0].width)+" "+why, w)
	} else {
		// Only a ghost comes here without a daemon: its state goes
		// where the columns would be.
		line = lay.line(marker, name, nil)
		line = fit(clip(line, 2+lay.nameW)+" "+h+" "+why, w)
	}
	switch {
	case i == m.cursor:
		return m.st.selected.Render(line)
	case bad:
		return m.st.bad.Render(line)
	case r.miss == nil && r.ghost == nil:
		return m.st.service.Render(line)
	}
	return line
}

// ghostDetail is the two detail lines of a server this session took out:
// how u puts it back, as a shell command, and its health when the daemon
// has it (a server that is down is better left out).
func (m *Model) ghostDetail(r row) []string {
	g := r.ghost
	first := "taken out; u puts it back: " + editCLI(pendingEdit{act: actPutBack, key: g.key, dest: g.dest})
	v := m.health.virtuals[g.sid]
	for _, s := range m.health.missing[g.sid] {
		if missingID(g.sid, v, s) == r.id {
			h, _ := serverHealth(s, false, 0)
			return []string{first, m.healthDetail(s, h)}
		}
	}
	return []string{first, ""}
}

// servicesDetail is the two detail lines of the selected row: the
// cumulative counters and what the narrow columns leave out, then its
// health as the daemon sees it.
func (m *Model) servicesDetail() []string {
	r, ok := m.selectedRow()
	if !ok {
		return []string{"", ""}
	}
	if r.ghost != nil {
		return m.ghostDetail(r)
	}
	if r.virt != nil {
		why := ": in lvs.cf, not in the kernel table"
		if r.svc < 0 && m.dstat != nil && m.dstat.Heartbeat.Role == "standby" {
			why = ": not in the kernel table: this director is standby"
		}
		if r.miss != nil {
			h, _ := serverHealth(r.miss, false, 0)
			return []string{missingLabel(r.virt, r.miss) + why, m.healthDetail(r.miss, h)}
		}
		h, _ := serviceHealth(r.virt, nil)
		return []string{virtualLabel(r.virt) + why, "health: " + h + " (virtual " + r.virt.Name + ")"}
	}
	ss := &m.snap.Services[r.svc]
	sid := serviceID(ss.Service.ServiceKey)
	health := ""
	if r.isDest() {
		h, _ := m.destHealth(sid, &ss.Destinations[r.dest])
		health = m.healthDetail(m.health.servers[r.id], h)
	} else if v := m.health.virtuals[sid]; v != nil {
		h, _ := m.kernelServiceHealth(ss)
		health = "health: " + h + " (virtual " + v.Name + ")"
	}
	s := ss.Service.Stats
	name := serviceLabel(ss.Service)
	if r.isDest() {
		d := &ss.Destinations[r.dest]
		s = d.Stats
		name = destLabel(*d)
		if d.PersistConns > 0 {
			name += " persist " + siCount(uint64(d.PersistConns))
		}
	}
	out := fmt.Sprintf("%s: conns %s pkts %s/%s bytes %s/%s", name, siCount(s.Conns),
		siCount(s.InPkts), siCount(s.OutPkts), siCount(s.InBytes), siCount(s.OutBytes))
	if rt, ok := m.rateOf(r.id, s); ok {
		out += fmt.Sprintf(" pkt/s %s/%s", siRate(rt.InPPS), siRate(rt.OutPPS))
	}
	return []string{out, health}
}
