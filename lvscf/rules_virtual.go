package lvscf

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/lvsadm/lvsadm/ops"
)

// ruleVirtuals checks each virtual server's own settings.
func ruleVirtuals(a *analysis) []Diagnostic {
	r := &reporter{a: a}
	c := a.cfg
	for i := range c.Virtuals {
		v, vi := &c.Virtuals[i], &a.virtuals[i]
		if vi.has("scheduler") {
			switch {
			case !contains(KernelSchedulers, v.Scheduler):
				r.atKey(&vi.blockInfo, "scheduler", SevError, "unknown-scheduler",
					"scheduler %q is not a kernel IPVS scheduler (%v)%s", v.Scheduler, KernelSchedulers, schedulerHint(v.Scheduler))
			case a.opts.Piranha && !contains(PiranhaSchedulers, v.Scheduler):
				r.atKey(&vi.blockInfo, "scheduler", SevError, "piranha-scheduler",
					"piranha's lvsconfig.c only accepts the schedulers %v", PiranhaSchedulers)
			}
		}
		if v.Persistent < 0 {
			r.atKey(&vi.blockInfo, "persistent", SevError, "bad-range", "persistent must not be negative")
		}
		if vi.has("pmask") && v.Persistent <= 0 {
			r.atKey(&vi.blockInfo, "pmask", SevWarning, "pmask-unused", "pmask has no effect without persistent")
		}
		if vi.has("fwmark") {
			li := vi.line("fwmark")
			if x, _ := parseInt(a.f.Lines[li].Value()); x < 0 || x > 1<<32-1 {
				r.atKey(&vi.blockInfo, "fwmark", SevError, "bad-range", "fwmark must be 1..4294967295 (0 disables it)")
			}
		}
		if v.Fwmark == 0 && v.Port == 0 && v.Persistent <= 0 {
			r.atKey(&vi.blockInfo, "port", SevError, "zero-port",
				"port 0 (all ports) needs persistent: ipvsadm refuses a zero port for a non-persistent service")
		}
		if vi.has("fwmark_match") && v.Fwmark == 0 {
			r.atKey(&vi.blockInfo, "fwmark_match", SevError, "fwmark-match-without-fwmark",
				"fwmark_match needs fwmark: the MARK rules set the virtual server's firewall mark")
		}
		if v.Fwmark != 0 && v.Persistent <= 0 {
			r.atKey(&vi.blockInfo, "fwmark", SevWarning, "fwmark-persistence",
				"firewall-mark service without persistent: the piranha guide asks for persistent with fwmark")
		}
		if vi.portAfterServer >= 0 {
			r.at(vi.portAfterServer, 0, SevWarning, "port-after-servers",
				"port is set after server blocks: piranha gives those servers the port in force when their block opens; move port above the servers")
		}
		for _, d := range []netip.Addr{c.Primary, c.Backup} {
			if v.Address.IsValid() && v.Address == d && !d.IsUnspecified() { // two placeholders: see rulePlaceholders
				r.atKey(&vi.blockInfo, "address", SevError, "vip-is-director",
					"virtual address %s is a director's own address; a VIP must be a floating address", v.Address)
			}
		}
		if vi.has("load_monitor") && !contains([]string{"none", "rup", "ruptime", "uptime"}, v.LoadMonitor) {
			r.atKey(&vi.blockInfo, "load_monitor", SevWarning, "load-monitor",
				"load_monitor %q is not none, rup, ruptime or uptime; nanny runs it as a command", v.LoadMonitor)
		}
		if vi.has("timeout") && v.Timeout <= 0 {
			r.atKey(&vi.blockInfo, "timeout", SevError, "zero-timeout", "timeout must be above 0: nanny divides by it (reentry / timeout)")
		} else if v.Reentry < v.Timeout && vi.has("reentry") {
			r.atKey(&vi.blockInfo, "reentry", SevWarning, "reentry-short",
				"reentry (%ss) is shorter than timeout (%ss): a failed server is readmitted on its first good check", v.Reentry, v.Timeout)
		}
		if v.Active && !anyActive(v.Servers) {
			r.atBlock(vi.b, SevWarning, "no-active-servers", "virtual %q is active but has no active real server", v.Name)
		}
	}
	return r.out
}

func anyActive(ss []Server) bool {
	for _, s := range ss {
		if s.Active {
			return true
		}
	}
	return false
}

