package ipvsadm

import (
	"math"
	"strings"

	"github.com/lvsadm/lvsadm/ops"
)

// This file turns one command line into a command, with ipvsadm 1.31's
// checks and messages (parse_options and the first half of
// process_options).

const (
	maxTimeout        = 86400 * 31 // MAX_TIMEOUT
	defaultPersistent = 6 * 60     // IPVS_SVC_PERSISTENT_TIMEOUT
	defaultScheduler  = "wlc"
	defaultTunnelType = "ipip"
	defaultMcastIfn   = "eth0"
	schedNameMax      = 16 - 1 // IP_VS_SCHEDNAME_MAXLEN - 1
	peNameMax         = 16     // IP_VS_PENAME_MAXLEN
	ifNameMax         = 16 - 1 // IP_VS_IFNAME_MAXLEN - 1
	schedFlagsMax     = 128 - 1
)

// Pseudo-commands: -h and -v end parsing at once.
const (
	cmdHelp = 100 + iota
	cmdVersion
)

// Results of parseService (SERVICE_*).
const (
	serviceNone = 0
	serviceAddr = 1
	servicePort = 2
)

// Output format flags (FMT_*).
const (
	fmtNumeric = 1 << iota
	fmtRule
	fmtStats
	fmtRate
	fmtThresholds
	fmtPersistentConn
	fmtNoSort
	fmtExact
	fmtTunInfo
)

type svcSpec struct {
	af       uint16
	protocol uint16
	addr     inetAddr
	port     uint16
	fwmark   uint32
	sched    string
	pe       string
	flags    uint32
	timeout  uint32
	netmask  uint32
}

type destSpec struct {
	af        uint16
	addr      inetAddr
	port      uint16
	connFlags uint32
	weight    int32
	uthresh   uint32
	lthresh   uint32
	tunType   uint8
	tunPort   uint16
	tunFlags  uint16
}

type daemonSpec struct {
	state   uint32
	ifn     string
	syncID  uint32
	maxlen  uint16
	groupAF uint16
	group   inetAddr
	port    uint16
	ttl     uint8
}

// command is one parsed ipvsadm command line (struct ipvs_command_entry
// with the option and format sets).
type command struct {
	cmd      int
	svc      svcSpec
	dest     destSpec
	timeouts ops.Timeouts
	daemon   daemonSpec
	options  uint64
	format   int
}

func (c *command) has(opt int) bool { return c.options&(1<<uint(opt)) != 0 }

func (c *command) setOption(opt int) *exitError {
	if c.has(opt) {
		return failf(2, "multiple '%s' options specified", optNames[opt])
	}
	c.options |= 1 << uint(opt)
	return nil
}

// parser parses command lines for one Run.
type parser struct {
	prog  string
	posix bool // POSIXLY_CORRECT or POSIX_ME_HARDER is set
	names *resolver
}

// tryHelp is ipvsadm's tryhelp_exit(program, -1).
func (ps *parser) tryHelp() *exitError {
	return &exitError{code: 255, msg: "Try `" + ps.prog + " -h' or '" + ps.prog + " --help' for more information.\n"}
}

