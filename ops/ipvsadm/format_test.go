package ipvsadm

import (
	"net"
	"strings"
	"testing"

	"github.com/lvsadm/lvsadm/ops"
	"github.com/lvsadm/lvsadm/ops/opstest"
)

// setup runs command lines that must succeed.
func setup(t *testing.T, k *opstest.Kernel, lines ...string) {
	t.Helper()
	for _, l := range lines {
		if r := runLine(t, k, l, ""); r.code != 0 {
			t.Fatalf("%s: code %d, stderr %q", l, r.code, r.stderr)
		}
	}
}

// TestSpecSamples compares with the listings the spec captured from the
// real ipvsadm.
func TestSpecSamples(t *testing.T) {
	k := newFakeKernel()
	setup(t, k,
		"-A -t 10.0.0.1:80 -s wlc -p 300",
		"-a -t 10.0.0.1:80 -r 10.0.1.1:8080 -m -w 2 -x 100 -y 10",
	)
	tests := []struct{ line, want string }{
		{"-Ln --stats", `IP Virtual Server version 1.2.1 (size=4096)
Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes
  -> RemoteAddress:Port
TCP  10.0.0.1:80                         0        0        0        0        0
  -> 10.0.1.1:8080                       0        0        0        0        0
`},
		{"-Ln --rate", `IP Virtual Server version 1.2.1 (size=4096)
Prot LocalAddress:Port                 CPS    InPPS   OutPPS    InBPS   OutBPS
  -> RemoteAddress:Port
TCP  10.0.0.1:80                         0        0        0        0        0
  -> 10.0.1.1:8080                       0        0        0        0        0
`},
		{"-Ln --thresholds", "IP Virtual Server version 1.2.1 (size=4096)\n" +
			"Prot LocalAddress:Port            Uthreshold Lthreshold ActiveConn InActConn \n" +
			"  -> RemoteAddress:Port\n" +
			"TCP  10.0.0.1:80 wlc persistent 300\n" +
			"  -> 10.0.1.1:8080                100        10         0          0         \n"},
		{"-Ln --persistent-conn", "IP Virtual Server version 1.2.1 (size=4096)\n" +
			"Prot LocalAddress:Port            Weight    PersistConn ActiveConn InActConn \n" +
			"  -> RemoteAddress:Port\n" +
			"TCP  10.0.0.1:80 wlc persistent 300\n" +
			"  -> 10.0.1.1:8080                2         0           0          0         \n"},
		{"-Ln --stats --exact", `IP Virtual Server version 1.2.1 (size=4096)
Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes
  -> RemoteAddress:Port
TCP  10.0.0.1:80                         0        0        0        0        0
  -> 10.0.1.1:8080                       0        0        0        0        0
`},
		{"-Lnc", "IPVS connection entries\npro expire state       source             virtual            destination\n"},
		{"-Lnc --persistent-conn", "IPVS connection entries\npro expire state       source             virtual            destination        pe name          pe_data\n"},
		{"-Ln", "IP Virtual Server version 1.2.1 (size=4096)\n" +
			"Prot LocalAddress:Port Scheduler Flags\n" +
			"  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n" +
			"TCP  10.0.0.1:80 wlc persistent 300\n" +
			"  -> 10.0.1.1:8080                Masq    2      0          0         \n"},
		{"-L", "IP Virtual Server version 1.2.1 (size=4096)\n" +
			"Prot LocalAddress:Port Scheduler Flags\n" +
			"  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n" +
			"TCP  10.0.0.1:http wlc persistent 300\n" +
			"  -> 10.0.1.1:webcache            Masq    2      0          0         \n"},
		{"-Sn", "-A -t 10.0.0.1:80 -s wlc -p 300\n-a -t 10.0.0.1:80 -r 10.0.1.1:8080 -m -w 2\n"},
		{"-S", "-A -t 10.0.0.1:http -s wlc -p 300\n-a -t 10.0.0.1:http -r 10.0.1.1:webcache -m -w 2\n"},
		{"-L -n -t 10.0.0.1:80", "Prot LocalAddress:Port Scheduler Flags\n" +
			"  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n" +
			"TCP  10.0.0.1:80 wlc persistent 300\n" +
			"  -> 10.0.1.1:8080                Masq    2      0          0         \n"},
		{"-L --timeout", "Timeout (tcp tcpfin udp): 900 120 300\n"},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			r := runLine(t, k, tt.line, "")
			if r.code != 0 || r.stderr != "" {
				t.Fatalf("code %d stderr %q", r.code, r.stderr)
			}
			if r.stdout != tt.want {
				t.Errorf("got\n%s\nwant\n%s", r.stdout, tt.want)
			}
		})
	}

	setup(t, k, "--start-daemon master --mcast-interface d0")
	r := runLine(t, k, "-L --daemon", "")
	if want := "master sync daemon (mcast=d0, syncid=0, maxlen=1472, group=224.0.0.81, port=8848, ttl=1)\n"; r.stdout != want {
		t.Errorf("--daemon: got %q want %q", r.stdout, want)
	}
}

