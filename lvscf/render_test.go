package lvscf

import (
	"strings"
	"testing"
)

func TestRender(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want string
	}{
		{
			name: "nat maps ports, weights, udp, pmask",
			src: `primary = 10.0.0.1
network = nat
nat_router = 10.1.0.254 eth1:1
virtual dns {
     active = 1
     address = 10.0.0.53 eth0:1
     protocol = udp
     port = 53
     scheduler = rr
     persistent = 30
     pmask = 255.255.255.0
     server a {
         address = 10.1.0.1
         active = 1
         port = 5353
         weight = 3
     }
     server b {
         address = 10.1.0.2
         active = 1
         weight = 0
     }
     server c {
         address = 10.1.0.3
         active = 0
     }
}
virtual off {
     active = 0
     address = 10.0.0.54 eth0:2
     server a {
         address = 10.1.0.1
         active = 1
     }
}
`,
			want: `-A -u 10.0.0.53:53 -s rr -p 30 -M 255.255.255.0
-a -u 10.0.0.53:53 -r 10.1.0.1:5353 -m -w 3
-a -u 10.0.0.53:53 -r 10.1.0.2:53 -m -w 1`,
		},
		{
			name: "direct routing uses the service port; pmask /32 is dropped",
			src: `network = direct
virtual www {
     active = 1
     address = 10.0.0.80 eth0:1
     port = 443
     persistent = 600
     pmask = 255.255.255.255
     server a {
         address = 10.1.0.1
         active = 1
         port = 8443
     }
}
`,
			want: `-A -t 10.0.0.80:443 -s wlc -p 600
-a -t 10.0.0.80:443 -r 10.1.0.1:443 -g -w 1`,
		},
		{
			name: "shared fwmark: one service, merged real servers",
			src: `network = tunnel
virtual http {
     active = 1
     address = 10.0.0.80 eth0:1
     port = 80
     fwmark = 80
     persistent = 300
     server a {
         address = 10.1.0.1
         active = 1
     }
}
virtual https {
     active = 1
     address = 10.0.0.80 eth0:1
     port = 443
     fwmark = 80
     persistent = 300
     server a {
         address = 10.1.0.1
         active = 1
     }
     server b {
         address = 10.1.0.2
         active = 1
     }
}
`,
			want: `-A -f 80 -s wlc -p 300
-a -f 80 -r 10.1.0.1:80 -i -w 1 --tun-type ipip
-a -f 80 -r 10.1.0.1:443 -i -w 1 --tun-type ipip
-a -f 80 -r 10.1.0.2:443 -i -w 1 --tun-type ipip`,
		},
		{
			name: "default network is nat; server port is the virtual port when the block opens",
			src: `virtual v {
     active = 1
     address = 10.0.0.1 eth0:1
     server a {
         address = 10.1.0.1
         active = 1
     }
     port = 8080
}
`,
			want: `-A -t 10.0.0.1:8080 -s wlc
-a -t 10.0.0.1:8080 -r 10.1.0.1:80 -m -w 1`,
		},
		{
			name: "ipv6",
			src: `network = direct
virtual v {
     active = 1
     address = 2001:db8::1 eth0
     server a {
         address = 2001:db8::2
         active = 1
     }
}
`,
			want: `-A -t [2001:db8::1]:80 -s wlc
-a -t [2001:db8::1]:80 -r [2001:db8::2]:80 -g -w 1`,
		},
		{
			name: "failover services have no ipvs rules",
			src:  "service = fos\nfailover f {\n     active = 1\n     address = 10.0.0.1 eth0:1\n}\n",
			want: "",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, diags := Decode(Parse("t.cf", []byte(tt.src)))
			if HasErrors(diags) {
				t.Fatalf("decode:\n%s", FormatDiagnostics(diags))
			}
			got, err := Render(cfg)
			if err != nil {
				t.Fatal(err)
			}
			if g := strings.Join(got, "\n"); g != tt.want {
				t.Errorf("got:\n%s\nwant:\n%s", g, tt.want)
			}
		})
	}
}

