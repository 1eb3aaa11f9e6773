package ipvsadm

import (
	"context"
	"net"
	"testing"

	"github.com/lvsadm/lvsadm/ops"
)

const tryHelp = "Try `ipvsadm -h' or 'ipvsadm --help' for more information.\n"

func TestParseErrors(t *testing.T) {
	tests := []struct {
		line   string
		code   int
		stderr string
	}{
		{"-q", 255, tryHelp},
		{"foo", 255, tryHelp},
		{"-n -L", 255, tryHelp},
		{"--list=x -q", 255, tryHelp},
		{"-L --list=x", 255, "--list=x: option does not take an argument\n"},
		{"-L -A", 2, "invalid option `-A'\n"},
		{"-L -h", 2, "invalid option `-h'\n"},
		{"-Lh", 2, "invalid option `-Lh'\n"},
		{"-L --start-daemon master", 2, "invalid option `master'\n"},
		{"-Lq", 255, "-Lq: unknown option\n"},
		{"-L=", 255, tryHelp},
		{"-Ln=", 255, "-Ln=: option does not take an argument\n"},
		{"-L --numeric=1", 255, "--numeric=1: option does not take an argument\n"},
		{"-A --tcp-serv 1.2.3.4:80", 255, "--tcp-serv: unknown option\n"},
		{"-A --ipv 1.2.3.4:80", 255, "--ipv: unknown option\n"},
		{"-A -t", 255, "-t: missing argument\n"},
		{"-A -t 10.0.0.1:80 -s", 255, "-s: missing argument\n"},
		{"-A -f 0", 2, "invalid fwmark value `0' specified\n"},
		{"-A -f -1", 2, "invalid fwmark value `-1' specified\n"},
		{"-A -f 4294967296", 2, "invalid fwmark value `4294967296' specified\n"},
		{"-A -f 1x", 2, "invalid fwmark value `1x' specified\n"},
		{"-A -t 10.0.0.1", 2, "Zero port specified for non-persistent service\n"},
		{"-A -t [1.2.3.4]:80", 2, "Zero port specified for non-persistent service\n"},
		{"-A -t 2001:db8::1", 2, "Zero port specified for non-persistent service\n"},
		{"-A -t 10.0.0.1:", 2, "illegal virtual server address[:port] specified\n"},
		{"-A -t 80", 2, "illegal virtual server address[:port] specified\n"},
		{"-A -t 10.0.0.1:nosuch", 2, "illegal virtual server address[:port] specified\n"},
		{"-A -t 10.0.0.1:65536", 2, "illegal virtual server address[:port] specified\n"},
		{"-A -t [2001:db8::1]", 2, "illegal virtual server address[:port] specified\n"},
		{"-A -t nosuch.example:80", 2, "illegal virtual server address[:port] specified\n"},
		{"-A -s rr", 2, "You need to supply the 'service-address' option for the 'add-service' command\n"},
		{"-A -t 10.0.0.1:80 -r 10.0.0.2", 2, "Illegal 'real-server' option with the 'add-service' command\n"},
		{"-A -t 10.0.0.1:80 -n", 2, "Illegal 'numeric' option with the 'add-service' command\n"},
		{"-a -t 10.0.0.1:80", 2, "You need to supply the 'real-server' option for the 'add-server' command\n"},
		{"-D -t 10.0.0.1:80 -s rr", 2, "Illegal 'scheduler' option with the 'delete-service' command\n"},
		{"-C -n", 2, "Illegal 'numeric' option with the 'flush' command\n"},
		{"-S -c", 2, "Illegal 'connection' option with the 'save' command\n"},
		{"-L -c --timeout", 2, "The option 'timeout' conflicts with the 'connection' option in the 'list' command\n"},
		{"-L --daemon -t 1.2.3.4:80", 2, "The option 'daemon' conflicts with the 'service-address' option in the 'list' command\n"},
		{"-L -c --stats", 2, "options conflicts in the list command\n"},
		{"-L --timeout --persistent-conn", 2, "options conflicts in the list command\n"},
		{"-L -s rr", 2, "Illegal 'scheduler' option with the 'list' command\n"},
		{"-L -n -n", 2, "multiple 'numeric' options specified\n"},
		{"-A -t 10.0.0.1:80 -t 10.0.0.2:80", 2, "multiple 'service-address' options specified\n"},
		{"-A -t 10.0.0.1:80 -f 1", 2, "multiple 'service-address' options specified\n"},
		{"-a -t 10.0.0.1:80 -r 10.0.0.2 -m -g", 2, "multiple 'forwarding-method' options specified\n"},
		{"-a -t 10.0.0.1:80 -r 10.0.0.2 -w 2147483648", 2, "illegal weight specified\n"},
		{"-a -t 10.0.0.1:80 -r 10.0.0.2 -w -1", 2, "illegal weight specified\n"},
		{"-a -t 10.0.0.1:80 -r 10.0.0.2 -x 2147483648", 2, "illegal u_threshold specified\n"},
		{"-a -t 10.0.0.1:80 -r 10.0.0.2 -y z", 2, "illegal l_threshold specified\n"},
		{"-a -t 10.0.0.1:80 -r :80", 2, "illegal real server address[:port] specified\n"},
		{"-A -t 10.0.0.1:80 -p 0", 2, "invalid timeout value `0' specified\n"},
		{"-A -t 10.0.0.1:80 -p 2678401", 2, "invalid timeout value `2678401' specified\n"},
		{"-A -t 10.0.0.1:80 -p300x", 2, "invalid timeout value `300x' specified\n"},
		{"-A -t 10.0.0.1:80 --persistent=", 2, "invalid timeout value `' specified\n"},
		{"-A -t 10.0.0.1:80 -p rr", 2, "invalid timeout value `rr' specified\n"},
		{"-A -t 10.0.0.1:80 -M bogus", 2, "illegal virtual server persistent mask specified\n"},
		{"-A -t [2001:db8::1]:80 -M 129", 2, "illegal ipv6 netmask specified\n"},
		{"-A -t [2001:db8::1]:80 -M x", 2, "illegal ipv6 netmask specified\n"},
		{"-A -t 10.0.0.1:80 -o", 2, "One-Packet Scheduling is only for UDP virtual services\n"},
		{"--set 1 2", 2, "--set option requires 3 timeout values\n"},
		{"--set 1 2 3 4", 2, "unexpected argument 4\n"},
		{"--set 1 2 x", 2, "invalid timeout value `x' specified\n"},
		{"--set 1 2 2678401", 2, "invalid timeout value `2678401' specified\n"},
		{"-L extra", 2, "unexpected argument extra\n"},
		{"-L -- -n", 2, "unexpected argument -n\n"},
		{"-A -t 10.0.0.1:80 -b sh-port", 2, "incompatible scheduler flag `sh-port'\n"},
		{"-A -t 10.0.0.1:80 -s mh -b mh-port,sh-port", 2, "incompatible scheduler flag `sh-port'\n"},
		{"-A -t 10.0.0.1:80 -b foo", 2, "invalid scheduler flag `foo'\n"},
		{"-A -6 -f 1", 2, "-6 used before -f\n\n"},
		{"--start-daemon foo", 2, "illegal start-daemon parameter specified\n"},
		{"--stop-daemon foo", 2, "illegal start_daemon specified\n"},
		{"--start-daemon master --syncid 256", 2, "illegal syncid specified\n"},
		{"--start-daemon master --mcast-group 10.0.0.1", 2, "invalid IPv4 mcast-group `10.0.0.1'\n"},
		{"--start-daemon master --mcast-group 2001:db8::1", 2, "invalid IPv6 mcast-group `2001:db8::1'\n"},
		{"--start-daemon master --mcast-port 0", 2, "illegal mcast-port specified\n"},
		{"--start-daemon master --mcast-ttl 256", 2, "illegal mcast-ttl specified\n"},
		{"--start-daemon master --sync-maxlen 65508", 2, "illegal sync-maxlen specified\n"},
		{"--stop-daemon master --mcast-interface eth0", 2, "Illegal 'mcast-interface' option with the 'stop-daemon' command\n"},
		{"-a -t 10.0.0.1:80 -r [2001:db8::1]:80 -m", 2, "Different address family is allowed only for tunneling servers\n"},
		{"-a -t 10.0.0.1:80 -r 10.0.0.2 --tun-type gue -m", 2, "Tunnel options conflict with forward method\n"},
		{"-a -t 10.0.0.1:80 -r 10.0.0.2 -i --tun-type gue", 2, "You need to supply the 'tun-port' option for the 'gue' tunnel type\n"},
		{"-a -t 10.0.0.1:80 -r 10.0.0.2 -i --tun-port 5555", 2, "Illegal 'tun-port' option with the 'ipip' tunnel type\n"},
		{"-a -t 10.0.0.1:80 -r 10.0.0.2 -i --tun-type gre --tun-remcsum", 2, "Illegal 'tun-remcsum' option with the 'gre' tunnel type\n"},
		{"-a -t 10.0.0.1:80 -r 10.0.0.2 -i --tun-type gre --tun-nocsum --tun-csum", 2, "The option 'tun-csum' conflicts with the 'tun-nocsum' option in the 'gre' tunnel type\n"},
		{"-a -t 10.0.0.1:80 -r 10.0.0.2 -i --tun-type vxlan", 2, "illegal tunnel type specified\n"},
		{"-a -t 10.0.0.1:80 -r 10.0.0.2 -i --tun-type gue --tun-port 0", 2, "illegal tunnel port specified\n"},
		{"-R -n", 2, "Illegal 'numeric' option with the 'restore' command\n"},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			r := runLine(t, nil, tt.line, "")
			if r.code != tt.code || r.stderr != tt.stderr || r.stdout != "" {
				t.Errorf("got code %d stderr %q stdout %q; want %d %q", r.code, r.stderr, r.stdout, tt.code, tt.stderr)
			}
			if r.opened {
				t.Errorf("opened the kernel for a line that does not parse")
			}
		})
	}
}

