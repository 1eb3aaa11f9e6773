package lvscf

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"
)

// Decode computes the typed configuration of a parsed file. Values that do
// not parse keep their defaults; the returned diagnostics say why (they are
// a subset of what Lint reports).
func Decode(f *File) (*Config, []Diagnostic) {
	a := analyze(f, LintOptions{})
	if hasCode(f.Diags, "keepalived-syntax") {
		return a.cfg, nil // f.Diags has the one error that matters
	}
	return a.cfg, a.diags
}

// keyLine records where a key was set in a block.
type keyLine struct {
	key  string
	line int // index into File.Lines
}

// blockInfo ties a model element back to its block and key lines, so that
// cross-field rules can point at the right place.
type blockInfo struct {
	b    *Block
	keys []keyLine
	// index replaces the linear search once a block has many keys, so a
	// hostile file of a million key lines is not quadratic to lint.
	index map[string]int
}

const indexAfter = 32

func (bi *blockInfo) set(key string, li int) {
	if bi.index != nil {
		bi.index[key] = li
		return
	}
	bi.keys = append(bi.keys, keyLine{key: key, line: li})
	if len(bi.keys) > indexAfter {
		bi.index = make(map[string]int)
		for _, k := range bi.keys {
			bi.index[k.key] = k.line
		}
		bi.keys = nil
	}
}

func (bi *blockInfo) line(key string) int {
	if bi.index != nil {
		if li, ok := bi.index[key]; ok {
			return li
		}
		return -1
	}
	for i := len(bi.keys) - 1; i >= 0; i-- {
		if bi.keys[i].key == key {
			return bi.keys[i].line
		}
	}
	return -1
}

func (bi *blockInfo) has(key string) bool { return bi.line(key) >= 0 }

type virtualInfo struct {
	blockInfo
	servers []blockInfo
	// portAfterServer is the line of a "port" set after a server block:
	// those servers already took the earlier port (lvsconfig.c copies the
	// virtual's port when the server block opens).
	portAfterServer int
	// clean: decoding the block reported nothing (a Loader may take its
	// meaning for the same bytes in the next version).
	clean bool
}

// analysis is one pass over a file: the model plus where everything is.
type analysis struct {
	f         *File
	opts      LintOptions
	cfg       *Config
	root      blockInfo
	virtuals  []virtualInfo // parallel to cfg.Virtuals
	failovers []virtualInfo // parallel to cfg.Failovers
	bgp       *bgpInfo      // the first bgp block; nil without one
	diags     []Diagnostic
	// keySlab is where the key lines of virtual and server blocks start
	// (newKeys): one small slice per block was 12,000 allocations at a
	// reload of 10,000 real servers.
	keySlab []keyLine
}

// newKeys returns an empty slice with room for n key lines, cut from
// a.keySlab; past that room an append moves the lines elsewhere and never
// overwrites another block's.
func (a *analysis) newKeys(n int) []keyLine {
	if a.f.small {
		// A Loader's next version may keep this block's key lines:
		// they must not keep a slab of others alive.
		return make([]keyLine, 0, n)
	}
	if cap(a.keySlab)-len(a.keySlab) < n {
		a.keySlab = make([]keyLine, 0, max(n, 4096))
	}
	k := len(a.keySlab)
	a.keySlab = a.keySlab[:k+n]
	return a.keySlab[k : k : k+n]
}

// val is a decoded value of any kind.
type val struct {
	i    int64
	b    bool
	a    netip.Addr
	s    string
	dev  string
	port uint16
	sec  Seconds
}