func TestListFormats(t *testing.T) {
	k := newFakeKernel()
	setup(t, k,
		"-A -t 192.168.0.1:80 -s rr",
		"-A -t 10.0.0.1:443 -s sh -b sh-port",
		"-A -u 10.0.0.1:53 -s rr -o -p 60 -M 255.255.0.0",
		"-A -f 5 -s wlc",
		"-A -f 5 -6 -s wlc -p -M 64",
		"-A -t [2001:db8::1]:80 -s mh -b mh-fallback,mh-port",
		"-a -t 192.168.0.1:80 -r 10.0.1.2 -g",
		"-a -t 192.168.0.1:80 -r 200.0.0.1 -i --tun-type gue --tun-port 6080 --tun-csum",
		"-a -t 192.168.0.1:80 -r 10.0.1.1 -i --tun-type gre --tun-csum",
		"-a -f 5 -r 10.0.2.1:8080 -m",
		"-a -t [2001:db8::1]:80 -r [2001:db8::2]:81 -m",
		"-a -t [2001:db8::1]:80 -r 10.0.3.1 -i",
	)
	// 10.x sorts after 192.168.x: libipvs subtracts addresses into an int.
	want := `IP Virtual Server version 1.2.1 (size=4096)
Prot LocalAddress:Port Scheduler Flags
  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn
TCP  192.168.0.1:80 rr
  -> 200.0.0.1:80                 Tunnel  1      0          0         
  -> 10.0.1.1:80                  Tunnel  1      0          0         
  -> 10.0.1.2:80                  Route   1      0          0         
TCP  10.0.0.1:443 sh (sh-port)
UDP  10.0.0.1:53 rr persistent 60 mask 255.255.0.0 ops
TCP  [2001:db8::1]:80 mh (mh-fallback,mh-port)
  -> 10.0.3.1:80                  Tunnel  1      0          0         
  -> [2001:db8::2]:81             Masq    1      0          0         
FWM  5 wlc
  -> 10.0.2.1:8080                Masq    1      0          0         
FWM  5 IPv6 wlc persistent 360 mask 64
`
	_ = want
	r := runLine(t, k, "-Ln", "")
	if r.code != 0 {
		t.Fatalf("code %d stderr %q", r.code, r.stderr)
	}
	checkLines(t, "-Ln", r.stdout, want)

	wantSave := `-A -t 192.168.0.1:80 -s rr
-a -t 192.168.0.1:80 -r 200.0.0.1:80 -i -w 1 --tun-type gue --tun-port 6080 --tun-csum
-a -t 192.168.0.1:80 -r 10.0.1.1:80 -i -w 1 --tun-type gre --tun-csum
-a -t 192.168.0.1:80 -r 10.0.1.2:80 -g -w 1
-A -t 10.0.0.1:443 -s sh -b sh-port
-A -u 10.0.0.1:53 -s rr -p 60 -M 255.255.0.0 -o
-A -t [2001:db8::1]:80 -s mh -b mh-fallback,mh-port
-a -t [2001:db8::1]:80 -r 10.0.3.1:80 -i -w 1 --tun-type ipip
-a -t [2001:db8::1]:80 -r [2001:db8::2]:81 -m -w 1
-A -f 5 -s wlc
-a -f 5 -r 10.0.2.1:8080 -m -w 1
-A -f 5 -6 -s wlc -p 360 -M 64
`
	_ = wantSave
	r = runLine(t, k, "-Sn", "")
	checkLines(t, "-Sn", r.stdout, wantSave)

	wantTun := `IP Virtual Server version 1.2.1 (size=4096)
Prot LocalAddress:Port Scheduler Flags
  -> RemoteAddress:Port           Forward TunnelInfo    Weight ActiveConn InActConn
TCP  192.168.0.1:80 rr
  -> 200.0.0.1:80                 Tunnel  gue:6080:+c   1      0          0         
  -> 10.0.1.1:80                  Tunnel  gre:+c        1      0          0         
  -> 10.0.1.2:80                  Route   n/a           1      0          0         
`
	r = runLine(t, k, "-Ln --tun-info -t 192.168.0.1:80", "")
	checkLines(t, "--tun-info", r.stdout, strings.SplitN(wantTun, "\n", 2)[1])
}