// parseLine parses a command line for tests.
func parseLine(t *testing.T, args ...string) *command {
	t.Helper()
	ps := &parser{prog: "ipvsadm", names: newResolver(context.Background())}
	c, err := ps.parse(append([]string{"ipvsadm"}, args...))
	if err != nil {
		t.Fatalf("parse %q: %v", args, err.msg)
	}
	return c
}

func v4(a, b, c, d byte) inetAddr { return inetAddr{a, b, c, d} }

func TestParseCommands(t *testing.T) {
	tests := []struct {
		name string
		args []string
		cmd  int
		svc  svcSpec
		dest *destSpec
	}{
		{"attached", []string{"-A", "-t10.0.0.1:80", "-srr"}, cmdAdd,
			svcSpec{af: 2, protocol: 6, addr: v4(10, 0, 0, 1), port: 80, sched: "rr", netmask: 0xffffffff}, nil},
		{"equals after short", []string{"-A", "-t", "10.0.0.1:80", "-s=rr"}, cmdAdd,
			svcSpec{af: 2, protocol: 6, addr: v4(10, 0, 0, 1), port: 80, sched: "rr", netmask: 0xffffffff}, nil},
		{"long with equals", []string{"--add-service", "--tcp-service=10.0.0.1:80", "--scheduler=rr"}, cmdAdd,
			svcSpec{af: 2, protocol: 6, addr: v4(10, 0, 0, 1), port: 80, sched: "rr", netmask: 0xffffffff}, nil},
		{"long separate", []string{"--add-service", "--udp-service", "10.0.0.1:53", "--scheduler", "sh", "--sched-flags", "sh-port,sh-fallback"}, cmdAdd,
			svcSpec{af: 2, protocol: 17, addr: v4(10, 0, 0, 1), port: 53, sched: "sh", netmask: 0xffffffff, flags: ops.SvcSchedShPort | ops.SvcSchedShFallback}, nil},
		{"default scheduler", []string{"-A", "-t", "10.0.0.1:80"}, cmdAdd,
			svcSpec{af: 2, protocol: 6, addr: v4(10, 0, 0, 1), port: 80, sched: "wlc", netmask: 0xffffffff}, nil},
		{"-p without timeout before option", []string{"-A", "-t", "10.0.0.1:0", "-p", "-s", "rr"}, cmdAdd,
			svcSpec{af: 2, protocol: 6, addr: v4(10, 0, 0, 1), sched: "rr", netmask: 0xffffffff, flags: ops.SvcPersistent, timeout: 360}, nil},
		{"-p at end", []string{"-A", "-t", "10.0.0.1:80", "-p"}, cmdAdd,
			svcSpec{af: 2, protocol: 6, addr: v4(10, 0, 0, 1), port: 80, sched: "wlc", netmask: 0xffffffff, flags: ops.SvcPersistent, timeout: 360}, nil},
		{"-p with timeout", []string{"-A", "-t", "10.0.0.1:80", "-p", "300", "-M", "255.255.255.0"}, cmdAdd,
			svcSpec{af: 2, protocol: 6, addr: v4(10, 0, 0, 1), port: 80, sched: "wlc", netmask: 0xffffff00, flags: ops.SvcPersistent, timeout: 300}, nil},
		{"--persistent=", []string{"-A", "-t", "10.0.0.1:80", "--persistent=90"}, cmdAdd,
			svcSpec{af: 2, protocol: 6, addr: v4(10, 0, 0, 1), port: 80, sched: "wlc", netmask: 0xffffffff, flags: ops.SvcPersistent, timeout: 90}, nil},
		{"-M by name", []string{"-A", "-t", "10.0.0.1:80", "-M", "mask.example"}, cmdAdd,
			svcSpec{af: 2, protocol: 6, addr: v4(10, 0, 0, 1), port: 80, sched: "wlc", netmask: 0xffff0000}, nil},
		{"service name port", []string{"-E", "-t", "10.0.0.1:www"}, cmdEdit,
			svcSpec{af: 2, protocol: 6, addr: v4(10, 0, 0, 1), port: 80, sched: "wlc", netmask: 0xffffffff}, nil},
		{"host name", []string{"-D", "-t", "web.example:http"}, cmdDel,
			svcSpec{af: 2, protocol: 6, addr: v4(10, 9, 9, 9), port: 80, netmask: 0xffffffff}, nil},
		{"inet_aton short forms", []string{"-D", "-t", "10.1:+80"}, cmdDel,
			svcSpec{af: 2, protocol: 6, addr: v4(10, 0, 0, 1), port: 80, netmask: 0xffffffff}, nil},
		{"inet_aton hex and octal", []string{"-D", "-t", "0x0a.010.0.1:80"}, cmdDel,
			svcSpec{af: 2, protocol: 6, addr: v4(10, 8, 0, 1), port: 80, netmask: 0xffffffff}, nil},
		{"bracketed ipv4 has no port", []string{"-D", "-t", "[1.2.3.4]:80"}, cmdDel,
			svcSpec{af: 2, protocol: 6, addr: v4(1, 2, 3, 4), netmask: 0xffffffff}, nil},
		{"fwmark ipv6", []string{"-A", "-f", "7", "-6", "-p", "60"}, cmdAdd,
			svcSpec{af: 10, protocol: 6, fwmark: 7, sched: "wlc", netmask: 128, flags: ops.SvcPersistent, timeout: 60}, nil},
		{"udp ops pe", []string{"-A", "-u", "[2001:db8::1]:5060", "-o", "--pe", "sip", "-p"}, cmdAdd,
			svcSpec{af: 10, protocol: 17, addr: inetAddr{0x20, 0x01, 0x0d, 0xb8, 15: 1}, port: 5060, sched: "wlc", pe: "sip", netmask: 128, flags: ops.SvcPersistent | ops.SvcOnePacket, timeout: 360}, nil},
		{"dest defaults", []string{"-a", "-t", "10.0.0.1:80", "-r", "10.0.1.1"}, cmdAddDest,
			svcSpec{af: 2, protocol: 6, addr: v4(10, 0, 0, 1), port: 80, netmask: 0xffffffff},
			&destSpec{af: 2, addr: v4(10, 0, 1, 1), port: 80, connFlags: ops.FwdRoute, weight: 1}},
		{"dest route port forced", []string{"-a", "-t", "10.0.0.1:80", "-r", "10.0.1.1:8080"}, cmdAddDest,
			svcSpec{af: 2, protocol: 6, addr: v4(10, 0, 0, 1), port: 80, netmask: 0xffffffff},
			&destSpec{af: 2, addr: v4(10, 0, 1, 1), port: 80, connFlags: ops.FwdRoute, weight: 1}},
		{"dest masq", []string{"-a", "-t", "10.0.0.1:80", "-r", "10.0.1.1:8080", "-m", "-w", "0", "-x", "100", "-y", "10"}, cmdAddDest,
			svcSpec{af: 2, protocol: 6, addr: v4(10, 0, 0, 1), port: 80, netmask: 0xffffffff},
			&destSpec{af: 2, addr: v4(10, 0, 1, 1), port: 8080, connFlags: ops.FwdMasq, weight: 0, uthresh: 100, lthresh: 10}},
		{"dest before service", []string{"-a", "-r", "10.0.1.1", "-m", "-t", "10.0.0.1:80"}, cmdAddDest,
			svcSpec{af: 2, protocol: 6, addr: v4(10, 0, 0, 1), port: 80, netmask: 0xffffffff},
			&destSpec{af: 2, addr: v4(10, 0, 1, 1), port: 0, connFlags: ops.FwdMasq, weight: 1}},
		{"dest tunnel v6", []string{"-e", "-t", "10.0.0.1:80", "-r", "2001:db8::2", "-i", "--tun-type", "gue", "--tun-port", "6080", "--tun-remcsum"}, cmdEditDest,
			svcSpec{af: 2, protocol: 6, addr: v4(10, 0, 0, 1), port: 80, netmask: 0xffffffff},
			&destSpec{af: 10, addr: inetAddr{0x20, 0x01, 0x0d, 0xb8, 15: 2}, port: 80, connFlags: ops.FwdTunnel, weight: 1, tunType: ops.TunGUE, tunPort: 6080, tunFlags: ops.TunFlagRemCsum}},
		{"zero all", []string{"-Z"}, cmdZero, svcSpec{netmask: 0xffffffff}, nil},
		{"bundled list", []string{"-Lcn"}, cmdList, svcSpec{netmask: 0xffffffff}, nil},
		{"list lowercase", []string{"-l", "--sort"}, cmdList, svcSpec{netmask: 0xffffffff}, nil},
		{"set before", []string{"900", "--set", "120", "300"}, cmdTimeout, svcSpec{netmask: 0xffffffff}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := parseLine(t, tt.args...)
			if c.cmd != tt.cmd {
				t.Errorf("cmd = %d, want %d", c.cmd, tt.cmd)
			}
			if c.svc != tt.svc {
				t.Errorf("svc = %+v\nwant  %+v", c.svc, tt.svc)
			}
			if tt.dest != nil && c.dest != *tt.dest {
				t.Errorf("dest = %+v\nwant   %+v", c.dest, *tt.dest)
			}
		})
	}
}

