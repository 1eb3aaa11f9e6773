package tui

import (
	"context"
	"fmt"
	"math"
	"strconv"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/lvsadm/lvsadm/daemon/control"
	"github.com/lvsadm/lvsadm/ops"
)

// action is what a pendingEdit does to the kernel's table.
type action int

const (
	actWeight  action = iota // EditDestination with a new weight
	actRemove                // DelDestination: x
	actPutBack               // AddDestination of a server x took out: u on its ghost row
	actZero                  // Zero of a service's counters: Z
)

// pendingEdit is a change waiting for confirmation or for the kernel.
type pendingEdit struct {
	act     action
	key     ops.ServiceKey
	dest    ops.Destination // not used by actZero
	weight  int32           // actWeight's new weight
	id      itemID          // destID (serviceID for actZero)
	label   string          // "10.0.1.1:80 in TCP 10.0.0.1:80"
	restore bool            // restoring the weight from before a drain
	// daemonAct, when set, makes this an override request to the daemon
	// (a control.Act*) for daemonTarget ("virtual/server") instead of a
	// kernel edit: the daemon owns the service.
	daemonAct, daemonTarget string
}

// editCmd makes change p through the source.
func (m *Model) editCmd(p pendingEdit) tea.Cmd {
	src, ctx := m.src, m.ctx
	var send func(context.Context) error
	if p.daemonAct != "" {
		send = m.daemonCmd(p)
	}
	return func() tea.Msg {
		c, cancel := context.WithTimeout(ctx, fetchTimeout)
		defer cancel()
		var err error
		switch {
		case send != nil:
			err = send(c)
		case p.act == actRemove:
			err = src.RemoveServer(c, p.key, p.dest)
		case p.act == actPutBack:
			err = src.RestoreServer(c, p.key, p.dest)
		case p.act == actZero:
			err = src.Zero(c, p.key)
		default:
			err = src.SetWeight(c, p.key, p.dest, p.weight)
		}
		return editMsg{p: p, err: err}
	}
}

func (m *Model) weightEntered(in string) tea.Cmd {
	w, err := strconv.ParseInt(in, 10, 32)
	// The kernel's and ipvsadm's range (-w).
	if err != nil || w < 0 || w > ops.MaxWeight {
		// The prompt stays open with the reason, as the Config
		// view's does: closed, the next keys typed would be commands
		// (a "d" meant for the number would drain).
		m.mode, m.input = modeWeight, in
		m.inputErr = fmt.Sprintf("want a number from 0 to %d", ops.MaxWeight)
		return nil
	}
	r, d, ok := m.selectedDest()
	if !ok {
		m.setStatus("error: the real server is no longer in the table", true)
		return nil
	}
	if m.daemonEdit(r, d, control.ActWeight, int32(w)) {
		return nil
	}
	m.pending = m.destEdit(actWeight, r, d)
	m.pending.weight = int32(w)
	m.mode = modeConfirm
	return nil
}

// destEdit is change act of the selected real server d (row r).
func (m *Model) destEdit(act action, r row, d ops.Destination) *pendingEdit {
	key := m.snap.Services[r.svc].Service.ServiceKey
	return &pendingEdit{act: act, key: key, dest: d, id: r.id, label: destLabel(d) + " in " + key.String()}
}

func (m *Model) drainSelected() {
	r, d, ok := m.selectedDest()
	if !ok {
		m.setStatus("select a real server to drain it", false)
		return
	}
	if m.daemonEdit(r, d, control.ActDrain, 0) {
		return
	}
	if d.Weight == 0 {
		m.setStatus(destLabel(d)+" is already drained (weight 0)", false)
		return
	}
	m.pending = m.destEdit(actWeight, r, d)
	m.mode = modeConfirm
}

