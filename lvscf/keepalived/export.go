package keepalived

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"

	"github.com/lvsadm/lvsadm/lvscf"
)

// ExportOptions choose which director's keepalived.conf is written.
type ExportOptions struct {
	// Backup writes the backup director's file: state BACKUP, a lower
	// priority, unicast_src_ip = backup and unicast_peer = primary.
	// keepalived.conf is per director while lvs.cf is shared, so this is
	// how a backup's keepalived.conf survives import and export.
	Backup bool
}

// ErrNoBackup: ExportOptions.Backup for an lvs.cf without a backup.
var ErrNoBackup = errors.New("the lvs.cf has no backup director (backup_active = 1 and backup)")

// Export converts a parsed lvs.cf into a keepalived.conf. Files with
// errors are refused with a *lvscf.SyntaxError.
func Export(f *lvscf.File, opts ExportOptions) (*Result, error) {
	cfg, diags := lvscf.Decode(f)
	diags = append(append([]lvscf.Diagnostic(nil), f.Diags...), diags...)
	if lvscf.HasErrors(diags) {
		lvscf.SortDiagnostics(diags)
		return nil, &lvscf.SyntaxError{Diags: diags}
	}
	if opts.Backup && !hasBackup(cfg) {
		return nil, ErrNoBackup
	}
	ex := &exporter{f: f, cfg: cfg, opts: opts}
	ex.checkKeys()
	data := ex.write()
	sortWarnings(ex.warns, []string{f.Name})
	return &Result{Data: data, Warnings: ex.warns}, nil
}

type exporter struct {
	opts  ExportOptions
	f     *lvscf.File
	cfg   *lvscf.Config
	warns []Warning
	b     strings.Builder
}

func (ex *exporter) warnLine(line int, key, format string, args ...any) {
	ex.warns = append(ex.warns, Warning{Pos: Pos{File: ex.f.Name, Line: line}, Key: key, Msg: fmt.Sprintf(format, args...)})
}

// exportedKeys are the lvs.cf keys Export carries over, by block kind.
// send, expect, use_regex and send_program are judged with the check.
var exportedKeys = map[lvscf.BlockKind]map[string]bool{
	lvscf.BlockRoot: set("primary", "backup", "backup_active", "service", "heartbeat", "keepalive", "deadtime",
		"network", "nat_router", "nat_nmask", "syncdaemon", "syncd_iface", "syncd_id",
		"tcp_timeout", "tcpfin_timeout", "udp_timeout"),
	lvscf.BlockVirtual: set("active", "address", "vip_nmask", "sorry_server", "fwmark", "port", "protocol",
		"scheduler", "persistent", "pmask", "send", "expect", "use_regex", "send_program",
		"timeout", "reentry", "quiesce_server", "load_monitor"),
	lvscf.BlockServer: set("address", "active", "weight", "port"),
}

func set(keys ...string) map[string]bool {
	m := map[string]bool{}
	for _, k := range keys {
		m[k] = true
	}
	return m
}

// checkKeys reports, at its line, every key that has no keepalived
// equivalent, and values that do not carry over.
func (ex *exporter) checkKeys() {
	f, cfg := ex.f, ex.cfg
	var walk func(b *lvscf.Block)
	walk = func(b *lvscf.Block) {
		for _, it := range b.Items {
			if it.Block != nil {
				switch it.Block.Kind {
				case lvscf.BlockFailover:
					ex.warnLine(f.Lines[it.Block.Open].Num, "failover "+it.Block.Name, "%s", msgNoKeepalived)
				case lvscf.BlockVirtual, lvscf.BlockServer:
					walk(it.Block)
				}
				continue
			}
			l := &f.Lines[it.Line]
			if l.Kind != lvscf.LineKeyValue {
				continue
			}
			k := l.Key()
			switch {
			case !exportedKeys[b.Kind][k]:
				ex.warnLine(l.Num, k, "%s", msgNoKeepalived)
			case k == "service" && l.Value() == "fos":
				ex.warnLine(l.Num, k, "fos: not carried over (keepalived has no failover services)")
			case k == "deadtime" && cfg.Deadtime != 3*cfg.Keepalive:
				ex.warnLine(l.Num, k, "not carried over (VRRP declares the master dead after 3 × advert_int = %ss)", 3*cfg.Keepalive)
			case k == "load_monitor" && l.Value() != "none":
				ex.warnLine(l.Num, k, "%s", msgNoKeepalived)
			case isPlaceholder(k, l.Value()):
				ex.warnLine(l.Num, k, "%s", msgPlaceholder)
			case k == "heartbeat" && l.Value() == "0" && cfg.BackupActive:
				ex.warnLine(l.Num, k, "0: not carried over (VRRP always advertises)")
			}
		}
	}
	walk(f.Root)
	vblocks := f.Root.Blocks(lvscf.BlockVirtual)
	for i := range cfg.Virtuals {
		v := &cfg.Virtuals[i]
		if i >= len(vblocks) {
			break
		}
		if !v.Active {
			ex.warnLine(f.Lines[vblocks[i].Open].Num, "virtual "+v.Name, "inactive: not carried over (keepalived has no inactive virtual servers)")
			continue
		}
		if v.Address.IsUnspecified() && v.Fwmark == 0 {
			// reported at its address by the walk above
			continue
		}
		if ln := ex.keyLine(vblocks[i], "reentry"); ln > 0 && v.Reentry != v.Timeout {
			ex.warnLine(ln, "reentry", "not carried over (keepalived readmits a real server after one good check)")
		}
	}
}

