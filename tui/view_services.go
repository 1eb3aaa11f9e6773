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
}

func (m *Model) serviceColumns(w int) []column {
	cols := []column{{"FWD", 6}, {"WEIGHT", 6}, {"ACTIVE", 6}, {"INACT", 6}, {"CONN/s", 6}}
	if w >= 100 {
		cols = append(cols, column{"PKT/s IN", 8}, column{"OUT", 6})
	}
	return append(cols, column{"B/s IN", 6}, column{"OUT", 6})
}

// rowLine lays out a name and its values in the columns.
func rowLine(w int, marker, name string, cols []column, vals []string) string {
	used := 2
	for _, c := range cols {
		used += c.width + 1
	}
	nameW := w - used
	if nameW < 8 {
		nameW = 8
	}
	var b strings.Builder
	b.WriteString(marker)
	b.WriteString(fit(name, nameW))
	for i, c := range cols {
		b.WriteByte(' ')
		v := ""
		if i < len(vals) {
			v = vals[i]
		}
		if i == 0 {
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
	colHead = rowLine(w, "  ", "SERVICE -> REAL SERVER", cols, titles)
	if m.snap == nil {
		return tabs, colHead, nil, []string{""}
	}
	if len(m.rows) == 0 {
		msg := "  no virtual services"
		if m.filter != "" {
			msg = "  nothing matches the filter (esc clears it)"
		}
		return tabs, colHead, []string{msg}, []string{""}
	}
	wide := w >= 100
	h := m.bodyHeight()
	for i := m.offset; i < len(m.rows) && i < m.offset+h; i++ {
		r := m.rows[i]
		ss := &m.snap.Services[r.svc]
		var name string
		var vals []string
		var stats ops.Stats
		if r.isDest() {
			d := &ss.Dests[r.dest]
			name = "  -> " + destLabel(*d)
			stats = d.Stats
			vals = []string{ops.ForwardName(d.ConnFlags), strconv.Itoa(int(d.Weight)),
				siCount(uint64(d.ActiveConns)), siCount(uint64(d.InactConns))}
		} else {
			name = serviceLabel(ss.Service)
			stats = ss.Service.Stats
			act, inact, _ := serviceTotals(ss)
			vals = []string{"", "", siCount(act), siCount(inact)}
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
		line := rowLine(w, marker, name, m.serviceColumnsFor(wide), vals)
		switch {
		case i == m.cursor:
			line = m.st.selected.Render(line)
		case r.isDest() && ss.Dests[r.dest].Weight == 0:
			line = m.st.drained.Render(line)
		case !r.isDest():
			line = m.st.service.Render(line)
		}
		body = append(body, line)
	}
	return tabs, colHead, body, []string{m.servicesDetail()}
}

func (m *Model) serviceColumnsFor(wide bool) []column {
	if wide {
		return m.serviceColumns(100)
	}
	return m.serviceColumns(0)
}

// servicesDetail is the detail line of the selected row: the cumulative
// counters and what the narrow columns leave out.
func (m *Model) servicesDetail() string {
	r, ok := m.selectedRow()
	if !ok {
		return ""
	}
	ss := &m.snap.Services[r.svc]
	s := ss.Service.Stats
	name := serviceLabel(ss.Service)
	if r.isDest() {
		d := &ss.Dests[r.dest]
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
	return out
}