func analyze(f *File, opts LintOptions) *analysis {
	a := &analysis{f: f, opts: opts, cfg: defaultConfig()}
	a.root.b = f.Root
	nv := len(f.Root.Blocks(BlockVirtual))
	a.cfg.Virtuals = make([]Virtual, 0, nv)
	a.virtuals = make([]virtualInfo, 0, nv)
	sawPrivate := false
	c := a.cfg
	a.eachKey(&a.root, globalKeys, BlockRoot, func(b *Block) {
		switch b.Kind {
		case BlockVirtual:
			a.decodeVirtual(b)
		case BlockFailover:
			a.decodeFailover(b)
		case BlockBGP:
			a.decodeBGP(b)
		}
	}, func(_ int, name string, v val) {
		switch name {
		case "serial_no":
			c.SerialNo = int(v.i)
		case "primary":
			c.Primary = v.a
		case "primary_private":
			c.PrimaryPrivate, sawPrivate = v.a, true
		case "primary_shared":
			c.PrimaryShared = v.s
		case "service":
			c.Service = v.s
		case "backup":
			c.Backup = v.a
		case "backup_active":
			c.BackupActive = v.b
		case "backup_private":
			c.BackupPrivate = v.a
		case "backup_shared":
			c.BackupShared = v.s
		case "heartbeat":
			c.Heartbeat = v.b
		case "heartbeat_port":
			c.HeartbeatPort = v.port
		case "keepalive":
			c.Keepalive = v.sec
		case "deadtime":
			c.Deadtime = v.sec
		case "network":
			c.Network = v.s
		case "nat_router":
			c.NATRouter, c.NATRouterDev = v.a, v.dev
		case "nat_nmask":
			c.NATNmask = v.a
		case "reservation_conflict_action":
			c.ReservationConflictAction = v.s
		case "debug_level":
			c.DebugLevel = v.s
		case "rsh_command":
			c.RshCommand = v.s
		case "monitor_links":
			c.MonitorLinks = v.i != 0
		case "syncdaemon":
			c.SyncDaemon = v.b
		case "syncd_iface":
			c.SyncdIface = v.s
		case "syncd_id":
			c.SyncdID = int(v.i)
		case "tcp_timeout":
			c.TCPTimeout = v.sec
		case "tcpfin_timeout":
			c.TCPFinTimeout = v.sec
		case "udp_timeout":
			c.UDPTimeout = v.sec
		case "hard_shutdown":
			c.HardShutdown = v.b
		case "active_cmd":
			c.ActiveCmd = v.s
		case "inactive_cmd":
			c.InactiveCmd = v.s
		case "ipvsadm":
			c.IPVSAdm = v.s
		case "sloppy_tcp":
			c.SloppyTCP = v.b
		case "failback":
			c.Failback = v.sec
		case "director_mode":
			c.DirectorMode = v.s
		}
	})
	// lvsconfig.c: without primary_private, both private addresses are the
	// public ones (the private heartbeat channel is the public one).
	if !sawPrivate {
		a.cfg.PrimaryPrivate = a.cfg.Primary
		a.cfg.BackupPrivate = a.cfg.Backup
	}
	return a
}

// eachKey walks the items of bi's block in order: sub-blocks go to sub,
// key lines are checked against keys (a block of kind kind) and those that
// decode go to key with their line index, key name and value. Every
// block's decoder walks its block this way, so the checks of a key line
// (unknown, duplicate, arity, quoting) are the same in every block.
func (a *analysis) eachKey(bi *blockInfo, keys map[string]keySpec, kind BlockKind, sub func(*Block), key func(li int, name string, x val)) {
	// One value, decoded in place: returned through value and decodeValue
	// with its key's spec, it was copied at every step, a sixth of the
	// analysis at 10,000 real servers.
	var x val
	for _, it := range bi.b.Items {
		if it.Block != nil {
			if sub != nil {
				sub(it.Block)
			}
			continue
		}
		if a.f.Lines[it.Line].Kind != LineKeyValue {
			continue
		}
		name, ok := a.value(bi, it.Line, keys, kind, &x)
		if !ok {
			continue
		}
		key(it.Line, name, x)
	}
}

// decode sets the key name from x when it is one that virtual and
// failover blocks share, and reports whether it was.
func (s *ServiceCommon) decode(name string, x val) bool {
	switch name {
	case "active":
		s.Active = x.b
	case "address":
		s.Address, s.Device = x.a, x.dev
	case "vip_nmask":
		s.VIPNmask = x.a
	case "port":
		s.Port = x.port
	case "protocol":
		s.Protocol = x.s
	case "send":
		s.Send = x.s
	case "expect":
		s.Expect = x.s
	case "send_program":
		s.SendProgram = x.s
	case "timeout":
		s.Timeout = x.sec
	case "reentry":
		s.Reentry = x.sec
	default:
		return false
	}
	return true
}