// parse parses argv (argv[0] is the program name). A nil error means a
// command to run; otherwise the error says what to print and how to end.
// An exitError with soft set is popt's own complaint, which in ipvsadm
// makes this command line fail (-1) but does not end a restore.
func (ps *parser) parse(argv []string) (*command, *exitError) {
	c := &command{cmd: cmdNone}
	c.dest.weight = 1
	c.dest.connFlags = ops.FwdRoute
	c.svc.netmask = 0xffffffff

	p := newPoptContext(argv, ps.posix)
	v := p.getNextOpt()
	if v < 0 {
		return nil, ps.tryHelp()
	}
	switch v {
	case 'A':
		c.cmd = cmdAdd
	case 'E':
		c.cmd = cmdEdit
	case 'D':
		c.cmd = cmdDel
	case 'a':
		c.cmd = cmdAddDest
	case 'e':
		c.cmd = cmdEditDest
	case 'd':
		c.cmd = cmdDelDest
	case 'C':
		c.cmd = cmdFlush
	case 'L', 'l':
		c.cmd = cmdList
	case 'Z':
		c.cmd = cmdZero
	case tagSet:
		c.cmd = cmdTimeout
	case 'R':
		c.cmd = cmdRestore
	case 'S':
		c.cmd = cmdSave
	case tagStartDaemon, tagStopDaemon:
		c.cmd = cmdStartDaemon
		if v == tagStopDaemon {
			c.cmd = cmdStopDaemon
		}
		switch p.optArg {
		case "master":
			c.daemon.state = ops.DaemonMaster
		case "backup":
			c.daemon.state = ops.DaemonBackup
		default:
			if v == tagStartDaemon {
				return nil, failf(2, "illegal start-daemon parameter specified")
			}
			return nil, failf(2, "illegal start_daemon specified")
		}
	case 'h':
		c.cmd = cmdHelp
		return c, nil
	case 'v':
		c.cmd = cmdVersion
		return c, nil
	default:
		return nil, ps.tryHelp()
	}

	schedFlags := ""
	for {
		v = p.getNextOpt()
		if v < 0 {
			break
		}
		if err := ps.option(c, p, v, &schedFlags); err != nil {
			return nil, err
		}
	}
	if v < poptDone {
		return nil, &exitError{code: 255, msg: p.badOption() + ": " + poptStrerror(v) + "\n", soft: true}
	}

	if c.cmd == cmdTimeout {
		var vals [3]string
		n := 0
		for n < 3 {
			a, ok := p.getArg()
			if !ok {
				break
			}
			vals[n] = a
			n++
		}
		if n < 3 {
			return nil, failf(2, "--set option requires 3 timeout values")
		}
		var t [3]uint32
		for i, s := range vals {
			n, ok := stringToNumber(s, 0, maxTimeout)
			if !ok {
				return nil, failf(2, "invalid timeout value `%s' specified", s)
			}
			t[i] = uint32(n)
		}
		c.timeouts = ops.Timeouts{TCP: t[0], TCPFin: t[1], UDP: t[2]}
	}

	if a, ok := p.getArg(); ok {
		return nil, failf(2, "unexpected argument %s", a)
	}

	if schedFlags != "" {
		c.svc.flags &^= ops.SvcSchedFlag1 | ops.SvcSchedFlag2 | ops.SvcSchedFlag3
		f, err := parseSchedFlags(c.svc.sched, schedFlags)
		if err != nil {
			return nil, err
		}
		c.svc.flags |= f
	}

	if err := ps.check(c); err != nil {
		return nil, err
	}
	return c, nil
}

