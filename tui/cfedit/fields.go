package cfedit

// field is one input of a panel: an lvs.cf key, the label piranha's GUI
// gave it, and a line of help.
type field struct {
	key, label, help string
}

// The panels' fields, in the order piranha's GUI showed them. They are
// functions, not package-level tables, so that nothing is built unless the
// view is used (this package is linked into every lvsadm invocation).

func globalFields() []field {
	return []field{
		{"primary", "Primary server public IP", "the primary director's public real IP (required)"},
		{"primary_private", "Primary server private IP", "a second heartbeat channel; defaults to the public IP"},
		{"service", "Service", "lvs: virtual servers; fos: failover services"},
		{"network", "Use network type", "nat, direct or tunnel: the forwarding method of every real server"},
		{"nat_router", "NAT router IP and device", `"IP DEVICE": the real servers' floating gateway (NAT)`},
		{"nat_nmask", "NAT router netmask", "netmask of the NAT router address"},
		{"debug_level", "Debug level", "NONE, or a level for pulse/lvs/nanny logging"},
		{"tcp_timeout", "TCP timeout", "seconds (ipvsadm --set); unset keeps the kernel's value"},
		{"tcpfin_timeout", "TCP FIN timeout", "seconds (ipvsadm --set); unset keeps the kernel's value"},
		{"udp_timeout", "UDP timeout", "seconds (ipvsadm --set); unset keeps the kernel's value"},
		{"hard_shutdown", "Hard shutdown", "1: a dying health checker stops the LVS services"},
		{"active_cmd", "Command when active", "run when this director becomes active"},
		{"inactive_cmd", "Command when inactive", "run when this director stops being active"},
	}
}

func redundancyFields() []field {
	return []field{
		{"backup_active", "Redundant server active", "1: a backup director exists"},
		{"backup", "Redundant server public IP", "the backup director's public IP"},
		{"backup_private", "Redundant server private IP", "the backup director's private heartbeat IP"},
		{"heartbeat", "Heartbeat", "1: exchange heartbeats with the other director"},
		{"heartbeat_port", "Heartbeat runs on port", "UDP port of the heartbeat"},
		{"keepalive", "Heartbeat interval", "seconds between heartbeats"},
		{"deadtime", "Assume dead after", "seconds of silence before the backup takes over"},
		{"monitor_links", "Monitor NIC links", "1: fail over when a VIP interface loses its link"},
		{"syncdaemon", "Sync daemon", "1: run the kernel's connection sync daemon"},
		{"syncd_iface", "Sync daemon interface", "interface the sync daemon uses"},
		{"syncd_id", "Sync daemon id", "sync id, the same on both directors"},
		{"failback", "Fail back after", "seconds a returning primary waits at most for the connection table before taking back; 0: never (lvsadm)"},
		{"director_mode", "Director mode", "pair: primary and backup (piranha); ecmp: every director active, announced with BGP (lvsadm)"},
		{"sloppy_tcp", "Sloppy TCP", "1: take up TCP connections in mid-flow (net.ipv4.vs.sloppy_tcp), for ECMP (lvsadm)"},
	}
}

func virtualFields() []field {
	return []field{
		{"active", "Active", "1: the service is created; 0 or unset: it is not"},
		{"address", "Virtual IP and device", `"IP DEVICE": the VIP and the interface alias it lives on`},
		{"vip_nmask", "Virtual IP network mask", "netmask of the VIP"},
		{"port", "Application port", "port of the service (0: all ports, with persistence)"},
		{"protocol", "Protocol", "tcp or udp"},
		{"fwmark", "Firewall mark", "a firewall-mark service instead of address and port"},
		{"scheduler", "Scheduling", "rr wrr lc wlc lblc lblcr dh sh (sed nq and newer: lvsadm only)"},
		{"sched_flags", "Scheduler flags", "ipvsadm -b flags, e.g. mh-port (lvsadm)"},
		{"announce", "Announce over BGP", "1: announce the VIP to the bgp neighbors while a real server is up (lvsadm)"},
		{"persistent", "Persistence", "seconds; 0 or unset: not persistent"},
		{"pmask", "Persistence network mask", "granularity of persistence"},
		{"timeout", "Service timeout", "seconds without a good answer before a server is taken out"},
		{"reentry", "Re-entry time", "seconds a failed server must stay good before it returns"},
		{"load_monitor", "Load monitoring tool", "none, rup or ruptime: weights from remote load"},
		{"quiesce_server", "Quiesce server", "1: reset the connection counts when a server comes back"},
		{"sorry_server", "Sorry server", "used when every real server is down"},
	}
}

func monitorFields() []field {
	return []field{
		{"send_program", "Sending program", "external checker; %h is the real server's IP; replaces send"},
		{"send", "Send", "sent to each real server; \\r \\n \\t escapes"},
		{"expect", "Expect", "expected answer (substring, or a regex with use_regex)"},
		{"use_regex", "Expect is a regex", "1: expect is a regular expression"},
	}
}

func serverFields() []field {
	return []field{
		{"address", "Address", "the real server's IP (required)"},
		{"active", "Active", "1: the server is in the table; 0 or unset: it is not"},
		{"weight", "Weight", "its share of the connections; 0 quiesces it"},
		{"port", "Port", "the real server's port (NAT port mapping); defaults to the virtual's"},
	}
}
