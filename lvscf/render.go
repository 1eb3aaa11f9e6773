package lvscf

import (
	"fmt"

	"github.com/lvsadm/lvsadm/ops/ipvsadm"
)

// Render prints the IPVS table a configuration means (BuildTable) as the
// lines
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
	t, err := BuildTable(cfg, TableOptions{})
	var out []string
	for _, s := range t {
		out = append(out, ipvsadm.ServiceLine("-A", s.Service))
		for _, d := range s.Destinations {
			out = append(out, ipvsadm.DestinationLine("-a", s.ServiceKey, d))
		}
	}
	return out, err
}

// NoRules says why a configuration Render gives no lines for, or "" when
// it gives some: a failover configuration, a file without virtual servers,
// or no active one. An empty rule list is a valid answer (piranha would
// set up an empty table), but printed silently it looks like a failure.
func NoRules(cfg *Config, rules []string) string {
	if len(rules) > 0 {
		return ""
	}
	switch {
	case cfg.Service == "fos":
		return "service = fos: a failover configuration has no IPVS rules"
	case len(cfg.Virtuals) == 0:
		return "no virtual server in the file: no IPVS rules"
	}
	return fmt.Sprintf("no active virtual server (%d inactive): no IPVS rules", len(cfg.Virtuals))
}