// hasBackup: the lvs.cf names a backup director (a placeholder counts:
// it is exported as no address).
func hasBackup(cfg *lvscf.Config) bool {
	return cfg.BackupActive && cfg.Backup.IsValid()
}

// isPlaceholder reports a 0.0.0.0 (or ::) address, which cf import writes
// where keepalived.conf does not give one: it is not exported as a VIP, a
// director or a NAT router.
func isPlaceholder(key, value string) bool {
	switch key {
	case "primary", "backup", "nat_router", "address":
	default:
		return false
	}
	ip, _, _ := strings.Cut(value, " ")
	a, err := netip.ParseAddr(ip)
	return err == nil && a.IsUnspecified()
}

// keyLine is the line number of the last line setting key in b, or 0.
func (ex *exporter) keyLine(b *lvscf.Block, key string) int {
	n := 0
	for _, it := range b.Items {
		if it.Block == nil {
			if l := &ex.f.Lines[it.Line]; l.Kind == lvscf.LineKeyValue && l.Key() == key {
				n = l.Num
			}
		}
	}
	return n
}

func (ex *exporter) p(indent int, format string, args ...any) {
	ex.b.WriteString(strings.Repeat("    ", indent))
	fmt.Fprintf(&ex.b, format, args...)
	ex.b.WriteByte('\n')
}

func (ex *exporter) write() []byte {
	cfg := ex.cfg
	ex.p(0, "! Converted from %s by lvsadm cf export.", ex.f.Name)
	if cfg.SyncDaemon || cfg.TCPTimeout > 0 || cfg.TCPFinTimeout > 0 || cfg.UDPTimeout > 0 {
		ex.p(0, "global_defs {")
		if cfg.SyncDaemon {
			ex.p(1, "lvs_sync_daemon %s VI_1 id %d", cfg.SyncdIface, cfg.SyncdID&0xff)
		}
		if cfg.TCPTimeout > 0 || cfg.TCPFinTimeout > 0 || cfg.UDPTimeout > 0 {
			var parts []string
			for _, t := range []struct {
				k string
				v lvscf.Seconds
			}{{"tcp", cfg.TCPTimeout}, {"tcpfin", cfg.TCPFinTimeout}, {"udp", cfg.UDPTimeout}} {
				if t.v > 0 {
					parts = append(parts, t.k+" "+t.v.String())
				}
			}
			ex.p(1, "lvs_timeouts %s", strings.Join(parts, " "))
		}
		ex.p(0, "}")
	}
	ex.vrrp()
	vblocks := ex.f.Root.Blocks(lvscf.BlockVirtual)
	for i := range cfg.Virtuals {
		if v := &cfg.Virtuals[i]; v.Active && cfg.Service == "lvs" && (v.Fwmark != 0 || !v.Address.IsUnspecified()) {
			ex.virtualServer(v, vblocks[i])
		}
	}
	return []byte(ex.b.String())
}

