package keepalived

import (
	"cmp"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/lvsadm/lvsadm/lvscf"
)

// ImportOptions supply what keepalived.conf does not say.
type ImportOptions struct {
	// Primary and Backup override the directors' addresses found in the
	// vrrp_instance (unicast_src_ip, unicast_peer and state).
	Primary, Backup string
	// NATRouter ("IP DEVICE") overrides the NAT gateway address.
	NATRouter string
}

// Result is an imported lvs.cf and what did not carry over.
type Result struct {
	Data     []byte // lvs.cf in piranha's layout
	Warnings []Warning
}

// check validates the options before anything is converted.
func (o ImportOptions) check() error {
	for _, a := range []string{o.Primary, o.Backup} {
		if a != "" {
			if _, err := parseIP(a); err != nil {
				return fmt.Errorf("director address %q: %w", a, err)
			}
		}
	}
	if o.NATRouter != "" {
		f := strings.Fields(o.NATRouter)
		if len(f) != 2 {
			return fmt.Errorf("nat router %q: want \"IP DEVICE\"", o.NATRouter)
		}
		if _, err := parseIP(f[0]); err != nil {
			return fmt.Errorf("nat router %q: %w", o.NATRouter, err)
		}
	}
	return nil
}

// placeholder stands for an address keepalived.conf does not give. It is
// valid for lint but held by no host, so lvsadm's daemon refuses to start
// with it rather than guess a role.
const placeholder = "0.0.0.0"

// Import converts a parsed keepalived.conf into an lvs.cf.
func Import(cfg *Config, opts ImportOptions) (*Result, error) {
	if err := opts.check(); err != nil {
		return nil, err
	}
	im := &importer{groups: map[string]*Node{}, top: topPos(cfg)}
	im.warns = append(im.warns, cfg.Warnings...)
	for _, n := range cfg.Nodes {
		if n.Key == "virtual_server_group" && len(n.Args) > 0 {
			im.groups[n.Args[0]] = n
		}
	}
	for _, n := range cfg.Nodes {
		if n.Key == "vrrp_instance" {
			im.vrrps = append(im.vrrps, n)
		}
	}
	for _, n := range cfg.Nodes {
		switch n.Key {
		case "global_defs":
			im.globalDefs(n)
		case "vrrp_instance":
			im.vrrpInstance(n)
		case "virtual_server":
			im.virtualServer(n)
		case "virtual_server_group":
			// read above, used by "virtual_server group NAME"
		default:
			im.drop(n, msgNoEquivalent)
		}
	}
	if err := im.directors(opts); err != nil {
		return nil, err
	}
	if err := im.addresses(opts); err != nil {
		return nil, err
	}
	im.sanitize()
	if len(im.virtuals) == 0 {
		im.warn(im.top, "virtual_server", "no virtual server carried over: the lvs.cf has no service")
	}
	data, err := im.emit()
	if err != nil {
		return nil, err
	}
	sortWarnings(im.warns, cfg.Files)
	return &Result{Data: data, Warnings: im.warns}, nil
}

// topPos is the first virtual_server, else the first statement, else the
// first line of the main file: where a warning about the whole file points,
// so that every warning has FILE:LINE.
func topPos(cfg *Config) Pos {
	for _, n := range cfg.Nodes {
		if n.Key == "virtual_server" {
			return n.Pos
		}
	}
	if len(cfg.Nodes) > 0 {
		return cfg.Nodes[0].Pos
	}
	if len(cfg.Files) > 0 {
		return Pos{File: cfg.Files[0], Line: 1}
	}
	return Pos{File: "keepalived.conf", Line: 1}
}

// sortWarnings orders warnings by file (in reading order) and line, so
// that they read like a compiler's messages.
func sortWarnings(ws []Warning, files []string) {
	order := map[string]int{}
	for i, f := range files {
		if _, ok := order[f]; !ok {
			order[f] = i
		}
	}
	slices.SortStableFunc(ws, func(a, b Warning) int {
		if c := cmp.Compare(order[a.Pos.File], order[b.Pos.File]); c != 0 {
			return c
		}
		return cmp.Compare(a.Pos.Line, b.Pos.Line)
	})
}

type importer struct {
	top    Pos // where file-wide warnings point when no statement is better
	warns  []Warning
	groups map[string]*Node
	vrrps  []*Node

	// from the first vrrp_instance
	role      *Node // the instance that gave the role
	state     string
	iface     string
	own, peer string
	ownPos    Pos
	keepalive float64
	hasVRRP   bool
	vips      []*vip

	syncIface string
	syncID    string
	timeouts  [][2]string // lvs.cf key, value

	network    string // nat, direct, tunnel
	networkPos Pos
	virtuals   []*virtual
	names      map[string]bool
	ranged     int // virtuals made from group ranges so far

	primary, backup string
	natRouter       string
	natNmask        string
	notes           []string // header comments
}

