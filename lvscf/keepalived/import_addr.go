package keepalived

import (
	"fmt"
	"net/netip"
	"strings"
)

// addresses gives every virtual its "address = VIP DEVICE" and picks the
// NAT router. keepalived adds VIPs with "ip addr add" next to the
// interface's own address; piranha's pulse runs "ifconfig DEV VIP up",
// which on a base device would replace that address. So each VIP goes on
// an alias: its label when it has one ("label eth0:1"), else the next
// free DEV:N.
func (im *importer) addresses(opts ImportOptions) error {
	used := map[string]bool{}
	for _, v := range im.vips {
		if strings.Contains(v.label, ":") && validDevice(v.label) {
			used[v.label] = true
		}
	}
	alias := func(base string) string {
		if !validDevice(base+":1") || strings.Contains(base, ":") {
			base = "eth0"
		}
		for i := 1; ; i++ {
			d := fmt.Sprintf("%s:%d", base, i)
			if !used[d] {
				used[d] = true
				return d
			}
		}
	}
	devOf := map[netip.Addr]*vip{}
	place := func(x *vip) (string, string) {
		if devOf[x.addr] == nil {
			devOf[x.addr] = x
			if strings.Contains(x.label, ":") && validDevice(x.label) {
				x.dev = x.label
			} else {
				x.dev = alias(x.dev)
			}
		}
		x.used = true
		return x.dev, nmaskOf(x)
	}
	find := func(a netip.Addr) *vip {
		for _, x := range im.vips {
			if x.addr == a {
				return x
			}
		}
		return nil
	}
	guessed := map[netip.Addr]*vip{}
	for _, v := range im.virtuals {
		if v.fwmark != 0 {
			continue
		}
		x := find(v.addr)
		if x == nil {
			if x = guessed[v.addr]; x == nil {
				x = &vip{addr: v.addr, bits: -1, dev: im.iface}
				guessed[v.addr] = x
				dev, _ := place(x)
				im.warn(v.pos, "virtual_server", "%s is in no vrrp_instance's virtual_ipaddress: lvs.cf brings it up on %s (a guess)", v.addr, dev)
			}
		}
		v.device, v.nmask = place(x)
	}
	kept := im.virtuals[:0]
	var spare *vip // the placeholder address of fwmark virtuals
	for _, v := range im.virtuals {
		if v.fwmark == 0 {
			kept = append(kept, v)
			continue
		}
		var x *vip
		for _, c := range im.vips {
			if !c.used {
				x = c
				break
			}
		}
		if x == nil && len(im.vips) > 0 {
			x = im.vips[0]
		}
		if x == nil {
			// Carried over all the same: dropping it left files whose
			// only service was a fwmark one with no virtual server.
			if spare == nil {
				spare = &vip{addr: netip.IPv4Unspecified(), bits: -1, dev: im.iface}
				im.notes = append(im.notes, "address = "+placeholder+" in a fwmark virtual is a placeholder: set the address the marked traffic goes to.")
			}
			v.addr = spare.addr
			v.device, v.nmask = place(spare)
			im.warn(v.pos, "virtual_server", "fwmark %d: lvs.cf needs the address the marked traffic goes to, and keepalived.conf has no virtual_ipaddress: address = %s %s is a placeholder", v.fwmark, placeholder, v.device)
			kept = append(kept, v)
			continue
		}
		v.addr = x.addr
		v.device, v.nmask = place(x)
		im.warn(v.pos, "virtual_server", "fwmark %d: lvs.cf needs an address for it; %s is used (a guess: the first free virtual_ipaddress)", v.fwmark, x.addr)
		kept = append(kept, v)
	}
	im.virtuals = kept
	if im.network == "nat" && len(im.virtuals) > 0 {
		if err := im.pickNATRouter(opts, place); err != nil {
			return err
		}
	}
	for _, x := range im.vips {
		if !x.used {
			im.warn(x.pos, "virtual_ipaddress", "%s: not carried over (lvs.cf brings up only the addresses of virtual servers and the NAT router)", x.addr)
		}
	}
	return nil
}

// pickNATRouter: NAT real servers route their answers through a floating
// gateway address, which keepalived lists as one more virtual_ipaddress
// (usually on the inside interface); the first one no virtual server uses
// becomes nat_router.
func (im *importer) pickNATRouter(opts ImportOptions, place func(*vip) (string, string)) error {
	if opts.NATRouter != "" {
		f := strings.Fields(opts.NATRouter) // checked by ImportOptions.check
		im.natRouter = f[0] + " " + f[1]
		return nil
	}
	for _, x := range im.vips {
		if !x.used && x.addr.Is4() {
			dev, mask := place(x)
			im.natRouter, im.natNmask = x.addr.String()+" "+dev, mask
			return nil
		}
	}
	dev := "eth1:1"
	im.natRouter = placeholder + " " + dev
	im.warn(im.networkPos, "lb_kind", "NAT needs nat_router (the real servers' floating gateway) and keepalived.conf has no spare virtual_ipaddress: nat_router = %s %s is a placeholder (use --nat-router)", placeholder, dev)
	im.notes = append(im.notes, "nat_router = "+placeholder+" "+dev+" is a placeholder: set the real servers' floating gateway.")
	return nil
}

// nmaskOf is the vip_nmask for a VIP: its prefix, or /32 since keepalived
// adds addresses without a prefix as /32 (ifconfig would use the class
// mask).
func nmaskOf(x *vip) string {
	if !x.addr.Is4() {
		return ""
	}
	if x.bits < 0 {
		return maskString(32)
	}
	return maskString(x.bits)
}
