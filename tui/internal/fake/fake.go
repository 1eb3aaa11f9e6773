// Package fake is a synthetic tui.Source for looking at the TUI without a
// kernel (tui/internal/demo). It is not reachable from the lvsadm binary.
package fake

import (
	"context"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/lvsadm/lvsadm/ops"
	"github.com/lvsadm/lvsadm/tui"
)

// Source is a small director: three services whose counters grow at steady
// rates, and a connection table of Conns synthetic entries, streamed with
// one reused entry as the kernel source streams /proc/net/ip_vs_conn.
type Source struct {
	Conns int

	mu    sync.Mutex
	start time.Time
	svcs  []tui.ServiceSnapshot
	rate  map[string]float64 // conns/s per real server
	// zeroed is when Zero was last called per service key: its
	// counters count from then.
	zeroed map[string]time.Time
}

// New returns a Source with conns connection entries.
func New(conns int) *Source {
	s := &Source{Conns: conns, start: time.Now(), rate: map[string]float64{}, zeroed: map[string]time.Time{}}
	v4 := func(a string) net.IP { return net.ParseIP(a).To4() }
	web := ops.ServiceKey{Family: ops.AFInet, Protocol: ops.ProtoTCP, Address: v4("192.0.2.10"), Port: 80}
	dns := ops.ServiceKey{Family: ops.AFInet, Protocol: ops.ProtoUDP, Address: v4("192.0.2.10"), Port: 53}
	v6 := ops.ServiceKey{Family: ops.AFInet6, Protocol: ops.ProtoTCP, Address: net.ParseIP("2001:db8::10"), Port: 443}
	d := func(ip string, port uint16, fwd uint32, w int32) ops.Destination {
		fam := ops.AFInet
		a := net.ParseIP(ip)
		if a.To4() != nil {
			a = a.To4()
		} else {
			fam = ops.AFInet6
		}
		return ops.Destination{Family: fam, Address: a, Port: port, ConnFlags: fwd, Weight: w}
	}
	s.svcs = []tui.ServiceSnapshot{
		{Service: ops.Service{ServiceKey: web, Scheduler: "wlc"}, Destinations: []ops.Destination{
			d("10.0.1.1", 80, ops.FwdMasq, 1), d("10.0.1.2", 80, ops.FwdMasq, 2), d("10.0.1.3", 80, ops.FwdMasq, 0)}},
		{Service: ops.Service{ServiceKey: dns, Scheduler: "rr"}, Destinations: []ops.Destination{
			d("10.0.2.1", 53, ops.FwdRoute, 1), d("10.0.2.2", 53, ops.FwdRoute, 1)}},
		{Service: ops.Service{ServiceKey: v6, Scheduler: "sh", Flags: ops.SvcPersistent, Timeout: 300}, Destinations: []ops.Destination{
			d("2001:db8:1::1", 443, ops.FwdTunnel, 5), d("2001:db8:1::2", 443, ops.FwdTunnel, 5)}},
	}
	return s
}

// Snapshot implements tui.Source.
func (s *Source) Snapshot(ctx context.Context, q tui.ConnQuery) (tui.Snapshot, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now()
	el := now.Sub(s.start).Seconds()
	snap := tui.Snapshot{Info: ops.Info{Version: 1<<16 | 2<<8 | 1, ConnTabSize: 4096}, Taken: now}
	for si, ss := range s.svcs {
		out := tui.ServiceSnapshot{Service: ss.Service, Destinations: make([]ops.Destination, len(ss.Destinations))}
		out.Service.Stats = ops.Stats{}
		el := el
		if z, ok := s.zeroed[ss.Service.ServiceKey.String()]; ok {
			el = now.Sub(z).Seconds()
		}
		for di, d := range ss.Destinations {
			cps := float64(d.Weight) * float64(10*(si+1)+di)
			st := ops.Stats{Conns: uint64(cps * el), InPkts: uint64(cps * 12 * el), OutPkts: uint64(cps * 10 * el),
				InBytes: uint64(cps * 1500 * el), OutBytes: uint64(cps * 64000 * el),
				CPS: uint64(cps), InPPS: uint64(cps * 12), OutPPS: uint64(cps * 10), InBPS: uint64(cps * 1500), OutBPS: uint64(cps * 64000)}
			d.Stats = st
			d.ActiveConns = uint32(cps * 3)
			d.InactConns = uint32(cps * 7)
			out.Destinations[di] = d
			add(&out.Service.Stats, st)
		}
		snap.Services = append(snap.Services, out)
	}
	if q.Enabled {
		sum, err := tui.Summarize(ctx, s.stream, q)
		if err != nil {
			return tui.Snapshot{}, err
		}
		snap.Conns = &sum
	}
	return snap, nil
}

