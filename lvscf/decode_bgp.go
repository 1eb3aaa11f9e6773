package lvscf

import (
	"fmt"
	"strings"
	"time"

	"github.com/lvsadm/lvsadm/ops"
)

// bgpInfo ties the bgp block and its neighbors to their lines.
type bgpInfo struct {
	blockInfo
	neighbors []blockInfo // parallel to cfg.BGP.Neighbors
}

// Ranges of the bgp block's numbers. BGP's hold time is 0 (no keepalives)
// or at least 3 seconds (RFC 4271 4.2); AS numbers are 4 bytes (RFC 6793),
// 0 being reserved.
const (
	maxAS            = 1<<32 - 1
	minHoldTime      = 3
	maxBFDIntervalMS = 60000
	maxBFDMultiplier = 255
)

func (a *analysis) decodeBGP(b *Block) {
	if a.bgp != nil {
		l := &a.f.Lines[b.Open]
		a.add(l, l.Col(0), SevError, "duplicate-name",
			fmt.Sprintf("there is one bgp block, already opened on line %d; this one is ignored", a.f.Lines[a.bgp.b.Open].Num))
		return
	}
	cfg := defaultBGP()
	bi := &bgpInfo{blockInfo: blockInfo{b: b}}
	a.cfg.BGP, a.bgp = cfg, bi
	a.eachKey(&bi.blockInfo, bgpKeys, BlockBGP, func(sb *Block) {
		if sb.Kind == BlockNeighbor {
			n, ni := a.decodeNeighbor(sb)
			cfg.Neighbors = append(cfg.Neighbors, n)
			bi.neighbors = append(bi.neighbors, ni)
		}
	}, func(li int, name string, x val) {
		l := &a.f.Lines[li]
		switch name {
		case "local_as":
			if as, ok := a.asNumber(l, x.i); ok {
				cfg.LocalAS = as
			}
		case "router_id":
			if x.a.Is4() {
				cfg.RouterID = x.a
			} else {
				a.add(l, l.Col(2), SevError, "bad-ip", fmt.Sprintf("router_id = %s: a BGP router id is an IPv4 address", l.Word(2)))
			}
		case "listen_port":
			cfg.ListenPort = x.port
		case "bfd_interval":
			if x.i < 1 || x.i > maxBFDIntervalMS {
				a.add(l, l.Col(2), SevError, "bad-range", fmt.Sprintf("bfd_interval = %s: milliseconds in 1..%d", l.Word(2), maxBFDIntervalMS))
			} else {
				cfg.BFDInterval = time.Duration(x.i) * time.Millisecond
			}
		case "bfd_multiplier":
			if x.i < 1 || x.i > maxBFDMultiplier {
				a.add(l, l.Col(2), SevError, "bad-range", fmt.Sprintf("bfd_multiplier = %s: a count in 1..%d", l.Word(2), maxBFDMultiplier))
			} else {
				cfg.BFDMultiplier = int(x.i)
			}
		}
	})
}

func (a *analysis) decodeNeighbor(b *Block) (BGPNeighbor, blockInfo) {
	open := &a.f.Lines[b.Open]
	addr, err := parseIP(b.Name)
	if err != nil && b.Name != "" {
		a.add(open, open.Col(1), SevError, "bad-ip", fmt.Sprintf("neighbor %s: the name of a neighbor block is its IPv4 or IPv6 address", b.Name))
	}
	n := defaultNeighbor(addr)
	ni := blockInfo{b: b}
	keepaliveSet := false
	a.eachKey(&ni, neighborKeys, BlockNeighbor, nil, func(li int, name string, x val) {
		l := &a.f.Lines[li]
		switch name {
		case "remote_as":
			if as, ok := a.asNumber(l, x.i); ok {
				n.RemoteAS = as
			}
		case "hold_time":
			if x.i != 0 && (x.i < minHoldTime || x.i > 65535) {
				a.add(l, l.Col(2), SevError, "bad-hold-time",
					fmt.Sprintf("hold_time = %s: BGP's hold time is 0 (no keepalives) or %d..65535 seconds", l.Word(2), minHoldTime))
			} else {
				n.HoldTime = uint16(x.i)
			}
		case "keepalive":
			if x.i < 0 || x.i > 65535 {
				a.add(l, l.Col(2), SevError, "bad-range", fmt.Sprintf("keepalive = %s: seconds in 0..65535", l.Word(2)))
			} else {
				n.Keepalive, keepaliveSet = uint16(x.i), true
			}
		case "passive":
			n.Passive = x.b
		case "bfd":
			n.BFD = x.b
		case "port":
			n.Port = x.port
		}
	})
	if !keepaliveSet {
		n.Keepalive = n.HoldTime / 3 // RFC 4271 10: a third of the hold time
	}
	return n, ni
}