// TestFwmarkSigned: ipvsadm 1.31 prints the fwmark (a u32) with %d, so
// marks from 2^31 up come out negative, in listings and in -S alike (the
// real ipvsadm's output in the lab VM, testdata/conformance/20-ranges.case,
// which also checks the order they sort in).
func TestFwmarkSigned(t *testing.T) {
	for _, tt := range []struct{ mark, shown string }{
		{"1", "1"},
		{"2147483647", "2147483647"},
		{"2147483648", "-2147483648"},
		{"3000000000", "-1294967296"},
		{"4294967295", "-1"},
	} {
		k := newFakeKernel()
		setup(t, k, "-A -f "+tt.mark+" -s rr", "-a -f "+tt.mark+" -r 10.0.1.1:80 -m", "-A -f "+tt.mark+" -6 -s rr")
		r := runLine(t, k, "-Ln -f "+tt.mark, "")
		checkLines(t, "-Ln -f "+tt.mark, r.stdout, "Prot LocalAddress:Port Scheduler Flags\n"+
			"  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n"+
			"FWM  "+tt.shown+" rr\n"+
			"  -> 10.0.1.1:80                  Masq    1      0          0         \n")
		r = runLine(t, k, "-Ln --stats -f "+tt.mark+" -6", "")
		checkLines(t, "--stats -f "+tt.mark, r.stdout, "Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes\n"+
			"  -> RemoteAddress:Port\n"+
			appendLeftS("FWM  "+tt.shown+" IPv6", 33)+"        0        0        0        0        0\n")
		r = runLine(t, k, "-Sn", "")
		checkLines(t, "-Sn", r.stdout, "-A -f "+tt.shown+" -s rr\n"+
			"-a -f "+tt.shown+" -r 10.0.1.1:80 -m -w 1\n"+
			"-A -f "+tt.shown+" -6 -s rr\n")
	}
	// What -S wrote for such a mark cannot be read back: "-f -1" is an
	// invalid fwmark.
	if r := runLine(t, newFakeKernel(), "-A -f -1 -s rr", ""); r.code != 2 || r.stderr != "invalid fwmark value `-1' specified\n" {
		t.Errorf("-f -1: code %d stderr %q", r.code, r.stderr)
	}
}

func appendLeftS(s string, w int) string { return string(appendLeft(nil, s, w)) }

func checkLines(t *testing.T, what, got, want string) {
	t.Helper()
	if got != want {
		gl, wl := strings.Split(got, "\n"), strings.Split(want, "\n")
		for i := 0; i < len(gl) || i < len(wl); i++ {
			var g, w string
			if i < len(gl) {
				g = gl[i]
			}
			if i < len(wl) {
				w = wl[i]
			}
			if g != w {
				t.Errorf("%s line %d:\n got %q\nwant %q", what, i+1, g, w)
			}
		}
	}
}

