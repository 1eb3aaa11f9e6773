package tui

import (
	"time"

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
	prev  map[string]ops.Stats
	taken time.Time
	rates map[string]Rates // absent: no honest delta yet
}

// update replaces the previous readings with snap's and computes rates.
func (t *rateTable) update(snap *Snapshot) {
	dt := snap.Taken.Sub(t.taken)
	cur := make(map[string]ops.Stats, len(t.prev))
	rates := make(map[string]Rates, len(t.prev))
	put := func(id string, s ops.Stats) {
		cur[id] = s
		if p, seen := t.prev[id]; seen && t.prev != nil {
			if r, ok := deltaRates(p, s, dt); ok {
				rates[id] = r
			}
		}
	}
	for _, ss := range snap.Services {
		sid := serviceID(ss.Service.ServiceKey)
		put(sid, ss.Service.Stats)
		for _, d := range ss.Dests {
			put(destID(sid, d), d.Stats)
		}
	}
	t.prev, t.taken, t.rates = cur, snap.Taken, rates
}

// serviceID and destID name a service and a real server across snapshots.
func serviceID(k ops.ServiceKey) string {
	return ops.FamilyName(k.Family) + " " + k.String()
}

func destID(sid string, d ops.Destination) string {
	return sid + " -> " + hostPort(d.Address, d.Port)
}
