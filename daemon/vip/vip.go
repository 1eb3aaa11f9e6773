package vip

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/lvsadm/lvsadm/lvscf"
)

// VIP is one floating address.
type VIP struct {
	Addr netip.Addr
	// Bits is the prefix length: from vip_nmask / nat_nmask, else a host
	// route (/32, /128), which is what ifconfig gives an alias without a
	// netmask on a point address.
	Bits int
	// Label is the device as lvs.cf names it ("eth0:1"); Link is the base
	// device ("eth0") the address is added to and announced on.
	Label, Link string
	// Broadcast is set when a netmask was given (pulse passes "broadcast B"
	// computed as (addr & mask) | ~mask).
	Broadcast netip.Addr
}

func (v VIP) String() string {
	return fmt.Sprintf("%s/%d dev %s", v.Addr, v.Bits, v.Label)
}

func maskBits(m netip.Addr) (int, bool) {
	if !m.IsValid() || !m.Is4() {
		return 0, false
	}
	b := m.As4()
	n := 0
	for _, x := range b {
		for i := 7; i >= 0; i-- {
			if x&(1<<i) == 0 {
				return n, true
			}
			n++
		}
	}
	return n, true
}

func broadcast(a netip.Addr, bits int) netip.Addr {
	if !a.Is4() {
		return netip.Addr{}
	}
	b := a.As4()
	for i := bits; i < 32; i++ {
		b[i/8] |= 1 << (7 - i%8)
	}
	return netip.AddrFrom4(b)
}

func newVIP(a netip.Addr, dev string, mask netip.Addr) VIP {
	v := VIP{Addr: a, Label: dev, Link: dev, Bits: a.BitLen()}
	if i := strings.IndexByte(dev, ':'); i >= 0 {
		v.Link = dev[:i]
	}
	if bits, ok := maskBits(mask); ok && bits > 0 && a.Is4() {
		v.Bits = bits
		v.Broadcast = broadcast(a, bits)
	}
	return v
}

// FromConfig lists the floating addresses of a configuration in pulse's
// order: the NAT router first (only with network = nat), then each distinct
// address of the active virtual servers in file order.
func FromConfig(cfg *lvscf.Config) []VIP {
	// Sized once: every reload builds this, and grown one virtual server
	// at a time it was rebuilt a dozen times at 2,000 virtual servers.
	out := make([]VIP, 0, len(cfg.Virtuals)+1)
	seen := make(map[netip.Addr]bool, len(cfg.Virtuals)+1)
	if cfg.Network == "nat" && cfg.NATRouter.IsValid() && cfg.NATRouterDev != "" {
		out = append(out, newVIP(cfg.NATRouter, cfg.NATRouterDev, cfg.NATNmask))
		seen[cfg.NATRouter] = true
	}
	if cfg.Service == "fos" {
		return out
	}
	for i := range cfg.Virtuals {
		v := &cfg.Virtuals[i]
		if !v.Active || !v.Address.IsValid() || v.Device == "" || seen[v.Address] {
			continue
		}
		seen[v.Address] = true
		out = append(out, newVIP(v.Address, v.Device, v.VIPNmask))
	}
	return out
}
