package daemon

import (
	"slices"
	"time"

	"github.com/lvsadm/lvsadm/daemon/health"
	"github.com/lvsadm/lvsadm/lvscf"
	"github.com/lvsadm/lvsadm/ops"
)

// desiredTable is the table a loaded configuration asks for, built from
// the configuration, the health of its real servers and the operator's
// overrides (lvscf.BuildService), either whole or one service at a time.
type desiredTable struct {
	cfg      *lvscf.Config
	groups   []lvscf.ServiceGroup
	group    map[string]int // virtual name → index into groups
	timeouts ops.Timeouts
}

func newDesiredTable(cfg *lvscf.Config) (*desiredTable, error) {
	groups, err := lvscf.ServiceGroups(cfg)
	t := &desiredTable{
		cfg: cfg, groups: groups, group: make(map[string]int, len(cfg.Virtuals)),
		timeouts: ops.Timeouts{TCP: uint32(cfg.TCPTimeout), TCPFin: uint32(cfg.TCPFinTimeout), UDP: uint32(cfg.UDPTimeout)},
	}
	for gi, g := range groups {
		for _, vi := range g.Virtuals {
			t.group[cfg.Virtuals[vi].Name] = gi
		}
	}
	return t, err
}

// sameGroups says whether t and o have the same services, made of the
// same virtual servers (by index) in the same order: then a group index
// means the same service in both.
func (t *desiredTable) sameGroups(o *desiredTable) bool {
	if o == nil || len(t.groups) != len(o.groups) {
		return false
	}
	for i := range t.groups {
		if t.groups[i].ID != o.groups[i].ID || !slices.Equal(t.groups[i].Virtuals, o.groups[i].Virtuals) {
			return false
		}
	}
	return true
}

// tableInputs are what the table depends on besides the configuration.
type tableInputs struct {
	// health looks up a real server by "virtual/server" (nil: none known).
	health func(key string) (health.ServerStatus, bool)
	// override is the operator's word on a real server, if any: out
	// (in=false), or the weight to use while the server is in the table.
	override func(virtual, server string) (weight int32, in, ok bool)
	now      time.Time
	// keepAll (director_mode = ecmp) keeps every active real server in
	// the table, at weight 0 while it is not up: the kernel's destination
	// list is then lvs.cf's order on every director whatever order the
	// servers came up in, and mh, whose lookup table follows that order,
	// sends a flow to the same real server whichever director ECMP gives
	// it to (a server added when it came up was appended, so a director
	// that started later held another order and reset moved flows).
	keepAll bool
}

func (in *tableInputs) status(v *lvscf.Virtual, s *lvscf.Server) health.ServerStatus {
	if in.health == nil {
		return health.ServerStatus{State: health.Unknown}
	}
	st, _ := in.health(v.Name + "/" + s.Name)
	return st
}

// weight is a real server's place in the table, as piranha's lvs and
// nanny give it: a server that is up is in at its configured weight, less
// during nanny's slow start, or at the weight load_monitor gave it after
// it; with quiesce_server a server that was up and went down stays at
// weight 0; any other is out. moving says the weight will change with
// time alone (slow start, load monitoring), so the service needs another
// look later. An operator's override takes a server out, or replaces the
// weight of one that is in.
func (in *tableInputs) weight(v *lvscf.Virtual, s *lvscf.Server) (w int32, inTable, moving bool) {
	st := in.status(v, s)
	switch {
	case st.State == health.Up:
		full := max(s.Weight, 1)
		ww := health.SlowStart(s.Weight, duration(v.Timeout), in.now.Sub(st.LastTransition))
		if ww == full && st.LoadWeight > 0 {
			ww = st.LoadWeight // load_monitor's weight, after the slow start
			moving = true
		}
		w, inTable, moving = int32(ww), true, moving || ww != full
	case st.State == health.Down && v.QuiesceServer && st.EverUp:
		w, inTable = 0, true
	case in.keepAll && s.Active:
		w, inTable = 0, true
	}
	if in.override != nil {
		if ow, oin, ok := in.override(v.Name, s.Name); ok {
			if !oin {
				if in.keepAll && s.Active {
					return 0, true, false // out, but in its place (keepAll)
				}
				return 0, false, false
			}
			if inTable && st.State == health.Up {
				w, moving = ow, false
			}
		}
	}
	return w, inTable, moving
}

// anyUp: lvs adds a virtual's sorry_server while none of its real servers
// is up (lvsd.c checkClientMonitor).
func (in *tableInputs) anyUp(v *lvscf.Virtual) bool {
	for i := range v.Servers {
		if s := &v.Servers[i]; s.Active && in.status(v, s).State == health.Up {
			return true
		}
	}
	return false
}

// service builds group gi; moving says some weight in it changes with time.
func (t *desiredTable) service(gi int, in *tableInputs) (svc ops.VirtualService, moving bool) {
	o := lvscf.TableOptions{
		Server: func(v *lvscf.Virtual, s *lvscf.Server) (int32, bool) {
			w, ok, m := in.weight(v, s)
			moving = moving || m
			return w, ok
		},
		Sorry: func(v *lvscf.Virtual) bool { return !in.anyUp(v) },
	}
	return lvscf.BuildService(t.cfg, t.groups[gi], o), moving
}

// all builds the whole table and the set of its moving groups.
func (t *desiredTable) all(in *tableInputs) (ops.Table, map[int]bool) {
	tab := make(ops.Table, 0, len(t.groups))
	moving := map[int]bool{}
	for gi := range t.groups {
		s, m := t.service(gi, in)
		tab = append(tab, s)
		if m {
			moving[gi] = true
		}
	}
	return tab, moving
}
