package ipvsadm

import (
	"os"
	"strings"
)

// Version is lvsadm's version, shown by -v and -h; the build sets it.
var Version = "0.1.0"

// BannerEnv names the environment variable that, set to 1, makes -v and -h
// print ipvsadm's own first line (CompatBanner), for conformance tests that
// compare output byte for byte with ipvsadm 1.31.
const BannerEnv = "LVSADM_IPVSADM_BANNER"

// CompatBanner is ipvsadm 1.31's version line.
const CompatBanner = "ipvsadm v1.31 2019/12/24 (compiled with popt and IPVS v1.2.1)"

// versionLine is the first line of -h and all of -v.
func versionLine(getenv func(string) string) string {
	if getenv(BannerEnv) == "1" {
		return CompatBanner
	}
	return "lvsadm v" + Version + " (compiled with popt and IPVS v1.2.1)"
}

func osGetenv(k string) string { return os.Getenv(k) }

const usageCommands = `Commands:
Either long or short options are allowed.
  --add-service     -A        add virtual service with options
  --edit-service    -E        edit virtual service with options
  --delete-service  -D        delete virtual service
  --clear           -C        clear the whole table
  --restore         -R        restore rules from stdin
  --save            -S        save rules to stdout
  --add-server      -a        add real server with options
  --edit-server     -e        edit real server with options
  --delete-server   -d        delete real server
  --list            -L|-l     list the table
  --zero            -Z        zero counters in a service or all services
  --set tcp tcpfin udp        set connection timeout values
  --start-daemon              start connection sync daemon
  --stop-daemon               stop connection sync daemon
  --help            -h        display this help message

virtual-service:
  --tcp-service|-t  service-address   service-address is host[:port]
  --udp-service|-u  service-address   service-address is host[:port]
  --sctp-service    service-address   service-address is host[:port]
  --fwmark-service|-f fwmark          fwmark is an integer greater than zero

Options:
  --ipv6         -6                   fwmark entry uses IPv6
  --scheduler    -s scheduler         one of rr|wrr|lc|wlc|lblc|lblcr|dh|sh|sed|nq|fo|ovf|mh,
                                      the default scheduler is ` + defaultScheduler + `.
  --pe            engine              alternate persistence engine may be sip,
                                      not set by default.
  --persistent   -p [timeout]         persistent service
  --netmask      -M netmask           persistent granularity mask
  --real-server  -r server-address    server-address is host (and port)
  --gatewaying   -g                   gatewaying (direct routing) (default)
  --ipip         -i                   ipip encapsulation (tunneling)
  --masquerading -m                   masquerading (NAT)
  --tun-type      type                one of ipip|gue|gre,
                                      the default tunnel type is ` + defaultTunnelType + `.
  --tun-port      port                tunnel destination port
  --tun-nocsum                        tunnel encapsulation without checksum
  --tun-csum                          tunnel encapsulation with checksum
  --tun-remcsum                       tunnel encapsulation with remote checksum
  --weight       -w weight            capacity of real server
  --u-threshold  -x uthreshold        upper threshold of connections
  --l-threshold  -y lthreshold        lower threshold of connections
  --connection   -c                   output of current IPVS connections
  --timeout                           output of timeout (tcp tcpfin udp)
  --daemon                            output of daemon information
  --stats                             output of statistics information
  --rate                              output of rate information
  --exact                             expand numbers (display exact values)
  --thresholds                        output of thresholds information
  --persistent-conn                   output of persistent connection info
  --tun-info                          output of tunnel information
  --nosort                            disable sorting output of service/server entries
  --sort                              does nothing, for backwards compatibility
  --ops          -o                   one-packet scheduling
  --numeric      -n                   numeric output of addresses and ports
  --sched-flags  -b flags             scheduler flags (comma-separated)
Daemon Options:
  --syncid sid                        syncid for connection sync (default=255)
  --sync-maxlen length                Max sync message length (default=1472)
  --mcast-interface interface         multicast interface for connection sync
  --mcast-group address               IPv4/IPv6 group (default=224.0.0.81)
  --mcast-port port                   UDP port (default=8848)
  --mcast-ttl ttl                     Multicast TTL (default=1)
`

// usageText is ipvsadm's usage_exit text for program name prog.
func usageText(prog string, getenv func(string) string) string {
	var b strings.Builder
	b.WriteString(versionLine(getenv))
	b.WriteString("\nUsage:\n")
	for _, l := range []string{
		" -A|E virtual-service [-s scheduler] [-p [timeout]] [-M netmask] [--pe persistence_engine] [-b sched-flags]",
		" -D virtual-service",
		" -C",
		" -R",
		" -S [-n]",
		" -a|e virtual-service -r server-address [options]",
		" -d virtual-service -r server-address",
		" -L|l [virtual-service] [options]",
		" -Z [virtual-service]",
		" --set tcp tcpfin udp",
		" --start-daemon {master|backup} [daemon-options]",
		" --stop-daemon {master|backup}",
		" -h",
	} {
		b.WriteString("  ")
		b.WriteString(prog)
		b.WriteString(l)
		b.WriteByte('\n')
	}
	b.WriteByte('\n')
	b.WriteString(usageCommands)
	return b.String()
}

// Usage is the text "-h" prints for the program named prog, for lvsadm's
// own documentation (the man page quotes it).
func Usage(prog string) string {
	return usageText(prog, func(string) string { return "" })
}
