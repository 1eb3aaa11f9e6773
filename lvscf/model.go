package lvscf

import (
	"net/netip"
	"time"
)

// Config is the typed meaning of an lvs.cf, with piranha's defaults applied
// for every key the file leaves out. The defaults are those of piranha's
// parser (lvsconfig.c lvsParseConfig and lvsInitVirtualServer), which is
// what pulse, lvs and nanny run with; the GUI writes different values
// (keepalive 6, deadtime 18, timeout 6, reentry 15) into the files it saves.
type Config struct {
	SerialNo                  int
	Primary                   netip.Addr // invalid when given as a host name
	PrimaryPrivate            netip.Addr // defaults to Primary (lvsconfig.c)
	PrimaryShared             string
	Service                   string // "lvs" (default) or "fos"
	BackupActive              bool
	Backup                    netip.Addr
	BackupPrivate             netip.Addr // defaults to Backup when primary_private is absent
	BackupShared              string
	Heartbeat                 bool    // default false
	HeartbeatPort             uint16  // default 539
	Keepalive                 Seconds // default 2
	Deadtime                  Seconds // default 5
	Network                   string  // "nat" (default), "direct" or "tunnel"
	NATRouter                 netip.Addr
	NATRouterDev              string
	NATNmask                  netip.Addr
	DebugLevel                string // default "NONE"
	MonitorLinks              bool
	SyncDaemon                bool
	SyncdIface                string // default "eth0"
	SyncdID                   int
	TCPTimeout                Seconds // 0 leaves the kernel's value (ipvsadm --set)
	TCPFinTimeout             Seconds
	UDPTimeout                Seconds
	HardShutdown              bool   // default true: a dying nanny stops lvs
	RshCommand                string // default "rsh"
	ReservationConflictAction string
	ActiveCmd                 string
	InactiveCmd               string
	IPVSAdm                   string // path of ipvsadm; default "/sbin/ipvsadm"

	// SloppyTCP (lvsadm key sloppy_tcp) asks for net.ipv4.vs.sloppy_tcp
	// = 1, so that IPVS takes up a TCP connection in mid-flow (from a
	// packet other than SYN): what a flow that ECMP moves from another
	// director needs to survive. Default false.
	SloppyTCP bool
	// Failback (lvsadm key failback) lets a returning primary take the
	// services back from the active backup, once its sync backup has
	// caught up with the backup's connection table or at the latest
	// Failback seconds after it began waiting. 0 (default): never, as
	// piranha.
	Failback Seconds
	// DirectorMode (lvsadm key director_mode) is DirectorModePair
	// (default: piranha's primary and backup with a heartbeat, the active
	// one holding the VIPs) or DirectorModeECMP (every director that
	// shares this file is active; a router spreads the VIPs' traffic
	// over those that announce them with BGP).
	DirectorMode string
	// BGP is the lvsadm "bgp { ... }" block; nil when the file has none.
	BGP *BGPConfig

	Virtuals  []Virtual
	Failovers []Failover
}

// ServiceCommon is what a virtual server and a failover service share:
// piranha reads both kinds of block with one routine (lvsconfig.c) into one
// structure, so these keys mean the same in both and are decoded once.
type ServiceCommon struct {
	Name        string
	Active      bool // default false: piranha zeroes the structure
	Address     netip.Addr
	Device      string // the interface alias the VIP is brought up on
	VIPNmask    netip.Addr
	Port        uint16 // default 80
	Protocol    string // "tcp" (default) or "udp"
	Send        string // without quotes; escapes as written
	Expect      string
	SendProgram string
	Timeout     Seconds // default 10
	Reentry     Seconds // default 180
}

// Virtual is a virtual server (an IPVS service) and its real servers.
type Virtual struct {
	ServiceCommon
	SorryServer   netip.Addr
	Fwmark        uint32 // 0: not a firewall-mark service
	Scheduler     string // default "wlc"
	Persistent    int    // seconds; 0: not persistent
	PMask         netip.Addr
	UseRegex      bool
	LoadMonitor   string // default "none" (no -U is passed to nanny)
	QuiesceServer bool
	// FwmarkMatch (lvsadm key fwmark_match) lists the packets to the VIP
	// that get the mark Fwmark; the daemon installs iptables MARK rules.
	FwmarkMatch []FwmarkMatch
	// SchedFlags (lvsadm key sched_flags, ipvsadm's -b) are the
	// scheduler's flags, e.g. mh-port; ParseSchedFlags gives their bits.
	SchedFlags []string
	// Announce (lvsadm key announce) asks the daemon to announce the VIP
	// (/32, or /128 for IPv6) to the BGP neighbors while the virtual
	// server has a healthy real server. Default false.
	Announce bool
	Servers  []Server
}

// Director modes (director_mode).
const (
	DirectorModePair = "pair"
	DirectorModeECMP = "ecmp"
)

// BGP defaults, as the daemon must apply them.
const (
	DefaultBGPPort       = 179
	DefaultBGPHoldTime   = 90 // seconds, RFC 4271's suggested hold time
	DefaultBFDInterval   = 100 * time.Millisecond
	DefaultBFDMultiplier = 3
)

