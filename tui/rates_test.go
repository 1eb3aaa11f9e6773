package tui

import (
	"testing"
	"time"

	"github.com/lvsadm/lvsadm/ops"
)

func TestDeltaRates(t *testing.T) {
	base := ops.Stats{Conns: 100, InPkts: 1000, OutPkts: 900, InBytes: 1e6, OutBytes: 9e6}
	tests := []struct {
		name string
		cur  ops.Stats
		dt   time.Duration
		want Rates
		ok   bool
	}{
		{"one second", ops.Stats{Conns: 110, InPkts: 1100, OutPkts: 990, InBytes: 1e6 + 5000, OutBytes: 9e6 + 50000}, time.Second,
			Rates{CPS: 10, InPPS: 100, OutPPS: 90, InBPS: 5000, OutBPS: 50000}, true},
		{"two seconds halve", ops.Stats{Conns: 110, InPkts: 1100, OutPkts: 990, InBytes: 1e6 + 5000, OutBytes: 9e6 + 50000}, 2 * time.Second,
			Rates{CPS: 5, InPPS: 50, OutPPS: 45, InBPS: 2500, OutBPS: 25000}, true},
		{"idle", base, time.Second, Rates{}, true},
		{"fractional interval", ops.Stats{Conns: 101, InPkts: 1000, OutPkts: 900, InBytes: 1e6, OutBytes: 9e6}, 250 * time.Millisecond,
			Rates{CPS: 4}, true},
		{"zeroed counters", ops.Stats{Conns: 3, InPkts: 30, OutPkts: 20, InBytes: 100, OutBytes: 200}, time.Second, Rates{}, false},
		{"one counter back", ops.Stats{Conns: 200, InPkts: 2000, OutPkts: 2000, InBytes: 2e6, OutBytes: 1}, time.Second, Rates{}, false},
		{"no time passed", ops.Stats{Conns: 200}, 0, Rates{}, false},
		{"clock went back", ops.Stats{Conns: 200}, -time.Second, Rates{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := deltaRates(base, tt.cur, tt.dt)
			if ok != tt.ok || got != tt.want {
				t.Errorf("deltaRates = %+v, %v; want %+v, %v", got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestDeltaRatesLargeCounters(t *testing.T) {
	// 64-bit counters near their top still difference exactly.
	prev := ops.Stats{InBytes: 1<<63 + 5}
	cur := ops.Stats{InBytes: 1<<63 + 1005}
	r, ok := deltaRates(prev, cur, time.Second)
	if !ok || r.InBPS != 1000 {
		t.Fatalf("got %+v %v", r, ok)
	}
}

func TestRateTable(t *testing.T) {
	var rt rateTable
	s1 := table(1, t0)
	rt.update(&s1, 0)
	if len(rt.rates) != 0 {
		t.Fatalf("rates after the first snapshot: %v", rt.rates)
	}
	s2 := table(2, t0.Add(2*time.Second))
	rt.update(&s2, 0)
	sid := serviceID(s2.Services[0].Service.ServiceKey)
	// Service 0 counts conns 3*k*10: from 30 to 60 in 2 s.
	if r, ok := rt.rates[sid]; !ok || r.CPS != 15 {
		t.Errorf("service rate = %+v, %v; want CPS 15", r, ok)
	}
	did := destID(sid, s2.Services[0].Destinations[1])
	if r, ok := rt.rates[did]; !ok || r.OutBPS != 2*900000/2 {
		t.Errorf("dest rate = %+v, %v", r, ok)
	}
	// A server that appears has no rate until its second reading.
	s3 := table(3, t0.Add(3*time.Second))
	s3.Services[1].Destinations = append(s3.Services[1].Destinations, dest("10.0.2.9", 443, 1, 0, 0, ops.Stats{Conns: 5}))
	rt.update(&s3, 0)
	nid := destID(serviceID(s3.Services[1].Service.ServiceKey), s3.Services[1].Destinations[1])
	if _, ok := rt.rates[nid]; ok {
		t.Errorf("new server has a rate")
	}
	// Zeroed counters (ipvsadm -Z) give no rate rather than a huge one.
	s4 := table(1, t0.Add(4*time.Second))
	rt.update(&s4, 0)
	if r, ok := rt.rates[sid]; ok {
		t.Errorf("rate across a zeroing: %+v", r)
	}
}

func TestKernelRates(t *testing.T) {
	r := kernelRates(ops.Stats{CPS: 1, InPPS: 2, OutPPS: 3, InBPS: 4, OutBPS: 5})
	if r != (Rates{1, 2, 3, 4, 5}) {
		t.Fatal(r)
	}
}
