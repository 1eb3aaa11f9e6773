package lvscf

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/netip"

	"github.com/lvsadm/lvsadm/ops"
)

// This file turns a configuration into the IPVS table it means, as typed
// kernel structures: the one path from lvs.cf to the kernel. Render prints
// the same result as ipvsadm rules; the daemon builds it with the health
// of the real servers and the operator's overrides (TableOptions), one
// service at a time when only one changes.

// TableOptions put what is not in the file into the table. The zero value
// builds the table as piranha's lvs and nannies leave it once every health
// check passes: every active real server at its configured weight.
type TableOptions struct {
	// Server gives a real server's weight in the table, or in=false to
	// leave it out (down, never checked, taken out). nil: every active
	// server at its configured weight (at least 1, as nanny does).
	Server func(v *Virtual, s *Server) (weight int32, in bool)
	// Sorry says whether a virtual server's sorry_server is in the table
	// (lvs adds it while none of the virtual's real servers is up). nil:
	// never.
	Sorry func(v *Virtual) bool
}

// ServiceGroup is one IPVS service of a configuration and the active
// virtual servers that make it. Virtual servers that repeat a service (the
// same fwmark, or protocol, VIP and port) share it: the first one's
// scheduler and persistence make the service, since the second "ipvsadm
// -A" fails while nanny still adds its real servers.
type ServiceGroup struct {
	ID       ops.ServiceID
	Virtuals []int // indexes into Config.Virtuals, in file order
}

// ServiceGroups lists the services of cfg's active virtual servers in file
// order. Virtual and real servers without a valid address are errors and
// are left out, the rest still listed. A failover configuration (service =
// fos) has none.
func ServiceGroups(cfg *Config) ([]ServiceGroup, error) {
	if cfg.Service == "fos" {
		return nil, nil
	}
	if _, ok := forwardingMethods[cfg.Network]; !ok {
		return nil, fmt.Errorf("render: unknown network %q", cfg.Network)
	}
	// Sized once, and each group's first virtual cut from one slice (an
	// append past it moves that group's list elsewhere): every reload
	// builds the groups, 2,000 of them at 10,000 real servers.
	var (
		out    = make([]ServiceGroup, 0, len(cfg.Virtuals))
		index  = make(map[ops.ServiceID]int, len(cfg.Virtuals))
		firsts = make([]int, len(cfg.Virtuals))
		errs   []error
	)
	for i := range cfg.Virtuals {
		v := &cfg.Virtuals[i]
		if !v.Active {
			continue
		}
		if v.Fwmark == 0 && !v.Address.IsValid() {
			errs = append(errs, fmt.Errorf("render: virtual %q has no valid address", v.Name))
			continue
		}
		for j := range v.Servers {
			if s := &v.Servers[j]; s.Active && !s.Address.IsValid() {
				errs = append(errs, fmt.Errorf("render: server %q of virtual %q has no valid address", s.Name, v.Name))
			}
		}
		id := VirtualServiceKey(v).ID()
		if g, ok := index[id]; ok {
			out[g].Virtuals = append(out[g].Virtuals, i)
			continue
		}
		index[id] = len(out)
		firsts[i] = i
		out = append(out, ServiceGroup{ID: id, Virtuals: firsts[i : i+1 : i+1]})
	}
	return out, errors.Join(errs...)
}

// forwardingMethods maps lvs.cf's network to the kernel's forwarding
// method (ipvsadm's -m, -g, -i).
var forwardingMethods = map[string]uint32{"nat": ops.FwdMasq, "direct": ops.FwdRoute, "tunnel": ops.FwdTunnel}

