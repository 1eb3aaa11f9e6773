package keepalived

import (
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/lvsadm/lvsadm/lvscf"
)

// timing is the checker timing in force at a level: a virtual server's
// settings are the real servers' defaults, and theirs the checkers'.
type timing struct {
	delayLoop, connectTimeout float64
}

// keepalived's defaults (keepalived.conf(5)).
const (
	defaultDelayLoop      = 60
	defaultConnectTimeout = 5
)

// vsSpec is what a virtual_server statement names: an address and port,
// or a firewall mark.
type vsSpec struct {
	addr   netip.Addr
	port   string
	fwmark uint64
}

// virtualServer converts "virtual_server IP [PORT] | fwmark N | group NAME".
func (im *importer) virtualServer(n *Node) {
	specs, ok := im.vsSpecs(n)
	if !ok {
		return
	}
	v := &virtual{pos: n.Pos, protocol: "tcp", scheduler: "wlc"}
	t := timing{defaultDelayLoop, defaultConnectTimeout}
	kind, kindPos := "NAT", n.Pos
	vhost := ""
	var reals []*Node
	quiesce := false
	for _, c := range n.Children {
		switch c.Key {
		case "lb_algo", "lvs_sched":
			if s := c.Arg(0); slices.Contains(lvscf.KernelSchedulers, s) {
				v.scheduler = s
			} else {
				im.warn(c.Pos, c.Key, "%q: not carried over (not an IPVS scheduler lvs.cf knows); wlc is used", s)
			}
		case "lb_kind", "lvs_method":
			kind, kindPos = strings.ToUpper(c.Arg(0)), c.Pos
			if len(c.Args) > 1 {
				im.warn(c.Pos, c.Key, "%s: not carried over (lvs.cf has no tunnel options)", strings.Join(c.Args[1:], " "))
			}
		case "persistence_timeout":
			v.persistent = "360" // keepalived's default: 6 minutes
			if len(c.Args) > 0 {
				if p, err := parseUint(c.Arg(0), 1<<31-1); err != nil {
					im.warn(c.Pos, c.Key, "%v: not carried over", err)
					v.persistent = ""
				} else if p == 0 {
					v.persistent = "" // 0 is not persistent
				} else {
					v.persistent = strconv.FormatUint(p, 10)
				}
			}
		case "persistence_granularity":
			a, err := netip.ParseAddr(c.Arg(0))
			if _, ok := maskBits(a); err != nil || !ok {
				im.warn(c.Pos, c.Key, "%q: not carried over (lvs.cf's pmask is an IPv4 netmask)", c.Arg(0))
				continue
			}
			v.pmask = c.Arg(0)
		case "protocol":
			switch p := strings.ToLower(c.Arg(0)); p {
			case "tcp", "udp":
				v.protocol = p
			default:
				im.warn(c.Pos, c.Key, "%q: virtual server not carried over (lvs.cf knows tcp and udp)", c.Arg(0))
				return
			}
		case "sorry_server":
			a, err := parseIP(c.Arg(0))
			if err != nil {
				im.warn(c.Pos, c.Key, "%q: not carried over", c.Arg(0))
				continue
			}
			v.sorry = a.String()
			if p := c.Arg(1); p != "" && strings.TrimLeft(p, "0") != strings.TrimLeft(specs[0].port, "0") {
				im.warn(c.Pos, c.Key, "port %s: not carried over (lvs.cf's sorry server takes the virtual port)", p)
			}
		case "virtualhost":
			vhost = c.Arg(0)
		case "delay_loop", "connect_timeout", "retry", "nb_get_retry", "delay_before_retry":
			im.timingKey(c, &t)
		case "inhibit_on_failure":
			quiesce = boolArg(c)
		case "quorum":
			if c.Arg(0) != "1" {
				im.warn(c.Pos, c.Key, "not carried over (lvs.cf has no quorum: the sorry server comes in when no real server is up)")
			}
		case "real_server":
			reals = append(reals, c)
		default:
			im.drop(c, msgNoEquivalent)
		}
	}
	im.setNetwork(kind, kindPos, n)
	for _, r := range reals {
		im.realServer(v, r, t, kind, vhost, quiesce, specs[0].port)
	}
	im.timingLoss(v)
	if v.check == nil {
		v.timeout = t.delayLoop
		if len(reals) > 0 {
			im.warn(n.Pos, "virtual_server", "the real servers have no health check; nanny checks every real server (a connect, or GET / on port 80)")
		}
	}
	for i, s := range specs {
		vv := *v
		vv.servers = slices.Clone(v.servers)
		vv.addr, vv.port, vv.fwmark = s.addr, s.port, s.fwmark
		if s.fwmark != 0 && vv.port == "" && len(vv.servers) > 0 {
			// nanny checks the real servers on the virtual's port unless
			// they have their own; a fwmark service has no port.
			vv.port = vv.servers[0].port
		}
		if vv.port == "" {
			vv.port = "0"
		}
		if vv.port == "0" && vv.fwmark == 0 && vv.persistent == "" {
			im.warn(n.Pos, "virtual_server", "no port and no persistence_timeout: not carried over (ipvsadm refuses it)")
			continue
		}
		if i > 0 {
			vv.noAddrWarns = true
		}
		for j := range vv.servers {
			if vv.servers[j].port == "" {
				vv.servers[j].port = vv.port
			}
		}
		vv.name = im.uniqueName(vv.baseName())
		im.virtuals = append(im.virtuals, &vv)
	}
}

