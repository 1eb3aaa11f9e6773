package tui

import (
	"bytes"
	"sort"
	"strconv"
	"strings"

	"github.com/lvsadm/lvsadm/daemon/control"

	"github.com/lvsadm/lvsadm/ops"
)

// row is one line of the services view: a service, or one of its real
// servers (dest >= 0).
type row struct {
	svc  int // index into snap.Services
	dest int // index into the service's Dests, -1 for the service line
	id   itemID
	// virt is set for rows of the daemon's configuration that the
	// kernel table lacks: a virtual service (svc is -1 then) or, with
	// miss, one of its real servers (dest is -1 then).
	virt *control.VirtualStatus
	miss *control.ServerStatus
	// ghost is set for a real server this session took out of the
	// kernel's table (dest is -1): listed under its service for u.
	ghost *removedServer
}

func (r row) isDest() bool { return r.dest >= 0 }

// serviceLabel is a service as the view names it: "TCP 10.0.0.1:80 wlc".
func serviceLabel(s ops.Service) string {
	var b strings.Builder
	if s.FWMark != 0 {
		b.WriteString("FWM ")
		b.WriteString(strconv.FormatUint(uint64(s.FWMark), 10))
		if s.Family == ops.AFInet6 {
			b.WriteString(" IPv6")
		}
	} else {
		b.WriteString(strings.ToUpper(ops.ProtocolName(s.Protocol)))
		b.WriteByte(' ')
		b.WriteString(hostPort(s.Address, s.Port))
	}
	b.WriteByte(' ')
	b.WriteString(s.Scheduler)
	if s.Flags&ops.SvcPersistent != 0 {
		b.WriteString(" persist ")
		b.WriteString(strconv.FormatUint(uint64(s.Timeout), 10))
	}
	return b.String()
}

// destLabel is a real server as the view names it, without the indent.
func destLabel(d ops.Destination) string { return hostPort(d.Address, d.Port) }

// buildRows flattens the snapshot into the services view's rows: filtered,
// then sorted. A service matching the filter shows all its real servers; a
// service that does not shows only the ones that match.
func (m *Model) buildRows() {
	m.rows = m.rows[:0]
	if m.snap == nil {
		return
	}
	match, inverted := textFilter(m.filter)
	svcs := make([]int, 0, len(m.snap.Services))
	for i := range m.snap.Services {
		svcs = append(svcs, i)
	}
	m.sortServices(svcs)
	for _, si := range svcs {
		ss := &m.snap.Services[si]
		sid := serviceID(ss.Service.ServiceKey)
		sh, _ := m.kernelServiceHealth(ss)
		svcMatch := match(serviceLabel(ss.Service) + " " + sh)
		// A service that matches shows all its real servers; with an
		// inverted filter ("!down") each server is judged alone.
		all := svcMatch && !inverted
		var dests []int
		for di := range ss.Destinations {
			d := &ss.Destinations[di]
			h, _ := m.destHealth(sid, d)
			if all || match(destLabel(*d)+" "+ops.ForwardName(d.ConnFlags)+" "+h) {
				dests = append(dests, di)
			}
		}
		v := m.health.virtuals[sid]
		ghosts := m.ghostRows(sid, ss, all, match)
		missing := missingRows(v, m.health.missing[sid], all, match)
		if !svcMatch && len(dests) == 0 && len(missing) == 0 && len(ghosts) == 0 {
			continue
		}
		m.sortDests(ss, sid, dests)
		m.rows = append(m.rows, row{svc: si, dest: -1, id: sid})
		for _, di := range dests {
			m.rows = append(m.rows, row{svc: si, dest: di, id: destID(sid, ss.Destinations[di])})
		}
		for _, g := range ghosts {
			m.rows = append(m.rows, row{svc: si, dest: -1, id: destID(sid, g.dest), ghost: g})
		}
		for _, r := range missing {
			if m.removed[missingID(sid, v, r)] != nil {
				continue // its ghost row says more: who took it out, and u
			}
			m.rows = append(m.rows, row{svc: si, dest: -1, id: missingID(sid, v, r), virt: v, miss: r})
		}
	}
	// The daemon's virtual services that the kernel lacks (all of them on
	// a standby director, whose checks still run), after the kernel's.
	for _, v := range m.health.absent {
		id := itemID{daemon: v.Name}
		sh, _ := serviceHealth(v, nil)
		svcMatch := match(virtualLabel(v) + " " + sh)
		var servers []*control.ServerStatus
		for i := range v.Servers {
			if v.Servers[i].Active {
				servers = append(servers, &v.Servers[i])
			}
		}
		missing := missingRows(v, servers, svcMatch && !inverted, match)
		if !svcMatch && len(missing) == 0 {
			continue
		}
		m.rows = append(m.rows, row{svc: -1, dest: -1, id: id, virt: v})
		for _, r := range missing {
			m.rows = append(m.rows, row{svc: -1, dest: -1, id: missingID(id, v, r), virt: v, miss: r})
		}
	}
}

