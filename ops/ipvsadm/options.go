package ipvsadm

// This file holds ipvsadm 1.31's option table (what popt is given), its
// commands, and the table of which options each command accepts.

// argKind is how an option takes its argument (POPT_ARG_*).
type argKind uint8

const (
	argNone     argKind = iota // POPT_ARG_NONE
	argString                  // POPT_ARG_STRING
	argOptional                // POPT_ARG_STRING|POPT_ARGFLAG_OPTIONAL
)

// Option values ipvsadm's popt table returns. Options with a short name
// return it; the others return a tag above the ASCII range, as in ipvsadm.
const (
	tagSet = 128 + iota
	tagStartDaemon
	tagStopDaemon
	tagMcastInterface
	tagTimeout
	tagDaemon
	tagStats
	tagRate
	tagThresholds
	tagPersistentConn
	tagSort
	tagNoSort
	tagPersistenceEngine
	tagSCTPService
	tagMcastGroup
	tagMcastPort
	tagMcastTTL
	tagSyncMaxlen
	tagTunInfo
	tagTunType
	tagTunPort
	tagTunNoCsum
	tagTunCsum
	tagTunRemCsum
)

// tagSyncID is the value of --syncid, which has no short name but returns 'I'.
const tagSyncID = 'I'

// poptOption is one entry of the option table.
type poptOption struct {
	long  string
	short byte
	arg   argKind
	val   int
}

// optionTable is ipvsadm 1.31's popt table, in its order (popt returns the
// first match, which matters for the two "list" entries).
var optionTable = []poptOption{
	{"add-service", 'A', argNone, 'A'},
	{"edit-service", 'E', argNone, 'E'},
	{"delete-service", 'D', argNone, 'D'},
	{"clear", 'C', argNone, 'C'},
	{"list", 'L', argNone, 'L'},
	{"list", 'l', argNone, 'l'},
	{"zero", 'Z', argNone, 'Z'},
	{"add-server", 'a', argNone, 'a'},
	{"edit-server", 'e', argNone, 'e'},
	{"delete-server", 'd', argNone, 'd'},
	{"set", 0, argNone, tagSet},
	{"help", 'h', argNone, 'h'},
	{"version", 'v', argNone, 'v'},
	{"restore", 'R', argNone, 'R'},
	{"save", 'S', argNone, 'S'},
	{"start-daemon", 0, argString, tagStartDaemon},
	{"stop-daemon", 0, argString, tagStopDaemon},
	{"tcp-service", 't', argString, 't'},
	{"udp-service", 'u', argString, 'u'},
	{"sctp-service", 0, argString, tagSCTPService},
	{"fwmark-service", 'f', argString, 'f'},
	{"scheduler", 's', argString, 's'},
	{"persistent", 'p', argOptional, 'p'},
	{"netmask", 'M', argString, 'M'},
	{"real-server", 'r', argString, 'r'},
	{"masquerading", 'm', argNone, 'm'},
	{"ipip", 'i', argNone, 'i'},
	{"gatewaying", 'g', argNone, 'g'},
	{"weight", 'w', argString, 'w'},
	{"u-threshold", 'x', argString, 'x'},
	{"l-threshold", 'y', argString, 'y'},
	{"numeric", 'n', argNone, 'n'},
	{"connection", 'c', argNone, 'c'},
	{"mcast-interface", 0, argString, tagMcastInterface},
	{"syncid", 0, argString, tagSyncID},
	{"timeout", 0, argNone, tagTimeout},
	{"daemon", 0, argNone, tagDaemon},
	{"stats", 0, argNone, tagStats},
	{"rate", 0, argNone, tagRate},
	{"thresholds", 0, argNone, tagThresholds},
	{"persistent-conn", 0, argNone, tagPersistentConn},
	{"nosort", 0, argNone, tagNoSort},
	{"sort", 0, argNone, tagSort},
	{"exact", 'X', argNone, 'X'},
	{"ipv6", '6', argNone, '6'},
	{"ops", 'o', argNone, 'o'},
	{"pe", 0, argString, tagPersistenceEngine},
	{"sched-flags", 'b', argString, 'b'},
	{"mcast-group", 0, argString, tagMcastGroup},
	{"mcast-port", 0, argString, tagMcastPort},
	{"mcast-ttl", 0, argString, tagMcastTTL},
	{"sync-maxlen", 0, argString, tagSyncMaxlen},
	{"tun-info", 0, argNone, tagTunInfo},
	{"tun-type", 0, argString, tagTunType},
	{"tun-port", 0, argString, tagTunPort},
	{"tun-nocsum", 0, argNone, tagTunNoCsum},
	{"tun-csum", 0, argNone, tagTunCsum},
	{"tun-remcsum", 0, argNone, tagTunRemCsum},
}

