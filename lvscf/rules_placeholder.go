package lvscf

import "net/netip"

// rulePlaceholders reports the unspecified address (0.0.0.0 or ::) where a
// real address is needed. "lvsadm cf import" writes it where
// keepalived.conf does not say (a director's own address in a multicast
// setup, a NAT gateway, the VIP of a fwmark service): it is a blank to
// fill in, not a value. pulse would run "ifconfig DEV 0.0.0.0 up" for a
// VIP or NAT router, and no host holds 0.0.0.0 as a director.
func rulePlaceholders(a *analysis) []Diagnostic {
	r := &reporter{a: a}
	c, root := a.cfg, &a.root
	check := func(bi *blockInfo, key string, addr netip.Addr, what string) {
		if bi.has(key) && addr.IsValid() && addr.IsUnspecified() {
			r.atKey(bi, key, SevError, "placeholder", "%s = %s is a placeholder, not an address: set %s", key, addr, what)
		}
	}
	check(root, "primary", c.Primary, "the primary director's own address")
	check(root, "backup", c.Backup, "the backup director's own address")
	check(root, "nat_router", c.NATRouter, "the real servers' floating gateway")
	for i := range a.virtuals {
		vi := &a.virtuals[i]
		v := &c.Virtuals[i]
		check(&vi.blockInfo, "address", v.Address, "the address the virtual service is reached at")
		for j := range vi.servers {
			if j < len(v.Servers) {
				check(&vi.servers[j], "address", v.Servers[j].Address, "the real server's address")
			}
		}
	}
	for i := range a.failovers {
		check(&a.failovers[i].blockInfo, "address", c.Failovers[i].Address, "the failover service's address")
	}
	if c.Service == "lvs" && len(a.virtuals) == 0 && len(a.failovers) == 0 {
		r.atBlock(a.f.Root, SevWarning, "no-services", "the file has no virtual server: pulse would bring up no service")
	}
	return r.out
}
