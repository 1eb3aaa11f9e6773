package keepalived

import (
	"fmt"
	"math"
	"strings"

	"github.com/lvsadm/lvsadm/lvscf"
)

// emit writes the lvs.cf, keys in the order piranha's GUI writes them,
// and formats it with lvscf's formatter.
func (im *importer) emit() ([]byte, error) {
	var b strings.Builder
	kv := func(indent, key, value string) { fmt.Fprintf(&b, "%s%s = %s\n", indent, key, value) }
	b.WriteString("# Converted from keepalived.conf by lvsadm cf import.\n")
	for _, n := range im.notes {
		b.WriteString("# " + n + "\n")
	}
	kv("", "primary", im.primary)
	kv("", "service", "lvs")
	if im.backup != "" {
		kv("", "backup_active", "1")
		kv("", "backup", im.backup)
		kv("", "heartbeat", "1")
	} else {
		kv("", "backup_active", "0")
	}
	if im.hasVRRP {
		// VRRP declares the master dead after 3 advert intervals
		// (RFC 3768 Master_Down_Interval, without the skew).
		kv("", "keepalive", fmtSeconds(im.keepalive))
		kv("", "deadtime", fmtSeconds(math.Round(3*im.keepalive*1000)/1000))
	}
	network := im.network
	if network == "" {
		network = "nat"
	}
	kv("", "network", network)
	if im.natRouter != "" {
		kv("", "nat_router", im.natRouter)
		if im.natNmask != "" {
			kv("", "nat_nmask", im.natNmask)
		}
	}
	if im.syncIface != "" {
		kv("", "syncdaemon", "1")
		kv("", "syncd_iface", im.syncIface)
		if im.syncID != "" {
			kv("", "syncd_id", im.syncID)
		}
	}
	for _, t := range im.timeouts {
		kv("", t[0], t[1])
	}
	const in1, in2 = "     ", "         "
	for _, v := range im.virtuals {
		fmt.Fprintf(&b, "virtual %s {\n", v.name)
		kv(in1, "active", "1")
		kv(in1, "address", v.addr.String()+" "+v.device)
		if v.nmask != "" {
			kv(in1, "vip_nmask", v.nmask)
		}
		if v.sorry != "" {
			kv(in1, "sorry_server", v.sorry)
		}
		if v.fwmark != 0 {
			kv(in1, "fwmark", fmt.Sprint(v.fwmark))
		}
		kv(in1, "port", v.port)
		if v.persistent != "" {
			kv(in1, "persistent", v.persistent)
		}
		if v.pmask != "" {
			kv(in1, "pmask", v.pmask)
		}
		if c := v.check; c != nil {
			if c.send != "" {
				kv(in1, "send", `"`+c.send+`"`)
			}
			if c.hasExpect {
				kv(in1, "expect", `"`+c.expect+`"`)
			}
			if c.useRegex {
				kv(in1, "use_regex", "1")
			}
			if c.program != "" {
				kv(in1, "send_program", `"`+c.program+`"`)
			}
		}
		kv(in1, "scheduler", v.scheduler)
		kv(in1, "protocol", v.protocol)
		// keepalived readmits a server after one good check: reentry =
		// timeout makes nanny do the same (reentry / timeout checks).
		kv(in1, "timeout", fmtSeconds(v.timeout))
		kv(in1, "reentry", fmtSeconds(v.timeout))
		if v.quiesce {
			kv(in1, "quiesce_server", "1")
		}
		for _, s := range v.servers {
			fmt.Fprintf(&b, "%sserver %s {\n", in1, s.name)
			kv(in2, "address", s.addr.String())
			if s.active {
				kv(in2, "active", "1")
			} else {
				kv(in2, "active", "0")
			}
			if s.port != v.port {
				kv(in2, "port", s.port)
			}
			kv(in2, "weight", s.weight)
			fmt.Fprintf(&b, "%s}\n", in1)
		}
		b.WriteString("}\n")
	}
	f := lvscf.Parse("lvs.cf", []byte(b.String()))
	if len(f.Diags) > 0 {
		return nil, fmt.Errorf("internal error: the lvs.cf written does not parse: %s", f.Diags[0])
	}
	return lvscf.Format(f), nil
}