func (a *analysis) decodeVirtual(b *Block) {
	if a.reusedVirtual(b) {
		return
	}
	d0 := len(a.diags)
	v := defaultVirtual(b.Name)
	vi := virtualInfo{blockInfo: blockInfo{b: b}, portAfterServer: -1}
	// Sizing the slices up front matters for configurations with many
	// thousands of virtual servers.
	nsub := 0
	for _, it := range b.Items {
		if it.Block != nil {
			nsub++
		}
	}
	vi.keys = a.newKeys(min(len(b.Items)-nsub, indexAfter+1))
	v.Servers = make([]Server, 0, nsub)
	vi.servers = make([]blockInfo, 0, nsub)
	a.eachKey(&vi.blockInfo, virtualKeys, BlockVirtual, func(sb *Block) {
		if sb.Kind == BlockServer {
			s, si := a.decodeServer(sb, v.Port)
			v.Servers = append(v.Servers, s)
			vi.servers = append(vi.servers, si)
		}
	}, func(li int, name string, x val) {
		if v.ServiceCommon.decode(name, x) {
			if name == "port" && len(v.Servers) > 0 {
				vi.portAfterServer = li
			}
			return
		}
		switch name {
		case "sorry_server":
			v.SorryServer = x.a
		case "fwmark":
			v.Fwmark = uint32(x.i)
		case "scheduler":
			v.Scheduler = x.s
		case "persistent":
			v.Persistent = int(x.i)
		case "pmask":
			v.PMask = x.a
		case "use_regex":
			v.UseRegex = x.b
		case "load_monitor":
			v.LoadMonitor = x.s
		case "quiesce_server":
			v.QuiesceServer = x.b
		case "fwmark_match":
			m, err := ParseFwmarkMatch(x.s)
			l := &a.f.Lines[li]
			switch {
			case errors.Is(err, ErrPortRangeInverted):
				a.add(l, l.Col(2), SevError, "fwmark-match-range", fmt.Sprintf("fwmark_match = %s: %v", l.Word(2), err))
			case err != nil:
				a.add(l, l.Col(2), SevError, "bad-fwmark-match", fmt.Sprintf("fwmark_match = %s: %v", l.Word(2), err))
			default:
				v.FwmarkMatch = append(v.FwmarkMatch, m)
			}
		case "sched_flags":
			// Checked against the scheduler by ruleSchedFlags: the
			// scheduler may be set further down.
			v.SchedFlags = splitSchedFlags(x.s)
		case "announce":
			v.Announce = x.b
		}
	})
	vi.clean = len(a.diags) == d0 && d0 < MaxDiagnostics
	a.cfg.Virtuals = append(a.cfg.Virtuals, v)
	a.virtuals = append(a.virtuals, vi)
}

func (a *analysis) decodeServer(b *Block, port uint16) (Server, blockInfo) {
	// lvsconfig.c: a new real server is zeroed (so inactive), gets weight 1
	// and the virtual server's port as it stands when the block opens.
	s := Server{Name: b.Name, Weight: 1, Port: port}
	si := blockInfo{b: b, keys: a.newKeys(min(len(b.Items), indexAfter+1))}
	a.eachKey(&si, serverKeys, BlockServer, nil, func(_ int, name string, x val) {
		switch name {
		case "address":
			s.Address = x.a
		case "active":
			s.Active = x.b
		case "weight":
			s.Weight = int(x.i)
		case "port":
			s.Port = x.port
		}
	})
	return s, si
}

func (a *analysis) decodeFailover(b *Block) {
	fo := defaultFailover(b.Name)
	fi := virtualInfo{blockInfo: blockInfo{b: b}, portAfterServer: -1}
	// Server blocks in a failover block mean nothing to piranha, but their
	// keys are still checked (and their lines kept for the rules).
	a.eachKey(&fi.blockInfo, virtualKeys, BlockFailover, func(sb *Block) {
		if sb.Kind == BlockServer {
			_, si := a.decodeServer(sb, fo.Port)
			fi.servers = append(fi.servers, si)
		}
	}, func(_ int, name string, x val) {
		if fo.ServiceCommon.decode(name, x) {
			return
		}
		switch name {
		case "start_cmd":
			fo.StartCmd = x.s
		case "stop_cmd":
			fo.StopCmd = x.s
		}
	})
	a.cfg.Failovers = append(a.cfg.Failovers, fo)
	a.failovers = append(a.failovers, fi)
}

// full reports whether the diagnostic cap is reached, so that callers can
// skip formatting messages nobody will see.
func (a *analysis) full() bool { return len(a.diags) >= MaxDiagnostics }

func (a *analysis) add(l *Line, col int, sev Severity, code, msg string) {
	if len(a.diags) >= MaxDiagnostics {
		return
	}
	a.diags = append(a.diags, Diagnostic{File: a.f.Name, Line: l.Num, Col: col, Severity: sev, Code: code, Message: msg})
}