func add(a *ops.Stats, b ops.Stats) {
	a.Conns += b.Conns
	a.InPkts += b.InPkts
	a.OutPkts += b.OutPkts
	a.InBytes += b.InBytes
	a.OutBytes += b.OutBytes
	a.CPS += b.CPS
	a.InPPS += b.InPPS
	a.OutPPS += b.OutPPS
	a.InBPS += b.InBPS
	a.OutBPS += b.OutBPS
}

// stream produces the synthetic connection table.
func (s *Source) stream(ctx context.Context, fn func(*ops.Connection) error) error {
	states := []string{"ESTABLISHED", "ESTABLISHED", "ESTABLISHED", "TIME_WAIT", "FIN_WAIT", "SYN_RECV", "CLOSE_WAIT"}
	c := ops.Connection{Client: net.IPv4(198, 51, 100, 0).To4(), Virtual: net.IPv4(192, 0, 2, 10).To4(), Dest: net.IPv4(10, 0, 1, 0).To4()}
	for i := 0; i < s.Conns; i++ {
		if i&0xffff == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		c.Protocol, c.VPort, c.DPort = "TCP", 80, 80
		c.State = states[i%len(states)]
		if i%10 == 9 {
			c.Protocol, c.VPort, c.DPort, c.State = "UDP", 53, 53, "UDP"
		}
		c.Client[2], c.Client[3] = byte(i>>8), byte(i)
		c.CPort = uint16(1024 + i%60000)
		c.Dest[3] = byte(1 + i%3)
		c.Expires = uint32(900 - i%900)
		if err := fn(&c); err != nil {
			return err
		}
	}
	return nil
}

// SetWeight implements tui.Source.
func (s *Source) SetWeight(ctx context.Context, key ops.ServiceKey, d ops.Destination, w int32) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	si, di := s.find(key, d)
	if di < 0 {
		return fmt.Errorf("ipvs edit-dest: no such destination")
	}
	s.svcs[si].Destinations[di].Weight = w
	return nil
}

// find finds real server d of service key: its indexes, -1 for none.
func (s *Source) find(key ops.ServiceKey, d ops.Destination) (si, di int) {
	for si := range s.svcs {
		if s.svcs[si].Service.ServiceKey.String() != key.String() {
			continue
		}
		for di, x := range s.svcs[si].Destinations {
			if x.Address.Equal(d.Address) && x.Port == d.Port {
				return si, di
			}
		}
		return si, -1
	}
	return -1, -1
}

// RemoveServer implements tui.Source.
func (s *Source) RemoveServer(ctx context.Context, key ops.ServiceKey, d ops.Destination) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	si, di := s.find(key, d)
	if di < 0 {
		return fmt.Errorf("ipvs del-dest: no such destination")
	}
	ds := s.svcs[si].Destinations
	s.svcs[si].Destinations = append(ds[:di:di], ds[di+1:]...)
	return nil
}

// RestoreServer implements tui.Source.
func (s *Source) RestoreServer(ctx context.Context, key ops.ServiceKey, d ops.Destination) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	si, di := s.find(key, d)
	switch {
	case si < 0:
		return fmt.Errorf("ipvs new-dest: no such service")
	case di >= 0:
		return fmt.Errorf("ipvs new-dest: destination already exists")
	}
	d.Stats = ops.Stats{}
	s.svcs[si].Destinations = append(s.svcs[si].Destinations, d)
	return nil
}

// Zero implements tui.Source: the synthetic counters count from now on.
func (s *Source) Zero(ctx context.Context, key ops.ServiceKey) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	si, _ := s.find(key, ops.Destination{})
	if si < 0 {
		return fmt.Errorf("ipvs zero: no such service")
	}
	s.zeroed[key.String()] = time.Now()
	return nil
}