// ruleServers checks real servers: weights, ports, duplicates.
func ruleServers(a *analysis) []Diagnostic {
	r := &reporter{a: a}
	c := a.cfg
	for i := range c.Virtuals {
		v, vi := &c.Virtuals[i], &a.virtuals[i]
		seen := map[netip.AddrPort]int{}
		for j := range v.Servers {
			s, si := &v.Servers[j], &vi.servers[j]
			switch {
			case s.Weight < 0 || s.Weight > ops.MaxWeight:
				r.atKey(si, "weight", SevError, "bad-weight", "weight %d is out of range 0..%d", s.Weight, ops.MaxWeight)
			case s.Weight == 0 && s.Active:
				r.atKey(si, "weight", SevWarning, "zero-weight",
					"weight 0 does not drain server %q under piranha: nanny adds it with weight 1 (weight>>5, at least 1); set active = 0 instead", s.Name)
			}
			rport := s.Port
			if c.Network != "nat" && v.Fwmark == 0 {
				if si.has("port") && s.Port != v.Port {
					r.atKey(si, "port", SevWarning, "port-ignored",
						"server port %d differs from the virtual port %d: only NAT can map ports (ipvsadm uses the virtual port for %s)", s.Port, v.Port, c.Network)
				}
				rport = v.Port
			}
			if !s.Address.IsValid() {
				continue
			}
			key := netip.AddrPortFrom(s.Address, rport)
			if prev, ok := seen[key]; ok {
				r.atKey(si, "address", SevError, "duplicate-real-server",
					"real server %s is already in virtual %q as %q (line %d)", key, v.Name, v.Servers[prev].Name, a.f.Lines[vi.servers[prev].b.Open].Num)
				continue
			}
			seen[key] = j
			if s.Address == v.Address {
				r.atKey(si, "address", SevError, "server-is-vip", "real server address %s is the virtual address itself", s.Address)
			}
		}
	}
	return r.out
}

// ruleFwmarks checks virtual servers that share a firewall mark. piranha
// runs "ipvsadm -A -f MARK" for each of them: only the first succeeds, so
// the others' scheduler and persistence are silently dropped. The piranha
// guide asks for equal values.
func ruleFwmarks(a *analysis) []Diagnostic {
	r := &reporter{a: a}
	c := a.cfg
	first := map[uint32]int{}
	for i := range c.Virtuals {
		v := &c.Virtuals[i]
		if v.Fwmark == 0 || !v.Active {
			continue
		}
		j, ok := first[v.Fwmark]
		if !ok {
			first[v.Fwmark] = i
			continue
		}
		w := &c.Virtuals[j]
		var diff []string
		if v.Persistent != w.Persistent {
			diff = append(diff, fmt.Sprintf("persistent %d vs %d", v.Persistent, w.Persistent))
		}
		if v.PMask != w.PMask {
			diff = append(diff, fmt.Sprintf("pmask %s vs %s", addrOr(v.PMask, "unset"), addrOr(w.PMask, "unset")))
		}
		if v.Scheduler != w.Scheduler {
			diff = append(diff, fmt.Sprintf("scheduler %s vs %s", v.Scheduler, w.Scheduler))
		}
		if v.Protocol != w.Protocol {
			diff = append(diff, fmt.Sprintf("protocol %s vs %s", v.Protocol, w.Protocol))
		}
		if len(diff) > 0 {
			r.atKey(&a.virtuals[i].blockInfo, "fwmark", SevWarning, "fwmark-mismatch",
				"virtual %q shares fwmark %d with %q but differs (%v): only the first one's settings reach the kernel",
				v.Name, v.Fwmark, w.Name, diff)
		}
	}
	return r.out
}

func addrOr(a netip.Addr, s string) string {
	if a.IsValid() {
		return a.String()
	}
	return s
}