// value checks the key and the number of value words of line li, then
// decodes the value into x; name is the key's. ok is false when the line
// must not change the model.
func (a *analysis) value(bi *blockInfo, li int, keys map[string]keySpec, kind BlockKind, x *val) (name string, ok bool) {
	l := &a.f.Lines[li]
	key := l.Key()
	spec, known := keys[key]
	if !known {
		if a.full() {
			return "", false
		}
		msg := fmt.Sprintf("unknown key %q in a %s block", key, kind)
		if s := didYouMean(key, keys); s != "" {
			msg += fmt.Sprintf("; did you mean %q?", s)
		}
		msg += bgpKeyHint(key, kind)
		if kind == BlockServer {
			if _, ok := virtualKeys[key]; ok {
				msg += " (it belongs in the virtual block)"
			}
		}
		if kind != BlockRoot && kind != BlockBGP && kind != BlockNeighbor {
			if _, ok := globalKeys[key]; ok && key != "deadtime" && key != "heartbeat" {
				msg += " (it is a global key)"
			}
		}
		a.add(l, l.Col(0), SevError, "unknown-key", msg)
		return "", false
	}
	if spec.origin == OriginGUIOnly {
		a.add(l, l.Col(0), SevError, "rejected-key",
			fmt.Sprintf("%q is written by some piranha GUI versions but lvsconfig.c rejects it (\"unknown command\"): remove it", key))
		return "", false
	}
	if spec.origin == OriginLvsadm && a.opts.Piranha && kind != BlockBGP && kind != BlockNeighbor { // those blocks are reported whole
		a.add(l, l.Col(0), SevError, "lvsadm-key", fmt.Sprintf("%q is an lvsadm extension piranha does not read", key))
	}
	if prev := bi.line(key); prev >= 0 && !spec.multi && !a.full() {
		a.add(l, l.Col(0), SevWarning, "duplicate-key",
			fmt.Sprintf("%q is already set on line %d; the last value wins", key, a.f.Lines[prev].Num))
	}
	bi.set(key, li)

	if !a.checkArity(l, spec, kind, l.NumWords()-2) {
		return "", false
	}
	a.checkQuoting(l)
	if !a.decodeValue(l, &spec, x) {
		return "", false
	}
	return spec.name, true
}

// commentMarker reports words that start an annotation after a value in
// other configuration languages or by hand: "<--", "//", "--", ";", "!".
func commentMarker(w string) bool {
	for _, p := range []string{"<-", "<=", "->", "=>", "//", "--", ";", "!", "(", "/*"} {
		if strings.HasPrefix(w, p) {
			return true
		}
	}
	return false
}

func (a *analysis) checkArity(l *Line, spec keySpec, kind BlockKind, nwords int) bool {
	n := spec.arity()
	switch {
	case n < 0:
		return nwords > 0
	case nwords == 0:
		a.add(l, l.Col(1), SevError, "missing-value", fmt.Sprintf("%q has no value", spec.name))
		return false
	case spec.kind == vAddrDev && nwords == 1:
		a.add(l, l.Col(2), SevError, "address-format",
			fmt.Sprintf("%s takes an IP address and a device, e.g. \"%s = 192.168.1.100 eth0:1\"", spec.name, spec.name))
		return false
	case nwords > n:
		extra := l.Word(2 + n)
		col := l.Col(2 + n)
		switch {
		case strings.HasPrefix(extra, "#"):
			a.add(l, col, SevError, "extra-args", "piranha has no end-of-line comments: '#' only starts a comment at the beginning of a line")
		case commentMarker(extra):
			a.add(l, col, SevError, "extra-args",
				fmt.Sprintf("%q looks like an end-of-line comment, and piranha has none: put the comment on a line of its own, starting with '#'", extra))
		case kind == BlockServer && spec.name == "address":
			a.add(l, col, SevError, "address-format", "a real server's address is a bare IP address, without a device")
		default:
			a.add(l, col, SevError, "extra-args",
				fmt.Sprintf("unexpected words after the value of %q (quote values that contain blanks)", spec.name))
		}
		return false
	}
	return true
}

// checkQuoting reproduces a quirk of piranha's tokenizer: a quoted word
// with no blank inside that is followed by blanks makes it search for the
// closing quote further on the line, and fail with "quotation mismatch"
// when there is none (e.g. `expect = "HTTP" ` with a trailing blank).
func (a *analysis) checkQuoting(l *Line) {
	lastDouble, lastSingle := strings.LastIndexByte(l.Text, '"'), strings.LastIndexByte(l.Text, '\'')
	for i := 2; i < len(l.toks); i++ {
		t := l.toks[i]
		w := l.Text[t.start:t.end]
		if !isQuoted(w) || strings.ContainsAny(w, " \t") || t.wsEnd == t.end {
			continue
		}
		last := lastDouble
		if w[0] == '\'' {
			last = lastSingle
		}
		if last < int(t.end) {
			a.add(l, int(t.end)+1, SevWarning, "quote-trailing-blank",
				"piranha fails on a quoted value without blanks followed by blanks (\"quotation mismatch\"): remove the trailing blanks")
		}
	}
}

