package daemon

import (
	"context"
	"fmt"
	"net/netip"
	"time"

	"github.com/lvsadm/lvsadm/daemon/control"
	"github.com/lvsadm/lvsadm/daemon/health"
	"github.com/lvsadm/lvsadm/lvscf"
	"github.com/lvsadm/lvsadm/ops"
	"github.com/lvsadm/lvsadm/ops/ipvsadm"
	"github.com/lvsadm/lvsadm/ops/reconcile"
)

// TableApplier keeps the kernel's IPVS table equal to what a configuration
// means given the health of its real servers.
type TableApplier interface {
	// Apply makes the table match cfg: every active virtual service, with
	// the real servers that are up; with quiesce_server, a server that was
	// up and went down stays at weight 0 (nanny's "ipvsadm -e ... -w 0").
	// It returns the kernel edits it made, as ipvsadm command lines.
	Apply(ctx context.Context, cfg *lvscf.Config, h map[string]health.ServerStatus) ([]string, error)
	// Clear removes the services this applier created (going standby).
	Clear(ctx context.Context) error
}

// kernelTable is the TableApplier over ops.Kernel, through ops/reconcile:
// it renders the configuration (lvscf.Render, the table piranha's lvs and
// nannies build), drops or quiesces the servers that are down, and applies
// the smallest difference. It prunes only services it created itself, so
// services someone else added by hand survive.
type kernelTable struct {
	k         ops.Kernel
	overrides *Overrides // the operators' (nil: none)
	now       func() time.Time
	owned     map[string]ops.ServiceKey // ipvsadm.ServiceArgs → key
}

func newKernelTable(k ops.Kernel) *kernelTable {
	return &kernelTable{k: k, now: time.Now, owned: map[string]ops.ServiceKey{}}
}

// desired computes the table for cfg given health and the operators'
// overrides at time now.
func desired(cfg *lvscf.Config, h map[string]health.ServerStatus, ov *Overrides, now time.Time) (reconcile.Table, error) {
	c := *cfg
	c.Virtuals = make([]lvscf.Virtual, len(cfg.Virtuals))
	// Weights that differ from the configured one: quiesced servers (0),
	// servers still in nanny's slow start, and load_monitor's weights.
	type override struct {
		v      *lvscf.Virtual
		addr   netip.Addr
		port   uint16 // servers may share an address on other ports
		weight int32
	}
	var quiet []override
	for i, v := range cfg.Virtuals {
		v.Servers = append([]lvscf.Server(nil), v.Servers...)
		for j := range v.Servers {
			s := &v.Servers[j]
			if !s.Active {
				continue
			}
			st := h[v.Name+"/"+s.Name]
			// An operator's override (lvsadm drain, weight, out) beats
			// lvs.cf's weight, the slow start and load_monitor; health
			// still takes a down server out.
			if o, ok := ov.Lookup(v.Name, s.Name); ok {
				inTable := st.State == health.Up || (st.State == health.Down && v.QuiesceServer && st.EverUp)
				if o.Kind == control.Out || !inTable {
					s.Active = false
				} else {
					quiet = append(quiet, override{&c.Virtuals[i], s.Address, tablePort(cfg.Network, &v, s), o.Weight})
				}
				continue
			}
			switch {
			case st.State == health.Up:
				full := max(s.Weight, 1)
				w := health.SlowStart(s.Weight, duration(v.Timeout), now.Sub(st.LastTransition))
				if w == full && st.LoadWeight > 0 {
					w = st.LoadWeight // load_monitor's weight, after the slow start
				}
				if w != full {
					quiet = append(quiet, override{&c.Virtuals[i], s.Address, tablePort(cfg.Network, &v, s), int32(w)})
				}
			case st.State == health.Down && v.QuiesceServer && st.EverUp:
				quiet = append(quiet, override{&c.Virtuals[i], s.Address, tablePort(cfg.Network, &v, s), 0})
			default:
				s.Active = false // never checked good yet, or down: not in the table
			}
		}
		c.Virtuals[i] = v
	}
	lines, err := lvscf.Render(&c)
	if err != nil {
		return nil, err
	}
	t, err := reconcile.FromRules(lines)
	if err != nil {
		return nil, fmt.Errorf("rendered rules: %w", err)
	}
	// sorry_server (lvsd.c checkClientMonitor, verified): when none of a
	// virtual's real servers is up, lvs adds the sorry server with weight 1
	// and the global routing method, and removes it once one is up again.
	for i := range cfg.Virtuals {
		v := &cfg.Virtuals[i]
		if !v.Active || !v.SorryServer.IsValid() || anyUp(v, h) {
			continue
		}
		key := virtualKey(v)
		for j := range t {
			if ipvsadm.ServiceArgs(t[j].ServiceKey) == ipvsadm.ServiceArgs(key) {
				t[j].Destinations = append(t[j].Destinations, ops.Destination{
					Family: key.Family, Address: v.SorryServer.AsSlice(), Port: v.Port,
					ConnFlags: forwarding[cfg.Network], Weight: 1,
				})
				break
			}
		}
	}
	for _, q := range quiet {
		key := virtualKey(q.v)
		for i := range t {
			if ipvsadm.ServiceArgs(t[i].ServiceKey) != ipvsadm.ServiceArgs(key) {
				continue
			}
			for j := range t[i].Destinations {
				if ip, ok := netip.AddrFromSlice(t[i].Destinations[j].Address); ok && ip.Unmap() == q.addr && (q.port == 0 || t[i].Destinations[j].Port == q.port) {
					t[i].Destinations[j].Weight = q.weight
				}
			}
		}
	}
	return t, nil
}

