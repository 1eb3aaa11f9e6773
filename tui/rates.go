package tui

import (
	"net/netip"
	"time"

	"github.com/lvsadm/lvsadm/daemon/control"
	"github.com/lvsadm/lvsadm/ops"
)

// Rates are per-second rates of a service or real server.
type Rates struct {
	CPS, InPPS, OutPPS, InBPS, OutBPS float64
}

// deltaRates computes rates from two readings of the cumulative counters
// taken dt apart. ok is false when no honest rate exists: dt is not
// positive, or a counter went backwards (counters zeroed with ipvsadm -Z, or
// the service or server deleted and re-added between the readings), where a
// difference would be meaningless.
func deltaRates(prev, cur ops.Stats, dt time.Duration) (r Rates, ok bool) {
	if dt <= 0 {
		return Rates{}, false
	}
	if cur.Conns < prev.Conns || cur.InPkts < prev.InPkts || cur.OutPkts < prev.OutPkts ||
		cur.InBytes < prev.InBytes || cur.OutBytes < prev.OutBytes {
		return Rates{}, false
	}
	sec := dt.Seconds()
	return Rates{
		CPS:    float64(cur.Conns-prev.Conns) / sec,
		InPPS:  float64(cur.InPkts-prev.InPkts) / sec,
		OutPPS: float64(cur.OutPkts-prev.OutPkts) / sec,
		InBPS:  float64(cur.InBytes-prev.InBytes) / sec,
		OutBPS: float64(cur.OutBytes-prev.OutBytes) / sec,
	}, true
}

// kernelRates are the kernel's own estimates (a 2-second moving average
// the kernel updates every 2 seconds; see ip_vs_est.c).
func kernelRates(s ops.Stats) Rates {
	return Rates{CPS: float64(s.CPS), InPPS: float64(s.InPPS), OutPPS: float64(s.OutPPS),
		InBPS: float64(s.InBPS), OutBPS: float64(s.OutBPS)}
}

// rateTable holds, per service and real server, the rates between the last
// two snapshots.
type rateTable struct {
	prev  map[itemID]ops.Stats
	taken time.Time
	rates map[itemID]Rates // absent: no honest delta yet
	// untrusted are ids (a service's counts for its real servers too)
	// whose readings from refreshes of an older generation than the
	// value are not kept: their counters were zeroed, or the server
	// re-added, while those refreshes ran.
	untrusted map[itemID]int
}

// distrust drops the readings of id (a service id: and of its real
// servers) and ignores them in refreshes of generations before gen, so
// that the first rate shown is between two readings taken after a
// change of the counters. Counters going backwards (deltaRates) would
// catch most such changes, not those of counters that, after a zero,
// grew past their old values before the next reading.
func (t *rateTable) distrust(id itemID, gen int) {
	if t.untrusted == nil {
		t.untrusted = map[itemID]int{}
	}
	t.untrusted[id] = gen
	for k := range t.prev {
		if k == id || (id.isService() && k.within(id)) {
			delete(t.prev, k)
		}
	}
}

// update replaces the previous readings with snap's, taken by a refresh
// of generation gen, and computes rates.
func (t *rateTable) update(snap *Snapshot, gen int) {
	dt := snap.Taken.Sub(t.taken)
	cur := make(map[itemID]ops.Stats, len(t.prev))
	rates := make(map[itemID]Rates, len(t.prev))
	stale := func(id itemID) bool {
		g, ok := t.untrusted[id]
		return ok && gen < g
	}
	for id, g := range t.untrusted {
		if gen >= g {
			delete(t.untrusted, id)
		}
	}
	put := func(id, sid itemID, s ops.Stats) {
		if stale(id) || stale(sid) {
			return
		}
		cur[id] = s
		if p, seen := t.prev[id]; seen && t.prev != nil {
			if r, ok := deltaRates(p, s, dt); ok {
				rates[id] = r
			}
		}
	}
	for _, ss := range snap.Services {
		sid := serviceID(ss.Service.ServiceKey)
		put(sid, sid, ss.Service.Stats)
		for _, d := range ss.Destinations {
			put(destID(sid, d), sid, d.Stats)
		}
	}
	t.prev, t.taken, t.rates = cur, snap.Taken, rates
}

// itemID names a service (dest unset) or one of its real servers across
// snapshots: ops' comparable identities, no formatted keys.
type itemID struct {
	svc  ops.ServiceID
	dest ops.DestID
	// daemon names a virtual service of the daemon's that the kernel's
	// table lacks (svc is zero then).
	daemon string
}

// isService: the id names a service, not one of its real servers.
func (id itemID) isService() bool { return !id.dest.Addr.IsValid() && id.dest.Port == 0 }

// within: the id is svc's own or one of its real servers'.
func (id itemID) within(svc itemID) bool { return id.svc == svc.svc && id.daemon == svc.daemon }

// missingID names a real server of the daemon's configuration that the
// kernel's table lacks, under sid.
func missingID(sid itemID, v *control.VirtualStatus, r *control.ServerStatus) itemID {
	a, _ := netip.ParseAddr(r.Address)
	sid.dest = ops.DestID{Addr: a.Unmap(), Port: serverPort(v, r)}
	return sid
}

func serviceID(k ops.ServiceKey) itemID { return itemID{svc: k.ID()} }

func destID(sid itemID, d ops.Destination) itemID {
	sid.dest = d.ID()
	return sid
}
