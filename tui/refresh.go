package tui

import (
	"errors"
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/lvsadm/lvsadm/daemon/control"
)

func (m *Model) gotSnapshot(msg snapshotMsg) tea.Cmd {
	m.fetching = false
	m.gotDaemon(msg)
	switch {
	case m.opts.NoKernel != nil:
		// No table to take: only the daemon's part was read.
	case msg.err != nil:
		m.setGlobalStatus("error: refresh failed: "+msg.err.Error(), true)
	default:
		snap := msg.snap
		m.snap = &snap
		m.rates.update(&snap, msg.gen)
		m.forgetReturned(msg.gen)
		m.updateSparks()
		m.lastRefresh = m.now()
		if m.statusErr && strings.HasPrefix(m.status, "error: refresh failed") {
			m.setGlobalStatus("", false)
		}
	}
	m.health = indexHealth(m.snap, m.dstat)
	if msg.err == nil && m.snap != nil && m.snap.Conns != nil {
		m.connKernel = append(m.connKernel[:0], m.snap.Conns.Rows...)
		m.sortConnRows()
	}
	m.buildRows()
	m.restoreSelection()
	m.clampConns()
	m.clampDirector()
	if m.refetch {
		return m.startFetch()
	}
	if m.paused {
		return nil
	}
	return m.tick()
}

// gotDaemon takes the daemon's part of a refresh. Its absence is no error
// screen: the status line says it once (until it changes), health shows
// "-".
func (m *Model) gotDaemon(msg snapshotMsg) {
	if m.opts.Daemon == nil {
		return
	}
	if msg.daemonErr == nil {
		m.dstat = msg.daemon
		if m.daemonMsg != "" && m.status == m.daemonMsg {
			m.setGlobalStatus("", false)
		}
		m.daemonMsg = ""
		return
	}
	m.dstat = nil
	text, isErr := "error: daemon: "+msg.daemonErr.Error(), true
	if errors.Is(msg.daemonErr, control.ErrNoDaemon) {
		text, isErr = "no daemon at "+m.opts.Daemon.Where(), false
	}
	if text != m.daemonMsg {
		m.daemonMsg = text
		m.setGlobalStatus(text, isErr)
	}
}

func (m *Model) gotEdit(msg editMsg) tea.Cmd {
	p := msg.p
	if p.act == actZero {
		// Refreshes that started before the zero completed read
		// counters from before or after it: neither is a base for a
		// rate.
		m.rates.distrust(p.id, m.gen+1)
	}
	if msg.err != nil {
		if p.act == actRemove && p.daemonAct == "" {
			delete(m.removed, p.id)
			m.resort()
		}
		m.setEditStatus("error: "+msg.err.Error(), true)
		return m.startFetch()
	}
	cli := editCLI(p)
	switch {
	case p.daemonAct != "":
		m.setDone(daemonDone(p), cli)
	case p.act == actRemove:
		if g := m.removed[p.id]; g != nil {
			g.taking, g.since = false, m.gen+1
		}
		m.setDone("taken out; u on its row puts it back", cli)
	case p.act == actPutBack:
		if g := m.removed[p.id]; g != nil {
			g.putBack = true
		}
		// The server's counters start again from zero.
		m.rates.distrust(p.id, m.gen+1)
		m.setDone("put back", cli)
	case p.act == actZero:
		m.setDone("zeroed the counters of the service and its real servers", cli)
	case p.weight == 0 && p.dest.Weight != 0:
		m.drainedFrom[p.id] = p.dest.Weight
		m.setDone(fmt.Sprintf("drained; u restores weight %d", p.dest.Weight), cli)
	default:
		if p.weight != 0 {
			delete(m.drainedFrom, p.id)
		}
		m.setDone(fmt.Sprintf("weight %d -> %d", p.dest.Weight, p.weight), cli)
	}
	return m.startFetch()
}

// forgetReturned drops the ghosts of servers that a refresh of generation
// gen lists again: put back, by u or by someone else (ipvsadm, the
// daemon). Refreshes older than the deletion prove nothing.
func (m *Model) forgetReturned(gen int) {
	for id, g := range m.removed {
		if g.taking || gen < g.since {
			continue
		}
		for i := range m.snap.Services {
			ss := &m.snap.Services[i]
			if serviceID(ss.Service.ServiceKey) == g.sid && hasDest(ss, g.dest) {
				delete(m.removed, id)
				break
			}
		}
	}
}

// intervalSteps are the refresh intervals + and - step through.
func intervalSteps() []time.Duration {
	return []time.Duration{100 * time.Millisecond, 250 * time.Millisecond, 500 * time.Millisecond,
		time.Second, 2 * time.Second, 5 * time.Second, 10 * time.Second, 30 * time.Second, time.Minute}
}

// changeInterval moves the refresh interval one step longer (dir > 0) or
// shorter, from wherever --interval put it. The pending tick was armed
// with the old interval: a new chain replaces it.
func (m *Model) changeInterval(dir int) tea.Cmd {
	steps := intervalSteps()
	cur, next := m.opts.Interval, m.opts.Interval
	if dir > 0 {
		for _, s := range steps {
			if s > cur {
				next = s
				break
			}
		}
	} else {
		for i := len(steps) - 1; i >= 0; i-- {
			if steps[i] < cur {
				next = steps[i]
				break
			}
		}
	}
	if next == cur {
		m.setGlobalStatus("refresh interval stays "+cur.String()+" (from 100ms to 1m)", false)
		return nil
	}
	m.opts.Interval = next
	m.setGlobalStatus("refreshing every "+next.String(), false)
	if m.fetching || m.paused {
		return nil // the running refresh arms the next tick with it
	}
	m.gen++
	return m.tick()
}