func (m *Model) restoreSelected() {
	r, d, ok := m.selectedDest()
	if !ok {
		m.setStatus("select a real server to restore it", false)
		return
	}
	if m.daemonEdit(r, d, control.ActUndrain, 0) {
		return
	}
	if d.Weight != 0 {
		m.setStatus(fmt.Sprintf("%s is not drained (weight %d)", destLabel(d), d.Weight), false)
		return
	}
	w, known := m.drainedFrom[r.id]
	if !known {
		// Drained outside this session: the old weight is not
		// recorded anywhere, so ask for one.
		m.mode = modeWeight
		m.input = "1"
		m.setStatus("weight before draining unknown: type one", false)
		return
	}
	m.pending = m.destEdit(actWeight, r, d)
	m.pending.weight, m.pending.restore = w, true
	m.mode = modeConfirm
}

// removeSelected asks to take the selected real server out of the table.
func (m *Model) removeSelected() {
	r, d, ok := m.selectedDest()
	if !ok {
		m.setStatus("select a real server to take it out", false)
		return
	}
	if m.daemonEdit(r, d, control.ActOut, 0) {
		return
	}
	m.pending = m.destEdit(actRemove, r, d)
	m.mode = modeConfirm
}

// putBackSelected asks to add the server of ghost row r back, as it was.
func (m *Model) putBackSelected(r row) {
	g := r.ghost
	switch {
	case g.taking:
		m.setStatus(destLabel(g.dest)+" is still being taken out", false)
		return
	case g.putBack:
		m.setStatus(destLabel(g.dest)+" is put back already: the next refresh lists it", false)
		return
	}
	m.pending = &pendingEdit{act: actPutBack, key: g.key, dest: g.dest, id: r.id,
		label: destLabel(g.dest) + " in " + g.key.String()}
	m.mode = modeConfirm
}

// zeroSelected zeroes the counters of the selected service, or of the
// selected real server's service (IPVS zeroes a service with its real
// servers; there is no zeroing of one real server). It asks nothing: no
// traffic is affected.
func (m *Model) zeroSelected() tea.Cmd {
	r, ok := m.selectedRow()
	if !ok || r.svc < 0 || m.snap == nil {
		m.setStatus("select a service of the kernel's table to zero its counters", false)
		return nil
	}
	key := m.snap.Services[r.svc].Service.ServiceKey
	p := pendingEdit{act: actZero, key: key, id: serviceID(key), label: key.String()}
	// Until the zero is done, no reading is a base for a rate.
	m.rates.distrust(p.id, math.MaxInt)
	m.setStatus("zeroing the counters of "+p.label+"...", false)
	return m.editCmd(p)
}

func (m *Model) confirmKey(k tea.KeyPressMsg) tea.Cmd {
	return m.confirm(key.Matches(k, m.keys.prompt.Yes))
}

// confirm ends the confirmation of the pending change: yes applies it.
func (m *Model) confirm(yes bool) tea.Cmd {
	if m.mode == modeQuit {
		m.mode = modeNormal
		if yes {
			return tea.Quit
		}
		m.setStatus("not quitting: the edits of "+m.configName()+" are still unsaved (4, then ctrl+s saves them)", false)
		return nil
	}
	p := m.pending
	m.pending = nil
	m.mode = modeNormal
	if p == nil {
		return nil
	}
	if !yes {
		m.setStatus("cancelled", false)
		return nil
	}
	switch {
	case p.daemonAct != "":
		m.setStatus("asking the daemon: "+daemonCLI(*p)+"...", false)
	case p.act == actRemove:
		// The ghost row exists from now on, so that the row cannot
		// vanish under the selection when a refresh sees the server
		// gone before the deletion's answer arrives.
		m.removed[p.id] = &removedServer{key: p.key, sid: serviceID(p.key), dest: p.dest, since: math.MaxInt, taking: true}
		m.setStatus("taking "+p.label+" out...", false)
	case p.act == actPutBack:
		m.setStatus("putting "+p.label+" back...", false)
	default:
		m.setStatus(fmt.Sprintf("setting weight of %s to %d...", p.label, p.weight), false)
	}
	return m.editCmd(*p)
}