func findLongOption(name string) *poptOption {
	for i := range optionTable {
		if optionTable[i].long == name {
			return &optionTable[i]
		}
	}
	return nil
}

func findShortOption(c byte) *poptOption {
	if c == 0 {
		return nil
	}
	for i := range optionTable {
		if optionTable[i].short == c {
			return &optionTable[i]
		}
	}
	return nil
}

// Commands (CMD_* minus one: an index into cmdNames and cmdOptions).
const (
	cmdNone = iota - 1
	cmdAdd
	cmdEdit
	cmdDel
	cmdFlush
	cmdList
	cmdAddDest
	cmdDelDest
	cmdEditDest
	cmdTimeout
	cmdStartDaemon
	cmdStopDaemon
	cmdRestore
	cmdSave
	cmdZero
)

var cmdNames = [...]string{
	"add-service",
	"edit-service",
	"delete-service",
	"flush",
	"list",
	"add-server",
	"delete-server",
	"edit-server",
	"set",
	"start-daemon",
	"stop-daemon",
	"restore",
	"save",
	"zero",
}

// Option bits (OPTC_*): the bit number of each option in a parsed command's
// option set, and its index in optNames and in each cmdOptions row.
const (
	optNumeric = iota
	optConnection
	optService
	optScheduler
	optPersistent
	optNetmask
	optServer
	optForward
	optWeight
	optUThreshold
	optLThreshold
	optMcast
	optTimeout
	optDaemon
	optStats
	optRate
	optThresholds
	optPersistentConn
	optNoSort
	optSyncID
	optExact
	optOnePacket
	optPersistenceEngine
	optSchedFlags
	optMcastGroup
	optMcastPort
	optMcastTTL
	optSyncMaxlen
	optTunInfo
	optTunType
	optTunPort
	optTunNoCsum
	optTunCsum
	optTunRemCsum
	numOptions
)

var optNames = [numOptions]string{
	"numeric",
	"connection",
	"service-address",
	"scheduler",
	"persistent",
	"netmask",
	"real-server",
	"forwarding-method",
	"weight",
	"u-threshold",
	"l-threshold",
	"mcast-interface",
	"timeout",
	"daemon",
	"stats",
	"rate",
	"thresholds",
	"persistent-conn",
	"nosort",
	"syncid",
	"exact",
	"ops",
	"pe",
	"sched-flags",
	"mcast-group",
	"mcast-port",
	"mcast-ttl",
	"sync-maxlen",
	"tun-info",
	"tun-type",
	"tun-port",
	"tun-nocsum",
	"tun-csum",
	"tun-remcsum",
}

// cmdOptions is ipvsadm's commands_v_options: for each command, one
// character per option: '+' compulsory, 'x' illegal, '1' exclusive (at most
// one of the '1' options), ' ' optional. Columns follow the opt* constants.
var cmdOptions = [...]string{
	cmdAdd:         "xx+   xxxxxxxxxxxxxxx   xxxxxxxxxx",
	cmdEdit:        "xx+   xxxxxxxxxxxxxxx   xxxxxxxxxx",
	cmdDel:         "xx+xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
	cmdFlush:       "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
	cmdList:        " 11xxxxxxxxx11       xxxxxxx xxxxx",
	cmdAddDest:     "xx+xxx+    xxxxxxxxxxxxxxxxxx     ",
	cmdDelDest:     "xx+xxx+xxxxxxxxxxxxxxxxxxxxxxxxxxx",
	cmdEditDest:    "xx+xxx+    xxxxxxxxxxxxxxxxxx     ",
	cmdTimeout:     "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
	cmdStartDaemon: "xxxxxxxxxxx xxxxxxx xxxx    xxxxxx",
	cmdStopDaemon:  "xxxxxxxxxxxxxxxxxxx xxxxxxxxxxxxxx",
	cmdRestore:     "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
	cmdSave:        " xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
	cmdZero:        "xx xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
}

// Tunnel types, as the kernel numbers them, and their names.
var tunNames = [...]string{"ipip", "gue", "gre"}

// tunFlagNames are the tunnel flags as --tun-info lists them, and
// tunFlagOpts as -S writes them, indexed by the tunnel flags value.
var (
	tunFlagNames = [...]string{"-c", "+c", "r+c"}
	tunFlagOpts  = [...]string{"--tun-nocsum", "--tun-csum", "--tun-remcsum"}
)

// tunOpts are the options tunTypeOptions has a column for.
var tunOpts = [...]int{optTunPort, optTunNoCsum, optTunCsum, optTunRemCsum}

// tunTypeOptions is ipvsadm's tunnel_types_v_options, keyed like cmdOptions.
var tunTypeOptions = [...]string{
	"xxxx", // ipip
	"+111", // gue
	"x11x", // gre
}
