package lvscf

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/lvsadm/lvsadm/internal/goldenfile"
)

var update = flag.Bool("update", false, "rewrite golden files")

// baseline is a clean configuration: each rule case below changes it just
// enough to make one rule fire, and shows a near miss that must not fire.
const baseline = `serial_no = 1
primary = 10.0.0.1
service = lvs
backup_active = 1
backup = 10.0.0.2
heartbeat = 1
keepalive = 6
deadtime = 18
network = direct
virtual www {
     active = 1
     address = 10.0.0.100 eth0:1
     port = 80
     send = "GET / HTTP/1.0\r\n\r\n"
     expect = "HTTP"
     scheduler = wlc
     protocol = tcp
     timeout = 6
     reentry = 15
     server web1 {
         address = 10.0.1.1
         active = 1
         weight = 1
     }
}
`

// with returns baseline with old replaced by new (old must occur).
func with(t *testing.T, pairs ...string) string {
	t.Helper()
	return replaced(t, baseline, pairs...)
}

const natGlobals = "network = nat\nnat_router = 10.0.1.254 eth1:1\n"

func TestBaselineIsClean(t *testing.T) {
	for _, opts := range []LintOptions{{}, {Piranha: true}} {
		if ds := Lint("base.cf", []byte(baseline), opts); len(ds) > 0 {
			t.Errorf("baseline (%+v):\n%s", opts, FormatDiagnostics(ds))
		}
	}
}

