package keepalived

import (
	"errors"
	"strings"
	"testing"

	"github.com/lvsadm/lvsadm/lvscf"
)

func exportString(t *testing.T, src string) (string, string) {
	t.Helper()
	res, err := Export(lvscf.Parse("lvs.cf", []byte(src)), ExportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var w []string
	for _, x := range res.Warnings {
		w = append(w, x.String())
	}
	// What Export writes must be keepalived syntax we read back.
	if _, err := Parse("out", res.Data, Options{}); err != nil {
		t.Errorf("output does not parse: %v\n%s", err, res.Data)
	}
	return string(res.Data), strings.Join(w, "\n")
}

const cfDR = `serial_no = 3
primary = 10.0.0.2
service = lvs
backup_active = 1
backup = 10.0.0.3
keepalive = 2
deadtime = 6
network = direct
virtual www {
     active = 1
     address = 10.0.0.100 eth0:1
     vip_nmask = 255.255.255.0
     port = 80
     scheduler = wrr
     timeout = 7
     %s
     server a {
         address = 10.0.2.1
         active = 1
         weight = 3
     }
     server b {
         address = 10.0.2.2
         active = 0
     }
}
`

func TestExportMappings(t *testing.T) {
	for _, tc := range []struct {
		name string
		keys string // lines added to the virtual
		glob string // replaces "network = direct" when set
		want []string
		warn []string
	}{
		{"basics", "", "", []string{
			"virtual_server 10.0.0.100 80 {", "lb_algo wrr", "lb_kind DR", "delay_loop 7", "protocol TCP",
			"real_server 10.0.2.1 80 {", "weight 3", "weight 0", "TCP_CHECK {", "connect_timeout 7", "retry 0",
			"state MASTER", "advert_int 2", "unicast_src_ip 10.0.0.2", "10.0.0.3", "10.0.0.100/24 label eth0:1",
		}, []string{"lvs.cf:1: serial_no: not carried over (keepalived.conf has no equivalent)"}},
		{"persistence", "persistent = 60\n pmask = 255.255.255.0", "", []string{"persistence_timeout 60", "persistence_granularity 255.255.255.0"}, nil},
		{"sorry and quiesce", "sorry_server = 10.0.3.1\n quiesce_server = 1", "", []string{"sorry_server 10.0.3.1 80", "inhibit_on_failure"}, nil},
		{"HTTP_GET", `send = "GET /ok HTTP/1.0\r\nHost: a.example\r\n\r\n"` + "\n" + `expect = "^HTTP/1\.[01] (2[0-9][0-9]|302)"` + "\nuse_regex = 1", "",
			[]string{"HTTP_GET {", "path /ok", "status_code 200-299 302", "virtualhost a.example"}, nil},
		{"HTTP prefix expect", `send = "GET / HTTP/1.0\r\n\r\n"` + "\n" + `expect = "HTTP"`, "", []string{"status_code 100-599"}, nil},
		{"other send/expect", `send = "quit"` + "\n" + `expect = "220"`, "", []string{"TCP_CHECK {"},
			[]string{"send: not carried over (keepalived has no send/expect check)", "expect: not carried over"}},
		{"send_program", `send_program = "/bin/chk %h %p"` + "\n" + `expect = "OK"`, "",
			[]string{`misc_path "/bin/chk 10.0.2.1 80"`, "misc_timeout 7"}, []string{"expect: not carried over (keepalived's MISC_CHECK looks only at the exit status)"}},
		{"fwmark", "fwmark = 4\n persistent = 30", "", []string{"virtual_server fwmark 4 {"}, nil},
		{"NAT router", "", "network = nat\nnat_router = 10.0.1.254 eth1:1\nnat_nmask = 255.255.255.0",
			[]string{"lb_kind NAT", "10.0.1.254/24 dev eth1 label eth1:1"}, nil},
		{"tunnel", "", "network = tunnel", []string{"lb_kind TUN"}, nil},
		{"sync and timeouts", "", "network = direct\nsyncdaemon = 1\nsyncd_iface = eth2\nsyncd_id = 4\ntcp_timeout = 90",
			[]string{"lvs_sync_daemon eth2 VI_1 id 4", "lvs_timeouts tcp 90"}, nil},
		{"unmapped keys", "load_monitor = ruptime\n reentry = 30", "network = direct\nmonitor_links = 1\ndeadtime = 5",
			nil, []string{"load_monitor: not carried over", "reentry: not carried over", "monitor_links: not carried over", "deadtime: not carried over (VRRP"}},
		{"udp", "protocol = udp\n send = \"x\"", "", []string{"protocol UDP"}, []string{"send: not carried over (keepalived has no UDP send/expect check)"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := strings.Replace(cfDR, "%s", tc.keys, 1)
			if tc.glob != "" {
				src = strings.Replace(src, "network = direct", tc.glob, 1)
			}
			out, warns := exportString(t, src)
			lines := map[string]bool{}
			for _, l := range strings.Split(out, "\n") {
				lines[strings.TrimSpace(l)] = true
			}
			for _, w := range tc.want {
				if !lines[w] {
					t.Errorf("no line %q in\n%s", w, out)
				}
			}
			for _, w := range tc.warn {
				if !strings.Contains(warns, w) {
					t.Errorf("no warning %q in\n%s", w, warns)
				}
			}
		})
	}
}

func TestExportDropsBlocks(t *testing.T) {
	src := "primary = 10.0.0.2\nservice = fos\nfailover ftp {\n active = 1\n address = 10.0.0.9 eth0:3\n start_cmd = \"a\"\n stop_cmd = \"b\"\n}\n" +
		"virtual off {\n active = 0\n address = 10.0.0.8 eth0:2\n}\n"
	_, warns := exportString(t, src)
	for _, w := range []string{"lvs.cf:2: service: fos: not carried over", "lvs.cf:3: failover ftp: not carried over", "lvs.cf:9: virtual off: inactive: not carried over"} {
		if !strings.Contains(warns, w) {
			t.Errorf("no warning %q in\n%s", w, warns)
		}
	}
}

func TestExportRefusesErrors(t *testing.T) {
	_, err := Export(lvscf.Parse("lvs.cf", []byte("virtual v {\n")), ExportOptions{})
	var se *lvscf.SyntaxError
	if !errors.As(err, &se) {
		t.Errorf("got %v", err)
	}
}

func TestParseHTTPSend(t *testing.T) {
	for _, tc := range []struct {
		in, path, vhost string
		ok              bool
	}{
		{`GET / HTTP/1.0\r\n\r\n`, "/", "", true},
		{`GET /a?b=1 HTTP/1.1\r\nHost: h\r\n\r\n`, "/a?b=1", "h", true},
		{`GET / HTTP/1.0\r\n`, "", "", false},
		{`HEAD / HTTP/1.0\r\n\r\n`, "", "", false},
		{`GET / HTTP/1.0\r\nAccept: x\r\n\r\n`, "", "", false},
	} {
		p, h, ok := parseHTTPSend(tc.in)
		if ok != tc.ok || (ok && (p != tc.path || h != tc.vhost)) {
			t.Errorf("parseHTTPSend(%q) = %q %q %v", tc.in, p, h, ok)
		}
	}
}

func TestQuoteReadsBack(t *testing.T) {
	for _, s := range []string{"/bin/chk 10.0.0.1", `a\b`, `say "hi"`, "x # y ! z", "{ }"} {
		toks, err := lexLine("misc_path " + quote(s))
		if err != nil || len(toks) != 2 || toks[1].text != s {
			t.Errorf("quote(%q) reads back as %+v, %v", s, toks, err)
		}
	}
}

// TestExportPlaceholders: the 0.0.0.0 that cf import writes where it
// does not know an address is not exported as a VIP, NAT router or
// director (issue 13 found it in virtual_ipaddress), and each one is a
// warning at its line.
func TestExportPlaceholders(t *testing.T) {
	src := strings.NewReplacer("primary = 10.0.0.2", "primary = 0.0.0.0",
		"network = direct", "network = nat\nnat_router = 0.0.0.0 eth1:1",
		"address = 10.0.0.100 eth0:1", "address = 0.0.0.0 eth0:1",
		"     %s\n", "     fwmark = 5\n     persistent = 60\n").Replace(cfDR)
	out, warns := exportString(t, src)
	if strings.Contains(out, "0.0.0.0") {
		t.Errorf("a placeholder is exported:\n%s", out)
	}
	if !strings.Contains(out, "virtual_server fwmark 5 {") {
		t.Errorf("the fwmark service is lost:\n%s", out)
	}
	for _, w := range []string{"lvs.cf:2: primary: " + msgPlaceholder, "lvs.cf:9: nat_router: " + msgPlaceholder, "lvs.cf:12: address: " + msgPlaceholder} {
		if !strings.Contains(warns, w) {
			t.Errorf("no warning %q in\n%s", w, warns)
		}
	}
}
