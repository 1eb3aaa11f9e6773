package tui

import (
	"context"
	"fmt"
	"strconv"

	"github.com/lvsadm/lvsadm/daemon/control"
	"github.com/lvsadm/lvsadm/ops"
)

// The daemon is the only writer of the services it owns: a kernel edit
// there (drain, weight, take out) would be undone by its next resync. So
// for a real server of one of the daemon's virtual services, d, w, x and u
// become override requests to the daemon (lvsadm drain, weight, out,
// undrain, in), which holds them until they are cleared; elsewhere they
// edit the kernel as before.

// daemonControl is the daemon to send overrides to: it answered the last
// refresh and takes override requests.
func (m *Model) daemonControl() (DaemonControl, bool) {
	if m.dstat == nil {
		return nil, false
	}
	dc, ok := m.opts.Daemon.(DaemonControl)
	return dc, ok
}

// daemonEdit makes the change act (a control.Act*) of the real server d
// on row r pending as an override request, when the daemon owns r's
// service. handled is false when the kernel is to be edited instead; when
// true, either a change is pending or the status line says why not.
func (m *Model) daemonEdit(r row, d ops.Destination, act string, weight int32) (handled bool) {
	if _, ok := m.daemonControl(); !ok || m.snap == nil || r.svc < 0 {
		return false
	}
	key := m.snap.Services[r.svc].Service.ServiceKey
	sid := serviceID(key)
	v := m.health.virtuals[sid]
	if v == nil {
		return false // not the daemon's service: the kernel's
	}
	s := m.health.servers[destID(sid, d)]
	if s == nil {
		m.setStatus(fmt.Sprintf("%s is not a real server of the daemon's %s: its resync would undo a change; edit lvs.cf", destLabel(d), v.Name), true)
		return true
	}
	switch {
	case act == control.ActUndrain && (s.Override == nil || s.Override.Kind == control.Out):
		m.setStatus(fmt.Sprintf("%s/%s has no drain or weight of yours: its weight is the daemon's (lvs.cf, slow start, quiesce)", v.Name, s.Name), false)
		return true
	case act == control.ActDrain && s.Override != nil && s.Override.Kind == control.Drain:
		m.setStatus(fmt.Sprintf("%s/%s is already drained (since %s)", v.Name, s.Name, s.Override.Since.Format("15:04:05")), false)
		return true
	}
	p := &pendingEdit{act: actWeight, key: key, dest: d, id: r.id, weight: weight,
		label: destLabel(d), daemonAct: act, daemonTarget: v.Name + "/" + s.Name}
	if act == control.ActOut {
		p.act = actRemove
	}
	m.pending = p
	m.mode = modeConfirm
	return true
}

// missingNothing is why d, w and x do nothing on row r, a server the
// daemon lists as not in the kernel table: there is no weight to change
// and nothing to take out ("select a real server" would send the user
// looking for another row). u is the key that does something there when
// an override took it out.
func missingNothing(r row) string {
	h, _ := serverHealth(r.miss, false, 0)
	msg := missingLabel(r.virt, r.miss) + " is " + h + ", not in the kernel table: no weight to change, nothing to take out"
	if r.miss.Override != nil && r.miss.Override.Kind == control.Out {
		msg += "; u puts it back"
	}
	return msg
}

// putInSelected asks the daemon to put the server of row r, which it
// lists as not in the kernel table, back (lvsadm in) when an override took
// it out.
func (m *Model) putInSelected(r row) {
	s := r.miss
	if s.Override == nil || s.Override.Kind != control.Out {
		m.setStatus(missingLabel(r.virt, s)+" is out of the table by the daemon's checks, not by an override: nothing to put back", false)
		return
	}
	if _, ok := m.daemonControl(); !ok {
		m.setStatus("the daemon does not answer: cannot put "+missingLabel(r.virt, s)+" back", true)
		return
	}
	m.pending = &pendingEdit{act: actPutBack, id: r.id, label: missingLabel(r.virt, s),
		daemonAct: control.ActIn, daemonTarget: r.virt.Name + "/" + s.Name}
	m.mode = modeConfirm
}

// daemonCmd returns the function that sends the override request of p
// (it runs outside the update loop, so it reads nothing of m).
func (m *Model) daemonCmd(p pendingEdit) func(context.Context) error {
	dc, ok := m.opts.Daemon.(DaemonControl)
	var where string
	if m.opts.Daemon != nil {
		where = m.opts.Daemon.Where()
	}
	return func(ctx context.Context) error {
		if !ok {
			return fmt.Errorf("the daemon at %s takes no overrides", where)
		}
		_, err := dc.Override(ctx, control.OverrideRequest{Action: p.daemonAct, Target: p.daemonTarget, Weight: p.weight})
		return err
	}
}

// daemonQuestion asks whether to send override p.
func daemonQuestion(p *pendingEdit) string {
	t := p.daemonTarget + " (" + p.label + ")"
	switch p.daemonAct {
	case control.ActDrain:
		return "Drain " + t + " through the daemon: weight 0 until undrained? [y/N]"
	case control.ActWeight:
		return fmt.Sprintf("Set weight of %s to %d through the daemon, until undrained? [y/N]", t, p.weight)
	case control.ActUndrain:
		return "Clear your drain or weight of " + t + ": back to lvs.cf's weight? [y/N]"
	case control.ActOut:
		return "Take " + t + " out through the daemon? Its traffic is dropped: its connections are cut. [y/N]"
	}
	return "Put " + t + " back into the table through the daemon? [y/N]"
}

// daemonDone says what override p did, for the status line.
func daemonDone(p pendingEdit) string {
	switch p.daemonAct {
	case control.ActDrain:
		return "drained by the daemon; u undrains"
	case control.ActWeight:
		return "weight " + strconv.Itoa(int(p.weight)) + " held by the daemon; u clears it"
	case control.ActUndrain:
		return "the daemon is back to lvs.cf's weight"
	case control.ActOut:
		return "taken out by the daemon; u on its row puts it back"
	}
	return "put back by the daemon"
}

// daemonCLI is the command that makes override p: "lvsadm drain web/rs1".
func daemonCLI(p pendingEdit) string {
	s := "lvsadm " + p.daemonAct + " " + p.daemonTarget
	if p.daemonAct == control.ActWeight {
		s += " " + strconv.Itoa(int(p.weight))
	}
	return s
}

// overrideLabel is the HEALTH word of a server with an override that
// says more than its check: OUT, DRAINED; "" when the check says it.
func overrideLabel(r *control.ServerStatus) string {
	if r.Override == nil {
		return ""
	}
	switch {
	case r.Override.Kind == control.Out:
		return "OUT"
	case r.Override.Kind == control.Drain && r.State == control.Up:
		return "DRAINED"
	}
	return ""
}