// BGPConfig is the lvsadm "bgp { ... }" block: this director's BGP
// speaker, which announces the VIPs of virtual servers with announce = 1.
// Every director of an ECMP group reads the same file, so nothing here
// names one director: each takes its own address as router id unless
// router_id is set.
type BGPConfig struct {
	LocalAS uint32 // local_as, 1..4294967295; 0 when unset (lint: missing-key)
	// RouterID (router_id) is an IPv4 address; invalid (unset) means the
	// daemon uses an IPv4 address of its own.
	RouterID netip.Addr
	// ListenPort (listen_port) is where the speaker accepts sessions;
	// default 179, 0: it does not listen and only connects out.
	ListenPort uint16
	// BFDInterval (bfd_interval, in milliseconds; default 100 ms) and
	// BFDMultiplier (bfd_multiplier, default 3) tune BFD for neighbors
	// with bfd = 1: a session is down after Multiplier missed intervals.
	BFDInterval   time.Duration
	BFDMultiplier int
	Neighbors     []BGPNeighbor
}

// BGPNeighbor is one "neighbor ADDR { ... }" of the bgp block: a BGP peer
// (usually the router doing ECMP) and the session's settings.
type BGPNeighbor struct {
	Address  netip.Addr // the block's name, IPv4 or IPv6
	RemoteAS uint32     // remote_as, 1..4294967295
	// HoldTime (hold_time, seconds) is 0 (no hold timer, no keepalives)
	// or 3..65535; default DefaultBGPHoldTime.
	HoldTime uint16
	// Keepalive (keepalive, seconds) defaults to HoldTime/3.
	Keepalive uint16
	Passive   bool   // passive = 1: wait for the neighbor to connect
	BFD       bool   // bfd = 1: run BFD on the session (fast failure detection)
	Port      uint16 // port: the neighbor's BGP port, default 179
}

// Server is a real server of a virtual server.
type Server struct {
	Name    string
	Address netip.Addr
	Active  bool // default false: piranha zeroes the structure
	Weight  int  // default 1
	Port    uint16
}

// Failover is a failover service (service = fos).
type Failover struct {
	ServiceCommon
	StartCmd string
	StopCmd  string
}

// DefaultIPVSAdm is piranha's IPVSADM path (globals.h).
const DefaultIPVSAdm = "/sbin/ipvsadm"

func defaultConfig() *Config {
	return &Config{
		Service:       "lvs",
		HeartbeatPort: 539,
		Keepalive:     2,
		Deadtime:      5,
		Network:       "nat",
		DebugLevel:    "NONE",
		SyncdIface:    "eth0",
		HardShutdown:  true,
		RshCommand:    "rsh",
		IPVSAdm:       DefaultIPVSAdm,
		DirectorMode:  DirectorModePair,
	}
}

func defaultBGP() *BGPConfig {
	return &BGPConfig{ListenPort: DefaultBGPPort, BFDInterval: DefaultBFDInterval, BFDMultiplier: DefaultBFDMultiplier}
}

func defaultNeighbor(addr netip.Addr) BGPNeighbor {
	return BGPNeighbor{Address: addr, HoldTime: DefaultBGPHoldTime, Port: DefaultBGPPort}
}

// Neighbor returns the first neighbor with address a, or nil.
func (b *BGPConfig) Neighbor(a netip.Addr) *BGPNeighbor {
	for i := range b.Neighbors {
		if b.Neighbors[i].Address == a {
			return &b.Neighbors[i]
		}
	}
	return nil
}

// Announces reports whether any virtual server asks for its VIP to be
// announced over BGP.
func (c *Config) Announces() bool {
	for i := range c.Virtuals {
		if c.Virtuals[i].Announce {
			return true
		}
	}
	return false
}

// defaultService is lvsInitVirtualServer's defaults, which virtual and
// failover blocks share.
func defaultService(name string) ServiceCommon {
	return ServiceCommon{Name: name, Port: 80, Protocol: "tcp", Timeout: 10, Reentry: 180}
}

func defaultVirtual(name string) Virtual {
	return Virtual{ServiceCommon: defaultService(name), Scheduler: "wlc", LoadMonitor: "none"}
}

func defaultFailover(name string) Failover {
	return Failover{ServiceCommon: defaultService(name)}
}

// Virtual returns the first virtual server named name.
func (c *Config) Virtual(name string) *Virtual {
	for i := range c.Virtuals {
		if c.Virtuals[i].Name == name {
			return &c.Virtuals[i]
		}
	}
	return nil
}

// Failover returns the first failover service named name.
func (c *Config) Failover(name string) *Failover {
	for i := range c.Failovers {
		if c.Failovers[i].Name == name {
			return &c.Failovers[i]
		}
	}
	return nil
}

// Server returns the first real server named name.
func (v *Virtual) Server(name string) *Server {
	for i := range v.Servers {
		if v.Servers[i].Name == name {
			return &v.Servers[i]
		}
	}
	return nil
}