func (v *virtual) baseName() string {
	if v.fwmark != 0 {
		return fmt.Sprintf("fwmark_%d", v.fwmark)
	}
	n := "vs_" + nameFor(v.addr) + "_" + v.port
	if v.protocol == "udp" {
		n += "_udp"
	}
	return n
}

func (im *importer) uniqueName(base string) string {
	if im.names == nil {
		im.names = map[string]bool{}
	}
	name := base
	for i := 2; im.names[name]; i++ {
		name = fmt.Sprintf("%s_%d", base, i)
	}
	im.names[name] = true
	return name
}

// vsSpecs reads the virtual_server line, expanding a group.
func (im *importer) vsSpecs(n *Node) ([]vsSpec, bool) {
	switch n.Arg(0) {
	case "fwmark":
		m, err := parseUint(n.Arg(1), 1<<32-1)
		if err != nil || m == 0 {
			im.warn(n.Pos, "virtual_server", "fwmark %q: not carried over", n.Arg(1))
			return nil, false
		}
		return []vsSpec{{fwmark: m}}, true
	case "group":
		g := im.groups[n.Arg(1)]
		if g == nil {
			im.warn(n.Pos, "virtual_server", "group %q is not defined: not carried over", n.Arg(1))
			return nil, false
		}
		var out []vsSpec
		for _, e := range g.Children {
			if e.Key == "fwmark" {
				if m, err := parseUint(e.Arg(0), 1<<32-1); err == nil && m != 0 {
					out = append(out, vsSpec{fwmark: m})
					continue
				}
			} else if s, ok := im.ipPort(e, e.Key, e.Arg(0)); ok {
				out = append(out, s)
				continue
			} else if addrs, ok := expandRange(e.Key); ok && im.ranged+len(addrs) <= maxRangeAddrs {
				// keepalived makes one IPVS service per address
				im.ranged += len(addrs)
				for _, a := range addrs {
					if s, ok := im.ipPort(e, a.String(), e.Arg(0)); ok {
						out = append(out, s)
					}
				}
				if len(addrs) > 0 {
					continue
				}
			}
			im.warn(e.Pos, "virtual_server_group", "%s %s: not carried over (lvs.cf has no address ranges; IPv4 A.B.C.D-E ranges are expanded, up to %d addresses in all)", e.Key, strings.Join(e.Args, " "), maxRangeAddrs)
		}
		return out, len(out) > 0
	}
	s, ok := im.ipPort(n, n.Arg(0), n.Arg(1))
	if !ok {
		im.warn(n.Pos, "virtual_server", "%q: not carried over (not an address)", strings.Join(n.Args, " "))
	}
	return []vsSpec{s}, ok
}