func TestParseDetails(t *testing.T) {
	c := parseLine(t, "--set", "900", "120", "300")
	if c.timeouts != (ops.Timeouts{TCP: 900, TCPFin: 120, UDP: 300}) {
		t.Errorf("timeouts = %+v", c.timeouts)
	}
	c = parseLine(t, "900", "--set", "120", "300")
	if c.timeouts != (ops.Timeouts{TCP: 900, TCPFin: 120, UDP: 300}) {
		t.Errorf("timeouts with a leading value = %+v", c.timeouts)
	}
	c = parseLine(t, "--start-daemon", "backup", "--mcast-interface", "eth12345678901234", "--syncid", "7", "--mcast-group", "ff02::81", "--mcast-port", "9000", "--mcast-ttl", "3", "--sync-maxlen", "1400")
	want := daemonSpec{state: ops.DaemonBackup, ifn: "eth123456789012", syncID: 7, maxlen: 1400, groupAF: 10, group: inetAddr{0xff, 0x02, 15: 0x81}, port: 9000, ttl: 3}
	if c.daemon != want {
		t.Errorf("daemon = %+v\nwant     %+v", c.daemon, want)
	}
	c = parseLine(t, "--start-daemon", "master")
	if c.daemon.ifn != "eth0" || c.daemon.state != ops.DaemonMaster {
		t.Errorf("default daemon = %+v", c.daemon)
	}
	c = parseLine(t, "-Lcn", "--persistent-conn")
	if !c.has(optConnection) || c.format != fmtNumeric|fmtPersistentConn {
		t.Errorf("-Lcn: options %b format %b", c.options, c.format)
	}
	c = parseLine(t, "-A", "-t", "10.0.0.1:80", "-s", "averyveryverylongschedulername")
	if c.svc.sched != "averyveryverylo" {
		t.Errorf("scheduler not cut to 15: %q", c.svc.sched)
	}
	// "!#:+" takes the next word that is left over.
	c = parseLine(t, "-A", "-t", "10.0.0.1:!#:+", "http", "-s", "rr")
	if c.svc.port != 80 {
		t.Errorf("!#:+ expansion: port %d", c.svc.port)
	}
	// -M before an IPv6 service parses as IPv4 and is then reset.
	c = parseLine(t, "-A", "-M", "64", "-t", "[2001:db8::1]:80")
	if c.svc.netmask != 128 {
		t.Errorf("-M before -t: netmask %d", c.svc.netmask)
	}
	c = parseLine(t, "-A", "-t", "[2001:db8::1]:80", "-M", "64")
	if c.svc.netmask != 64 {
		t.Errorf("-M after -t: netmask %d", c.svc.netmask)
	}
	key := parseLine(t, "-D", "-t", "[2001:db8::1]:80").svc.key()
	if !key.Address.Equal(net.ParseIP("2001:db8::1")) || key.Family != ops.AFInet6 || key.Port != 80 {
		t.Errorf("v6 key = %+v", key)
	}
	if n := len(parseLine(t, "-D", "-t", "10.0.0.1:80").svc.key().Address); n != 4 {
		t.Errorf("v4 key address has %d bytes", n)
	}
}

