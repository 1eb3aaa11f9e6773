package lvscf

// RuleInfo describes one diagnostic code, for "lvsadm cf lint --list" and
// for documentation. Severity is the default one.
type RuleInfo struct {
	Code     string
	Severity Severity
	// Piranha marks codes that only appear with LintOptions.Piranha, or that
	// LintOptions.Piranha turns from warnings into errors.
	Piranha bool
	Summary string
}

// Catalog lists every code Lint can report.
var Catalog = []RuleInfo{
	// syntax (Parse)
	{"unclosed-block", SevError, false, "a block is never closed with '}'"},
	{"stray-brace", SevError, false, "'}' closes no block"},
	{"block-syntax", SevError, false, "a block line is not `kind NAME {`"},
	{"nested-block", SevError, false, "a block is in the wrong place, or of an unknown kind"},
	{"missing-equals", SevError, false, "no '=' (or '=' not separated by blanks)"},
	{"bad-quoting", SevError, false, "a quoted string is not closed on its line"},
	{"extra-args", SevError, false, "words after a value, including end-of-line comments"},
	{"wrapped-comment", SevError, false, "the rest of a comment wrapped onto a line without '#' (read as prose, not structure)"},
	{"line-too-long", SevError, false, "a line over MaxLineLen"},
	{"file-too-large", SevError, false, "a file over MaxFileSize"},
	{"too-many-diagnostics", SevError, false, "lint stopped after MaxDiagnostics findings"},
	{"keepalived-syntax", SevError, false, "the file is a keepalived.conf (convert it with lvsadm cf import); the only diagnostic"},
	// keys and values
	{"unknown-key", SevError, false, "a key piranha does not know in this block (with a did-you-mean hint)"},
	{"rejected-key", SevError, false, "a key some piranha GUIs write but lvsconfig.c rejects"},
	{"lvsadm-key", SevError, true, "an lvsadm-only key"},
	{"duplicate-key", SevWarning, false, "a key set twice in a block; the last wins"},
	{"missing-value", SevError, false, "a key without a value"},
	{"address-format", SevError, false, "address is not `IP DEVICE` (virtual, failover, nat_router) or a bare IP (server)"},
	{"bad-int", SevError, false, "not an integer"},
	{"bad-bool", SevError, false, "not 0 or 1"},
	{"bad-ip", SevError, false, "not an IP address"},
	{"bad-netmask", SevError, false, "not a contiguous IPv4 netmask"},
	{"bad-port", SevError, false, "not a port (or TCP service name where piranha allows one)"},
	{"bad-seconds", SevError, false, "not a non-negative number of seconds"},
	{"bad-enum", SevError, false, "not one of the allowed words"},
	{"bad-list", SevError, false, "not a `[ ... ]` list"},
	{"bad-range", SevError, false, "a number out of range (persistent, fwmark, syncd_id; bfd_interval, bfd_multiplier and keepalive in bgp)"},
	{"bad-device", SevError, false, "not a valid interface name"},
	{"hostname", SevWarning, false, "a host name where lvsadm needs an IP address"},
	{"octal-number", SevWarning, false, "a leading zero: piranha reads the number as octal"},
	{"fraction", SevError, true, "fractional seconds, which piranha cannot read"},
	{"ipv6", SevError, true, "an IPv6 address, which piranha cannot read"},
	{"quote-trailing-blank", SevWarning, true, "blanks after a quoted word without blanks: piranha's \"quotation mismatch\""},
	{"crlf", SevWarning, true, "CRLF line ends, which piranha's parser mishandles"},
	{"bare-cr", SevWarning, true, "a carriage return inside a line"},
	// structure and required keys
	{"missing-key", SevError, false, "a required key is missing (primary, address, start_cmd, stop_cmd)"},
	{"implicit-inactive", SevWarning, false, "no `active` key: piranha treats the block as inactive"},
	{"duplicate-name", SevError, false, "two blocks of the same kind and name"},
	// directors
	{"backup-missing", SevError, false, "backup_active = 1 without backup"},
	{"same-director", SevError, false, "backup equals primary"},
	{"private-mismatch", SevWarning, false, "primary_private without backup_private"},
	{"network-default", SevWarning, false, "network not set (piranha defaults to nat)"},
	{"nat-router-missing", SevError, false, "network = nat without nat_router"},
	{"nat-router-unused", SevWarning, false, "nat_router without network = nat"},
	{"deadtime", SevError, false, "deadtime not above keepalive (error) or under twice keepalive (warning)"},
	{"no-services", SevWarning, false, "the service type has no blocks, or the file has no virtual server"},
	{"placeholder", SevError, false, "0.0.0.0 (as cf import writes it) where a director, VIP, NAT router or real server address is needed"},
	// virtual servers
	{"unknown-scheduler", SevError, false, "not a kernel IPVS scheduler"},
	{"piranha-scheduler", SevError, true, "a scheduler piranha does not accept"},
	{"pmask-unused", SevWarning, false, "pmask without persistent"},
	{"zero-port", SevError, false, "port 0 on a non-persistent service"},
	{"fwmark-persistence", SevWarning, false, "fwmark without persistent"},
	{"bad-fwmark-match", SevError, false, "fwmark_match is not `\"PROTO PORT[,PORT|FIRST:LAST]...\"` (tcp or udp, at most 15 ports)"},
	{"fwmark-match-range", SevError, false, "a fwmark_match port range whose first port is above its last"},
	{"fwmark-match-without-fwmark", SevError, false, "fwmark_match on a virtual server without fwmark"},
	{"fwmark-mismatch", SevWarning, false, "virtual servers sharing a fwmark differ in persistence, scheduler or protocol"},
	{"duplicate-service", SevError, false, "two active virtual servers are the same IPVS service"},
	{"vip-device-conflict", SevError, false, "one VIP on two devices"},
	{"vip-on-base-device", SevWarning, true, "a floating address on a device without an alias label (ifconfig DEV ADDR replaces its address)"},
	{"device-conflict", SevWarning, true, "two floating addresses on one interface alias"},
	{"vip-is-director", SevError, false, "a VIP equal to a director's own address"},
	{"port-after-servers", SevWarning, false, "port set after server blocks"},
	{"load-monitor", SevWarning, false, "an unknown load_monitor"},
	{"zero-timeout", SevError, false, "timeout 0"},
	{"reentry-short", SevWarning, false, "reentry shorter than timeout"},
	{"no-active-servers", SevWarning, false, "an active virtual server without active real servers"},
	// real servers
	{"bad-weight", SevError, false, "weight out of 0..2147483647 (the kernel's and ipvsadm's range)"},
	{"zero-weight", SevWarning, false, "weight 0 on an active server (nanny uses 1)"},
	{"port-ignored", SevWarning, false, "a server port that direct routing or tunnelling cannot use"},
	{"duplicate-real-server", SevError, false, "the same address:port twice in a virtual server"},
	{"server-is-vip", SevError, false, "a real server at the VIP"},
	{"server-in-failover", SevWarning, false, "server blocks in a failover block"},
	// health checks
	{"bad-escape", SevWarning, false, "an escape nanny does not translate"},
	{"string-too-long", SevError, false, "send/expect over 255 bytes or send_program over 254"},
	{"send-program-host", SevWarning, false, "send_program without a `%h` word"},
	{"send-program-shell", SevWarning, false, "shell syntax in send_program, which is not run by a shell"},
	{"send-ignored", SevWarning, false, "send together with send_program"},
	{"send-program-expect", SevError, false, "send_program without expect"},
	{"regex-ignored", SevWarning, false, "use_regex with send_program"},
	{"regex-without-expect", SevWarning, false, "use_regex without expect"},
	{"bad-regex", SevError, false, "expect is not a POSIX extended regular expression"},
	{"udp-no-send", SevWarning, false, "a UDP check that sends nothing"},
	// multi-director extensions (bgp block, announce, sloppy_tcp, director_mode, sched_flags)
	{"lvsadm-block", SevError, true, "the bgp block, an lvsadm extension"},
	{"bad-as", SevError, false, "local_as or remote_as is not an AS number 1..4294967295"},
	{"bad-hold-time", SevError, false, "hold_time not 0 or 3..65535, or keepalive not below it"},
	{"duplicate-neighbor", SevError, false, "two neighbor blocks for one address"},
	{"slow-failover", SevWarning, false, "VIPs are announced to a neighbor without BFD and with a hold time over 9 s"},
	{"ecmp-without-bgp", SevError, false, "director_mode = ecmp without a bgp block with a neighbor"},
	{"ecmp-without-announce", SevWarning, false, "director_mode = ecmp but no active virtual server has announce = 1"},
	{"announce-without-bgp", SevError, false, "announce = 1 without a bgp block with a neighbor"},
	{"announce-scheduler", SevWarning, false, "an announced virtual server in ecmp mode without a consistent hash (mh with mh-port, or sh)"},
	{"announce-sloppy-tcp", SevWarning, false, "VIPs are announced but sloppy_tcp is not 1 (in pair mode: nor syncdaemon)"},
	{"bad-sched-flags", SevError, false, "sched_flags has an unknown flag, or one of another scheduler"},
	// fail-back (lvsadm's failback)
	{"failback-unused", SevWarning, false, "failback without a backup (backup_active = 0) or with director_mode = ecmp: nothing to take back"},
	{"failback-without-sync", SevWarning, false, "failback without syncdaemon = 1: no connection table to wait for, the take-back waits the whole hold time"},
	// this host (lvsadm cf lint --host, not Lint)
	{"fwmark-no-iptables-rule", SevWarning, false, "--host: no iptables mangle PREROUTING rule sets an active virtual server's fwmark"},
	{"iptables-unavailable", SevWarning, false, "--host: iptables cannot be run, so the fwmark rules are not checked"},
}