func TestLintRules(t *testing.T) {
	pir := LintOptions{Piranha: true}
	fwq := "port = 80\n     fwmark = 21\n     persistent = 60\n     fwmark_match = \"tcp 21,10000:20000\""
	e := func(pairs ...string) string { return replaced(t, ecmpBaseline, pairs...) }
	srv2 := "     }\n     server web2 {\n         address = 10.0.1.2\n         active = 1\n         weight = 1\n     }\n}\n"
	tests := []struct {
		code        string
		fire, quiet []string // replacement pairs applied to baseline
		fireOpts    LintOptions
		quietOpts   LintOptions
		fireRaw     string // used instead of fire when set
		quietRaw    string
	}{
		// syntax
		{code: "unclosed-block", fire: []string{"     }\n}\n", "     }\n"}},
		{code: "stray-brace", fire: []string{"     }\n}\n", "     }\n}\n}\n"}},
		{code: "missing-equals", fire: []string{"keepalive = 6", "keepalive=6"}, quiet: []string{"keepalive = 6", "keepalive =\t6"}},
		{code: "bad-quoting", fire: []string{`expect = "HTTP"`, `expect = "HTTP`}},
		{code: "block-syntax", fire: []string{"server web1 {", "server web1{"}, quiet: []string{"server web1 {", "server web1  {"}},
		{code: "nested-block", fire: []string{"     server web1 {", "     virtual web1 {"}},
		{code: "extra-args", fire: []string{"port = 80", "port = 80 # http"}, quiet: []string{"port = 80", "port = 80 "}},
		{code: "line-too-long", fireRaw: baseline + "# " + strings.Repeat("-", MaxLineLen) + "\n"},
		// keys and values
		{code: "unknown-key", fire: []string{"scheduler = wlc", "schedular = wlc"}},
		{code: "rejected-key", fire: []string{"         weight = 1", "         nmask = 255.255.255.255"}},
		{code: "duplicate-key", fire: []string{"keepalive = 6", "keepalive = 6\nkeepalive = 6"}},
		{code: "missing-value", fire: []string{"port = 80", "port ="}},
		{code: "address-format", fire: []string{"10.0.0.100 eth0:1", "10.0.0.100"}, quiet: []string{"10.0.0.100 eth0:1", "10.0.0.100  eth0:2"}},
		{code: "address-format", fire: []string{"address = 10.0.1.1", "address = 10.0.1.1 eth0"}},
		{code: "bad-int", fire: []string{"serial_no = 1", "serial_no = one"}, quiet: []string{"serial_no = 1", "serial_no = 0x10"}},
		{code: "bad-bool", fire: []string{"heartbeat = 1", "heartbeat = yes"}},
		{code: "bad-bool", fire: []string{"heartbeat = 1", "heartbeat = 1\nmonitor_links = 2"}, quiet: []string{"heartbeat = 1", "heartbeat = 1\nmonitor_links = 1"}},
		{code: "bad-ip", fire: []string{"address = 10.0.1.1", "address = 10.0.1.300"}},
		{code: "bad-netmask", fire: []string{"port = 80", "port = 80\n     vip_nmask = 255.0.255.0"}, quiet: []string{"port = 80", "port = 80\n     vip_nmask = 255.255.255.0"}},
		{code: "bad-port", fire: []string{"port = 80", "port = 70000"}, quiet: []string{"port = 80", "port = http"}},
		{code: "bad-port", fire: []string{"heartbeat = 1", "heartbeat = 1\nheartbeat_port = 0"}, quiet: []string{"heartbeat = 1", "heartbeat = 1\nheartbeat_port = 539"}},
		{code: "bad-seconds", fire: []string{"timeout = 6", "timeout = 6s"}, quiet: []string{"timeout = 6", "timeout = 6.5"}},
		{code: "bad-enum", fire: []string{"protocol = tcp", "protocol = sctp"}},
		{code: "bad-enum", fire: []string{"heartbeat = 1", "heartbeat = 1\nrsh_command = scp"}, quiet: []string{"heartbeat = 1", "heartbeat = 1\nrsh_command = ssh"}},
		{code: "bad-device", fire: []string{"eth0:1", "eth0/1"}, quiet: []string{"eth0:1", "bond0.100:1"}},
		{code: "bad-device", fire: []string{"heartbeat = 1", "heartbeat = 1\nsyncd_iface = averyveryverylongname"}, quiet: []string{"heartbeat = 1", "heartbeat = 1\nsyncd_iface = eth1"}},
		{code: "hostname", fire: []string{"backup = 10.0.0.2", "backup = lvs2.example.com"}},
		{code: "octal-number", fire: []string{"weight = 1", "weight = 010"}, quiet: []string{"weight = 1", "weight = 10"}},
		{code: "fraction", fire: []string{"keepalive = 6", "keepalive = 1.5"}, fireOpts: pir, quiet: []string{"keepalive = 6", "keepalive = 1.5"}},
		{code: "ipv6", fire: []string{"10.0.0.100 eth0:1", "2001:db8::100 eth0"}, fireOpts: pir, quiet: []string{"10.0.0.100 eth0:1", "2001:db8::100 eth0"}},
		{code: "quote-trailing-blank", fire: []string{`expect = "HTTP"`, `expect = "HTTP" `}, quiet: []string{`send = "GET / HTTP/1.0\r\n\r\n"`, `send = "GET / HTTP/1.0\r\n\r\n" `}},
		{code: "bad-list", fire: []string{"port = 80", "port = 80\n     dirs = /a /b"}, quiet: []string{"port = 80", "port = 80\n     dirs = [ /a /b ]"}},
		// file-level
		{code: "keepalived-syntax", fireRaw: "! keepalived\nglobal_defs {\n   router_id x\n}\nvirtual_server 10.0.0.1 80 {\n}\n", quietRaw: baseline},
		{code: "wrapped-comment", fire: []string{"keepalive = 6", "keepalive = 6\n# a comment that an editor\nwrapped onto the next line {"}, quiet: []string{"keepalive = 6", "keepalive = 6\n# a comment\nkeepalive = 6"}},
		{code: "crlf", fireRaw: strings.ReplaceAll(baseline, "\n", "\r\n")},
		{code: "bare-cr", fire: []string{"keepalive = 6", "keepalive = 6\n# old\rnote"}},
		{code: "duplicate-name", fire: []string{"     }\n}\n", srv2 + "virtual www {\n     active = 0\n}\n"}},
		{code: "duplicate-name", fire: []string{"server web1 {", "server web1 {\n     }\n     server web1 {"}},
		{code: "missing-key", fire: []string{"primary = 10.0.0.1\n", ""}},
		{code: "missing-key", fire: []string{"         address = 10.0.1.1\n", ""}},
		{code: "implicit-inactive", fire: []string{"         active = 1\n", ""}},
		{code: "implicit-inactive", fire: []string{"     active = 1\n", ""}},
		// globals
		{code: "backup-missing", fire: []string{"backup = 10.0.0.2\n", ""}, quiet: []string{"backup_active = 1\nbackup = 10.0.0.2\n", "backup_active = 0\n"}},
		{code: "same-director", fire: []string{"backup = 10.0.0.2", "backup = 10.0.0.1"}},
		{code: "private-mismatch", fire: []string{"backup = 10.0.0.2\n", "backup = 10.0.0.2\nprimary_private = 10.1.0.1\n"}, quiet: []string{"backup = 10.0.0.2\n", "backup = 10.0.0.2\nprimary_private = 10.1.0.1\nbackup_private = 10.1.0.2\n"}},
		{code: "network-default", fire: []string{"network = direct\n", ""}},
		{code: "nat-router-missing", fire: []string{"network = direct", "network = nat"}, quiet: []string{"network = direct\n", natGlobals}},
		{code: "nat-router-unused", fire: []string{"network = direct", "network = direct\nnat_router = 10.0.1.254 eth1:1"}},
		{code: "deadtime", fire: []string{"deadtime = 18", "deadtime = 10"}, quiet: []string{"deadtime = 18", "deadtime = 12"}},
		{code: "deadtime", fire: []string{"deadtime = 18", "deadtime = 6"}},
		{code: "bad-range", fire: []string{"heartbeat = 1", "heartbeat = 1\nsyncd_id = 256"}, quiet: []string{"heartbeat = 1", "heartbeat = 1\nsyncd_id = 255"}},
		{code: "no-services", fire: []string{"service = lvs", "service = fos"}},
		// issue 13: a file without virtual servers does nothing; a cf import placeholder is a blank to fill
		{code: "no-services", fireRaw: "primary = 10.0.0.1\nservice = lvs\nnetwork = direct\n", quietRaw: baseline},
		{code: "placeholder", fire: []string{"primary = 10.0.0.1", "primary = 0.0.0.0"}},
		{code: "placeholder", fire: []string{"backup = 10.0.0.2", "backup = 0.0.0.0"}},
		{code: "placeholder", fire: []string{"10.0.0.100 eth0:1", "0.0.0.0 eth0:1"}},
		{code: "placeholder", fire: []string{"address = 10.0.1.1", "address = 0.0.0.0"}},
		{code: "placeholder", fire: []string{"network = direct\n", "network = nat\nnat_router = 0.0.0.0 eth1:1\n"}, quiet: []string{"network = direct\n", natGlobals}},
		// virtual servers
		{code: "unknown-scheduler", fire: []string{"scheduler = wlc", "scheduler = wcl"}, quiet: []string{"scheduler = wlc", "scheduler = mh"}},
		{code: "piranha-scheduler", fire: []string{"scheduler = wlc", "scheduler = sed"}, fireOpts: pir, quiet: []string{"scheduler = wlc", "scheduler = sed"}},
		{code: "bad-range", fire: []string{"port = 80", "port = 80\n     persistent = -1"}},
		{code: "pmask-unused", fire: []string{"port = 80", "port = 80\n     pmask = 255.255.255.0"}, quiet: []string{"port = 80", "port = 80\n     persistent = 300\n     pmask = 255.255.255.0"}},
		{code: "zero-port", fire: []string{"port = 80", "port = 0"}, quiet: []string{"port = 80", "port = 0\n     persistent = 300"}},
		{code: "fwmark-persistence", fire: []string{"port = 80", "port = 80\n     fwmark = 80"}, quiet: []string{"port = 80", "port = 80\n     fwmark = 80\n     persistent = 60"}},
		{code: "bad-range", fire: []string{"port = 80", "port = 80\n     fwmark = -3\n     persistent = 5"}},
		{code: "bad-fwmark-match", fire: []string{"port = 80", "port = 80\n     fwmark = 21\n     persistent = 60\n     fwmark_match = \"tcp 21;10000-20000\""}, quiet: []string{"port = 80", fwq}},
		{code: "bad-fwmark-match", fire: []string{"port = 80", "port = 80\n     fwmark = 21\n     persistent = 60\n     fwmark_match = \"sctp 21\""}, quiet: []string{"port = 80", fwq + "\n     fwmark_match = \"udp 53\""}},
		{code: "bad-fwmark-match", fire: []string{"port = 80", "port = 80\n     fwmark = 21\n     persistent = 60\n     fwmark_match = \"tcp 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15:17\""}, quiet: []string{"port = 80", "port = 80\n     fwmark = 21\n     persistent = 60\n     fwmark_match = \"tcp 1,2,3,4,5,6,7,8,9,10,11,12,13:16\""}},
		{code: "fwmark-match-range", fire: []string{"port = 80", "port = 80\n     fwmark = 21\n     persistent = 60\n     fwmark_match = \"tcp 21,20000:10000\""}, quiet: []string{"port = 80", "port = 80\n     fwmark = 21\n     persistent = 60\n     fwmark_match = \"tcp 21,10000:10000\""}},
		{code: "fwmark-match-without-fwmark", fire: []string{"port = 80", "port = 80\n     fwmark_match = \"tcp 80\""}, quiet: []string{"port = 80", fwq}},
		{code: "lvsadm-key", fire: []string{"port = 80", fwq}, fireOpts: pir, quiet: []string{"port = 80", fwq}},
		{code: "duplicate-key", fire: []string{"port = 80", "port = 80\nport = 80"}, quiet: []string{"port = 80", fwq + "\n     fwmark_match = \"udp 21\""}},
		{code: "port-after-servers", fire: []string{"     port = 80\n", "", "     }\n}\n", "     }\n     port = 80\n}\n"}},
		{code: "vip-is-director", fire: []string{"10.0.0.100 eth0:1", "10.0.0.2 eth0:1"}},
		{code: "load-monitor", fire: []string{"port = 80", "port = 80\n     load_monitor = snmp"}, quiet: []string{"port = 80", "port = 80\n     load_monitor = ruptime"}},
		{code: "zero-timeout", fire: []string{"timeout = 6", "timeout = 0"}},
		{code: "reentry-short", fire: []string{"reentry = 15", "reentry = 3"}, quiet: []string{"reentry = 15", "reentry = 6"}},
		{code: "no-active-servers", fire: []string{"         active = 1", "         active = 0"}, quiet: []string{"     active = 1\n     address", "     active = 0\n     address", "         active = 1", "         active = 0"}},
		// real servers
		{code: "bad-weight", fire: []string{"weight = 1", "weight = -1"}, quiet: []string{"weight = 1", "weight = 2147483647"}},
		{code: "zero-weight", fire: []string{"weight = 1", "weight = 0"}, quiet: []string{"         active = 1\n         weight = 1", "         active = 0\n         weight = 0"}},
		{code: "port-ignored", fire: []string{"weight = 1", "weight = 1\n         port = 8080"}, quiet: []string{"network = direct\n", natGlobals, "weight = 1", "weight = 1\n         port = 8080"}},
		{code: "duplicate-real-server", fire: []string{"     }\n}\n", strings.Replace(srv2, "10.0.1.2", "10.0.1.1", 1)}, quiet: []string{"     }\n}\n", srv2}},
		{code: "server-is-vip", fire: []string{"address = 10.0.1.1", "address = 10.0.0.100"}},
		// services
		{code: "fwmark-mismatch", fire: []string{"port = 80", "port = 80\n     fwmark = 7\n     persistent = 60", "\n}\n", "\n}\nvirtual www2 {\n     active = 1\n     address = 10.0.0.100 eth0:1\n     port = 443\n     fwmark = 7\n     persistent = 30\n     server a {\n         address = 10.0.1.1\n         active = 1\n     }\n}\n"},
			quiet: []string{"port = 80", "port = 80\n     fwmark = 7\n     persistent = 60", "\n}\n", "\n}\nvirtual www2 {\n     active = 1\n     address = 10.0.0.100 eth0:1\n     port = 443\n     fwmark = 7\n     persistent = 60\n     server a {\n         address = 10.0.1.1\n         active = 1\n     }\n}\n"}},
		{code: "duplicate-service", fire: []string{"\n}\n", "\n}\nvirtual www2 {\n     active = 1\n     address = 10.0.0.100 eth0:1\n     server a {\n         address = 10.0.1.1\n         active = 1\n     }\n}\n"}, quiet: []string{"\n}\n", "\n}\nvirtual www2 {\n     active = 1\n     address = 10.0.0.100 eth0:1\n     port = 443\n     server a {\n         address = 10.0.1.1\n         active = 1\n     }\n}\n"}},
		{code: "vip-device-conflict", fire: []string{"\n}\n", "\n}\nvirtual www2 {\n     active = 1\n     address = 10.0.0.100 eth0:2\n     port = 443\n     server a {\n         address = 10.0.1.1\n         active = 1\n     }\n}\n"}},
		{code: "vip-on-base-device", fire: []string{"10.0.0.100 eth0:1", "10.0.0.100 eth0"}, quiet: []string{"10.0.0.100 eth0:1", "10.0.0.100 eth0:7"}},
		{code: "device-conflict", fire: []string{"\n}\n", "\n}\nvirtual www2 {\n     active = 1\n     address = 10.0.0.101 eth0:1\n     server a {\n         address = 10.0.1.1\n         active = 1\n     }\n}\n"},
			quiet: []string{"\n}\n", "\n}\nvirtual www2 {\n     active = 1\n     address = 10.0.0.101 eth0:2\n     server a {\n         address = 10.0.1.1\n         active = 1\n     }\n}\n"}},
		// failover services
		{code: "server-in-failover", fireRaw: "primary = 10.0.0.1\nservice = fos\nfailover f {\n     address = 10.0.0.50 eth0:1\n     start_cmd = \"/bin/true\"\n     stop_cmd = \"/bin/true\"\n     server s {\n     }\n}\n",
			quietRaw: "primary = 10.0.0.1\nservice = fos\nfailover f {\n     address = 10.0.0.50 eth0:1\n     start_cmd = \"/bin/true\"\n     stop_cmd = \"/bin/true\"\n}\n"},
		{code: "missing-key", fireRaw: "primary = 10.0.0.1\nservice = fos\nfailover f {\n     address = 10.0.0.50 eth0:1\n}\n"},
		// health checks
		{code: "bad-escape", fire: []string{`expect = "HTTP"`, `expect = "HTTP\x"`}, quiet: []string{`expect = "HTTP"`, `expect = "HTTP\t\'"`}},
		{code: "string-too-long", fire: []string{`expect = "HTTP"`, `expect = "` + strings.Repeat("x", 256) + `"`}},
		{code: "send-program-host", fire: []string{`send = "GET / HTTP/1.0\r\n\r\n"`, `send_program = "/bin/check"`}, quiet: []string{`send = "GET / HTTP/1.0\r\n\r\n"`, `send_program = "/bin/check %h"`}},
		{code: "send-program-host", fire: []string{`send = "GET / HTTP/1.0\r\n\r\n"`, `send_program = "/bin/check --host=%h"`}},
		{code: "send-program-shell", fire: []string{`send = "GET / HTTP/1.0\r\n\r\n"`, `send_program = "/bin/check %h | grep ok"`}},
		{code: "send-ignored", fire: []string{`expect = "HTTP"`, `expect = "HTTP"` + "\n     send_program = \"/bin/check %h\""}},
		{code: "send-program-expect", fire: []string{`expect = "HTTP"`, `send_program = "/bin/check %h"`}},
		{code: "regex-ignored", fire: []string{`send = "GET / HTTP/1.0\r\n\r\n"`, "send_program = \"/bin/check %h\"\n     use_regex = 1"}},
		{code: "regex-without-expect", fire: []string{`expect = "HTTP"`, `use_regex = 1`}},
		{code: "bad-regex", fire: []string{`expect = "HTTP"`, "expect = \"HTTP/1\\.[01] (200\"\n     use_regex = 1"}, quiet: []string{`expect = "HTTP"`, "expect = \"HTTP/1\\.[01] (200|302)\"\n     use_regex = 1"}},
		{code: "bad-regex", fire: []string{`expect = "HTTP"`, "expect = \"HTTP/1.1 \\d+\"\n     use_regex = 1"}},
		// multi-director extensions (ecmpBaseline in bgp_test.go)
		{code: "lvsadm-block", fireRaw: ecmpBaseline, fireOpts: pir, quietRaw: ecmpBaseline},
		{code: "lvsadm-key", fire: []string{"port = 80", "port = 80\n     announce = 0"}, fireOpts: pir, quiet: []string{"port = 80", "port = 80\n     announce = 0"}},
		{code: "bad-as", fireRaw: e("local_as = 65001", "local_as = 0"), quietRaw: e("local_as = 65001", "local_as = 4294967295")},
		{code: "bad-as", fireRaw: e("remote_as = 65000", "remote_as = 4294967296"), quietRaw: e("remote_as = 65000", "remote_as = 0x10000")},
		{code: "bad-hold-time", fireRaw: e("hold_time = 9", "hold_time = 2"), quietRaw: e("hold_time = 9", "hold_time = 0")},
		{code: "bad-hold-time", fireRaw: e("hold_time = 9", "hold_time = 9\n         keepalive = 9"), quietRaw: e("hold_time = 9", "hold_time = 9\n         keepalive = 3")},
		{code: "bad-range", fireRaw: e("local_as = 65001", "local_as = 65001\n     bfd_multiplier = 0"), quietRaw: e("local_as = 65001", "local_as = 65001\n     bfd_multiplier = 5\n     bfd_interval = 50")},
		{code: "duplicate-neighbor", fireRaw: e("     }\n}\nvirtual", "     }\n     neighbor 10.0.0.254 {\n         remote_as = 65000\n         bfd = 1\n     }\n}\nvirtual"),
			quietRaw: e("     }\n}\nvirtual", "     }\n     neighbor 10.0.0.253 {\n         remote_as = 65000\n         bfd = 1\n     }\n}\nvirtual")},
		{code: "slow-failover", fireRaw: e("bfd = 1", "bfd = 0", "hold_time = 9", "hold_time = 90"), quietRaw: e("bfd = 1", "bfd = 0")},
		{code: "ecmp-without-bgp", fireRaw: e("     neighbor 10.0.0.254 {\n         remote_as = 65000\n         hold_time = 9\n         bfd = 1\n     }\n", ""), quietRaw: ecmpBaseline},
		{code: "ecmp-without-announce", fireRaw: e("announce = 1", "announce = 0"), quietRaw: ecmpBaseline},
		{code: "announce-without-bgp", fire: []string{"port = 80", "port = 80\n     announce = 1"}, quietRaw: e("director_mode = ecmp\n", "")},
		{code: "announce-scheduler", fireRaw: e("sched_flags = mh-port", "sched_flags = mh-fallback"), quietRaw: e("scheduler = mh\n     sched_flags = mh-port", "scheduler = sh")},
		{code: "announce-scheduler", fireRaw: e("scheduler = mh\n     sched_flags = mh-port", "scheduler = wlc"), quietRaw: e("director_mode = ecmp\n", "", "scheduler = mh\n     sched_flags = mh-port", "scheduler = wlc")},
		{code: "announce-sloppy-tcp", fireRaw: e("sloppy_tcp = 1", "sloppy_tcp = 0"), quietRaw: e("director_mode = ecmp\nsloppy_tcp = 1", "syncdaemon = 1\nprimary = 10.0.0.1")},
		{code: "bad-sched-flags", fireRaw: e("sched_flags = mh-port", "sched_flags = sh-port"), quietRaw: e("sched_flags = mh-port", "sched_flags = mh-port,mh-fallback")},
		{code: "bad-sched-flags", fireRaw: e("sched_flags = mh-port", "sched_flags = port"), quietRaw: e("scheduler = mh\n     sched_flags = mh-port", "scheduler = sh\n     sched_flags = sh-port")},
		// fail-back
		{code: "lvsadm-key", fire: []string{"heartbeat = 1", "heartbeat = 1\nsyncdaemon = 1\nfailback = 30"}, fireOpts: pir, quiet: []string{"heartbeat = 1", "heartbeat = 1\nsyncdaemon = 1\nfailback = 30"}},
		{code: "bad-seconds", fire: []string{"heartbeat = 1", "heartbeat = 1\nsyncdaemon = 1\nfailback = -1"}, quiet: []string{"heartbeat = 1", "heartbeat = 1\nsyncdaemon = 1\nfailback = 0.5"}},
		{code: "failback-unused", fire: []string{"backup_active = 1", "backup_active = 0\nsyncdaemon = 1\nfailback = 30"}, quiet: []string{"heartbeat = 1", "heartbeat = 1\nsyncdaemon = 1\nfailback = 30"}},
		{code: "failback-unused", fireRaw: e("sloppy_tcp = 1", "sloppy_tcp = 1\nsyncdaemon = 1\nfailback = 30"), quietRaw: ecmpBaseline},
		{code: "failback-without-sync", fire: []string{"heartbeat = 1", "heartbeat = 1\nfailback = 30"}, quiet: []string{"heartbeat = 1", "heartbeat = 1\nsyncdaemon = 1\nfailback = 30"}},
		{code: "udp-no-send", fire: []string{"protocol = tcp", "protocol = udp", `send = "GET / HTTP/1.0\r\n\r\n"` + "\n", ""}, quiet: []string{"protocol = tcp", "protocol = udp"}},
	}
	catalog := map[string]bool{}
	for _, r := range Catalog {
		catalog[r.Code] = true
	}
	// Codes covered by other tests: TestOversizeInput, TestBoundedMemory;
	// the --host codes by cmd's TestCfLintHost.
	covered := map[string]bool{"file-too-large": true, "too-many-diagnostics": true,
		"fwmark-no-iptables-rule": true, "iptables-unavailable": true}
	for _, tt := range tests {
		covered[tt.code] = true
		name := tt.code
		t.Run(name, func(t *testing.T) {
			fire := tt.fireRaw
			if fire == "" {
				fire = with(t, tt.fire...)
			}
			ds := Lint("t.cf", []byte(fire), tt.fireOpts)
			for _, d := range ds {
				if !catalog[d.Code] {
					t.Errorf("code %q is not in Catalog", d.Code)
				}
			}
			if !hasCode(ds, tt.code) {
				t.Errorf("%s does not fire on:\n%s\ngot:\n%s", tt.code, fire, FormatDiagnostics(ds))
			}
			quiet := tt.quietRaw
			if quiet == "" {
				quiet = with(t, tt.quiet...)
			}
			if ds := Lint("t.cf", []byte(quiet), tt.quietOpts); hasCode(ds, tt.code) {
				t.Errorf("%s fires on the near miss:\n%s\ngot:\n%s", tt.code, quiet, FormatDiagnostics(ds))
			}
		})
	}
	for _, r := range Catalog {
		if !covered[r.Code] {
			t.Errorf("catalog code %q has no rule test", r.Code)
		}
	}
}

