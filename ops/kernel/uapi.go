package kernel

// Constants of the IPVS generic netlink family, from
// include/uapi/linux/ip_vs.h. The numbering is ABI and never changes.

const (
	genlName    = "IPVS"
	genlVersion = 1 // IPVS_GENL_VERSION

	afInet  = 2  // AF_INET
	afInet6 = 10 // AF_INET6
)

// Commands (IPVS_CMD_*).
const (
	cmdNewService = 1
	cmdSetService = 2
	cmdDelService = 3
	cmdGetService = 4
	cmdNewDest    = 5
	cmdSetDest    = 6
	cmdDelDest    = 7
	cmdGetDest    = 8
	cmdNewDaemon  = 9
	cmdDelDaemon  = 10
	cmdGetDaemon  = 11
	cmdSetConfig  = 12
	cmdGetConfig  = 13
	cmdSetInfo    = 14 // only in GET_INFO replies
	cmdGetInfo    = 15
	cmdZero       = 16
	cmdFlush      = 17
)

// Top-level attributes (IPVS_CMD_ATTR_*).
const (
	cmdAttrService       = 1
	cmdAttrDest          = 2
	cmdAttrDaemon        = 3
	cmdAttrTimeoutTCP    = 4
	cmdAttrTimeoutTCPFin = 5
	cmdAttrTimeoutUDP    = 6
)

// Service attributes (IPVS_SVC_ATTR_*).
const (
	svcAttrAF        = 1  // u16
	svcAttrProtocol  = 2  // u16
	svcAttrAddr      = 3  // union nf_inet_addr
	svcAttrPort      = 4  // be16
	svcAttrFWMark    = 5  // u32
	svcAttrSchedName = 6  // string
	svcAttrFlags     = 7  // struct ip_vs_flags
	svcAttrTimeout   = 8  // u32
	svcAttrNetmask   = 9  // be32 (IPv4 mask) or prefix length (IPv6)
	svcAttrStats     = 10 // nested, 32-bit counters
	svcAttrPEName    = 11 // string
	svcAttrStats64   = 12 // nested, 64-bit counters
)

// Destination attributes (IPVS_DEST_ATTR_*).
const (
	destAttrAddr         = 1  // union nf_inet_addr
	destAttrPort         = 2  // be16
	destAttrFwdMethod    = 3  // u32
	destAttrWeight       = 4  // u32
	destAttrUThresh      = 5  // u32
	destAttrLThresh      = 6  // u32
	destAttrActiveConns  = 7  // u32
	destAttrInactConns   = 8  // u32
	destAttrPersistConns = 9  // u32
	destAttrStats        = 10 // nested
	destAttrAddrFamily   = 11 // u16
	destAttrStats64      = 12 // nested
	destAttrTunType      = 13 // u8
	destAttrTunPort      = 14 // be16
	destAttrTunFlags     = 15 // u16
)

// Sync daemon attributes (IPVS_DAEMON_ATTR_*).
const (
	daemonAttrState       = 1 // u32
	daemonAttrMcastIfn    = 2 // string
	daemonAttrSyncID      = 3 // u32
	daemonAttrSyncMaxLen  = 4 // u16
	daemonAttrMcastGroup  = 5 // in_addr (network order)
	daemonAttrMcastGroup6 = 6 // in6_addr
	daemonAttrMcastPort   = 7 // u16, host order
	daemonAttrMcastTTL    = 8 // u8
)

// Statistics attributes (IPVS_STATS_ATTR_*), in STATS and STATS64 nests.
const (
	statsAttrConns    = 1
	statsAttrInPkts   = 2
	statsAttrOutPkts  = 3
	statsAttrInBytes  = 4
	statsAttrOutBytes = 5
	statsAttrCPS      = 6
	statsAttrInPPS    = 7
	statsAttrOutPPS   = 8
	statsAttrInBPS    = 9
	statsAttrOutBPS   = 10
)

// Info attributes (IPVS_INFO_ATTR_*), top level of a GET_INFO reply.
const (
	infoAttrVersion     = 1
	infoAttrConnTabSize = 2
)

// maxString bounds the strings lvsadm sends (names are at most 16 bytes in
// the kernel, which itself rejects longer ones with its own errno); it only
// keeps an attribute's 16-bit length from overflowing.
const maxString = 1024