// option handles one option after the command.
func (ps *parser) option(c *command, p *poptContext, v int, schedFlags *string) *exitError {
	arg := p.optArg
	switch v {
	case 't', 'u', tagSCTPService:
		if err := c.setOption(optService); err != nil {
			return err
		}
		c.svc.protocol = ops.ProtoSCTP
		switch v {
		case 't':
			c.svc.protocol = ops.ProtoTCP
		case 'u':
			c.svc.protocol = ops.ProtoUDP
		}
		if ps.parseService(arg, &c.svc)&serviceAddr == 0 {
			return failf(2, "illegal virtual server address[:port] specified")
		}
	case 'f':
		if err := c.setOption(optService); err != nil {
			return err
		}
		c.svc.af = ops.AFInet
		c.svc.protocol = ops.ProtoTCP
		n, digits, whole, overflow := cStrtol(arg)
		if !digits || !whole || overflow || n <= 0 || n > math.MaxUint32 {
			return failf(2, "invalid fwmark value `%s' specified", arg)
		}
		c.svc.fwmark = uint32(n)
	case 's':
		if err := c.setOption(optScheduler); err != nil {
			return err
		}
		c.svc.sched = truncate(arg, schedNameMax)
	case 'p':
		if err := c.setOption(optPersistent); err != nil {
			return err
		}
		c.svc.flags |= ops.SvcPersistent
		c.svc.timeout = defaultPersistent
		if p.hasOptArg {
			n, ok := stringToNumber(arg, 1, maxTimeout)
			if !ok {
				return failf(2, "invalid timeout value `%s' specified", arg)
			}
			c.svc.timeout = uint32(n)
		}
	case 'M':
		if err := c.setOption(optNetmask); err != nil {
			return err
		}
		if c.svc.af != ops.AFInet6 {
			m, ok := inetAton(arg)
			if !ok {
				m, ok = ps.names.hostToAddr(arg)
			}
			if !ok {
				return failf(2, "illegal virtual server persistent mask specified")
			}
			c.svc.netmask = m
		} else {
			c.svc.netmask = uint32(cAtoi(arg))
			if c.svc.netmask < 1 || c.svc.netmask > 128 {
				return failf(2, "illegal ipv6 netmask specified")
			}
		}
	case 'r':
		if err := c.setOption(optServer); err != nil {
			return err
		}
		t := c.svc
		res := ps.parseService(arg, &t)
		c.dest.af, c.dest.addr, c.dest.port = t.af, t.addr, t.port
		if res&serviceAddr == 0 {
			return failf(2, "illegal real server address[:port] specified")
		}
		if res == serviceAddr {
			c.dest.port = c.svc.port
		}
	case 'i', 'g', 'm':
		if err := c.setOption(optForward); err != nil {
			return err
		}
		switch v {
		case 'i':
			c.dest.connFlags = ops.FwdTunnel
		case 'g':
			c.dest.connFlags = ops.FwdRoute
		default:
			c.dest.connFlags = ops.FwdMasq
		}
	case 'w':
		if err := c.setOption(optWeight); err != nil {
			return err
		}
		// Debian's ipvsadm 1.31 takes any weight up to INT_MAX (checked
		// against it in the lab: 70000 and 2147483647 are accepted).
		n, ok := stringToNumber(arg, 0, ops.MaxWeight)
		if !ok {
			return failf(2, "illegal weight specified")
		}
		c.dest.weight = int32(n)
	case 'x':
		if err := c.setOption(optUThreshold); err != nil {
			return err
		}
		n, ok := stringToNumber(arg, 0, math.MaxInt32)
		if !ok {
			return failf(2, "illegal u_threshold specified")
		}
		c.dest.uthresh = uint32(n)
	case 'y':
		if err := c.setOption(optLThreshold); err != nil {
			return err
		}
		n, ok := stringToNumber(arg, 0, math.MaxInt32)
		if !ok {
			return failf(2, "illegal l_threshold specified")
		}
		c.dest.lthresh = uint32(n)
	case 'c':
		return c.setOption(optConnection)
	case 'n':
		c.format |= fmtNumeric
		return c.setOption(optNumeric)
	case tagMcastInterface:
		if err := c.setOption(optMcast); err != nil {
			return err
		}
		c.daemon.ifn = truncate(arg, ifNameMax)
	case tagSyncID:
		if err := c.setOption(optSyncID); err != nil {
			return err
		}
		n, ok := stringToNumber(arg, 0, 255)
		if !ok {
			return failf(2, "illegal syncid specified")
		}
		c.daemon.syncID = uint32(n)
	case tagTimeout:
		return c.setOption(optTimeout)
	case tagDaemon:
		return c.setOption(optDaemon)
	case tagStats:
		c.format |= fmtStats
		return c.setOption(optStats)
	case tagRate:
		c.format |= fmtRate
		return c.setOption(optRate)
	case tagThresholds:
		c.format |= fmtThresholds
		return c.setOption(optThresholds)
	case tagPersistentConn:
		c.format |= fmtPersistentConn
		return c.setOption(optPersistentConn)
	case tagNoSort:
		c.format |= fmtNoSort
		return c.setOption(optNoSort)
	case tagSort:
		// Sorting is the default; --sort is accepted for compatibility.
	case 'X':
		c.format |= fmtExact
		return c.setOption(optExact)
	case '6':
		if c.svc.fwmark == 0 {
			return failf(2, "-6 used before -f\n")
		}
		c.svc.af = ops.AFInet6
		c.svc.netmask = 128
	case 'o':
		if err := c.setOption(optOnePacket); err != nil {
			return err
		}
		c.svc.flags |= ops.SvcOnePacket
	case tagPersistenceEngine:
		if err := c.setOption(optPersistenceEngine); err != nil {
			return err
		}
		c.svc.pe = truncate(arg, peNameMax)
	case 'b':
		if err := c.setOption(optSchedFlags); err != nil {
			return err
		}
		*schedFlags = truncate(arg, schedFlagsMax)
	case tagMcastGroup:
		if err := c.setOption(optMcastGroup); err != nil {
			return err
		}
		if strings.IndexByte(arg, ':') >= 0 {
			a, ok := inetPton6(arg)
			if !ok || a[0] != 0xff {
				return failf(2, "invalid IPv6 mcast-group `%s'", arg)
			}
			c.daemon.group, c.daemon.groupAF = a, ops.AFInet6
		} else {
			a, ok := inetPton4(arg)
			if !ok || a[0]&0xf0 != 0xe0 {
				return failf(2, "invalid IPv4 mcast-group `%s'", arg)
			}
			c.daemon.group = inetAddr{}
			copy(c.daemon.group[:4], a[:])
			c.daemon.groupAF = ops.AFInet
		}
	case tagMcastPort:
		if err := c.setOption(optMcastPort); err != nil {
			return err
		}
		n, ok := stringToNumber(arg, 1, 65535)
		if !ok {
			return failf(2, "illegal mcast-port specified")
		}
		c.daemon.port = uint16(n)
	case tagMcastTTL:
		if err := c.setOption(optMcastTTL); err != nil {
			return err
		}
		n, ok := stringToNumber(arg, 1, 255)
		if !ok {
			return failf(2, "illegal mcast-ttl specified")
		}
		c.daemon.ttl = uint8(n)
	case tagSyncMaxlen:
		if err := c.setOption(optSyncMaxlen); err != nil {
			return err
		}
		n, ok := stringToNumber(arg, 1, 65535-20-8)
		if !ok {
			return failf(2, "illegal sync-maxlen specified")
		}
		c.daemon.maxlen = uint16(n)
	case tagTunInfo:
		c.format |= fmtTunInfo
		return c.setOption(optTunInfo)
	case tagTunType:
		if err := c.setOption(optTunType); err != nil {
			return err
		}
		t := -1
		for i, n := range tunNames {
			if arg == n {
				t = i
			}
		}
		if t < 0 {
			return failf(2, "illegal tunnel type specified")
		}
		c.dest.tunType = uint8(t)
	case tagTunPort:
		if err := c.setOption(optTunPort); err != nil {
			return err
		}
		n, ok := stringToNumber(arg, 1, 65535)
		if !ok {
			return failf(2, "illegal tunnel port specified")
		}
		c.dest.tunPort = uint16(n)
	case tagTunNoCsum:
		if err := c.setOption(optTunNoCsum); err != nil {
			return err
		}
		c.dest.tunFlags |= ops.TunFlagNoCsum
	case tagTunCsum:
		if err := c.setOption(optTunCsum); err != nil {
			return err
		}
		c.dest.tunFlags |= ops.TunFlagCsum
	case tagTunRemCsum:
		if err := c.setOption(optTunRemCsum); err != nil {
			return err
		}
		c.dest.tunFlags |= ops.TunFlagRemCsum
	default:
		return failf(2, "invalid option `%s'", p.badOption())
	}
	return nil
}