func TestCatalogIsTested(t *testing.T) {
	// TestLintRules checks the other direction (codes it sees are listed).
	seen := map[string]bool{}
	for _, r := range Catalog {
		if seen[r.Code] {
			t.Errorf("duplicate catalog entry %q", r.Code)
		}
		seen[r.Code] = true
	}
}

func TestPiranhaSeverity(t *testing.T) {
	src := []byte(with(t, `expect = "HTTP"`, `expect = "HTTP" `))
	for _, tt := range []struct {
		opts LintOptions
		want Severity
	}{{LintOptions{}, SevWarning}, {LintOptions{Piranha: true}, SevError}} {
		for _, d := range Lint("t.cf", src, tt.opts) {
			if d.Code == "quote-trailing-blank" && d.Severity != tt.want {
				t.Errorf("%+v: severity %v, want %v", tt.opts, d.Severity, tt.want)
			}
		}
	}
}

func TestDiagnosticString(t *testing.T) {
	d := Diagnostic{File: "lvs.cf", Line: 3, Col: 5, Severity: SevError, Code: "unknown-key", Message: `unknown key "prot"`}
	if got, want := d.String(), `lvs.cf:3:5: error: unknown key "prot" [unknown-key]`; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestLintGolden lints testdata/lvscf/lint/*.cf; a name containing
// ".piranha." is linted with LintOptions.Piranha. Run with -update to
// rewrite the .golden files.
func TestLintGolden(t *testing.T) {
	files, _ := filepath.Glob("../testdata/lvscf/lint/*.cf")
	if len(files) == 0 {
		t.Fatal("no lint golden inputs")
	}
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			src, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			opts := LintOptions{Piranha: strings.Contains(filepath.Base(path), ".piranha.")}
			got := FormatDiagnostics(Lint(filepath.Base(path), src, opts))
			checkGolden(t, strings.TrimSuffix(path, ".cf")+".golden", got)
		})
	}
}

func checkGolden(t *testing.T, path, got string) {
	t.Helper()
	goldenfile.Check(t, path, got, *update)
}

func TestDiagnosticJSON(t *testing.T) {
	d := Diagnostic{File: "a", Line: 1, Col: 2, Severity: SevWarning, Code: "crlf", Message: "m"}
	b, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"file":"a","line":1,"col":2,"severity":"warning","code":"crlf","message":"m"}`; string(b) != want {
		t.Errorf("got %s, want %s", b, want)
	}
	var back Diagnostic
	if err := json.Unmarshal(b, &back); err != nil || back != d {
		t.Errorf("round trip: %+v, %v", back, err)
	}
}

// TestDuplicateServerNames: a virtual server of a few servers (compared
// with each other) and one of many (through a map) report the same
// duplicates, each against the first server of its name.
func TestDuplicateServerNames(t *testing.T) {
	for _, n := range []int{4, 40} {
		var sb strings.Builder
		sb.WriteString("primary = 10.0.0.1\nvirtual www {\n     active = 1\n     address = 192.168.0.10 eth0:1\n")
		for i := range n {
			name := "s" + string(rune('a'+i%26)) + string(rune('a'+i/26))
			if i == 2 || i == n-1 {
				name = "saa" // the first server's name
			}
			sb.WriteString("     server " + name + " {\n         address = 10.0.1." + string(rune('1'+i%9)) + "\n         active = 1\n     }\n")
		}
		sb.WriteString("}\n")
		var got []string
		for _, d := range Lint("t.cf", []byte(sb.String()), LintOptions{}) {
			if d.Code == "duplicate-name" {
				got = append(got, d.String())
			}
		}
		last := 5 + 4*(n-1)
		want := []string{
			`t.cf:13:6: error: server "saa" is already defined in virtual "www" on line 5 [duplicate-name]`,
			"t.cf:" + itoa(last) + `:6: error: server "saa" is already defined in virtual "www" on line 5 [duplicate-name]`,
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("%d servers:\n%s\nwant\n%s", n, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	}
}

func itoa(i int) string { return strconv.Itoa(i) }