func TestListNamesAndTruncation(t *testing.T) {
	k := newFakeKernel()
	k.Load(ops.Table{{
		Service: ops.Service{
			ServiceKey: ops.ServiceKey{Family: ops.AFInet, Protocol: ops.ProtoTCP, Address: net.IPv4(10, 9, 9, 9).To4(), Port: 8080},
			Scheduler:  "rr",
			Stats:      ops.Stats{Conns: 123456789, InPkts: 99999999, OutPkts: 100000000000, InBytes: 1 << 62, OutBytes: 5},
		},
		Destinations: []ops.Destination{{
			Family: ops.AFInet, Address: net.IPv4(10, 9, 9, 9).To4(), Port: 22, Weight: 3,
			Stats: ops.Stats{CPS: 123456789, InBPS: 123456789},
		}},
	}})
	r := runLine(t, k, "-L --stats", "")
	want := `IP Virtual Server version 1.2.1 (size=4096)
Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes
  -> RemoteAddress:Port
TCP  web.example:webcache          123456K 99999999     100G 4611686T        5
  -> web.example:ssh                     0        0        0        0        0
`
	checkLines(t, "--stats", r.stdout, want)
	r = runLine(t, k, "-L --rate --exact", "")
	want = `IP Virtual Server version 1.2.1 (size=4096)
Prot LocalAddress:Port                 CPS    InPPS   OutPPS    InBPS   OutBPS
  -> RemoteAddress:Port
TCP  web.example:webcache                0        0        0        0        0
  -> web.example:ssh              123456789        0        0 123456789        0
`
	checkLines(t, "--rate --exact", r.stdout, want)
}

// TestCountersAtEdges: the kernel's connection counters are ints sent as
// u32 and ipvsadm prints them (and thresholds, and the weight in
// --persistent-conn) with %u, so numbers of ten digits fill their columns
// exactly and nothing turns negative.
func TestCountersAtEdges(t *testing.T) {
	k := newFakeKernel()
	// Counters no command sets: as if the kernel had carried traffic.
	tab := ops.Table{{Service: ops.Service{ServiceKey: ops.ServiceKey{Family: ops.AFInet, Protocol: ops.ProtoTCP, Address: net.IPv4(10, 0, 0, 1).To4(), Port: 80}, Scheduler: "wlc", Netmask: 0xffffffff}}}
	tab[0].Destinations = []ops.Destination{{
		Family: ops.AFInet, Address: net.IPv4(10, 0, 1, 1).To4(), Port: 80, ConnFlags: ops.FwdMasq,
		Weight: 2147483647, UThreshold: 4294967295, LThreshold: 0,
		ActiveConns: 4294967295, InactConns: 2147483648, PersistConns: 4294967295,
	}}
	k.Load(tab)
	for _, tt := range []struct{ opts, want string }{
		{"", "  -> 10.0.1.1:80                  Masq    2147483647 4294967295 2147483648\n"},
		{"--thresholds", "  -> 10.0.1.1:80                  4294967295 0          4294967295 2147483648\n"},
		{"--persistent-conn", "  -> 10.0.1.1:80                  2147483647 4294967295  4294967295 2147483648\n"},
		{"--tun-info", "  -> 10.0.1.1:80                  Masq    n/a           2147483647 4294967295 2147483648\n"},
	} {
		r := runLine(t, k, "-Ln -t 10.0.0.1:80 "+tt.opts, "")
		lines := strings.SplitAfter(r.stdout, "\n")
		if len(lines) < 4 || lines[3] != tt.want {
			t.Errorf("-Ln %s:\n got %q\nwant %q", tt.opts, r.stdout, tt.want)
		}
	}
}