// maxRangeAddrs bounds the virtual servers made from group ranges (a
// group can be used by several virtual_server blocks), so that a small
// file cannot make a huge lvs.cf; ranges past it are not carried over.
const maxRangeAddrs = 4096

// expandRange reads keepalived's group range "A.B.C.D-E": the addresses
// A.B.C.D to A.B.C.E (the last octet; IPv4 only).
func expandRange(s string) ([]netip.Addr, bool) {
	first, last, ok := strings.Cut(s, "-")
	if !ok {
		return nil, false
	}
	a, err := parseIP(first)
	if err != nil || !a.Is4() {
		return nil, false
	}
	end, err := parseUint(last, 255)
	b := a.As4()
	if err != nil || end < uint64(b[3]) {
		return nil, false
	}
	var out []netip.Addr
	for o := uint64(b[3]); o <= end; o++ {
		b[3] = byte(o)
		out = append(out, netip.AddrFrom4(b))
	}
	return out, true
}

func (im *importer) ipPort(n *Node, ip, port string) (vsSpec, bool) {
	a, err := parseIP(ip)
	if err != nil {
		return vsSpec{}, false
	}
	if port != "" {
		// numbers are written back in decimal: lvs.cf reads "080" as octal
		p, err := parseUint(port, 65535)
		if err != nil {
			return vsSpec{}, false
		}
		port = strconv.FormatUint(p, 10)
	}
	return vsSpec{addr: a, port: port}, true
}

// setNetwork maps lb_kind to lvs.cf's network, which is one setting for
// every virtual server in piranha.
func (im *importer) setNetwork(kind string, pos Pos, n *Node) {
	net := map[string]string{"NAT": "nat", "DR": "direct", "TUN": "tunnel"}[kind]
	if net == "" {
		im.warn(pos, "lb_kind", "%q: not carried over (NAT, DR or TUN); NAT is used", kind)
		net = "nat"
	}
	switch {
	case im.network == "":
		im.network, im.networkPos = net, pos
	case im.network != net:
		im.warn(pos, "lb_kind", "%s: not carried over (lvs.cf's network is one setting for all virtual servers: %s, from %s)", kind, im.network, im.networkPos)
	}
}

func (im *importer) timingKey(c *Node, t *timing) {
	switch c.Key {
	case "delay_loop", "connect_timeout":
		v, err := parseSeconds(c.Arg(0))
		if err != nil || v <= 0 {
			im.warn(c.Pos, c.Key, "%q: not carried over", c.Arg(0))
			return
		}
		if c.Key == "delay_loop" {
			t.delayLoop = v
		} else {
			t.connectTimeout = v
		}
	case "retry", "nb_get_retry":
		if c.Arg(0) != "0" {
			im.warn(c.Pos, c.Key, "not carried over (nanny has no retries: one failed check takes a real server out)")
		}
	case "delay_before_retry":
		im.warn(c.Pos, c.Key, "not carried over (nanny has no retries)")
	}
}

// timingLoss reports checker timings that nanny's single interval does
// not keep: keepalived's delay_loop and connect_timeout (misc_timeout) both
// become timeout (and reentry), the largest over the real servers. Once
// per virtual_server and distinct timing, at the first checker having it
// (its connect_timeout or misc_timeout line when it has one).
func (im *importer) timingLoss(v *virtual) {
	seen := map[[2]float64]bool{}
	for _, c := range v.checks {
		if !v.check.same(c) {
			continue // reported as not carried over
		}
		k := [2]float64{c.delay, c.wait}
		if seen[k] || (c.delay == v.timeout && c.wait == v.timeout) {
			continue
		}
		seen[k] = true
		im.warn(c.waitPos, c.waitKey, "approximated: delay_loop %s and %s %s become timeout = reentry = %s (nanny has one interval for both, the largest over the real servers)",
			fmtSeconds(c.delay), c.waitKey, fmtSeconds(c.wait), fmtSeconds(v.timeout))
	}
}

