package lvscf

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
)

// Render returns the IPVS table a configuration means, as the lines
// `ipvsadm -S -n` would print once piranha's lvs and nanny have set it up
// and every health check passes:
//
//	-A -t 10.0.0.1:80 -s wlc -p 300
//	-a -t 10.0.0.1:80 -r 10.0.1.1:80 -m -w 1
//
// It follows piranha's sources: lvsd.c startVirtualServer builds -A from
// fwmark (-f) or protocol (-t/-u) with VIP:port, -s scheduler, and -p
// persistent plus -M pmask when persistent > 0 (a pmask of 255.255.255.255
// is dropped by lvsconfig.c); nanny (ipvs_exec.c bringUpDev) adds each real
// server with -r IP:port, the routing switch of the global network setting
// (nat -m, direct -g, tunnel -i) and -w weight. Inactive virtual and real
// servers are skipped, as lvs does. Rules that ipvsadm itself rewrites are
// shown as it stores them: with direct routing or tunnelling a non-fwmark
// real server takes the virtual port. The weight is the steady state nanny
// converges to (it starts at weight>>5 and doubles); a weight of 0 or less
// stays 1, as in nanny. Virtual servers that repeat a service (the same
// fwmark, or protocol, VIP and port) share one -A line, since the second
// "ipvsadm -A" fails while nanny still adds its real servers; duplicate real
// servers are listed once. A failover configuration (service = fos) has no
// IPVS rules. sorry_server entries, which lvs adds only when every real
// server is down, are not rendered.
func Render(cfg *Config) ([]string, error) {
	if cfg.Service == "fos" {
		return nil, nil
	}
	fwd, ok := map[string]string{"nat": "-m", "direct": "-g", "tunnel": "-i"}[cfg.Network]
	if !ok {
		return nil, fmt.Errorf("render: unknown network %q", cfg.Network)
	}
	type service struct {
		rules []string
		dests map[netip.AddrPort]bool
	}
	var (
		order    []string
		services = map[string]*service{}
		errs     []error
	)
	for i := range cfg.Virtuals {
		v := &cfg.Virtuals[i]
		if !v.Active {
			continue
		}
		var svc string
		switch {
		case v.Fwmark != 0:
			svc = "-f " + strconv.FormatUint(uint64(v.Fwmark), 10)
			if v.Address.Is6() {
				svc += " -6"
			}
		case !v.Address.IsValid():
			errs = append(errs, fmt.Errorf("render: virtual %q has no valid address", v.Name))
			continue
		default:
			proto := "-t"
			if v.Protocol == "udp" {
				proto = "-u"
			}
			svc = proto + " " + netip.AddrPortFrom(v.Address, v.Port).String()
		}
		s := services[svc]
		if s == nil {
			rule := "-A " + svc + " -s " + v.Scheduler
			if v.Persistent > 0 {
				rule += " -p " + strconv.Itoa(v.Persistent)
				if m := v.PMask; m.IsValid() && m != netip.AddrFrom4([4]byte{255, 255, 255, 255}) && !m.IsUnspecified() {
					rule += " -M " + m.String()
				}
			}
			s = &service{rules: []string{rule}, dests: map[netip.AddrPort]bool{}}
			services[svc] = s
			order = append(order, svc)
		}
		for j := range v.Servers {
			rs := &v.Servers[j]
			if !rs.Active {
				continue
			}
			if !rs.Address.IsValid() {
				errs = append(errs, fmt.Errorf("render: server %q of virtual %q has no valid address", rs.Name, v.Name))
				continue
			}
			port := rs.Port
			if v.Fwmark == 0 && fwd != "-m" {
				port = v.Port // ipvsadm: DR and tunnel use the service port
			}
			dst := netip.AddrPortFrom(rs.Address, port)
			if s.dests[dst] {
				continue
			}
			s.dests[dst] = true
			s.rules = append(s.rules, fmt.Sprintf("-a %s -r %s %s -w %d", svc, dst, fwd, max(rs.Weight, 1)))
		}
	}
	var out []string
	for _, svc := range order {
		out = append(out, services[svc].rules...)
	}
	return out, errors.Join(errs...)
}