// check is the part of process_options between parsing and running.
func (ps *parser) check(c *command) *exitError {
	if err := genericOptCheck(c.cmd, c.options); err != nil {
		return err
	}
	if c.cmd == cmdAdd || c.cmd == cmdEdit {
		if c.svc.fwmark == 0 && c.svc.port == 0 && c.svc.flags&ops.SvcPersistent == 0 {
			return failf(2, "Zero port specified for non-persistent service")
		}
		if c.svc.flags&ops.SvcOnePacket != 0 && c.svc.fwmark == 0 && c.svc.protocol != ops.ProtoUDP {
			return failf(2, "One-Packet Scheduling is only for UDP virtual services")
		}
		if c.svc.sched == "" {
			c.svc.sched = defaultScheduler
		}
	}
	if c.cmd == cmdStartDaemon && c.daemon.ifn == "" {
		c.daemon.ifn = defaultMcastIfn
	}
	fwd := c.dest.connFlags & ops.FwdMask
	if c.cmd == cmdAddDest || c.cmd == cmdEditDest {
		if c.svc.fwmark == 0 && (fwd == ops.FwdTunnel || fwd == ops.FwdRoute) {
			c.dest.port = c.svc.port
		}
		if c.dest.af != c.svc.af && fwd != ops.FwdTunnel {
			return failf(2, "Different address family is allowed only for tunneling servers")
		}
		tunOptions := uint64(1)<<optTunType | 1<<optTunPort | 1<<optTunNoCsum | 1<<optTunCsum | 1<<optTunRemCsum
		if c.options&tunOptions != 0 && fwd != ops.FwdTunnel {
			return failf(2, "Tunnel options conflict with forward method")
		}
		if err := tunnelOptCheck(int(c.dest.tunType), c.options); err != nil {
			return err
		}
	}
	if c.cmd == cmdList {
		if (c.has(optConnection) || c.has(optTimeout) || c.has(optDaemon)) &&
			(c.has(optStats) || c.has(optRate) || c.has(optThresholds)) ||
			(c.has(optTimeout) || c.has(optDaemon)) && c.has(optPersistentConn) {
			return failf(2, "options conflicts in the list command")
		}
	}
	return nil
}

