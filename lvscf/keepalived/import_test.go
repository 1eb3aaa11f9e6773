package keepalived

import (
	"strings"
	"testing"

	"github.com/lvsadm/lvsadm/lvscf"
)

// importString converts src and checks that the result lints clean.
func importString(t *testing.T, src string, opts ImportOptions) (string, string) {
	t.Helper()
	cfg, err := Parse("k.conf", []byte(src), Options{})
	if err != nil {
		t.Fatal(err)
	}
	res, err := Import(cfg, opts)
	if err != nil {
		t.Fatal(err)
	}
	if d := LintResult(res.Data); lvscf.HasErrors(d) {
		t.Errorf("lint errors:\n%s\n%s", lvscf.FormatDiagnostics(d), res.Data)
	}
	var w []string
	for _, x := range res.Warnings {
		w = append(w, x.String())
	}
	return string(res.Data), strings.Join(w, "\n")
}

const vrrpDR = `vrrp_instance VI {
    state MASTER
    interface eth0
    advert_int 3
    unicast_src_ip 10.0.0.2
    unicast_peer {
        10.0.0.3
    }
    virtual_ipaddress {
        10.0.0.100/24
        10.0.0.101 label eth0:api
        10.0.1.254/24 dev eth1
    }
}
`

// vs wraps the body of one virtual server on 10.0.0.100 port 8080.
func vs(body string) string {
	return vrrpDR + "virtual_server 10.0.0.100 8080 {\n" + body + "\n}\n"
}

