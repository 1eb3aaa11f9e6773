// Package ops holds the IPVS data model shared by every part of lvsadm and
// the one narrow interface, Kernel, through which all of them reach the
// kernel's IPVS table. Formatting and ipvsadm compatibility live in
// ops/ipvsadm; the netlink implementation lives in ops/kernel.
package ops

import (
	"math"
	"net"
)

// Address families, as the kernel numbers them.
const (
	AFInet  uint16 = 2  // AF_INET
	AFInet6 uint16 = 10 // AF_INET6
)

// IP protocols a virtual service can carry.
const (
	ProtoTCP  uint16 = 6
	ProtoUDP  uint16 = 17
	ProtoSCTP uint16 = 132
)

// Service flags (IP_VS_SVC_F_*), from include/uapi/linux/ip_vs.h.
const (
	SvcPersistent      uint32 = 0x0001
	SvcHashed          uint32 = 0x0002
	SvcOnePacket       uint32 = 0x0004
	SvcSchedFlag1      uint32 = 0x0008 // sh-fallback / mh-fallback
	SvcSchedFlag2      uint32 = 0x0010 // sh-port / mh-port
	SvcSchedFlag3      uint32 = 0x0020
	SvcSchedShFallback        = SvcSchedFlag1
	SvcSchedShPort            = SvcSchedFlag2
)

// Forwarding methods (IP_VS_CONN_F_FWD_MASK values of a destination's conn flags).
const (
	FwdMasq   uint32 = 0
	FwdLocal  uint32 = 1
	FwdTunnel uint32 = 2
	FwdRoute  uint32 = 3
	FwdBypass uint32 = 4
	FwdMask   uint32 = 0x7
)

// Tunnel encapsulations (IP_VS_CONN_F_TUNNEL_TYPE_*).
const (
	TunIPIP uint8 = 0
	TunGUE  uint8 = 1
	TunGRE  uint8 = 2
)

// Tunnel flags (IP_VS_TUNNEL_ENCAP_FLAG_*).
const (
	TunFlagNoCsum  uint16 = 0
	TunFlagCsum    uint16 = 1 << 0
	TunFlagRemCsum uint16 = 1 << 1
)

// Sync daemon states (IP_VS_STATE_*).
const (
	DaemonMaster uint32 = 1
	DaemonBackup uint32 = 2
)

// Stats are a service's or destination's counters and rates. The kernel
// reports them in 64 bits since 4.1 (IPVS_*_ATTR_STATS64); older kernels only
// in 32, which the kernel implementation widens.
type Stats struct {
	Conns    uint64
	InPkts   uint64
	OutPkts  uint64
	InBytes  uint64
	OutBytes uint64
	CPS      uint64
	InPPS    uint64
	OutPPS   uint64
	InBPS    uint64
	OutBPS   uint64
}

// ServiceKey identifies a virtual service: by fwmark when FWMark != 0,
// otherwise by protocol, address and port.
type ServiceKey struct {
	Family   uint16
	Protocol uint16
	Address  net.IP
	Port     uint16
	FWMark   uint32
}

// AddrFamily is the family the kernel is told for k: Family when set,
// otherwise that of its address (IPv4 when it has none).
func (k ServiceKey) AddrFamily() uint16 {
	if k.Family != 0 {
		return k.Family
	}
	if k.Address != nil && k.Address.To4() == nil {
		return AFInet6
	}
	return AFInet
}

// Service is one IPVS virtual service.
type Service struct {
	ServiceKey
	Scheduler string
	PEName    string
	Flags     uint32
	Timeout   uint32 // persistence timeout, seconds
	Netmask   uint32 // IPv4: the mask as a 32-bit big-endian number; IPv6: prefix length
	Stats     Stats
}

// MaxWeight is the highest weight a real server can have. Linux keeps
// weights as a signed 32-bit int and refuses only negative ones (ERANGE in
// ip_vs_add_dest and ip_vs_edit_dest, net/netfilter/ipvs/ip_vs_ctl.c), and
// ipvsadm 1.31 parses -w up to INT_MAX (checked in the lab: 70000 and
// 2147483647 are accepted). Every part of lvsadm that takes a weight
// checks it against this.
const MaxWeight = math.MaxInt32

// Destination is one real server of a virtual service.
type Destination struct {
	Family       uint16 // the destination's own family (may differ from the service's)
	Address      net.IP
	Port         uint16
	ConnFlags    uint32 // forwarding method in the low bits (FwdMask)
	Weight       int32
	UThreshold   uint32
	LThreshold   uint32
	ActiveConns  uint32
	InactConns   uint32
	PersistConns uint32
	TunType      uint8
	TunPort      uint16 // host order
	TunFlags     uint16
	Stats        Stats
}

// FamilyIn is the family the kernel is told for d in a service of family
// svcAF: Family when set, otherwise that of its address, otherwise the
// service's.
func (d *Destination) FamilyIn(svcAF uint16) uint16 {
	switch {
	case d.Family != 0:
		return d.Family
	case d.Address == nil:
		return svcAF
	case d.Address.To4() != nil:
		return AFInet
	}
	return AFInet6
}

// Info is what the kernel says of IPVS itself.
type Info struct {
	Version     uint32 // major<<16 | minor<<8 | patch
	ConnTabSize uint32
}

// Timeouts are the connection timeouts set by `ipvsadm --set`, in seconds.
type Timeouts struct {
	TCP    uint32
	TCPFin uint32
	UDP    uint32
}

// Daemon is one connection sync daemon (master or backup).
type Daemon struct {
	State      uint32 // DaemonMaster or DaemonBackup
	McastIfn   string
	SyncID     uint32
	SyncMaxLen uint16
	McastGroup net.IP // nil: the kernel's default
	McastPort  uint16
	McastTTL   uint8
}