// genericOptCheck is ipvsadm's generic_opt_check against cmdOptions.
func genericOptCheck(cmd int, options uint64) *exitError {
	if cmd < 0 || cmd >= len(cmdOptions) {
		return nil
	}
	row := cmdOptions[cmd]
	last, count := 0, 0
	for j := 0; j < numOptions; j++ {
		if options&(1<<uint(j)) == 0 {
			if row[j] == '+' {
				return failf(2, "You need to supply the '%s' option for the '%s' command", optNames[j], cmdNames[cmd])
			}
			continue
		}
		switch row[j] {
		case 'x':
			return failf(2, "Illegal '%s' option with the '%s' command", optNames[j], cmdNames[cmd])
		case '1':
			count++
			if count == 1 {
				last = j
				continue
			}
			return failf(2, "The option '%s' conflicts with the '%s' option in the '%s' command", optNames[j], optNames[last], cmdNames[cmd])
		}
	}
	return nil
}

// tunnelOptCheck is ipvsadm's tunnel_opt_check against tunTypeOptions.
func tunnelOptCheck(tunType int, options uint64) *exitError {
	if tunType < 0 || tunType >= len(tunTypeOptions) {
		return nil
	}
	row := tunTypeOptions[tunType]
	last, count := 0, 0
	for j, k := range tunOpts {
		if options&(1<<uint(k)) == 0 {
			if row[j] == '+' {
				return failf(2, "You need to supply the '%s' option for the '%s' tunnel type", optNames[k], tunNames[tunType])
			}
			continue
		}
		switch row[j] {
		case 'x':
			return failf(2, "Illegal '%s' option with the '%s' tunnel type", optNames[k], tunNames[tunType])
		case '1':
			count++
			if count == 1 {
				last = k
				continue
			}
			return failf(2, "The option '%s' conflicts with the '%s' option in the '%s' tunnel type", optNames[k], optNames[last], tunNames[tunType])
		}
	}
	return nil
}

// parseSchedFlags is ipvsadm's parse_sched_flags.
func parseSchedFlags(sched, arg string) (uint32, *exitError) {
	if sched == "" {
		sched = defaultScheduler
	}
	var flags uint32
	for _, flag := range strings.Split(arg, ",") {
		if flag == "" {
			continue // strtok skips empty fields
		}
		need := ""
		switch flag {
		case "flag-1":
			flags |= ops.SvcSchedFlag1
		case "flag-2":
			flags |= ops.SvcSchedFlag2
		case "flag-3":
			flags |= ops.SvcSchedFlag3
		case "sh-fallback":
			flags |= ops.SvcSchedShFallback
			need = "sh"
		case "sh-port":
			flags |= ops.SvcSchedShPort
			need = "sh"
		case "mh-fallback":
			flags |= ops.SvcSchedFlag1
			need = "mh"
		case "mh-port":
			flags |= ops.SvcSchedFlag2
			need = "mh"
		default:
			return 0, failf(2, "invalid scheduler flag `%s'", flag)
		}
		if need != "" && sched != need {
			return 0, failf(2, "incompatible scheduler flag `%s'", flag)
		}
	}
	return flags, nil
}

// parseService is ipvsadm's parse_service: host[:port], [ipv6]:port or a
// bare IPv6 address, into svc. It returns serviceAddr|servicePort as found,
// or serviceNone when the text is not a service address.
func (ps *parser) parseService(buf string, svc *svcSpec) int {
	if strIsDigit(buf) {
		return serviceNone
	}
	s := buf
	port := ""
	hasPort := false
	if s[0] == '[' {
		s = s[1:]
		i := strings.IndexByte(s, ']')
		if i < 0 {
			return serviceNone
		}
		rest := s[i+1:]
		s = s[:i]
		if rest == "" || rest[0] != ':' {
			return serviceNone
		}
		port, hasPort = rest[1:], true
	}
	if a, ok := inetPton6(s); ok {
		svc.addr = a
		svc.af = ops.AFInet6
		svc.netmask = 128
	} else {
		hasPort = false
		if i := strings.LastIndexByte(s, ':'); i >= 0 {
			port, hasPort = s[i+1:], true
			s = s[:i]
		}
		v, ok := inetAton(s)
		if !ok {
			v, ok = ps.names.hostToAddr(s)
		}
		if !ok {
			return serviceNone
		}
		svc.addr[0], svc.addr[1], svc.addr[2], svc.addr[3] = byte(v>>24), byte(v>>16), byte(v>>8), byte(v)
		svc.af = ops.AFInet
	}
	res := serviceAddr
	if hasPort {
		res |= servicePort
		if n, ok := stringToNumber(port, 0, 65535); ok {
			svc.port = uint16(n)
		} else if n, ok := serviceToPort(port, svc.protocol); ok {
			svc.port = n
		} else {
			return serviceNone
		}
	}
	return res
}

// strIsDigit is ipvsadm's str_is_digit (true for the empty string).
func strIsDigit(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// truncate cuts s to at most n bytes, as strncpy into a fixed buffer does.
func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