// vrrp writes one vrrp_instance holding every floating address: the VIPs
// of the active virtual servers and, for NAT, nat_router.
func (ex *exporter) vrrp() {
	cfg := ex.cfg
	type addr struct {
		a    netip.Addr
		dev  string
		mask netip.Addr
	}
	var addrs []addr
	seen := map[netip.Addr]bool{}
	for i := range cfg.Virtuals {
		v := &cfg.Virtuals[i]
		if v.Address.IsUnspecified() {
			continue // a placeholder, reported by checkKeys
		}
		if v.Active && v.Address.IsValid() && !seen[v.Address] && cfg.Service == "lvs" {
			seen[v.Address] = true
			addrs = append(addrs, addr{v.Address, v.Device, v.VIPNmask})
		}
	}
	if cfg.Network == "nat" && cfg.NATRouter.IsValid() && !cfg.NATRouter.IsUnspecified() && !seen[cfg.NATRouter] {
		addrs = append(addrs, addr{cfg.NATRouter, cfg.NATRouterDev, cfg.NATNmask})
	}
	if len(addrs) == 0 && !cfg.BackupActive {
		return
	}
	iface := "eth0"
	if len(addrs) > 0 && addrs[0].dev != "" {
		iface = baseDevice(addrs[0].dev)
	}
	ex.p(0, "vrrp_instance VI_1 {")
	ex.p(1, "! Choose virtual_router_id (unique on the network) and the priorities.")
	// keepalived.conf is per director: the primary's file, or with
	// ExportOptions.Backup the backup's, each naming itself and its peer.
	state, priority, self, peer := "MASTER", 150, cfg.Primary, cfg.Backup
	note := "! This is the primary's file: on the backup, use state BACKUP and a lower"
	if ex.opts.Backup {
		state, priority, self, peer = "BACKUP", 100, cfg.Backup, cfg.Primary
		note = "! This is the backup's file: on the primary, use state MASTER and a higher"
	}
	ex.p(1, "%s", note)
	ex.p(1, "! priority, and swap unicast_src_ip and unicast_peer.")
	ex.p(1, "state %s", state)
	ex.p(1, "interface %s", iface)
	ex.p(1, "virtual_router_id 51")
	ex.p(1, "priority %d", priority)
	ex.p(1, "advert_int %s", cfg.Keepalive)
	known := func(a netip.Addr) bool { return a.IsValid() && !a.IsUnspecified() }
	if !hasBackup(cfg) {
		peer = netip.Addr{}
	}
	switch {
	case known(peer):
		if known(self) {
			ex.p(1, "unicast_src_ip %s", self)
		}
		ex.p(1, "unicast_peer {")
		ex.p(2, "%s", peer)
		ex.p(1, "}")
	case known(self):
		ex.p(1, "mcast_src_ip %s", self)
	}
	if len(addrs) > 0 {
		ex.p(1, "virtual_ipaddress {")
		for _, a := range addrs {
			s := a.a.String()
			if bits, ok := maskBits(a.mask); ok {
				s += fmt.Sprintf("/%d", bits)
			}
			if base := baseDevice(a.dev); base != "" && base != iface {
				s += " dev " + base
			}
			if strings.Contains(a.dev, ":") {
				s += " label " + a.dev
			}
			ex.p(2, "%s", s)
		}
		ex.p(1, "}")
	}
	ex.p(0, "}")
}

var lbKind = map[string]string{"nat": "NAT", "direct": "DR", "tunnel": "TUN"}

func (ex *exporter) virtualServer(v *lvscf.Virtual, b *lvscf.Block) {
	cfg := ex.cfg
	ex.p(0, "! virtual %s", v.Name)
	if v.Fwmark != 0 {
		ex.p(0, "virtual_server fwmark %d {", v.Fwmark)
	} else {
		ex.p(0, "virtual_server %s %d {", v.Address, v.Port)
	}
	ex.p(1, "delay_loop %s", v.Timeout)
	ex.p(1, "lb_algo %s", v.Scheduler)
	ex.p(1, "lb_kind %s", lbKind[cfg.Network])
	if v.Persistent > 0 {
		ex.p(1, "persistence_timeout %d", v.Persistent)
		if v.PMask.IsValid() {
			ex.p(1, "persistence_granularity %s", v.PMask)
		}
	}
	ex.p(1, "protocol %s", strings.ToUpper(v.Protocol))
	if v.SorryServer.IsValid() {
		ex.p(1, "sorry_server %s %d", v.SorryServer, v.Port)
	}
	chk := ex.exportCheck(v, b)
	for i := range v.Servers {
		s := &v.Servers[i]
		if !s.Address.IsValid() || s.Address.IsUnspecified() {
			continue
		}
		ex.p(1, "real_server %s %d {", s.Address, s.Port)
		w := s.Weight
		if !s.Active {
			// keepalived has no inactive real server; weight 0 keeps it
			// out of the traffic.
			w = 0
		}
		ex.p(2, "weight %d", w)
		if v.QuiesceServer {
			ex.p(2, "inhibit_on_failure")
		}
		if chk != nil {
			chk(s)
		}
		ex.p(1, "}")
	}
	ex.p(0, "}")
}

