package lvscf

import "net/netip"

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

	Virtuals  []Virtual
	Failovers []Failover
}

// Virtual is a virtual server (an IPVS service) and its real servers.
type Virtual struct {
	Name          string
	Active        bool // default false: piranha zeroes the structure
	Address       netip.Addr
	Device        string // the interface alias the VIP is brought up on
	VIPNmask      netip.Addr
	SorryServer   netip.Addr
	Port          uint16 // default 80
	Protocol      string // "tcp" (default) or "udp"
	Fwmark        uint32 // 0: not a firewall-mark service
	Scheduler     string // default "wlc"
	Persistent    int    // seconds; 0: not persistent
	PMask         netip.Addr
	Send          string // without quotes; escapes as written
	Expect        string
	SendProgram   string
	UseRegex      bool
	LoadMonitor   string  // default "none" (no -U is passed to nanny)
	Timeout       Seconds // default 10
	Reentry       Seconds // default 180
	QuiesceServer bool
	// FwmarkMatch (lvsadm key fwmark_match) lists the packets to the VIP
	// that get the mark Fwmark; the daemon installs iptables MARK rules.
	FwmarkMatch []FwmarkMatch
	Servers     []Server
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
	Name        string
	Active      bool
	Address     netip.Addr
	Device      string
	VIPNmask    netip.Addr
	Port        uint16 // default 80
	Protocol    string
	Send        string
	Expect      string
	SendProgram string
	Timeout     Seconds // default 10
	Reentry     Seconds // default 180
	StartCmd    string
	StopCmd     string
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
	}
}

func defaultVirtual(name string) Virtual {
	return Virtual{Name: name, Port: 80, Protocol: "tcp", Scheduler: "wlc", Timeout: 10, Reentry: 180, LoadMonitor: "none"}
}

func defaultFailover(name string) Failover {
	return Failover{Name: name, Port: 80, Protocol: "tcp", Timeout: 10, Reentry: 180}
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
