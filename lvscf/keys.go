package lvscf

import "sort"

// Origin says who reads a key.
type Origin uint8

const (
	// OriginPiranha keys are accepted by piranha's lvsconfig.c.
	OriginPiranha Origin = iota
	// OriginGUIOnly keys are written by some piranha GUI versions
	// (parse.php) but rejected by lvsconfig.c with "unknown command", so
	// lvs and pulse refuse the file.
	OriginGUIOnly
	// OriginLvsadm keys are lvsadm extensions piranha would reject
	// (fwmark_match, sched_flags, announce, sloppy_tcp, failback, director_mode and
	// every key of the bgp block); lint --piranha flags them.
	OriginLvsadm
)

type valueKind uint8

const (
	vInt     valueKind = iota // strtol base 0
	vBool                     // 0 or 1
	vHost                     // IPv4 address or host name
	vIP                       // IP address
	vMask                     // netmask
	vPort                     // number or TCP service name
	vPortNum                  // number only
	vSeconds                  // duration in seconds
	vString                   // a word, may be quoted
	vQuoted                   // a string conventionally written in quotes
	vAddrDev                  // "IP DEVICE"
	vEnum                     // one of enum
	vList                     // [ a b c ] (legacy "dirs")
)

// keySpec describes one key of one block kind.
type keySpec struct {
	name   string
	kind   valueKind
	enum   []string
	origin Origin
	legacy bool // accepted by lvsconfig.c but unused by pulse/lvs/nanny
	multi  bool // may appear several times in a block (no duplicate-key)
}

func (k keySpec) arity() int {
	switch k.kind {
	case vAddrDev:
		return 2
	case vList:
		return -1
	}
	return 1
}

// Schedulers known to the Linux kernel's IPVS (ipvsadm 1.31 -s).
var KernelSchedulers = []string{"rr", "wrr", "lc", "wlc", "lblc", "lblcr", "dh", "sh", "sed", "nq", "fo", "ovf", "mh"}

// PiranhaSchedulers are the only schedulers lvsconfig.c accepts.
var PiranhaSchedulers = []string{"rr", "wrr", "lc", "wlc", "lblc", "lblcr", "dh", "sh"}

var globalKeys = specs(
	keySpec{name: "serial_no", kind: vInt},
	keySpec{name: "primary", kind: vHost},
	keySpec{name: "primary_private", kind: vHost},
	keySpec{name: "primary_shared", kind: vString, legacy: true},
	keySpec{name: "service", kind: vEnum, enum: []string{"lvs", "fos"}},
	keySpec{name: "backup", kind: vHost},
	keySpec{name: "backup_active", kind: vBool},
	keySpec{name: "backup_private", kind: vHost},
	keySpec{name: "backup_shared", kind: vString, legacy: true},
	keySpec{name: "heartbeat", kind: vBool},
	keySpec{name: "heartbeat_port", kind: vPort},
	keySpec{name: "keepalive", kind: vSeconds},
	keySpec{name: "deadtime", kind: vSeconds},
	keySpec{name: "network", kind: vEnum, enum: []string{"nat", "direct", "tunnel"}},
	keySpec{name: "nat_router", kind: vAddrDev},
	keySpec{name: "nat_nmask", kind: vMask},
	keySpec{name: "reservation_conflict_action", kind: vEnum, enum: []string{"nothing", "preempt"}, legacy: true},
	keySpec{name: "debug_level", kind: vString},
	keySpec{name: "rsh_command", kind: vString},
	keySpec{name: "monitor_links", kind: vInt},
	keySpec{name: "syncdaemon", kind: vBool},
	keySpec{name: "syncd_iface", kind: vString},
	keySpec{name: "syncd_id", kind: vInt},
	keySpec{name: "tcp_timeout", kind: vSeconds},
	keySpec{name: "tcpfin_timeout", kind: vSeconds},
	keySpec{name: "udp_timeout", kind: vSeconds},
	keySpec{name: "hard_shutdown", kind: vBool},
	keySpec{name: "active_cmd", kind: vQuoted},
	keySpec{name: "inactive_cmd", kind: vQuoted},
	keySpec{name: "ipvsadm", kind: vString, legacy: true},
	keySpec{name: "sync", kind: vBool, legacy: true},
	keySpec{name: "sloppy_tcp", kind: vBool, origin: OriginLvsadm},
	keySpec{name: "failback", kind: vSeconds, origin: OriginLvsadm},
	keySpec{name: "director_mode", kind: vEnum, enum: []string{DirectorModePair, DirectorModeECMP}, origin: OriginLvsadm},
)

