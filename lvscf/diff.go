package lvscf

import (
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
)

// Field is one effective setting of a Config: its path and its value in
// lvs.cf syntax (without quotes).
type Field struct {
	Path  string
	Value string
}

func addrString(a netip.Addr) string {
	if !a.IsValid() {
		return ""
	}
	return a.String()
}

func boolString(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

func addrDev(a netip.Addr, dev string) string {
	return strings.TrimSpace(addrString(a) + " " + dev)
}

// Flatten lists every setting of c, defaults included, in a stable order:
// globals, then virtual servers with their real servers, then failover
// services. Blocks with the same name as an earlier one are skipped (lint
// reports them).
func Flatten(c *Config) []Field {
	var out []Field
	EachField(c, func(path, v string) { out = append(out, Field{path, v}) })
	return out
}

// EachField calls fn with every field of c in Flatten's order, without
// building the list.
func EachField(c *Config, fn func(path, value string)) {
	EachFieldParts(c, func(prefix, key, value string) { fn(prefix+key, value) })
}

// EachFieldParts is EachField with each path in two parts, its block's
// prefix ("" for a global, "virtual.NAME.", "virtual.NAME.server.NAME.")
// and the key: the daemon's digest of a 10,000-server file hashes the
// parts and never builds the 80,000 paths (building them was 40% of a
// reload's CPU).
func EachFieldParts(c *Config, fn func(prefix, key, value string)) {
	EachFieldBlocks(c, fn, func(v *Virtual) { EachVirtualFieldParts(v, fn) })
}

// EachFieldBlocks is EachFieldParts handing each virtual server it lists
// to virtual whole, in its place, instead of its fields to fn: a caller
// that computed a virtual server's lines before (the daemon's digest at a
// reload) can give them again, and EachVirtualFieldParts gives them.
func EachFieldBlocks(c *Config, fn func(prefix, key, value string), virtual func(v *Virtual)) {
	add := fn
	g := func(k, v string) { add("", k, v) }
	g("serial_no", strconv.Itoa(c.SerialNo))
	g("primary", addrString(c.Primary))
	g("primary_private", addrString(c.PrimaryPrivate))
	g("primary_shared", c.PrimaryShared)
	g("service", c.Service)
	g("backup_active", boolString(c.BackupActive))
	g("backup", addrString(c.Backup))
	g("backup_private", addrString(c.BackupPrivate))
	g("backup_shared", c.BackupShared)
	g("heartbeat", boolString(c.Heartbeat))
	g("heartbeat_port", strconv.Itoa(int(c.HeartbeatPort)))
	g("keepalive", c.Keepalive.String())
	g("deadtime", c.Deadtime.String())
	g("network", c.Network)
	g("nat_router", addrDev(c.NATRouter, c.NATRouterDev))
	g("nat_nmask", addrString(c.NATNmask))
	g("debug_level", c.DebugLevel)
	g("monitor_links", boolString(c.MonitorLinks))
	g("syncdaemon", boolString(c.SyncDaemon))
	g("syncd_iface", c.SyncdIface)
	g("syncd_id", strconv.Itoa(c.SyncdID))
	g("tcp_timeout", c.TCPTimeout.String())
	g("tcpfin_timeout", c.TCPFinTimeout.String())
	g("udp_timeout", c.UDPTimeout.String())
	g("hard_shutdown", boolString(c.HardShutdown))
	g("rsh_command", c.RshCommand)
	g("reservation_conflict_action", c.ReservationConflictAction)
	g("active_cmd", c.ActiveCmd)
	g("inactive_cmd", c.InactiveCmd)
	g("ipvsadm", c.IPVSAdm)
	// lvsadm's extensions appear only when they are not at their
	// default, so that files without them keep their fields (and the
	// daemon's digests) as before; Config.Get knows their defaults.
	if c.SloppyTCP {
		g("sloppy_tcp", "1")
	}
	if c.Failback != 0 {
		g("failback", c.Failback.String())
	}
	if c.DirectorMode != DirectorModePair && c.DirectorMode != "" {
		g("director_mode", c.DirectorMode)
	}
	if c.BGP != nil {
		eachBGPField(c.BGP, func(path, v string) { add("", path, v) })
	}

	eachFirst(c.Virtuals, func(v *Virtual) string { return v.Name }, virtual)
	// The keys of ServiceCommon are listed here and above each in its
	// block's own order (a virtual's sorry_server before port), not by one
	// shared function: the order is the daemons' digest input and diff's
	// output, so it stays as it was.
	eachFirst(c.Failovers, func(fo *Failover) string { return fo.Name }, func(fo *Failover) {
		fp := blockPrefix(BlockFailover, fo.Name, "")
		k := func(key, val string) { add(fp, key, val) }
		k("active", boolString(fo.Active))
		k("address", addrDev(fo.Address, fo.Device))
		k("vip_nmask", addrString(fo.VIPNmask))
		k("port", strconv.Itoa(int(fo.Port)))
		k("protocol", fo.Protocol)
		k("send", fo.Send)
		k("expect", fo.Expect)
		k("send_program", fo.SendProgram)
		k("timeout", fo.Timeout.String())
		k("reentry", fo.Reentry.String())
		k("start_cmd", fo.StartCmd)
		k("stop_cmd", fo.StopCmd)
	})
}

// EachVirtualFieldParts is EachFieldParts for one virtual server: its
// fields, then those of its real servers.
func EachVirtualFieldParts(v *Virtual, fn func(prefix, key, value string)) {
	vp := blockPrefix(BlockVirtual, v.Name, "")
	k := func(key, val string) { fn(vp, key, val) }
	k("active", boolString(v.Active))
	k("address", addrDev(v.Address, v.Device))
	k("vip_nmask", addrString(v.VIPNmask))
	k("sorry_server", addrString(v.SorryServer))
	k("port", strconv.Itoa(int(v.Port)))
	k("protocol", v.Protocol)
	k("fwmark", strconv.FormatUint(uint64(v.Fwmark), 10))
	k("scheduler", v.Scheduler)
	k("persistent", strconv.Itoa(v.Persistent))
	k("pmask", addrString(v.PMask))
	k("send", v.Send)
	k("expect", v.Expect)
	k("use_regex", boolString(v.UseRegex))
	k("send_program", v.SendProgram)
	k("load_monitor", v.LoadMonitor)
	k("timeout", v.Timeout.String())
	k("reentry", v.Reentry.String())
	k("quiesce_server", boolString(v.QuiesceServer))
	eachExtensionField(v, k)
	eachFirst(v.Servers, func(s *Server) string { return s.Name }, func(s *Server) {
		sp := blockPrefix(BlockServer, v.Name, s.Name)
		sk := func(key, val string) { fn(sp, key, val) }
		sk("address", addrString(s.Address))
		sk("active", boolString(s.Active))
		sk("weight", strconv.Itoa(s.Weight))
		sk("port", strconv.Itoa(int(s.Port)))
	})
}

// AppendField appends one field as the line "PREFIXKEY=VALUE\n", the form
// the daemon's digest hashes and AppendVirtualFields writes.
func AppendField(dst []byte, prefix, key, value string) []byte {
	return append(append(append(append(append(dst, prefix...), key...), '='), value...), '\n')
}

// AppendVirtualFields appends to dst the lines "PREFIXKEY=VALUE\n" of
// EachVirtualFieldParts for v, in its order, allocating nothing in the
// usual case: the daemon hashes them for its digest at every reload, and
// formatting 80,000 fields into strings was most of a reload of a
// 10,000-server file once the file itself was read incrementally.
// TestAppendVirtualFields holds it to EachVirtualFieldParts.
func AppendVirtualFields(dst []byte, v *Virtual) []byte {
	if strings.ContainsAny(v.Name, ".[]") {
		// A name the path syntax must quote: the general way.
		EachVirtualFieldParts(v, func(prefix, key, value string) {
			dst = AppendField(dst, prefix, key, value)
		})
		return dst
	}
	b := dst
	key := func(k string) {
		b = append(append(append(append(b, "virtual."...), v.Name...), '.'), k...)
		b = append(b, '=')
	}
	str := func(k, val string) { key(k); b = append(append(b, val...), '\n') }
	boolean := func(k string, x bool) {
		if x {
			str(k, "1")
		} else {
			str(k, "0")
		}
	}
	num := func(k string, x int64) { key(k); b = append(strconv.AppendInt(b, x, 10), '\n') }
	addr := func(k string, a netip.Addr) {
		key(k)
		if a.IsValid() {
			b = a.AppendTo(b)
		}
		b = append(b, '\n')
	}
	secs := func(k string, x Seconds) {
		key(k)
		b = append(strconv.AppendFloat(b, float64(x), 'f', -1, 64), '\n')
	}
	boolean("active", v.Active)
	if v.Address.IsValid() && v.Device != "" && strings.TrimSpace(v.Device) == v.Device {
		key("address")
		b = append(append(append(v.Address.AppendTo(b), ' '), v.Device...), '\n')
	} else {
		str("address", addrDev(v.Address, v.Device))
	}
	addr("vip_nmask", v.VIPNmask)
	addr("sorry_server", v.SorryServer)
	num("port", int64(v.Port))
	str("protocol", v.Protocol)
	num("fwmark", int64(v.Fwmark))
	str("scheduler", v.Scheduler)
	num("persistent", int64(v.Persistent))
	addr("pmask", v.PMask)
	str("send", v.Send)
	str("expect", v.Expect)
	boolean("use_regex", v.UseRegex)
	str("send_program", v.SendProgram)
	str("load_monitor", v.LoadMonitor)
	secs("timeout", v.Timeout)
	secs("reentry", v.Reentry)
	boolean("quiesce_server", v.QuiesceServer)
	eachExtensionField(v, str)
	var seen map[string]bool // past a few servers; Flatten keeps the first of a name
	if len(v.Servers) > 16 {
		seen = make(map[string]bool, len(v.Servers))
	}
	for i := range v.Servers {
		s := &v.Servers[i]
		if seen != nil {
			if seen[s.Name] {
				continue
			}
			seen[s.Name] = true
		} else if slices.ContainsFunc(v.Servers[:i], func(x Server) bool { return x.Name == s.Name }) {
			continue
		}
		skey := func(k string) {
			if strings.ContainsAny(s.Name, ".[]") {
				b = append(b, blockPrefix(BlockServer, v.Name, s.Name)...)
			} else {
				b = append(append(append(append(b, "virtual."...), v.Name...), ".server."...), s.Name...)
				b = append(b, '.')
			}
			b = append(append(b, k...), '=')
		}
		skey("address")
		if s.Address.IsValid() {
			b = s.Address.AppendTo(b)
		}
		b = append(b, '\n')
		skey("active")
		if s.Active {
			b = append(b, "1\n"...)
		} else {
			b = append(b, "0\n"...)
		}
		skey("weight")
		b = append(strconv.AppendInt(b, int64(s.Weight), 10), '\n')
		skey("port")
		b = append(strconv.AppendInt(b, int64(s.Port), 10), '\n')
	}
	return b
}

// eachExtensionField lists v's lvsadm extensions, those that are set: a
// file without them keeps the fields (and the daemons' digests) it had.
func eachExtensionField(v *Virtual, fn func(key, value string)) {
	if len(v.FwmarkMatch) > 0 {
		ms := make([]string, len(v.FwmarkMatch))
		for i, m := range v.FwmarkMatch {
			ms[i] = m.String()
		}
		fn("fwmark_match", strings.Join(ms, "; "))
	}
	if len(v.SchedFlags) > 0 {
		fn("sched_flags", strings.Join(v.SchedFlags, ","))
	}
	if v.Announce {
		fn("announce", "1")
	}
}

// eachFirst calls fn with each element of list, in order, but those whose
// name an earlier element already has: Flatten keeps the first of blocks
// with the same name (lint reports the others).
func eachFirst[T any](list []T, name func(*T) string, fn func(*T)) {
	seen := make(map[string]bool, len(list))
	for i := range list {
		if n := name(&list[i]); !seen[n] {
			seen[n] = true
			fn(&list[i])
		}
	}
}

// Get returns the effective value of a key, defaults included, in the
// format of Flatten.
func (c *Config) Get(path string) (string, error) {
	p, err := ParsePath(path)
	if err != nil {
		return "", err
	}
	if a, err := parseIP(p.Neighbor); err == nil {
		p.Neighbor = a.String() // as Flatten writes it
	}
	want := p.String()
	for _, fl := range Flatten(c) {
		if fl.Path == want {
			return fl.Value, nil
		}
	}
	if v, ok := omittedDefault(c, p); ok {
		return v, nil
	}
	return "", fmt.Errorf("get %s: %w", path, ErrNotFound)
}

// omittedDefault is the value of an lvsadm key that Flatten leaves out at
// its default, when p names one in a block c has.
func omittedDefault(c *Config, p Path) (string, bool) {
	switch {
	case p.Kind == BlockRoot && (p.Key == "sloppy_tcp" || p.Key == "failback"):
		return "0", true
	case p.Kind == BlockRoot && p.Key == "director_mode":
		return DirectorModePair, true
	case p.Kind == BlockVirtual && c.Virtual(p.Block) != nil:
		switch p.Key {
		case "announce":
			return "0", true
		case "sched_flags", "fwmark_match":
			return "", true
		}
	}
	return "", false
}

// eachBGPField lists the bgp block's fields, defaults included.
func eachBGPField(b *BGPConfig, add func(path, value string)) {
	g := func(k, v string) { add(Path{Kind: BlockBGP, Key: k}.String(), v) }
	g("local_as", strconv.FormatUint(uint64(b.LocalAS), 10))
	g("router_id", addrString(b.RouterID))
	g("listen_port", strconv.Itoa(int(b.ListenPort)))
	g("bfd_interval", strconv.FormatInt(b.BFDInterval.Milliseconds(), 10))
	g("bfd_multiplier", strconv.Itoa(b.BFDMultiplier))
	seen := map[netip.Addr]bool{}
	for i := range b.Neighbors {
		n := &b.Neighbors[i]
		if !n.Address.IsValid() || seen[n.Address] {
			continue // lint reports it
		}
		seen[n.Address] = true
		k := func(key, val string) {
			add(Path{Kind: BlockNeighbor, Neighbor: n.Address.String(), Key: key}.String(), val)
		}
		k("remote_as", strconv.FormatUint(uint64(n.RemoteAS), 10))
		k("hold_time", strconv.Itoa(int(n.HoldTime)))
		k("keepalive", strconv.Itoa(int(n.Keepalive)))
		k("passive", boolString(n.Passive))
		k("bfd", boolString(n.BFD))
		k("port", strconv.Itoa(int(n.Port)))
	}
}

// ChangeKind says how a setting differs between two configurations.
type ChangeKind uint8

const (
	Changed ChangeKind = iota // the value differs
	Added                     // only in the second configuration
	Removed                   // only in the first configuration
)

// Change is one semantic difference. For blocks that exist on one side
// only, Path names the block and there is no per-key change.
type Change struct {
	Kind     ChangeKind
	Path     string
	Old, New string
}

func (c Change) String() string {
	switch c.Kind {
	case Added:
		if c.New == "" {
			return "+ " + c.Path
		}
		return fmt.Sprintf("+ %s = %q", c.Path, c.New)
	case Removed:
		if c.Old == "" {
			return "- " + c.Path
		}
		return fmt.Sprintf("- %s = %q", c.Path, c.Old)
	}
	return fmt.Sprintf("~ %s: %q -> %q", c.Path, c.Old, c.New)
}

// Diff compares the meaning of two configurations, defaults applied, so
// that formatting, comments, key order and keys spelt out at their default
// value do not count. Virtual servers, real servers and failover services
// are matched by name. It is meant for checking that the primary and the
// backup director hold the same configuration (serial_no included).
func Diff(a, b *Config) []Change {
	fa, fb := Flatten(a), Flatten(b)
	blocksA, blocksB := blockSet(fa), blockSet(fb)
	mb := make(map[string]string, len(fb))
	for _, f := range fb {
		mb[f.Path] = f.Value
	}
	ma := make(map[string]bool, len(fa))
	var out []Change
	reported := map[string]bool{}
	for _, f := range fa {
		ma[f.Path] = true
		if blk := missingBlock(f.Path, blocksB); blk != "" {
			if !reported[blk] {
				reported[blk] = true
				out = append(out, Change{Kind: Removed, Path: blk})
			}
			continue
		}
		if nv, ok := mb[f.Path]; !ok {
			out = append(out, Change{Kind: Removed, Path: f.Path, Old: f.Value})
		} else if nv != f.Value {
			out = append(out, Change{Kind: Changed, Path: f.Path, Old: f.Value, New: nv})
		}
	}
	for _, f := range fb {
		if ma[f.Path] {
			continue
		}
		if blk := missingBlock(f.Path, blocksA); blk != "" {
			if !reported[blk] {
				reported[blk] = true
				out = append(out, Change{Kind: Added, Path: blk})
			}
			continue
		}
		out = append(out, Change{Kind: Added, Path: f.Path, New: f.Value})
	}
	return out
}

// blockOf returns the path of the innermost block a key path belongs to,
// or "" for a global key.
func blockOf(path string) string {
	p, err := ParsePath(path)
	if err != nil || p.Kind == BlockRoot {
		return ""
	}
	p.Key = ""
	return p.String()
}

// missingBlock returns the outermost block of a key path that is not in
// blocks, or "".
func missingBlock(path string, blocks map[string]bool) string {
	p, err := ParsePath(path)
	if err != nil || p.Kind == BlockRoot {
		return ""
	}
	if p.Kind == BlockServer {
		if v := (Path{Kind: BlockVirtual, Block: p.Block}).String(); !blocks[v] {
			return v
		}
	}
	if p.Kind == BlockNeighbor && !blocks["bgp"] {
		return "bgp"
	}
	p.Key = ""
	if b := p.String(); !blocks[b] {
		return b
	}
	return ""
}

// blockSet lists every block path (servers and their virtuals) of fs.
func blockSet(fs []Field) map[string]bool {
	m := map[string]bool{}
	for _, f := range fs {
		if b := blockOf(f.Path); b != "" {
			m[b] = true
			switch p, _ := ParsePath(b); p.Kind {
			case BlockServer:
				m[Path{Kind: BlockVirtual, Block: p.Block}.String()] = true
			case BlockNeighbor:
				m["bgp"] = true
			}
		}
	}
	return m
}