// exportCheck returns the writer of each real server's checker.
func (ex *exporter) exportCheck(v *lvscf.Virtual, b *lvscf.Block) func(*lvscf.Server) {
	timing := func() {
		ex.p(3, "connect_timeout %s", v.Timeout)
		ex.p(3, "retry 0")
	}
	if v.SendProgram != "" {
		if ln := ex.keyLine(b, "expect"); ln > 0 && v.Expect != "" {
			ex.warnLine(ln, "expect", "not carried over (keepalived's MISC_CHECK looks only at the exit status)")
		}
		return func(s *lvscf.Server) {
			words := strings.Split(v.SendProgram, " ")
			for i, w := range words {
				switch w {
				case "%h":
					words[i] = s.Address.String()
				case "%p":
					words[i] = fmt.Sprint(s.Port)
				}
			}
			ex.p(2, "MISC_CHECK {")
			ex.p(3, "misc_path %s", quote(strings.Join(words, " ")))
			ex.p(3, "misc_timeout %s", v.Timeout)
			ex.p(2, "}")
		}
	}
	if v.Protocol == "udp" {
		if ln := ex.keyLine(b, "send"); ln > 0 {
			ex.warnLine(ln, "send", "not carried over (keepalived has no UDP send/expect check); no health check is written")
		}
		return nil
	}
	if path, vhost, ok := parseHTTPSend(v.Send); ok {
		var status *statusSet
		if v.UseRegex {
			status, ok = statusFromRegex(v.Expect)
		} else if strings.HasPrefix("HTTP/1.", v.Expect) || v.Expect == "*" {
			// a prefix of the status line: any status is good
			s, err := parseStatusCodes([]string{"100-599"})
			status, ok = s, err == nil
		} else {
			ok = false
		}
		if ok {
			return func(*lvscf.Server) {
				ex.p(2, "HTTP_GET {")
				ex.p(3, "url {")
				ex.p(4, "path %s", path)
				ex.p(4, "status_code %s", strings.Join(status.ranges(), " "))
				ex.p(3, "}")
				if vhost != "" {
					ex.p(3, "virtualhost %s", vhost)
				}
				timing()
				ex.p(2, "}")
			}
		}
	}
	if v.Send != "" || v.Expect != "" {
		for _, k := range []string{"send", "expect"} {
			if ln := ex.keyLine(b, k); ln > 0 {
				ex.warnLine(ln, k, "not carried over (keepalived has no send/expect check); TCP_CHECK is used")
			}
		}
	}
	return func(*lvscf.Server) {
		ex.p(2, "TCP_CHECK {")
		timing()
		ex.p(2, "}")
	}
}

// parseHTTPSend recognises "GET PATH HTTP/1.x\r\n[Host: H\r\n]\r\n" as
// written in lvs.cf (escapes not translated).
func parseHTTPSend(s string) (path, vhost string, ok bool) {
	rest, ok := strings.CutPrefix(s, "GET ")
	if !ok {
		return "", "", false
	}
	path, rest, ok = strings.Cut(rest, " ")
	if !ok || !safeHTTPWord(path) {
		return "", "", false
	}
	if !strings.HasPrefix(rest, "HTTP/1.0") && !strings.HasPrefix(rest, "HTTP/1.1") {
		return "", "", false
	}
	rest = rest[len("HTTP/1.0"):]
	if h, ok := strings.CutPrefix(rest, `\r\nHost: `); ok {
		vhost, rest, ok = strings.Cut(h, `\r\n`)
		if !ok || !safeHTTPWord(vhost) {
			return "", "", false
		}
		rest = `\r\n` + rest
	}
	return path, vhost, rest == `\r\n\r\n`
}

// quote writes a keepalived quoted string: a backslash escapes the next
// character inside quotes.
func quote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}