// asNumber checks an AS number: 4 bytes, not 0.
func (a *analysis) asNumber(l *Line, v int64) (uint32, bool) {
	if v < 1 || v > maxAS {
		a.add(l, l.Col(2), SevError, "bad-as", fmt.Sprintf("%s = %s: an AS number is 1..%d", l.Key(), l.Word(2), int64(maxAS)))
		return 0, false
	}
	return uint32(v), true
}

// bgpKeyHint says where a key that is unknown in a block belongs, when it
// is a key of the bgp or neighbor block (or, in those, a global or
// virtual key).
func bgpKeyHint(key string, kind BlockKind) string {
	_, inBGP := bgpKeys[key]
	_, inNeighbor := neighborKeys[key]
	switch {
	case kind == BlockBGP && inNeighbor:
		return " (it belongs in a neighbor block)"
	case kind == BlockNeighbor && inBGP:
		return " (it belongs in the bgp block)"
	case kind != BlockBGP && kind != BlockNeighbor && inBGP:
		return " (it belongs in the bgp block)"
	case kind != BlockBGP && kind != BlockNeighbor && inNeighbor && key != "keepalive" && key != "port":
		return " (it belongs in a neighbor block inside bgp)"
	case kind == BlockBGP || kind == BlockNeighbor:
		if _, ok := globalKeys[key]; ok {
			return " (it is a global key)"
		}
		if _, ok := virtualKeys[key]; ok {
			return " (it is a key of virtual blocks)"
		}
	}
	return ""
}

// Scheduler flags (ipvsadm -b, --sched-flags): the flag word, the bit the
// kernel gets, and the scheduler the flag needs ("" for any).
var schedFlags = []struct {
	name  string
	bit   uint32
	sched string
}{
	{"flag-1", ops.SvcSchedFlag1, ""},
	{"flag-2", ops.SvcSchedFlag2, ""},
	{"flag-3", ops.SvcSchedFlag3, ""},
	{"sh-fallback", ops.SvcSchedShFallback, "sh"},
	{"sh-port", ops.SvcSchedShPort, "sh"},
	{"mh-fallback", ops.SvcSchedFlag1, "mh"},
	{"mh-port", ops.SvcSchedFlag2, "mh"},
}

// splitSchedFlags splits sched_flags' value, written as ipvsadm's -b takes
// it: words separated by commas.
func splitSchedFlags(s string) []string {
	var out []string
	for _, w := range strings.Split(s, ",") {
		if w != "" {
			out = append(out, w)
		}
	}
	return out
}

// ParseSchedFlags returns the kernel bits of scheduler flags (sched_flags,
// as Virtual.SchedFlags holds them) for scheduler sched, or an error for
// an unknown flag or one that belongs to another scheduler (as ipvsadm -b
// refuses them).
func ParseSchedFlags(sched string, flags []string) (uint32, error) {
	var bits uint32
	for _, name := range flags {
		found := false
		for _, f := range schedFlags {
			if f.name != name {
				continue
			}
			found = true
			if f.sched != "" && f.sched != sched {
				return 0, fmt.Errorf("scheduler flag %q needs scheduler %s, not %s", name, f.sched, sched)
			}
			bits |= f.bit
		}
		if !found {
			return 0, fmt.Errorf("unknown scheduler flag %q (want %s)", name, schedFlagNames())
		}
	}
	return bits, nil
}

func schedFlagNames() string {
	names := make([]string, len(schedFlags))
	for i, f := range schedFlags {
		names[i] = f.name
	}
	return strings.Join(names, ", ")
}
