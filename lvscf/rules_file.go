package lvscf

import (
	"fmt"
	"strings"
)

// ruleLineEndings flags carriage returns. lvsadm reads CRLF files fine,
// but piranha's getNextToks (lvsconfig.c) searches the rest of the file for
// '\r' before '\n' to find the end of a line: in a CRLF file, by our reading
// of that code, only the first line is parsed and every later line is
// skipped as the tail of an empty line; a stray '\r' anywhere ends the line
// being read at that byte.
func ruleLineEndings(a *analysis) []Diagnostic {
	if a.f.crFree {
		return nil // a Loader has seen no '\r' in the whole file
	}
	r := &reporter{a: a}
	crlf, bare := false, false
	a.f.forEachLine(a.f.Root, func(i int) {
		l := &a.f.Lines[i]
		if !crlf && l.eol == eolCRLF {
			crlf = true
			r.at(i, len(l.Text)+1, SevWarning, "crlf",
				"CRLF line ends: piranha's parser (lvsconfig.c) mishandles '\\r' and would skip lines; save the file with LF line ends")
		}
		if !bare {
			if c := strings.IndexByte(l.Text, '\r'); c >= 0 {
				bare = true
				r.at(i, c+1, SevWarning, "bare-cr", "carriage return inside a line: piranha treats it as the end of the line")
			}
		}
	})
	return r.out
}

// ruleNames finds duplicate block names. piranha keys the GUI's merge and
// its log messages on names, and the path syntax of lvsadm cf get/set
// cannot tell two blocks of the same name apart.
func ruleNames(a *analysis) []Diagnostic {
	r := &reporter{a: a}
	dup := func(kind string, infos []virtualInfo) {
		seen := make(map[string]int, len(infos))
		for _, vi := range infos {
			name := vi.b.Name
			if prev, ok := seen[name]; ok {
				r.atBlock(vi.b, SevError, "duplicate-name", "%s %q is already defined on line %d", kind, name, a.f.Lines[prev].Num)
				continue
			}
			seen[name] = vi.b.Open
		}
	}
	dup("virtual", a.virtuals)
	dup("failover", a.failovers)
	servers := func(vi *virtualInfo) {
		report := func(si *blockInfo, prev int) {
			r.atBlock(si.b, SevError, "duplicate-name", "server %q is already defined in %s %q on line %d",
				si.b.Name, vi.b.Kind, vi.b.Name, a.f.Lines[prev].Num)
		}
		// A few servers are compared with each other, not through a
		// map: a map per virtual server was 2,000 at a reload of
		// 10,000 real servers. Either way the first of a name is the
		// one a duplicate is reported against.
		if len(vi.servers) <= 16 {
			for i := range vi.servers {
				si := &vi.servers[i]
				for j := range i {
					if vi.servers[j].b.Name == si.b.Name {
						report(si, vi.servers[j].b.Open)
						break
					}
				}
			}
			return
		}
		seen := make(map[string]int, len(vi.servers))
		for i := range vi.servers {
			si := &vi.servers[i]
			if prev, ok := seen[si.b.Name]; ok {
				report(si, prev)
				continue
			}
			seen[si.b.Name] = si.b.Open
		}
	}
	for i := range a.virtuals {
		servers(&a.virtuals[i])
	}
	for i := range a.failovers {
		servers(&a.failovers[i])
	}
	return r.out
}

// ruleRequired checks for keys without which piranha cannot do its job,
// and for "active" keys whose absence silently disables a block.
func ruleRequired(a *analysis) []Diagnostic {
	r := &reporter{a: a}
	// In ecmp mode there is no primary: every director is active.
	if !a.root.has("primary") && a.cfg.DirectorMode != DirectorModeECMP {
		r.atBlock(a.f.Root, SevError, "missing-key", "no primary: pulse cannot tell which director is the primary")
	}
	for _, vi := range a.virtuals {
		requireAddressActive(r, &vi.blockInfo, "virtual", " (\"address = VIP DEVICE\")")
		for i := range vi.servers {
			requireAddressActive(r, &vi.servers[i], "server", "")
		}
	}
	for _, fi := range a.failovers {
		for _, k := range []string{"address", "start_cmd", "stop_cmd"} {
			if !fi.has(k) {
				r.atBlock(fi.b, SevError, "missing-key", "failover %q has no %s", fi.b.Name, k)
			}
		}
	}
	return r.out
}

