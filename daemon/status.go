package daemon

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/lvsadm/lvsadm/daemon/control"
	"github.com/lvsadm/lvsadm/daemon/health"
	"github.com/lvsadm/lvsadm/daemon/heartbeat"
	"github.com/lvsadm/lvsadm/lvscf"
)

// Event is an entry of the status' recent history. It is the wire type
// itself (one copy), under the name the daemon's code has always used.
type Event = control.Event

// Status returns the whole current status (no filter).
func (d *Daemon) Status() control.Status {
	s, _ := d.status(control.Filter{}) // only a filter can fail
	return s
}

// status builds the control socket's answer, narrowed by f while it is
// built: at 10,000 servers a filtered answer converts only what it lists.
func (d *Daemon) status(f control.Filter) (control.Status, error) {
	d.mu.Lock()
	l := d.loaded
	s := control.Status{
		SchemaVersion: control.StatusSchemaVersion, PID: os.Getpid(), Config: l.Path, Serial: l.Cfg.SerialNo, Digest: digestString(l.Digest),
		LoadedAt: l.LoadedAt, LastReloadError: d.reloadErr, TableError: d.tableErr, Since: d.since,
		Events: append([]control.Event(nil), d.events[max(0, len(d.events)-keepEvents):]...), HeartbeatKeys: d.o.Keys.IDs(),
	}
	drv, mon, active := d.driver, d.monitor, d.active
	d.mu.Unlock()
	if !f.IsZero() {
		s.Filter = &f
	}
	s.Mode = l.Cfg.DirectorMode
	if drv != nil {
		hb := drv.Status()
		s.Heartbeat = heartbeatStatus(hb)
		s.Heartbeat.Failback = d.failbackStatus(hb, time.Now())
	} else if isECMP(l.Cfg) {
		s.Heartbeat.Role, s.Heartbeat.Identity = "standby", "ecmp"
		if active {
			s.Heartbeat.Role = "active"
		}
	}
	s.Sync = syncDescription(l.Cfg, active)
	bctx, cancel := context.WithTimeout(context.Background(), time.Second)
	s.BGP = d.bgpStatus(bctx)
	cancel()
	for _, v := range d.o.VIPs.Held() {
		s.VIPs = append(s.VIPs, v.String())
	}
	// One server at a time: a filtered answer costs what it lists, not a
	// copy of the whole monitor.
	lookup := func(string) (health.ServerStatus, bool) { return health.ServerStatus{}, false }
	if mon != nil {
		lookup = mon.Lookup
	}
	if mon != nil {
		s.CheckLocalErrors, s.LastLocalError, _ = mon.LocalErrors()
	}
	virtuals, err := selectVirtuals(l.Cfg, f)
	if err != nil {
		return control.Status{}, err
	}
	partial := f.State != "" || f.Summary
	for _, v := range virtuals {
		vs := control.VirtualStatus{Name: v.Name, Active: v.Active, Address: v.Address.String(), Port: v.Port, Protocol: v.Protocol, Fwmark: v.Fwmark}
		var counts control.Counts
		for i := range v.Servers {
			sv := &v.Servers[i]
			hs, ok := lookup(v.Name + "/" + sv.Name)
			if !ok {
				hs.State = health.Unknown
			}
			ov, hasOv := d.overrides.Lookup(v.Name, sv.Name)
			quiesced := quiescedServer(v, sv, hs)
			if partial {
				count(&counts, v, sv, hs.State, quiesced, hasOv)
				if !listed(f, v, sv, hs.State, quiesced, hasOv) {
					continue
				}
			}
			ss := serverStatus(v, sv, hs, quiesced)
			if hasOv {
				ss.Override = &ov
			}
			vs.Servers = append(vs.Servers, ss)
		}
		if partial {
			vs.Counts = &counts
			if f.State != "" && len(vs.Servers) == 0 {
				continue // a state filter lists only the virtuals it matches
			}
		}
		s.Virtuals = append(s.Virtuals, vs)
	}
	return s, nil
}