// ruleServices finds active virtual servers that are the same IPVS
// service (protocol, VIP, port): the second "ipvsadm -A" fails with
// "Service already exists". It also flags one VIP brought up on two devices.
func ruleServices(a *analysis) []Diagnostic {
	r := &reporter{a: a}
	c := a.cfg
	type svc struct {
		proto string
		ap    netip.AddrPort
	}
	// Sized once: grown one virtual server at a time they were rebuilt a
	// dozen times at 2,000 virtual servers.
	seen := make(map[svc]int, len(c.Virtuals))
	dev := make(map[netip.Addr]int, len(c.Virtuals))
	for i := range c.Virtuals {
		v, vi := &c.Virtuals[i], &a.virtuals[i]
		if !v.Active || !v.Address.IsValid() {
			continue
		}
		if j, ok := dev[v.Address]; ok && c.Virtuals[j].Device != v.Device {
			r.atKey(&vi.blockInfo, "address", SevError, "vip-device-conflict",
				"VIP %s is on device %s here but on %s in virtual %q", v.Address, v.Device, c.Virtuals[j].Device, c.Virtuals[j].Name)
		} else if !ok {
			dev[v.Address] = i
		}
		if v.Fwmark != 0 {
			continue
		}
		k := svc{v.Protocol, netip.AddrPortFrom(v.Address, v.Port)}
		if j, ok := seen[k]; ok {
			r.atKey(&vi.blockInfo, "address", SevError, "duplicate-service",
				"virtual %q is the same service (%s %s) as %q", v.Name, k.proto, k.ap, c.Virtuals[j].Name)
			continue
		}
		seen[k] = i
	}
	return r.out
}

// ruleFailovers checks failover services (service = fos).
func ruleFailovers(a *analysis) []Diagnostic {
	r := &reporter{a: a}
	for i := range a.failovers {
		fi := &a.failovers[i]
		for _, si := range fi.servers {
			r.atBlock(si.b, SevWarning, "server-in-failover", "server blocks inside a failover block are ignored")
		}
		if fo := &a.cfg.Failovers[i]; fi.has("timeout") && fo.Timeout <= 0 {
			r.atKey(&fi.blockInfo, "timeout", SevError, "zero-timeout", "timeout must be above 0")
		}
	}
	return r.out
}

// ruleDevices checks the interfaces floating addresses are brought up on.
// pulse (pulse.c sendArps, disableInterface) runs "/sbin/ifconfig DEV ADDR
// [netmask M broadcast B] up" for each active VIP and for nat_router, and
// "/sbin/ifconfig DEV down" when it stops: a device without an alias label
// would lose the director's own address (and go down on failover), and one
// alias can hold only one of two addresses.
func ruleDevices(a *analysis) []Diagnostic {
	r := &reporter{a: a}
	c := a.cfg
	// what is kind+name, joined only for a diagnostic: at 10,000 real
	// servers a reload checks 2,000 virtual servers that mostly have
	// nothing to report.
	type use struct {
		addr       netip.Addr
		dev        string
		kind, name string
		bi         *blockInfo
		key        string
	}
	what := func(u *use) string { return u.kind + u.name }
	var uses []use
	if c.Service == "fos" {
		for i := range c.Failovers {
			if fo := &c.Failovers[i]; fo.Active && fo.Address.IsValid() {
				uses = append(uses, use{fo.Address, fo.Device, "failover ", fo.Name, &a.failovers[i].blockInfo, "address"})
			}
		}
	} else {
		uses = make([]use, 0, len(c.Virtuals)+1)
		if c.Network == "nat" && c.NATRouter.IsValid() {
			uses = append(uses, use{c.NATRouter, c.NATRouterDev, "nat_router", "", &a.root, "nat_router"})
		}
		for i := range c.Virtuals {
			if v := &c.Virtuals[i]; v.Active && v.Address.IsValid() {
				uses = append(uses, use{v.Address, v.Device, "virtual ", v.Name, &a.virtuals[i].blockInfo, "address"})
			}
		}
	}
	first := make(map[string]int, len(uses)) // device -> index into uses
	for i := range uses {
		u := &uses[i]
		if u.dev == "" {
			continue
		}
		if !strings.Contains(u.dev, ":") {
			r.atKey(u.bi, u.key, SevWarning, "vip-on-base-device",
				"%s puts %s on %s itself: piranha runs \"ifconfig %s %s up\", replacing the interface's own address, and \"ifconfig %s down\" on failover; use an alias such as %s:1",
				what(u), u.addr, u.dev, u.dev, u.addr, u.dev, u.dev)
		}
		if j, ok := first[u.dev]; ok && uses[j].addr != u.addr {
			r.atKey(u.bi, u.key, SevWarning, "device-conflict",
				"%s puts %s on %s, which already carries %s for %s: an interface alias holds one address",
				what(u), u.addr, u.dev, uses[j].addr, what(&uses[j]))
		} else if !ok {
			first[u.dev] = i
		}
	}
	return r.out
}