// decodeValue decodes l's value as spec says into v (zeroed first); false
// when the value is refused, which it reports.
func (a *analysis) decodeValue(l *Line, spec *keySpec, v *val) bool {
	*v = val{}
	w := l.Word(2)
	col := l.Col(2)
	bad := func(code string, err error) bool {
		a.add(l, col, SevError, code, fmt.Sprintf("invalid %s: %v", spec.name, err))
		return false
	}
	var err error
	switch spec.kind {
	case vInt:
		v.i, err = parseInt(w)
		if errors.Is(err, errOctal) {
			a.add(l, col, SevWarning, "octal-number", fmt.Sprintf("%s = %s: %v (%d)", spec.name, w, err, v.i))
		} else if err != nil {
			return bad("bad-int", err)
		}
	case vBool:
		if v.b, err = parseBool(w); err != nil {
			return bad("bad-bool", err)
		}
	case vHost, vIP:
		if spec.kind == vHost {
			v.a, err = parseHost(w)
		} else {
			v.a, err = parseIP(w)
		}
		if errors.Is(err, errHostname) {
			a.add(l, col, SevWarning, "hostname",
				fmt.Sprintf("%s = %s is a host name: piranha resolves it at start-up, lvsadm needs an IP address", spec.name, w))
			return true
		} else if err != nil {
			return bad("bad-ip", err)
		}
		a.checkFamily(l, col, spec.name, v.a)
	case vMask:
		if v.a, err = parseMask(w); err != nil {
			return bad("bad-netmask", err)
		}
	case vPort, vPortNum:
		v.port, err = parsePort(w, spec.kind == vPort)
		if errors.Is(err, errOctal) {
			a.add(l, col, SevWarning, "octal-number", fmt.Sprintf("%s = %s: %v (%d)", spec.name, w, err, v.port))
		} else if err != nil {
			return bad("bad-port", err)
		}
	case vSeconds:
		v.sec, err = parseSeconds(w)
		switch {
		case errors.Is(err, errOctal):
			a.add(l, col, SevWarning, "octal-number", fmt.Sprintf("%s = %s: %v (%s)", spec.name, w, err, v.sec))
		case errors.Is(err, errFraction):
			if a.opts.Piranha {
				a.add(l, col, SevError, "fraction", fmt.Sprintf("%s = %s: %v", spec.name, w, err))
			}
		case err != nil:
			return bad("bad-seconds", err)
		}
	case vString, vQuoted:
		v.s = unquote(w)
	case vEnum:
		for _, e := range spec.enum {
			if w == e {
				v.s = w
				return true
			}
		}
		return bad("bad-enum", fmt.Errorf("%q is not one of %s", w, strings.Join(spec.enum, ", ")))
	case vAddrDev:
		v.a, err = parseIP(w)
		if err != nil {
			if _, herr := parseHost(w); errors.Is(herr, errHostname) {
				a.add(l, col, SevWarning, "hostname",
					fmt.Sprintf("%s = %s is a host name: piranha resolves it at start-up, lvsadm needs an IP address", spec.name, w))
			} else {
				return bad("bad-ip", err)
			}
		} else {
			a.checkFamily(l, col, spec.name, v.a)
		}
		v.dev = l.Word(3)
		if err := validDevice(v.dev); err != nil {
			a.add(l, l.Col(3), SevError, "bad-device", fmt.Sprintf("invalid %s device: %v", spec.name, err))
		}
	case vList:
		words := l.Values()
		if words[0] != "[" || words[len(words)-1] != "]" {
			return bad("bad-list", errors.New("expected a list \"[ a b ... ]\""))
		}
		v.s = strings.Join(words[1:len(words)-1], " ")
	}
	return true
}

func (a *analysis) checkFamily(l *Line, col int, key string, ip netip.Addr) {
	if !ip.Is4() && a.opts.Piranha {
		a.add(l, col, SevError, "ipv6", fmt.Sprintf("%s = %s: piranha only handles IPv4 (inet_aton)", key, ip))
	}
}