func TestOptionTables(t *testing.T) {
	for i, row := range cmdOptions {
		if len(row) != numOptions {
			t.Errorf("cmdOptions[%s] has %d columns", cmdNames[i], len(row))
		}
	}
	for _, c := range []struct {
		cmd, opt int
		want     byte
	}{
		{cmdList, optTunInfo, ' '}, {cmdList, optOnePacket, 'x'}, {cmdList, optSyncID, ' '},
		{cmdList, optExact, ' '}, {cmdList, optTimeout, '1'}, {cmdList, optDaemon, '1'},
		{cmdAdd, optOnePacket, ' '}, {cmdAdd, optSchedFlags, ' '}, {cmdAdd, optMcastGroup, 'x'},
		{cmdAddDest, optTunRemCsum, ' '}, {cmdAddDest, optTunInfo, 'x'}, {cmdAddDest, optLThreshold, ' '},
		{cmdStartDaemon, optSyncMaxlen, ' '}, {cmdStartDaemon, optTunInfo, 'x'}, {cmdStartDaemon, optSyncID, ' '},
		{cmdStopDaemon, optSyncID, ' '}, {cmdSave, optNumeric, ' '}, {cmdZero, optService, ' '},
	} {
		if got := cmdOptions[c.cmd][c.opt]; got != c.want {
			t.Errorf("cmdOptions[%s][%s] = %q, want %q", cmdNames[c.cmd], optNames[c.opt], got, c.want)
		}
	}
}