// ghostRows are the servers of service sid that this session took out
// and the kernel's table (ss) does not list, that the filter keeps: all
// of them when all; by address. A refresh that started before the
// deletion may list the server still: its kernel row is shown then.
func (m *Model) ghostRows(sid itemID, ss *ServiceSnapshot, all bool, match func(string) bool) []*removedServer {
	var out []*removedServer
	for _, g := range m.removed {
		if g.sid != sid || hasDest(ss, g.dest) {
			continue
		}
		if all || match(destLabel(g.dest)+" "+ghostHealth+" "+ops.ForwardName(g.dest.ConnFlags)) {
			out = append(out, g)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i].dest, out[j].dest
		if c := bytes.Compare(a.Address.To16(), b.Address.To16()); c != 0 {
			return c < 0
		}
		return a.Port < b.Port
	})
	return out
}

// ghostHealth is the HEALTH column of a server this session took out.
const ghostHealth = "OUT"

// hasDest says whether ss lists real server d.
func hasDest(ss *ServiceSnapshot, d ops.Destination) bool {
	for i := range ss.Destinations {
		if ss.Destinations[i].Port == d.Port && ss.Destinations[i].Address.Equal(d.Address) {
			return true
		}
	}
	return false
}

// missingRows are the servers of v, absent from the kernel, that the
// filter keeps: all of them when all.
func missingRows(v *control.VirtualStatus, servers []*control.ServerStatus, all bool, match func(string) bool) []*control.ServerStatus {
	var out []*control.ServerStatus
	for _, r := range servers {
		h, _ := serverHealth(r, false, 0)
		if all || match(missingLabel(v, r)+" "+h) {
			out = append(out, r)
		}
	}
	return out
}

// destHealth is the health column of the kernel's real server d.
func (m *Model) destHealth(sid itemID, d *ops.Destination) (string, bool) {
	if m.dstat == nil {
		return "-", false
	}
	return serverHealth(m.health.servers[destID(sid, *d)], true, d.Weight)
}

// rateOf returns the rates shown for id: measured deltas, or the kernel's
// estimates when the user asked for them.
func (m *Model) rateOf(id itemID, s ops.Stats) (Rates, bool) {
	if m.kernelRates {
		return kernelRates(s), true
	}
	r, ok := m.rates.rates[id]
	return r, ok
}

// serviceTotals sums what the service line shows of its real servers.
func serviceTotals(ss *ServiceSnapshot) (active, inact uint64, weight int64) {
	for _, d := range ss.Destinations {
		active += uint64(d.ActiveConns)
		inact += uint64(d.InactConns)
		weight += int64(d.Weight)
	}
	return
}

// sortValue is the numeric value a row sorts by for the numeric keys.
func (m *Model) sortValue(id itemID, s ops.Stats, active uint64, weight int64) float64 {
	switch m.sort {
	case sortActive:
		return float64(active)
	case sortCPS:
		r, _ := m.rateOf(id, s)
		return r.CPS
	case sortBytes:
		r, _ := m.rateOf(id, s)
		return r.InBPS + r.OutBPS
	case sortWeight:
		return float64(weight)
	}
	return 0
}