// VirtualServiceKey is the IPVS service key of a virtual server (lvsd.c
// startVirtualServer: -f fwmark, else -t or -u with VIP:port).
func VirtualServiceKey(v *Virtual) ops.ServiceKey {
	k := ops.ServiceKey{Family: addrFamily(v.Address), Protocol: ops.ProtoTCP}
	if v.Fwmark != 0 {
		// As ipvsadm sends a fwmark service: TCP and the unspecified
		// address of its family, which the kernel ignores.
		k.FWMark = v.Fwmark
		k.Address = make(net.IP, net.IPv4len)
		if k.Family == ops.AFInet6 {
			k.Address = make(net.IP, net.IPv6len)
		}
		return k
	}
	if v.Protocol == "udp" {
		k.Protocol = ops.ProtoUDP
	}
	k.Address = net.IP(v.Address.AsSlice())
	k.Port = v.Port
	return k
}

func addrFamily(a netip.Addr) uint16 {
	if a.Is6() && !a.Is4In6() {
		return ops.AFInet6
	}
	return ops.AFInet
}

// BuildService builds one service of cfg (one of ServiceGroups' results):
// the service as its first virtual server defines it (-s scheduler, -p
// persistent with -M pmask, a /32 pmask being the default) and the real
// servers of all its virtual servers, each address and port once, with
// the configuration's forwarding method. With direct routing or
// tunnelling a real server of a non-fwmark service takes the virtual port,
// as ipvsadm makes it.
func BuildService(cfg *Config, g ServiceGroup, o TableOptions) ops.VirtualService {
	first := &cfg.Virtuals[g.Virtuals[0]]
	svc := ops.Service{ServiceKey: VirtualServiceKey(first), Scheduler: first.Scheduler, Netmask: 0xffffffff}
	if svc.Family == ops.AFInet6 {
		svc.Netmask = 128
	}
	// Lint refuses flags that do not fit the scheduler (bad-sched-flags);
	// here they are left out.
	if bits, err := ParseSchedFlags(first.Scheduler, first.SchedFlags); err == nil {
		svc.Flags |= bits
	}
	if first.Persistent > 0 {
		svc.Flags |= ops.SvcPersistent
		svc.Timeout = uint32(first.Persistent)
		if m := first.PMask; svc.Family == ops.AFInet && m.Is4() && !m.IsUnspecified() {
			svc.Netmask = binary.BigEndian.Uint32(m.AsSlice())
		}
	}
	fwd := forwardingMethods[cfg.Network]
	out := ops.VirtualService{Service: svc}
	seen := map[netip.AddrPort]bool{}
	add := func(addr netip.Addr, port uint16, weight int32) {
		if fwd != ops.FwdMasq && first.Fwmark == 0 {
			port = first.Port // ipvsadm: DR and tunnel use the service port
		}
		ap := netip.AddrPortFrom(addr, port)
		if seen[ap] {
			return
		}
		seen[ap] = true
		out.Destinations = append(out.Destinations, ops.Destination{
			Family: addrFamily(addr), Address: net.IP(addr.AsSlice()), Port: port, ConnFlags: fwd, Weight: weight,
		})
	}
	for _, i := range g.Virtuals {
		v := &cfg.Virtuals[i]
		for j := range v.Servers {
			s := &v.Servers[j]
			if !s.Active || !s.Address.IsValid() {
				continue
			}
			weight, in := int32(max(s.Weight, 1)), true
			if o.Server != nil {
				weight, in = o.Server(v, s)
			}
			if in {
				add(s.Address, s.Port, weight)
			}
		}
		// sorry_server (lvsd.c checkClientMonitor, verified): weight 1,
		// the global routing method, the virtual's port.
		if v.SorryServer.IsValid() && o.Sorry != nil && o.Sorry(v) {
			add(v.SorryServer, v.Port, 1)
		}
	}
	return out
}

// BuildTable builds the table cfg means: every service of ServiceGroups,
// in file order. Its error lists the virtual and real servers left out.
func BuildTable(cfg *Config, o TableOptions) (ops.Table, error) {
	groups, err := ServiceGroups(cfg)
	t := make(ops.Table, 0, len(groups))
	for _, g := range groups {
		t = append(t, BuildService(cfg, g, o))
	}
	return t, err
}