type vip struct {
	addr  netip.Addr
	bits  int
	dev   string // dev or the instance's interface
	label string
	used  bool
	pos   Pos
}

type virtual struct {
	pos         Pos
	name        string
	addr        netip.Addr // invalid for fwmark until addresses()
	fwmark      uint64
	port        string
	device      string
	nmask       string
	sorry       string
	protocol    string
	scheduler   string
	persistent  string
	pmask       string
	check       *check
	checks      []*check // every real server's first checker
	quiesce     bool
	timeout     float64
	servers     []server
	noAddrWarns bool
}

type server struct {
	name   string
	addr   netip.Addr
	port   string
	weight string
	active bool
}

func (im *importer) warn(pos Pos, key, format string, args ...any) {
	im.warns = append(im.warns, Warning{Pos: pos, Key: key, Msg: fmt.Sprintf(format, args...)})
}

// drop reports a statement (and so its whole block) as not carried over.
func (im *importer) drop(n *Node, msg string) {
	key := n.Key
	if n.HasBlock && len(n.Args) > 0 {
		key += " " + strings.Join(n.Args, " ")
	}
	im.warn(n.Pos, key, "%s", msg)
}

// globalDefs keeps the IPVS settings of global_defs; the rest is mail,
// SNMP, process tuning and VRRP defaults, which lvs.cf does not have.
func (im *importer) globalDefs(n *Node) {
	for _, c := range n.Children {
		switch c.Key {
		case "lvs_sync_daemon", "lvs_sync_daemon_interface":
			im.syncDaemon(c)
		case "lvs_timeouts":
			im.lvsTimeouts(c)
		default:
			im.drop(c, msgNoEquivalent)
		}
	}
}

// syncDaemon reads "lvs_sync_daemon IFACE [[inst] VI] [id N] [maxlen L]
// [port P] [ttl T] [group G]". The id defaults to the instance's
// virtual_router_id, as keepalived does.
func (im *importer) syncDaemon(c *Node) {
	if len(c.Args) == 0 || !validDevice(c.Args[0]) || strings.Contains(c.Args[0], ":") {
		im.warn(c.Pos, c.Key, "no valid interface: not carried over")
		return
	}
	im.syncIface = c.Args[0]
	inst := ""
	for i := 1; i < len(c.Args); i++ {
		switch a := c.Args[i]; a {
		case "inst":
			if i+1 < len(c.Args) {
				inst = c.Args[i+1]
				i++
			}
		case "id":
			if i+1 < len(c.Args) {
				if id, err := parseUint(c.Args[i+1], 255); err != nil {
					im.warn(c.Pos, c.Key, "id %v: not carried over", err)
				} else {
					im.syncID = strconv.FormatUint(id, 10)
				}
				i++
			}
		case "maxlen", "port", "ttl", "group":
			im.warn(c.Pos, c.Key, "%s: not carried over (lvs.cf has no equivalent)", a)
			i++
		default:
			inst = a
		}
	}
	if im.syncID == "" && inst != "" {
		for _, v := range im.vrrps {
			if v.Arg(0) == inst {
				for _, k := range v.Children {
					if id, err := parseUint(k.Arg(0), 255); err == nil && k.Key == "virtual_router_id" {
						im.syncID = strconv.FormatUint(id, 10)
					}
				}
			}
		}
	}
}

// lvsTimeouts reads "lvs_timeouts [tcp S] [tcpfin S] [udp S]" (ipvsadm
// --set, which piranha's lvs runs from tcp_timeout and friends).
func (im *importer) lvsTimeouts(c *Node) {
	keys := map[string]string{"tcp": "tcp_timeout", "tcpfin": "tcpfin_timeout", "udp": "udp_timeout"}
	for i := 0; i < len(c.Args); i++ {
		k, ok := keys[c.Args[i]]
		if !ok || i+1 >= len(c.Args) {
			im.warn(c.Pos, c.Key, "%q: not carried over", c.Args[i])
			continue
		}
		if v, err := parseSeconds(c.Args[i+1]); err != nil {
			im.warn(c.Pos, c.Key, "%v: not carried over", err)
		} else {
			im.timeouts = append(im.timeouts, [2]string{k, fmtSeconds(v)})
		}
		i++
	}
}