// requireAddressActive reports a virtual or server block (what) without
// an address, which piranha cannot use (hint shows the form), or without
// an active key, which piranha reads as inactive.
func requireAddressActive(r *reporter, bi *blockInfo, what, hint string) {
	if !bi.has("address") {
		r.atBlock(bi.b, SevError, "missing-key", "%s %q has no address%s", what, bi.b.Name, hint)
	}
	if !bi.has("active") {
		r.atBlock(bi.b, SevWarning, "implicit-inactive",
			"%s %q has no active key: piranha treats it as inactive (active defaults to 0)", what, bi.b.Name)
	}
}

// ruleGlobals checks the director-level settings against each other.
func ruleGlobals(a *analysis) []Diagnostic {
	r := &reporter{a: a}
	c, root := a.cfg, &a.root
	if c.BackupActive && !root.has("backup") {
		r.atKey(root, "backup_active", SevError, "backup-missing", "backup_active = 1 but no backup address is set")
	}
	if c.Backup.IsValid() && c.Backup == c.Primary {
		r.atKey(root, "backup", SevError, "same-director", "backup and primary are the same address %s", c.Backup)
	}
	if c.PrimaryPrivate.IsValid() && root.has("primary_private") && c.BackupActive && !root.has("backup_private") {
		r.atKey(root, "primary_private", SevWarning, "private-mismatch",
			"primary_private is set but backup_private is not: the private heartbeat channel has no peer")
	}
	lvs := c.Service == "lvs" && len(c.Virtuals) > 0
	if lvs && !root.has("network") {
		r.atBlock(a.f.Root, SevWarning, "network-default", "network is not set: piranha defaults to NAT (ipvsadm -m)")
	}
	if lvs && c.Network == "nat" && !root.has("nat_router") {
		r.atKey(root, "network", SevError, "nat-router-missing",
			"NAT needs nat_router (the real servers' floating default gateway, \"nat_router = IP DEVICE\")")
	}
	if root.has("nat_router") && c.Network != "nat" {
		r.atKey(root, "nat_router", SevWarning, "nat-router-unused", "nat_router is only used with network = nat (network is %s)", c.Network)
	}
	switch {
	case c.Keepalive <= 0:
		r.atKey(root, "keepalive", SevError, "deadtime", "keepalive must be above 0 seconds")
	case c.Deadtime <= c.Keepalive:
		r.atKey(root, "deadtime", SevError, "deadtime",
			"deadtime (%ss) must be longer than keepalive (%ss), or the backup takes over between two heartbeats", c.Deadtime, c.Keepalive)
	case c.Deadtime < 2*c.Keepalive:
		r.atKey(root, "deadtime", SevWarning, "deadtime",
			"deadtime (%ss) is less than twice keepalive (%ss): one lost heartbeat triggers a failover", c.Deadtime, c.Keepalive)
	}
	if root.has("heartbeat_port") && c.HeartbeatPort == 0 {
		r.atKey(root, "heartbeat_port", SevError, "bad-port", "heartbeat_port must not be 0")
	}
	if c.SyncdID < 0 || c.SyncdID > 255 {
		r.atKey(root, "syncd_id", SevError, "bad-range", "syncd_id %d is out of range 0..255", c.SyncdID)
	}
	if root.has("syncd_iface") {
		if err := validDevice(c.SyncdIface); err != nil {
			r.atKey(root, "syncd_iface", SevError, "bad-device", "invalid syncd_iface: %v", err)
		}
	}
	if li := root.line("monitor_links"); li >= 0 {
		if v := a.f.Lines[li].Value(); v != "0" && v != "1" {
			r.atKey(root, "monitor_links", SevWarning, "bad-bool", "monitor_links should be 0 or 1, got %q", v)
		}
	}
	if root.has("rsh_command") && c.RshCommand != "rsh" && c.RshCommand != "ssh" {
		r.atKey(root, "rsh_command", SevWarning, "bad-enum", "rsh_command is %q; piranha documents rsh or ssh", c.RshCommand)
	}
	switch {
	case c.Service == "lvs" && len(c.Virtuals) == 0 && len(c.Failovers) > 0:
		r.atKey(root, "service", SevWarning, "no-services", "service = lvs but the file only has failover blocks")
	case c.Service == "fos" && len(c.Failovers) == 0:
		r.atKey(root, "service", SevWarning, "no-services", "service = fos but the file has no failover blocks")
	}
	return r.out
}

// schedulerHint suggests a kernel scheduler for a misspelt one.
func schedulerHint(s string) string {
	best, bestD := "", 2
	for _, k := range KernelSchedulers {
		if d := editDistance(s, k); d < bestD {
			best, bestD = k, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf("; did you mean %q?", best)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
