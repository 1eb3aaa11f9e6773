package tui

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/lvsadm/lvsadm/ops"
)

// Services view columns: right-aligned numbers after a flexible name column.
type column struct {
	title string
	width int
	left  bool // words, not numbers
}

func (m *Model) serviceColumns(w int) []column {
	cols := []column{{"FWD", 6, true}, {"WEIGHT", 6, false}, {"ACTIVE", 6, false},
		{"INACT", 6, false}, {"CONN/s", 6, false}}
	if m.withHealth() {
		cols = append([]column{{"HEALTH", 8, true}}, cols...)
	}
	if w >= 100 {
		cols = append(cols, column{"PKT/s IN", 8, false}, column{"OUT", 6, false})
	}
	cols = append(cols, column{"B/s IN", 6, false}, column{"OUT", 6, false})
	if w >= sparkMinWidth {
		cols = append(cols, column{"TRAFFIC", sparkWidth, true})
	}
	return cols
}

// withHealth says whether the view has a HEALTH column: only when a daemon
// answered. Without one the column would hold "-" on every row, and at 80
// columns its width is what longer service names need (a VIP, its port
// and the scheduler).
func (m *Model) withHealth() bool { return m.dstat != nil }

// nameWidth is the width of the flexible name column.
func nameWidth(w int, cols []column) int {
	used := 2
	for _, c := range cols {
		used += c.width + 1
	}
	return max(w-used, 8)
}

// rowLine lays out a name and its values in the columns.
func rowLine(w int, marker, name string, cols []column, vals []string) string {
	nameW := nameWidth(w, cols)
	var b strings.Builder
	b.WriteString(marker)
	b.WriteString(fit(name, nameW))
	for i, c := range cols {
		b.WriteByte(' ')
		v := ""
		if i < len(vals) {
			v = vals[i]
		}
		if c.left {
			b.WriteString(fit(v, c.width))
		} else {
			b.WriteString(right(v, c.width))
		}
	}
	return fit(b.String(), w)
}

// servicesView renders the services view: services and their real
// servers, with the selected row in full below.
func (m *Model) servicesView(w int) (tabs, colHead string, body, detail []string) {
	rates := "rates: measured"
	if m.kernelRates {
		rates = "rates: kernel est."
	}
	order := "sort: " + m.sort.String()
	if m.sortDesc {
		order += " (rev)"
	}
	extra := "  " + order + "  " + rates
	if m.filter != "" {
		extra += "  filter: " + m.filter
	}
	tabs = m.tabLine(w, extra)
	cols := m.serviceColumns(w)
	titles := make([]string, len(cols))
	for i, c := range cols {
		titles[i] = c.title
	}
	colHead = rowLine(w, "  ", "SERVICE -> SERVER", cols, titles)
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
	wide := w >= 100
	h := m.bodyHeight()
	for i := m.offset; i < len(m.rows) && i < m.offset+h; i++ {
		r := m.rows[i]
		if r.virt != nil || r.ghost != nil {
			body = append(body, m.daemonOnlyLine(w, i, r))
			continue
		}
		ss := &m.snap.Services[r.svc]
		sid := serviceID(ss.Service.ServiceKey)
		var name string
		var vals []string
		var stats ops.Stats
		var bad bool
		if r.isDest() {
			d := &ss.Destinations[r.dest]
			name = "  -> " + destLabel(*d)
			stats = d.Stats
			var h string
			h, bad = m.destHealth(sid, d)
			vals = []string{h, ops.ForwardName(d.ConnFlags), strconv.Itoa(int(d.Weight)),
				siCount(uint64(d.ActiveConns)), siCount(uint64(d.InactConns))}
		} else {
			name = serviceLabel(ss.Service)
			stats = ss.Service.Stats
			act, inact, _ := serviceTotals(ss)
			var h string
			h, bad = serviceHealth(m.health.virtuals[sid])
			vals = []string{h, "", "", siCount(act), siCount(inact)}
		}
		if rt, ok := m.rateOf(r.id, stats); ok {
			vals = append(vals, siRate(rt.CPS))
			if wide {
				vals = append(vals, siRate(rt.InPPS), siRate(rt.OutPPS))
			}
			vals = append(vals, siRate(rt.InBPS), siRate(rt.OutBPS))
		} else {
			n := 3
			if wide {
				n = 5
			}
			for ; n > 0; n-- {
				vals = append(vals, "-")
			}
		}
		marker := "  "
		if i == m.cursor {
			marker = "> "
		}
		if !r.isDest() && w >= sparkMinWidth {
			vals = append(vals, sparkline(m.sparks[sid]))
		}
		if !m.withHealth() {
			vals = vals[1:]
		}
		line := rowLine(w, marker, name, m.serviceColumns(w), vals)
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
func (m *Model) daemonOnlyLine(w, i int, r row) string {
	var name, h string
	var bad bool
	why := "not in the kernel table"
	switch {
	case r.ghost != nil:
		name, h, bad = "  -> "+destLabel(r.ghost.dest), ghostHealth, true
		why = "taken out by you; u puts it back"
		if r.ghost.putBack {
			why = "put back; waiting for the table to list it"
		}
	case r.miss != nil:
		name = "  -> " + missingLabel(r.virt, r.miss)
		h, bad = serverHealth(r.miss, false, 0)
	default:
		name = virtualLabel(r.virt)
		h, bad = serviceHealth(r.virt)
	}
	marker := "  "
	if i == m.cursor {
		marker = "> "
	}
	cols := m.serviceColumns(w)
	var line string
	if m.withHealth() {
		line = rowLine(w, marker, name, cols, []string{h})
		line = fit(clip(line, 2+nameWidth(w, cols)+1+cols[0].width)+" "+why, w)
	} else {
		// Only a ghost comes here without a daemon: its state goes
		// where the columns would be.
		line = rowLine(w, marker, name, cols, nil)
		line = fit(clip(line, 2+nameWidth(w, cols))+" "+h+" "+why, w)
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
		h, _ := serviceHealth(r.virt)
		return []string{virtualLabel(r.virt) + why, "health: " + h + " (virtual " + r.virt.Name + ")"}
	}
	ss := &m.snap.Services[r.svc]
	sid := serviceID(ss.Service.ServiceKey)
	health := ""
	if r.isDest() {
		h, _ := m.destHealth(sid, &ss.Destinations[r.dest])
		health = m.healthDetail(m.health.servers[r.id], h)
	} else if v := m.health.virtuals[sid]; v != nil {
		h, _ := serviceHealth(v)
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