func boolArg(c *Node) bool {
	switch strings.ToLower(c.Arg(0)) {
	case "", "on", "true", "yes":
		return true
	}
	return false
}

// realServer converts one real_server and its first health check.
func (im *importer) realServer(v *virtual, r *Node, t timing, kind, vhost string, quiesce bool, vport string) {
	a, err := parseIP(r.Arg(0))
	if err != nil {
		im.warn(r.Pos, "real_server", "%q: not carried over (not an address)", r.Arg(0))
		return
	}
	port := r.Arg(1)
	if port != "" {
		if p, err := parseUint(port, 65535); err != nil {
			im.warn(r.Pos, "real_server", "port %q: not carried over", port)
			port = ""
		} else if p == 0 {
			port = "" // as export writes a fwmark real server without a port
		} else {
			port = strconv.FormatUint(p, 10)
		}
	}
	s := server{addr: a, port: port, weight: "1", active: true}
	var checks []*Node
	for _, c := range r.Children {
		switch c.Key {
		case "weight":
			w, err := parseUint(c.Arg(0), 65535)
			switch {
			case err != nil:
				im.warn(c.Pos, c.Key, "%v: not carried over", err)
			case w == 0:
				// keepalived keeps a weight-0 server in the table without
				// traffic; piranha's nanny would give it weight 1.
				s.active = false
			default:
				s.weight = strconv.FormatUint(w, 10)
			}
		case "lb_kind", "lvs_method":
			if strings.ToUpper(c.Arg(0)) != kind {
				im.warn(c.Pos, c.Key, "not carried over (lvs.cf has one forwarding method for all real servers)")
			}
		case "inhibit_on_failure":
			quiesce = boolArg(c)
		case "virtualhost":
			vhost = c.Arg(0)
		case "delay_loop", "connect_timeout", "retry", "nb_get_retry", "delay_before_retry":
			im.timingKey(c, &t)
		case "TCP_CHECK", "HTTP_GET", "SSL_GET", "MISC_CHECK", "SMTP_CHECK":
			checks = append(checks, c)
		default:
			im.drop(c, msgNoEquivalent)
		}
	}
	if quiesce {
		if !v.quiesce && len(v.servers) > 0 {
			im.warn(r.Pos, "inhibit_on_failure", "set for some real servers only; lvs.cf's quiesce_server = 1 applies to all of them")
		}
		v.quiesce = true
	} else if v.quiesce {
		im.warn(r.Pos, "real_server", "has no inhibit_on_failure, but lvs.cf's quiesce_server = 1 applies to all real servers")
	}
	rport := port
	if rport == "" {
		rport = vport
	}
	for i, c := range checks {
		if i > 0 {
			im.warn(c.Pos, c.Key, "not carried over (lvs.cf has one health check per virtual server)")
			continue
		}
		chk := im.convertCheck(c, a, rport, t, vhost)
		v.checks = append(v.checks, chk)
		switch {
		case v.check == nil:
			v.check, v.timeout = chk, chk.timeout
		case !v.check.same(chk):
			im.warn(c.Pos, c.Key, "not carried over: differs from the first real server's check (%s), and lvs.cf has one check per virtual server", v.check.pos)
		case chk.timeout > v.timeout:
			v.timeout = chk.timeout
		}
	}
	s.name = "rs_" + nameFor(a)
	if port != "" {
		s.name += "_" + port
	}
	for _, o := range v.servers {
		if o.name == s.name {
			im.warn(r.Pos, "real_server", "%s is listed twice: not carried over", strings.Join(r.Args, " "))
			return
		}
	}
	v.servers = append(v.servers, s)
}