// virtualKeys is also the key set of failover blocks: lvsconfig.c parses
// both with the same routine.
var virtualKeys = specs(
	keySpec{name: "active", kind: vBool},
	keySpec{name: "address", kind: vAddrDev},
	keySpec{name: "sorry_server", kind: vIP},
	keySpec{name: "vip_nmask", kind: vMask},
	keySpec{name: "fwmark", kind: vInt},
	keySpec{name: "protocol", kind: vEnum, enum: []string{"tcp", "udp"}},
	keySpec{name: "port", kind: vPort},
	keySpec{name: "scheduler", kind: vString},
	keySpec{name: "persistent", kind: vInt},
	keySpec{name: "pmask", kind: vMask},
	keySpec{name: "send", kind: vQuoted},
	keySpec{name: "expect", kind: vQuoted},
	keySpec{name: "use_regex", kind: vBool},
	keySpec{name: "send_program", kind: vQuoted},
	keySpec{name: "load_monitor", kind: vString},
	keySpec{name: "timeout", kind: vSeconds},
	keySpec{name: "reentry", kind: vSeconds},
	keySpec{name: "quiesce_server", kind: vBool},
	keySpec{name: "start_cmd", kind: vQuoted},
	keySpec{name: "stop_cmd", kind: vQuoted},
	keySpec{name: "client_monitor", kind: vString, legacy: true},
	keySpec{name: "master", kind: vHost, legacy: true},
	keySpec{name: "dirs", kind: vList, legacy: true},
	keySpec{name: "expect_program", kind: vQuoted, origin: OriginGUIOnly},
	keySpec{name: "deadtime", kind: vSeconds, origin: OriginGUIOnly},
	keySpec{name: "heartbeat", kind: vBool, origin: OriginGUIOnly},
	keySpec{name: "fwmark_match", kind: vQuoted, origin: OriginLvsadm, multi: true},
	keySpec{name: "sched_flags", kind: vString, origin: OriginLvsadm},
	keySpec{name: "announce", kind: vBool, origin: OriginLvsadm},
)

// bgpKeys are the keys of the lvsadm "bgp { ... }" block: this director's
// side of its BGP sessions. AS numbers and timers are checked for range by
// decodeBGP.
var bgpKeys = specs(
	keySpec{name: "local_as", kind: vInt, origin: OriginLvsadm},
	keySpec{name: "router_id", kind: vIP, origin: OriginLvsadm},
	keySpec{name: "listen_port", kind: vPortNum, origin: OriginLvsadm},
	keySpec{name: "bfd_interval", kind: vInt, origin: OriginLvsadm},
	keySpec{name: "bfd_multiplier", kind: vInt, origin: OriginLvsadm},
)

// neighborKeys are the keys of "neighbor ADDR { ... }" inside bgp.
var neighborKeys = specs(
	keySpec{name: "remote_as", kind: vInt, origin: OriginLvsadm},
	keySpec{name: "hold_time", kind: vInt, origin: OriginLvsadm},
	keySpec{name: "keepalive", kind: vInt, origin: OriginLvsadm},
	keySpec{name: "passive", kind: vBool, origin: OriginLvsadm},
	keySpec{name: "bfd", kind: vBool, origin: OriginLvsadm},
	keySpec{name: "port", kind: vPortNum, origin: OriginLvsadm},
)

var serverKeys = specs(
	keySpec{name: "address", kind: vHost},
	keySpec{name: "active", kind: vBool},
	keySpec{name: "weight", kind: vInt},
	keySpec{name: "port", kind: vPortNum},
	keySpec{name: "nmask", kind: vMask, origin: OriginGUIOnly},
)

func specs(ks ...keySpec) map[string]keySpec {
	m := make(map[string]keySpec, len(ks))
	for _, k := range ks {
		m[k.name] = k
	}
	return m
}

func keysFor(k BlockKind) map[string]keySpec {
	switch k {
	case BlockRoot:
		return globalKeys
	case BlockVirtual, BlockFailover:
		return virtualKeys
	case BlockServer:
		return serverKeys
	case BlockBGP:
		return bgpKeys
	case BlockNeighbor:
		return neighborKeys
	}
	return nil
}

// KeyNames lists the keys piranha accepts in a block kind, sorted; for the
// lvsadm-only blocks (bgp, neighbor), every key.
func KeyNames(k BlockKind) []string {
	var out []string
	for name, s := range keysFor(k) {
		if s.origin == OriginPiranha || k == BlockBGP || k == BlockNeighbor {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

// didYouMean returns the accepted key closest to an unknown one, or "".
// Keys lvsadm added are suggested too, but not keys piranha rejects.
func didYouMean(word string, keys map[string]keySpec) string {
	best, bestD := "", 3
	for name, s := range keys {
		if s.origin == OriginGUIOnly {
			continue
		}
		d := editDistance(word, name)
		if d < bestD || d == bestD && best != "" && name < best {
			best, bestD = name, d
		}
	}
	if best == "" && len(word) > 3 {
		// Also catch a missing or extra underscore-separated part, e.g.
		// "nat_mask" for "nat_nmask" is distance 1 already; "quiesce" for
		// "quiesce_server" is a prefix.
		for name, s := range keys {
			if s.origin != OriginGUIOnly && (len(name) > len(word) && name[:len(word)] == word) {
				if best == "" || name < best {
					best = name
				}
			}
		}
	}
	return best
}

// editDistance is the Levenshtein distance, for did-you-mean hints.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			c := 1
			if a[i-1] == b[j-1] {
				c = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+c)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