// forwarding maps lvs.cf's network to the kernel's forwarding method.
var forwarding = map[string]uint32{"nat": ops.FwdMasq, "direct": ops.FwdRoute, "tunnel": ops.FwdTunnel}

func anyUp(v *lvscf.Virtual, h map[string]health.ServerStatus) bool {
	for _, s := range v.Servers {
		if s.Active && h[v.Name+"/"+s.Name].State == health.Up {
			return true
		}
	}
	return false
}

// virtualKey is the IPVS service key of a virtual server.
func virtualKey(v *lvscf.Virtual) ops.ServiceKey {
	k := ops.ServiceKey{Family: ops.AFInet}
	if v.Address.Is6() {
		k.Family = ops.AFInet6
	}
	if v.Fwmark != 0 {
		k.FWMark = v.Fwmark
		return k
	}
	k.Protocol = ops.ProtoTCP
	if v.Protocol == "udp" {
		k.Protocol = ops.ProtoUDP
	}
	k.Address = v.Address.AsSlice()
	k.Port = v.Port
	return k
}

func (t *kernelTable) Apply(ctx context.Context, cfg *lvscf.Config, h map[string]health.ServerStatus) ([]string, error) {
	want, err := desired(cfg, h, t.overrides, t.now())
	if err != nil {
		return nil, fmt.Errorf("table: %w", err)
	}
	have, err := reconcile.Read(ctx, t.k)
	if err != nil {
		return nil, fmt.Errorf("table: %w", err)
	}
	changes := reconcile.Plan(want, have)
	// Prune what we created earlier and the configuration no longer names.
	wantIDs := map[string]bool{}
	for _, s := range want {
		wantIDs[ipvsadm.ServiceArgs(s.ServiceKey)] = true
	}
	haveIDs := map[string]bool{}
	for _, s := range have {
		haveIDs[ipvsadm.ServiceArgs(s.ServiceKey)] = true
	}
	var prune []reconcile.Change
	for id, key := range t.owned {
		if !wantIDs[id] {
			if haveIDs[id] {
				prune = append(prune, reconcile.Change{Action: reconcile.DelService, Service: ops.Service{ServiceKey: key}})
			}
			delete(t.owned, id)
		}
	}
	all := append(prune, changes...)
	if err := reconcile.Apply(ctx, t.k, all); err != nil {
		return nil, fmt.Errorf("table: %w", err)
	}
	edits := make([]string, len(all))
	for i, c := range all {
		edits[i] = reconcile.FormatChange(c)
	}
	for _, s := range want {
		t.owned[ipvsadm.ServiceArgs(s.ServiceKey)] = s.ServiceKey
	}
	if to := (ops.Timeouts{TCP: uint32(cfg.TCPTimeout), TCPFin: uint32(cfg.TCPFinTimeout), UDP: uint32(cfg.UDPTimeout)}); to != (ops.Timeouts{}) {
		// lvs runs "ipvsadm --set tcp tcpfin udp"; zero keeps the kernel's value.
		if err := t.k.SetTimeouts(ctx, to); err != nil {
			return edits, fmt.Errorf("table: set timeouts: %w", err)
		}
	}
	return edits, nil
}

func (t *kernelTable) Clear(ctx context.Context) error {
	have, err := reconcile.Read(ctx, t.k)
	if err != nil {
		return fmt.Errorf("table: %w", err)
	}
	var changes []reconcile.Change
	for _, s := range have {
		if _, ok := t.owned[ipvsadm.ServiceArgs(s.ServiceKey)]; ok {
			changes = append(changes, reconcile.Change{Action: reconcile.DelService, Service: s.Service})
		}
	}
	if err := reconcile.Apply(ctx, t.k, changes); err != nil {
		return fmt.Errorf("table: %w", err)
	}
	t.owned = map[string]ops.ServiceKey{}
	return nil
}

// tablePort is the port lvscf.Render gives a real server (DR and tunnel
// use the service's; 0: unknown, any).
func tablePort(network string, v *lvscf.Virtual, s *lvscf.Server) uint16 {
	if v.Fwmark == 0 && (network != "nat" || s.Port == 0) {
		return v.Port
	}
	return s.Port
}