// less orders two rows by the current key: numbers largest first, addresses
// smallest first, and the opposite with sortDesc. Ties keep kernel order
// (the sorts are stable).
func (m *Model) less(va, vb float64, ipa, ipb []byte, pa, pb uint16) bool {
	var c int
	switch m.sort {
	case sortKernel:
		return false
	case sortAddr:
		if c = bytes.Compare(ipa, ipb); c == 0 {
			c = int(pa) - int(pb)
		}
	default:
		switch {
		case va > vb:
			c = -1
		case va < vb:
			c = 1
		}
	}
	if m.sortDesc {
		c = -c
	}
	return c < 0
}

func (m *Model) sortServices(idx []int) {
	if m.sort == sortKernel && !m.sortDesc {
		return
	}
	if m.sort == sortKernel {
		for i, j := 0, len(idx)-1; i < j; i, j = i+1, j-1 {
			idx[i], idx[j] = idx[j], idx[i]
		}
		return
	}
	val := make(map[int]float64, len(idx))
	for _, i := range idx {
		ss := &m.snap.Services[i]
		active, _, weight := serviceTotals(ss)
		val[i] = m.sortValue(serviceID(ss.Service.ServiceKey), ss.Service.Stats, active, weight)
	}
	sort.SliceStable(idx, func(a, b int) bool {
		sa, sb := m.snap.Services[idx[a]].Service, m.snap.Services[idx[b]].Service
		ka, kb := svcSortAddr(sa), svcSortAddr(sb)
		return m.less(val[idx[a]], val[idx[b]], ka, kb, sa.Port, sb.Port)
	})
}

// svcSortAddr sorts fwmark services after address ones, by mark.
func svcSortAddr(s ops.Service) []byte {
	if s.FWMark != 0 {
		return []byte{0xff, byte(s.FWMark >> 24), byte(s.FWMark >> 16), byte(s.FWMark >> 8), byte(s.FWMark)}
	}
	return s.Address.To16()
}

func (m *Model) sortDests(ss *ServiceSnapshot, sid itemID, idx []int) {
	if m.sort == sortKernel {
		if m.sortDesc {
			for i, j := 0, len(idx)-1; i < j; i, j = i+1, j-1 {
				idx[i], idx[j] = idx[j], idx[i]
			}
		}
		return
	}
	val := make(map[int]float64, len(idx))
	for _, i := range idx {
		d := &ss.Destinations[i]
		val[i] = m.sortValue(destID(sid, *d), d.Stats, uint64(d.ActiveConns), int64(d.Weight))
	}
	sort.SliceStable(idx, func(a, b int) bool {
		da, db := &ss.Destinations[idx[a]], &ss.Destinations[idx[b]]
		return m.less(val[idx[a]], val[idx[b]], da.Address.To16(), db.Address.To16(), da.Port, db.Port)
	})
}

// selectedRow returns the selected row of the services view.
func (m *Model) selectedRow() (row, bool) {
	if m.cursor < 0 || m.cursor >= len(m.rows) {
		return row{}, false
	}
	return m.rows[m.cursor], true
}

// restoreSelection puts the cursor back on the row it was on before the rows
// were rebuilt (by id), so a refresh or a re-sort does not move it.
func (m *Model) restoreSelection() {
	for i, r := range m.rows {
		if r.id == m.selID {
			m.cursor = i
			m.clampServices()
			return
		}
	}
	m.clampServices()
}

func (m *Model) clampServices() {
	if m.cursor >= len(m.rows) {
		m.cursor = len(m.rows) - 1
	}
	if m.cursor < 0 {
		m.cursor = 0
	}
	if len(m.rows) > 0 {
		m.selID = m.rows[m.cursor].id
	}
	m.offset = scrollOffset(m.cursor, m.offset, m.bodyHeight(), len(m.rows))
}

// scrollOffset keeps cursor inside the window [offset, offset+height).
func scrollOffset(cursor, offset, height, n int) int {
	if height <= 0 {
		return 0
	}
	if cursor < offset {
		offset = cursor
	}
	if cursor >= offset+height {
		offset = cursor - height + 1
	}
	if last := n - height; offset > last {
		offset = last
	}
	if offset < 0 {
		offset = 0
	}
	return offset
}
