package lvscf

// Rules for lvsadm's multi-director extensions: the bgp block, announce,
// sloppy_tcp, director_mode and sched_flags.

// slowHoldTime is the longest hold time, in seconds, that lint accepts
// without BFD on a neighbor of an announcing director: a dead director
// keeps its share of the router's ECMP set until the hold timer expires.
const slowHoldTime = 9

// ruleBGP checks the bgp block: required keys, duplicate neighbors, the
// timers, and that it is an lvsadm extension (--piranha).
func ruleBGP(a *analysis) []Diagnostic {
	r := &reporter{a: a}
	if a.opts.Piranha {
		a.f.Root.Walk(func(b *Block) {
			if b.Kind == BlockBGP {
				r.atBlock(b, SevError, "lvsadm-block", "the bgp block is an lvsadm extension piranha does not read (\"unknown command\")")
			}
		})
	}
	bi, cfg := a.bgp, a.cfg.BGP
	if bi == nil {
		return r.out
	}
	if !bi.has("local_as") {
		r.atBlock(bi.b, SevError, "missing-key", "the bgp block has no local_as (this director's AS number)")
	}
	seen := map[string]int{} // neighbor address (or name) -> its line
	for i := range cfg.Neighbors {
		n, ni := &cfg.Neighbors[i], &bi.neighbors[i]
		if !ni.has("remote_as") {
			r.atBlock(ni.b, SevError, "missing-key", "neighbor %s has no remote_as", ni.b.Name)
		}
		key := ni.b.Name
		if n.Address.IsValid() {
			key = n.Address.String()
		}
		if prev, ok := seen[key]; ok {
			r.atBlock(ni.b, SevError, "duplicate-neighbor",
				"neighbor %s is already defined on line %d: one BGP session per address", ni.b.Name, a.f.Lines[prev].Num)
		} else {
			seen[key] = ni.b.Open
		}
		switch {
		case ni.has("keepalive") && n.HoldTime == 0 && n.Keepalive != 0:
			r.atKey(ni, "keepalive", SevError, "bad-hold-time", "keepalive must be 0 with hold_time = 0 (BGP sends no keepalives without a hold timer)")
		case ni.has("keepalive") && n.HoldTime != 0 && n.Keepalive >= n.HoldTime:
			r.atKey(ni, "keepalive", SevError, "bad-hold-time", "keepalive (%ds) must be shorter than hold_time (%ds)", n.Keepalive, n.HoldTime)
		}
		if a.cfg.Announces() && !n.BFD && (n.HoldTime == 0 || n.HoldTime > slowHoldTime) {
			r.atKey(ni, "hold_time", SevWarning, "slow-failover",
				"neighbor %s has no BFD and a hold time of %ds: a dead director keeps its routes that long; set bfd = 1 or hold_time = %d or less",
				ni.b.Name, n.HoldTime, slowHoldTime)
		}
	}
	return r.out
}

// ruleAnnounce checks what announcing VIPs from several directors needs.
func ruleAnnounce(a *analysis) []Diagnostic {
	r := &reporter{a: a}
	c := a.cfg
	neighbors := c.BGP != nil && len(c.BGP.Neighbors) > 0
	ecmp := c.DirectorMode == DirectorModeECMP
	if ecmp && !neighbors {
		r.atKey(&a.root, "director_mode", SevError, "ecmp-without-bgp",
			"director_mode = ecmp needs a bgp block with at least one neighbor: the router learns the directors from their announcements")
	}
	announced := false
	for i := range c.Virtuals {
		v, vi := &c.Virtuals[i], &a.virtuals[i]
		if !v.Announce {
			continue
		}
		announced = announced || v.Active
		if !neighbors {
			r.atKey(&vi.blockInfo, "announce", SevError, "announce-without-bgp",
				"virtual %q has announce = 1 but there is no bgp block with a neighbor to announce it to", vi.b.Name)
		}
		if !ecmp {
			continue
		}
		switch {
		case v.Scheduler == "sh":
		case v.Scheduler == "mh" && contains(v.SchedFlags, "mh-port"):
		case v.Scheduler == "mh":
			r.atKey(&vi.blockInfo, "scheduler", SevWarning, "announce-scheduler",
				"virtual %q: mh without sched_flags = mh-port hashes the client address only, so clients behind one address all go to one real server; add sched_flags = mh-port", vi.b.Name)
		default:
			r.atKey(&vi.blockInfo, "scheduler", SevWarning, "announce-scheduler",
				"virtual %q is announced by every director but its scheduler %s is not a consistent hash: a flow the router moves to another director is sent to another real server; use scheduler = mh with sched_flags = mh-port (or sh)", vi.b.Name, v.Scheduler)
		}
	}
	if ecmp && neighbors && !announced {
		r.atKey(&a.root, "director_mode", SevWarning, "ecmp-without-announce",
			"director_mode = ecmp but no active virtual server has announce = 1: the router gets no route to any VIP")
	}
	// A flow the router moves to another director arrives there in mid-
	// connection; without sloppy_tcp IPVS only takes up TCP connections
	// at their SYN, so the packet is dropped and the client reset. In
	// pair mode the sync daemon gives the backup the connections instead.
	if c.Announces() && !c.SloppyTCP && (ecmp || !c.SyncDaemon) {
		r.atKey(&a.root, "sloppy_tcp", SevWarning, "announce-sloppy-tcp",
			"virtual servers are announced over BGP but sloppy_tcp is not 1: a TCP connection the router moves to another director is reset there; set sloppy_tcp = 1")
	}
	return r.out
}

// ruleSchedFlags checks sched_flags against the virtual's scheduler.
func ruleSchedFlags(a *analysis) []Diagnostic {
	r := &reporter{a: a}
	for i := range a.cfg.Virtuals {
		v, vi := &a.cfg.Virtuals[i], &a.virtuals[i]
		if _, err := ParseSchedFlags(v.Scheduler, v.SchedFlags); err != nil {
			r.atKey(&vi.blockInfo, "sched_flags", SevError, "bad-sched-flags", "virtual %q: %v", vi.b.Name, err)
		}
	}
	return r.out
}