func TestListConnections(t *testing.T) {
	k := newFakeKernel()
	k.SetConnections([]ops.Connection{
		{Protocol: "TCP", Client: net.IPv4(192, 168, 1, 10).To4(), CPort: 51000, Virtual: net.IPv4(10, 9, 9, 9).To4(), VPort: 80,
			Dest: net.IPv4(10, 0, 1, 1).To4(), DPort: 8080, State: "ESTABLISHED", Expires: 899},
		{Protocol: "UDP", Client: net.ParseIP("2001:db8::5"), CPort: 5060, Virtual: net.ParseIP("2001:db8::9"), VPort: 5060,
			Dest: net.ParseIP("2001:db8::2"), DPort: 5060, State: "UDP", Expires: 6001, PEName: "sip", PEData: "call-1"},
	})
	r := runLine(t, k, "-Lcn --persistent-conn", "")
	want := "IPVS connection entries\n" +
		"pro expire state       source             virtual            destination        pe name          pe_data\n" +
		"TCP 14:59  ESTABLISHED 192.168.1.10:51000 10.9.9.9:80        10.0.1.1:8080\n" +
		"UDP 100:01 UDP         [2001:db8::5]:5060 [2001:db8::9]:5060 [2001:db8::2]:5060 sip                call-1\n"
	checkLines(t, "-Lcn --persistent-conn", r.stdout, want)
	r = runLine(t, k, "-Lc", "")
	want = "IPVS connection entries\n" +
		"pro expire state       source             virtual            destination\n" +
		"TCP 14:59  ESTABLISHED 192.168.1.10:51000 web.example:http   10.0.1.1:webcache\n" +
		"UDP 100:01 UDP         [2001:db8::5]:5060 [v6.example]:5060  [2001:db8::2]:5060\n"
	checkLines(t, "-Lc", r.stdout, want)
}

func TestLargeNum(t *testing.T) {
	for _, tt := range []struct {
		n     uint64
		exact bool
		want  string
	}{
		{0, false, "        0"},
		{99999999, false, " 99999999"},
		{100000000, false, "  100000K"},
		{999999999, false, "  999999K"},
		{1000000000, false, "    1000M"},
		{99999999999, false, "   99999M"},
		{100000000000, false, "     100G"},
		{99999999999999, false, "   99999G"},
		{100000000000000, false, "     100T"},
		{18446744073709551615, false, "18446744T"},
		{99999999, true, " 99999999"},
		{100000000, true, " 100000000"},
		{123, true, "      123"},
		{123456789, true, " 123456789"},
		{18446744073709551615, true, " 18446744073709551615"},
	} {
		if got := string(appendLargeNum(nil, tt.n, tt.exact)); got != tt.want {
			t.Errorf("largenum(%d, %v) = %q, want %q", tt.n, tt.exact, got, tt.want)
		}
	}
}

func TestTitles(t *testing.T) {
	// The titles, from ipvsadm's format strings.
	var s session
	for _, tt := range []struct {
		format int
		want   string
	}{
		{fmtStats, fmtS("%-33s %8s %8s %8s %8s %8s\n  -> RemoteAddress:Port\n", "Prot LocalAddress:Port", "Conns", "InPkts", "OutPkts", "InBytes", "OutBytes")},
		{fmtRate, fmtS("%-33s %8s %8s %8s %8s %8s\n  -> RemoteAddress:Port\n", "Prot LocalAddress:Port", "CPS", "InPPS", "OutPPS", "InBPS", "OutBPS")},
		{fmtThresholds, fmtS("%-33s %-10s %-10s %-10s %-10s\n  -> RemoteAddress:Port\n", "Prot LocalAddress:Port", "Uthreshold", "Lthreshold", "ActiveConn", "InActConn")},
		{fmtPersistentConn, fmtS("%-33s %-9s %-11s %-10s %-10s\n  -> RemoteAddress:Port\n", "Prot LocalAddress:Port", "Weight", "PersistConn", "ActiveConn", "InActConn")},
		{fmtRule, ""},
	} {
		var b strings.Builder
		s.out = newTestWriter(&b)
		s.printTitle(tt.format)
		s.out.Flush()
		if b.String() != tt.want {
			t.Errorf("title %b:\n got %q\nwant %q", tt.format, b.String(), tt.want)
		}
	}
}