func TestRenderErrors(t *testing.T) {
	cfg, _ := Decode(Parse("t.cf", []byte("virtual v {\n active = 1\n server a {\n  active = 1\n }\n}\n")))
	if _, err := Render(cfg); err == nil || !strings.Contains(err.Error(), `virtual "v" has no valid address`) {
		t.Errorf("Render = %v, want a missing-address error", err)
	}
}

func TestDefaults(t *testing.T) {
	cfg, _ := Decode(Parse("t.cf", []byte("primary = 10.0.0.1\nbackup = 10.0.0.2\nvirtual v {\n server s {\n }\n}\n")))
	v := cfg.Virtuals[0]
	s := v.Servers[0]
	checks := []struct {
		name      string
		got, want any
	}{
		{"keepalive", cfg.Keepalive, Seconds(2)},
		{"deadtime", cfg.Deadtime, Seconds(5)},
		{"heartbeat", cfg.Heartbeat, false},
		{"heartbeat_port", cfg.HeartbeatPort, uint16(539)},
		{"network", cfg.Network, "nat"},
		{"service", cfg.Service, "lvs"},
		{"syncd_iface", cfg.SyncdIface, "eth0"},
		{"hard_shutdown", cfg.HardShutdown, true},
		{"rsh_command", cfg.RshCommand, "rsh"},
		{"primary_private", cfg.PrimaryPrivate.String(), "10.0.0.1"},
		{"backup_private", cfg.BackupPrivate.String(), "10.0.0.2"},
		{"virtual active", v.Active, false},
		{"port", v.Port, uint16(80)},
		{"protocol", v.Protocol, "tcp"},
		{"scheduler", v.Scheduler, "wlc"},
		{"timeout", v.Timeout, Seconds(10)},
		{"reentry", v.Reentry, Seconds(180)},
		{"load_monitor", v.LoadMonitor, "none"},
		{"server active", s.Active, false},
		{"weight", s.Weight, 1},
		{"server port", s.Port, uint16(80)},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	if got, err := cfg.Get("virtual.v.server.s.weight"); err != nil || got != "1" {
		t.Errorf("Config.Get = %q, %v", got, err)
	}
}

func TestDiff(t *testing.T) {
	a := readCorpus(t, "01-seed-rhel5-apache-ftp.cf")
	// Same meaning, different text: a reformatted copy with defaults spelt
	// out and comments added.
	f := Parse("b", Format(Parse("a", a)))
	if err := f.Set("heartbeat_port", "539"); err != nil {
		t.Fatal(err)
	}
	ca, _ := Decode(Parse("a", a))
	cb, _ := Decode(f)
	if ch := Diff(ca, cb); len(ch) != 0 {
		t.Errorf("equivalent files differ: %v", ch)
	}
	steps := [][2]string{
		{"serial_no", "78"},
		{"virtual.Apache.scheduler", "wlc"},
		{"virtual.FTP.server.FTP_realserver2.active", "0"},
	}
	for _, s := range steps {
		if err := f.Set(s[0], s[1]); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.Delete("virtual.Apache.server.Apache_realserver1"); err != nil {
		t.Fatal(err)
	}
	if err := f.Add("virtual.SMTP"); err != nil {
		t.Fatal(err)
	}
	cb, _ = Decode(f)
	var got []string
	for _, c := range Diff(ca, cb) {
		got = append(got, c.String())
	}
	want := []string{
		`~ serial_no: "77" -> "78"`,
		`~ virtual.Apache.scheduler: "rr" -> "wlc"`,
		`- virtual.Apache.server.Apache_realserver1`,
		`~ virtual.FTP.server.FTP_realserver2.active: "1" -> "0"`,
		`+ virtual.SMTP`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("diff:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