// vrrpInstance reads the floating addresses of every instance and the
// directors' roles and heartbeat timing from the first one.
func (im *importer) vrrpInstance(n *Node) {
	first := !im.hasVRRP
	im.hasVRRP = true
	iface := ""
	for _, c := range n.Children {
		if c.Key == "interface" {
			iface = c.Arg(0)
		}
	}
	if first {
		im.role, im.iface, im.keepalive, im.state = n, iface, 1, "BACKUP"
	}
	for _, c := range n.Children {
		switch c.Key {
		case "interface":
		case "virtual_ipaddress", "virtual_ipaddress_excluded":
			im.vipList(c, iface)
		case "state", "advert_int", "unicast_src_ip", "mcast_src_ip", "unicast_peer":
			if !first {
				im.warn(c.Pos, c.Key, "not carried over (only the first vrrp_instance gives the directors and their heartbeat)")
				continue
			}
			im.roleKey(c)
		default:
			im.drop(c, msgNoEquivalent)
		}
	}
}

func (im *importer) roleKey(c *Node) {
	switch c.Key {
	case "state":
		switch s := strings.ToUpper(c.Arg(0)); s {
		case "MASTER", "BACKUP":
			im.state = s
		default:
			im.warn(c.Pos, c.Key, "%q is not MASTER or BACKUP: not carried over", c.Arg(0))
		}
	case "advert_int":
		v, err := parseSeconds(c.Arg(0))
		if err != nil || v <= 0 {
			im.warn(c.Pos, c.Key, "%q: not carried over", c.Arg(0))
			return
		}
		im.keepalive = v
	case "unicast_src_ip", "mcast_src_ip":
		a, err := parseIP(c.Arg(0))
		if err != nil {
			im.warn(c.Pos, c.Key, "%q is not an address: not carried over", c.Arg(0))
			return
		}
		im.own, im.ownPos = a.String(), c.Pos
	case "unicast_peer":
		for i, p := range c.Children {
			a, err := parseIP(p.Key)
			if err != nil || i > 0 || im.peer != "" {
				im.warn(p.Pos, "unicast_peer", "%s: not carried over (lvs.cf has one backup director)", p.Key)
				continue
			}
			im.peer = a.String()
			if len(p.Args) > 0 {
				im.warn(p.Pos, "unicast_peer", "%s: not carried over", strings.Join(p.Args, " "))
			}
		}
	}
}

// vipList reads "IP[/BITS] [dev DEV] [label LABEL] [brd ...] ..." lines.
func (im *importer) vipList(c *Node, iface string) {
	for _, e := range c.Children {
		a, bits, err := parsePrefixAddr(e.Key)
		if err == nil {
			a, err = parseIP(a.String())
		}
		if err != nil {
			im.warn(e.Pos, c.Key, "%q is not an address: not carried over", e.Key)
			continue
		}
		v := &vip{addr: a, bits: bits, dev: iface, pos: e.Pos}
		for i := 0; i < len(e.Args); i++ {
			switch opt := e.Args[i]; opt {
			case "dev", "label":
				if i+1 < len(e.Args) {
					if opt == "dev" {
						v.dev = e.Args[i+1]
					} else {
						v.label = e.Args[i+1]
					}
					i++
				}
			case "brd", "scope", "peer", "preferred_lft", "track_group":
				im.warn(e.Pos, c.Key, "%s %s: %s", opt, e.Arg(i+1), msgNoEquivalent)
				i++
			default:
				im.warn(e.Pos, c.Key, "%s: %s", opt, msgNoEquivalent)
			}
		}
		im.vips = append(im.vips, v)
	}
}

// directors decides primary and backup. keepalived names only this
// director's own address (unicast_src_ip / mcast_src_ip) and its peers;
// the state says which of them is the primary.
func (im *importer) directors(opts ImportOptions) error {
	own, peer := im.own, im.peer
	if im.state == "MASTER" {
		im.primary, im.backup = own, peer
	} else {
		im.primary, im.backup = peer, own
	}
	if opts.Primary != "" {
		im.primary = opts.Primary
	}
	if opts.Backup != "" {
		im.backup = opts.Backup
	}
	if im.primary == "" {
		im.primary = placeholder
		pos := im.top
		if im.role != nil {
			pos = im.role.Pos
		}
		im.warn(pos, "primary", "keepalived.conf does not name the primary director's address; primary = %s is a placeholder (use --primary)", placeholder)
		im.notes = append(im.notes, "primary = "+placeholder+" is a placeholder: keepalived.conf does not name the directors' own addresses.")
	}
	if im.role != nil && im.backup == "" {
		im.warn(im.role.Pos, "backup", "keepalived.conf does not name the backup director's address (no unicast_peer); no backup is configured (use --backup)")
	}
	return nil
}

// LintResult lints an imported lvs.cf, leaving out the "placeholder"
// errors: Import writes 0.0.0.0 on purpose where keepalived.conf does not
// give an address, and reports each one as a warning. Any other error in
// an import is a bug in Import.
func LintResult(data []byte) []lvscf.Diagnostic {
	var out []lvscf.Diagnostic
	for _, d := range lvscf.Lint("lvs.cf", data, lvscf.LintOptions{}) {
		if d.Code != "placeholder" {
			out = append(out, d)
		}
	}
	return out
}