// selectVirtuals is the Virtual and VIP parts of f. Naming a virtual or
// an address that the configuration does not have is an error, not an
// empty answer: a typo must not look like "nothing is down".
func selectVirtuals(cfg *lvscf.Config, f control.Filter) ([]*lvscf.Virtual, error) {
	var out []*lvscf.Virtual
	for i := range cfg.Virtuals {
		out = append(out, &cfg.Virtuals[i])
	}
	if f.Virtual != "" {
		out = keep(out, func(v *lvscf.Virtual) bool { return v.Name == f.Virtual })
		if len(out) == 0 {
			return nil, fmt.Errorf("no virtual server named %q in %s", f.Virtual, "the running configuration")
		}
	}
	if f.VIP != "" {
		addr, port, err := control.ParseVIP(f.VIP)
		if err != nil {
			return nil, err
		}
		out = keep(out, func(v *lvscf.Virtual) bool {
			return v.Address.Unmap() == addr && (port == 0 || v.Port == port)
		})
		if len(out) == 0 {
			return nil, fmt.Errorf("no virtual server on %s in the running configuration", f.VIP)
		}
	}
	return out, nil
}

func keep[T any](s []T, ok func(T) bool) []T {
	out := s[:0]
	for _, x := range s {
		if ok(x) {
			out = append(out, x)
		}
	}
	return out
}

// quiescedServer: down, and kept in the table at weight 0 (quiesce_server,
// for a server that was up once), as the table builds it.
func quiescedServer(v *lvscf.Virtual, sv *lvscf.Server, hs health.ServerStatus) bool {
	return v.Active && sv.Active && v.QuiesceServer && hs.State == health.Down && hs.EverUp
}

func off(v *lvscf.Virtual, sv *lvscf.Server) bool { return !v.Active || !sv.Active }

func count(c *control.Counts, v *lvscf.Virtual, sv *lvscf.Server, st health.State, quiesced, override bool) {
	c.Servers++
	if override {
		c.Override++
	}
	switch {
	case off(v, sv):
		c.Off++
	case st == health.Up:
		c.Up++
	case st == health.Down:
		c.Down++
		if quiesced {
			c.Quiesced++
		}
	default:
		c.Unknown++
	}
}

// listed is the State and Summary parts of f for one server.
func listed(f control.Filter, v *lvscf.Virtual, sv *lvscf.Server, st health.State, quiesced, override bool) bool {
	isOff := off(v, sv)
	up := st == health.Up && !isOff
	if f.Summary && up && !override {
		return false // the summary lists what needs a look
	}
	switch f.State {
	case "":
		return true
	case control.Up:
		return up
	case control.Down:
		return !isOff && st == health.Down
	case "quiesced":
		return quiesced
	case control.Unknown:
		return !isOff && st != health.Up && st != health.Down
	case "off":
		return isOff
	case "override":
		return override
	case "notup":
		return !up
	}
	return false
}

func serverStatus(v *lvscf.Virtual, sv *lvscf.Server, hs health.ServerStatus, quiesced bool) control.ServerStatus {
	ss := control.ServerStatus{
		Name: sv.Name, Address: sv.Address.String(), Port: sv.Port, Weight: sv.Weight, Active: sv.Active,
		Virtual: hs.Virtual, Server: hs.Server, State: string(hs.State), EverUp: hs.EverUp,
		LastTransition: hs.LastTransition, Checks: hs.Checks, Failures: hs.Failures, LoadWeight: hs.LoadWeight,
		Quiesced: quiesced, LocalError: hs.LocalError,
	}
	if hs.LastCheck != nil {
		c := hs.LastCheck
		ss.LastCheck = &control.CheckResult{OK: c.OK, Reason: c.Reason, Answer: c.Answer, Latency: c.Latency, At: c.At}
	}
	if hs.Load != nil {
		ld := control.LoadReading(*hs.Load)
		ss.Load = &ld
	}
	return ss
}

// heartbeatStatus converts the state machine's snapshot (its PeerStatus
// is the control protocol's).
func heartbeatStatus(hb heartbeat.Status) control.HeartbeatStatus {
	return control.HeartbeatStatus{HeartbeatState: hb.HeartbeatState}
}