func TestImportMappings(t *testing.T) {
	rs := "real_server 10.0.2.1 8080 {\n weight 4\n TCP_CHECK {\n connect_timeout 3\n }\n}"
	for _, tc := range []struct {
		name   string
		src    string
		opts   ImportOptions
		want   []string // lines (trimmed) of the lvs.cf
		warn   []string // substrings of the warnings
		nowarn bool
	}{
		{"directors from MASTER", vs("lb_kind DR\n" + rs), ImportOptions{},
			[]string{"primary = 10.0.0.2", "backup = 10.0.0.3", "backup_active = 1", "heartbeat = 1"}, nil, false},
		{"directors from BACKUP", strings.Replace(vs("lb_kind DR\n"+rs), "state MASTER", "state BACKUP", 1), ImportOptions{},
			[]string{"primary = 10.0.0.3", "backup = 10.0.0.2"}, nil, false},
		{"directors from flags", vs("lb_kind DR\n" + rs), ImportOptions{Primary: "10.9.9.1", Backup: "10.9.9.2"},
			[]string{"primary = 10.9.9.1", "backup = 10.9.9.2"}, nil, false},
		{"advert_int", vs("lb_kind DR\n" + rs), ImportOptions{}, []string{"keepalive = 3", "deadtime = 9"}, nil, false},
		{"lb_kind DR", vs("lb_kind DR\n" + rs), ImportOptions{}, []string{"network = direct"}, []string{"k.conf:11: virtual_ipaddress: 10.0.0.101: not carried over"}, false},
		{"lvs_method TUN", vs("lvs_method TUN\n" + rs), ImportOptions{}, []string{"network = tunnel"}, nil, false},
		{"NAT router from a spare VIP", vs("lb_kind NAT\n" + rs), ImportOptions{},
			[]string{"network = nat", "nat_router = 10.0.0.101 eth0:api", "nat_nmask = 255.255.255.255"}, []string{"10.0.1.254: not carried over"}, false},
		{"NAT router flag", vs("lb_kind NAT\n" + rs), ImportOptions{NATRouter: "10.0.1.254 eth1:7"}, []string{"nat_router = 10.0.1.254 eth1:7"}, nil, false},
		{"VIP device is an alias", vs(rs), ImportOptions{}, []string{"address = 10.0.0.100 eth0:1", "vip_nmask = 255.255.255.0"}, nil, false},
		{"lb_algo", vs("lb_algo sh\n" + rs), ImportOptions{}, []string{"scheduler = sh"}, nil, false},
		{"lvs_sched unknown", vs("lvs_sched twos\n" + rs), ImportOptions{}, []string{"scheduler = wlc"}, []string{"lvs_sched: \"twos\": not carried over"}, false},
		{"persistence", vs("persistence_timeout 120\npersistence_granularity 255.255.255.0\n" + rs), ImportOptions{},
			[]string{"persistent = 120", "pmask = 255.255.255.0"}, nil, false},
		{"persistence default", vs("persistence_timeout\n" + rs), ImportOptions{}, []string{"persistent = 360"}, nil, false},
		{"protocol UDP", vs("protocol UDP\n" + rs), ImportOptions{}, []string{"protocol = udp"}, nil, false},
		{"protocol SCTP", vs("protocol SCTP\n" + rs), ImportOptions{}, nil, []string{"virtual server not carried over"}, false},
		{"weight and port", vs(rs), ImportOptions{}, []string{"weight = 4", "address = 10.0.2.1"}, nil, false},
		{"weight 0 is inactive", vs("real_server 10.0.2.1 8080 {\nweight 0\n}"), ImportOptions{}, []string{"active = 0"}, nil, false},
		{"inhibit_on_failure", vs("real_server 10.0.2.1 8080 {\ninhibit_on_failure\nTCP_CHECK {\n}\n}"), ImportOptions{}, []string{"quiesce_server = 1"}, nil, false},
		{"sorry_server", vs("sorry_server 10.0.3.1 8080\n" + rs), ImportOptions{}, []string{"sorry_server = 10.0.3.1"}, nil, false},
		{"TCP_CHECK timing", vs("delay_loop 2\n" + rs), ImportOptions{}, []string{"timeout = 3", "reentry = 3"}, nil, false},
		{"delay_loop wins", vs("delay_loop 20\n" + rs), ImportOptions{}, []string{"timeout = 20"}, nil, false},
		{"retries dropped", vs("real_server 10.0.2.1 8080 {\nTCP_CHECK {\nnb_get_retry 3\ndelay_before_retry 2\n}\n}"), ImportOptions{}, nil,
			[]string{"nb_get_retry: not carried over (nanny has no retries", "delay_before_retry: not carried over"}, false},
		{"connect_port", vs("real_server 10.0.2.1 8080 {\nTCP_CHECK {\nconnect_port 9000\n}\n}"), ImportOptions{}, nil,
			[]string{"connect_port: not carried over (nanny checks the real server's own port 8080)"}, false},
		{"HTTP_GET", vs("real_server 10.0.2.1 8080 {\nHTTP_GET {\nurl {\npath /ok\nstatus_code 200\n}\n}\n}"), ImportOptions{},
			[]string{`send = "GET /ok HTTP/1.0\r\n\r\n"`, `expect = "^HTTP/1\.[01] (200)"`, "use_regex = 1"}, nil, false},
		{"HTTP_GET default status, virtualhost", vs("virtualhost example.org\nreal_server 10.0.2.1 8080 {\nHTTP_GET {\nurl {\npath /\n}\n}\n}"), ImportOptions{},
			[]string{`send = "GET / HTTP/1.0\r\nHost: example.org\r\n\r\n"`, `expect = "^HTTP/1\.[01] (2[0-9][0-9])"`}, nil, false},
		{"HTTP_GET digest", vs("real_server 10.0.2.1 8080 {\nHTTP_GET {\nurl {\npath /\ndigest abc\n}\nurl {\npath /2\n}\n}\n}"), ImportOptions{}, nil,
			[]string{"digest: not carried over", "url: not carried over (nanny sends one request)"}, false},
		{"SSL_GET", vs("real_server 10.0.2.1 8080 {\nSSL_GET {\nurl {\npath /\n}\n}\n}"), ImportOptions{}, nil,
			[]string{"SSL_GET: not carried over (nanny has no TLS check)"}, false},
		{"MISC_CHECK", vs("real_server 10.0.2.1 8080 {\nMISC_CHECK {\nmisc_path \"/bin/chk -H 10.0.2.1\"\nmisc_timeout 30\nmisc_dynamic\n}\n}"), ImportOptions{},
			[]string{`send_program = "/bin/chk -H %h"`, `expect = ""`, "timeout = 60"}, []string{"misc_dynamic: not carried over", "approximated"}, false},
		{"MISC_CHECK with shell", vs("real_server 10.0.2.1 8080 {\nMISC_CHECK {\nmisc_path \"/bin/chk | grep x\"\n}\n}"), ImportOptions{}, nil,
			[]string{"nanny runs send_program without a shell"}, false},
		{"different checks", vs("real_server 10.0.2.1 8080 {\nTCP_CHECK {\n}\n}\nreal_server 10.0.2.2 8080 {\nHTTP_GET {\n}\n}"), ImportOptions{}, nil,
			[]string{"differs from the first real server's check (k.conf:"}, false},
		{"no check", vs("real_server 10.0.2.1 8080 {\n}"), ImportOptions{}, nil, []string{"the real servers have no health check"}, false},
		{"fwmark", vrrpDR + "virtual_server fwmark 5 {\npersistence_timeout 60\n" + rs + "\n}\n", ImportOptions{},
			[]string{"fwmark = 5", "port = 8080", "address = 10.0.0.100 eth0:1"}, []string{"fwmark 5: lvs.cf needs an address"}, false},
		{"group", vrrpDR + "virtual_server_group G {\n10.0.0.100 80\n10.0.0.101 80\n10.0.5.0/29 80\n}\nvirtual_server group G {\n" + rs + "\n}\n", ImportOptions{},
			[]string{"virtual vs_10_0_0_100_80 {", "virtual vs_10_0_0_101_80 {", "address = 10.0.0.101 eth0:api"}, []string{"10.0.5.0/29 80: not carried over"}, false},
		// issue 13: every virtual server is carried, a range's too
		{"group range", vrrpDR + "virtual_server_group G {\n10.0.5.7-9 80\n10.0.6.9-8 80\n" + strings.Repeat("10.1.0.0-255 81\n", 16) + "10.2.0.0-255 81\n}\nvirtual_server group G {\n" + rs + "\n}\n", ImportOptions{},
			[]string{"virtual vs_10_0_5_7_80 {", "virtual vs_10_0_5_8_80 {", "virtual vs_10_0_5_9_80 {"}, []string{"10.0.6.9-8 80: not carried over", "10.2.0.0-255 81: not carried over"}, false},
		{"sync daemon and timeouts", "global_defs {\nlvs_sync_daemon eth1 VI\nlvs_timeouts tcp 60 udp 30\nrouter_id x\n}\n" +
			strings.Replace(vs(rs), "interface eth0", "interface eth0\nvirtual_router_id 33", 1), ImportOptions{},
			[]string{"syncdaemon = 1", "syncd_iface = eth1", "syncd_id = 33", "tcp_timeout = 60", "udp_timeout = 30"},
			[]string{"k.conf:4: router_id: not carried over (lvs.cf has no equivalent)"}, false},
		{"no vrrp: placeholders", "virtual_server 10.0.0.100 80 {\nlb_kind NAT\n" + rs + "\n}\n", ImportOptions{},
			[]string{"primary = 0.0.0.0", "nat_router = 0.0.0.0 eth1:1", "address = 10.0.0.100 eth0:1", "backup_active = 0"},
			[]string{"primary = 0.0.0.0 is a placeholder", "nat_router = 0.0.0.0 eth1:1 is a placeholder", "a guess"}, false},
		// issue 13: dropped, leaving no virtual server, with exit 0
		{"fwmark without virtual_ipaddress", "virtual_server fwmark 7 {\nlb_kind DR\npersistence_timeout 60\n" + rs + "\n}\n", ImportOptions{Primary: "10.0.0.2"},
			[]string{"virtual fwmark_7 {", "fwmark = 7", "address = 0.0.0.0 eth0:1", "port = 8080"}, []string{"k.conf:1: virtual_server: fwmark 7: lvs.cf needs the address the marked traffic goes to, and keepalived.conf has no virtual_ipaddress: address = 0.0.0.0 eth0:1 is a placeholder"}, false},
		// issue 13: the first warning had no location (": primary: …")
		{"no vrrp: primary warning located", "global_defs {\nrouter_id x\n}\nvirtual_server 10.0.0.100 80 {\nlb_kind DR\n" + rs + "\n}\n", ImportOptions{}, nil,
			[]string{"k.conf:4: primary: keepalived.conf does not name the primary director's address"}, false},
		{"timing approximated", vs("real_server 10.0.2.1 8080 {\nTCP_CHECK {\nconnect_timeout 3\n}\n}\nreal_server 10.0.2.2 8080 {\nTCP_CHECK {\nconnect_timeout 9\n}\n}"), ImportOptions{},
			[]string{"timeout = 60"}, []string{"connect_timeout: approximated: delay_loop 60 and connect_timeout 3 become timeout = reentry = 60"}, false},
		// nothing else may warn: the directors are given, there is no vrrp_instance
		{"no virtual server", "global_defs {\nlvs_timeouts tcp 60\n}\n", ImportOptions{Primary: "10.0.0.2"},
			[]string{"tcp_timeout = 60"}, []string{"k.conf:1: virtual_server: no virtual server carried over: the lvs.cf has no service"}, false},
		{"top-level blocks dropped", "vrrp_script s {\nscript x\n}\nstatic_routes {\n}\n" + vs(rs), ImportOptions{}, nil,
			[]string{"k.conf:1: vrrp_script s: not carried over", "k.conf:4: static_routes: not carried over"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, warns := importString(t, tc.src, tc.opts)
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

func TestImportBadOptions(t *testing.T) {
	cfg, _ := Parse("k", []byte(vs("lb_kind NAT")), Options{})
	for _, o := range []ImportOptions{{Primary: "x"}, {NATRouter: "10.0.0.1"}, {NATRouter: "x eth0"}} {
		if _, err := Import(cfg, o); err == nil {
			t.Errorf("%+v accepted", o)
		}
	}
}
