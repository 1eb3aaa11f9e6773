package ipvsadm

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lvsadm/lvsadm/ops"
)

// TestParseRulesRoundTrip reads every rendered corpus file and prints it
// back with ServiceLine and DestinationLine: the lines must come back
// unchanged, which shows both directions agree with -S.
func TestParseRulesRoundTrip(t *testing.T) {
	files, err := filepath.Glob("../../testdata/lvscf/golden/*.render")
	if err != nil || len(files) == 0 {
		t.Fatalf("no render goldens: %v", err)
	}
	extra := []string{
		"-A -t 10.0.0.1:80 -s rr -p 300 -M 255.255.255.0",
		"-a -t 10.0.0.1:80 -r 10.0.1.1:8080 -m -w 3",
		"-A -u [2001:db8::1]:53 -s sh -b sh-port",
		"-a -u [2001:db8::1]:53 -r [2001:db8::2]:53 -i -w 1 --tun-type gue --tun-port 6080 --tun-nocsum",
		"-A -f 7 -6 -s wlc -p 60 -M 64",
		"-A -u 10.0.0.2:53 -s rr -o",
	}
	for _, f := range append(files, "extra") {
		var lines []string
		if f == "extra" {
			lines = extra
		} else {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			lines = strings.Split(strings.TrimSpace(string(b)), "\n")
		}
		tab, err := ParseRules(lines)
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		var got []string
		for _, s := range tab {
			got = append(got, ServiceLine("-A", s.Service))
			for _, d := range s.Destinations {
				got = append(got, DestinationLine("-a", s.Service.ServiceKey, d))
			}
		}
		var want []string
		for _, l := range lines {
			if strings.TrimSpace(l) != "" {
				want = append(want, l)
			}
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("%s: round trip\n got: %q\nwant: %q", f, got, want)
		}
	}
}

func TestParseRulesValues(t *testing.T) {
	tab, err := ParseRules([]string{
		"ipvsadm -A -t 10.0.0.1:80",
		"",
		"-a -t 10.0.0.1:80 -r 10.0.1.1:8080 -g",
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(tab) != 1 || len(tab[0].Destinations) != 1 {
		t.Fatalf("got %+v", tab)
	}
	s, d := tab[0].Service, tab[0].Destinations[0]
	if s.Scheduler != "wlc" || s.Protocol != ops.ProtoTCP || s.Port != 80 || s.Family != ops.AFInet {
		t.Errorf("service defaults: %+v", s)
	}
	// Direct routing takes the service port, as ipvsadm does.
	if d.Port != 80 || d.Weight != 1 || d.ConnFlags != ops.FwdRoute || d.Address.String() != "10.0.1.1" {
		t.Errorf("destination: %+v", d)
	}
}

func TestParseRulesErrors(t *testing.T) {
	for _, tc := range []struct {
		lines []string
		want  string
	}{
		{[]string{"-A -t 10.0.0.1:80", "-A -t 10.0.0.1:80 -s rr"}, "line 2: service -t 10.0.0.1:80 is added twice"},
		{[]string{"-a -t 10.0.0.1:80 -r 10.0.1.1"}, "line 1: real server for -t 10.0.0.1:80, which no earlier line adds"},
		{[]string{"-A -f 3", "-a -f 3 -r 10.0.1.1:80", "-a -f 3 -r 10.0.1.1:80 -w 2"}, "line 3: real server 10.0.1.1:80 is added twice"},
		{[]string{"-A -t 10.0.0.1:80", "-D -t 10.0.0.1:80"}, "line 2: only -A and -a lines describe a table"},
		{[]string{"-A -t 10.0.0.1"}, "line 1: Zero port specified for non-persistent service"},
		{[]string{"-A -t www.example.com:80"}, "line 1: illegal virtual server address[:port] specified"},
		{[]string{"", "bogus"}, "line 2: not an ipvsadm command line"},
		{[]string{"-A -t 10.0.0.1:80 -w"}, "line 1: -w: missing argument"},
	} {
		_, err := ParseRules(tc.lines)
		if err == nil || err.Error() != tc.want {
			t.Errorf("ParseRules(%q) = %v, want %q", tc.lines, err, tc.want)
		}
	}
}

func TestOperationLines(t *testing.T) {
	k := ops.ServiceKey{Family: ops.AFInet, Protocol: ops.ProtoTCP, Address: []byte{10, 0, 0, 1}, Port: 80}
	d := ops.Destination{Family: ops.AFInet, Address: []byte{10, 0, 1, 1}, Port: 80, ConnFlags: ops.FwdMasq, Weight: 5, UThreshold: 10, LThreshold: 2}
	for _, tc := range []struct{ got, want string }{
		{ServiceLine("-E", ops.Service{ServiceKey: k, Scheduler: "rr", Netmask: 0xffffffff}), "-E -t 10.0.0.1:80 -s rr"},
		{ServiceLine("-D", ops.Service{ServiceKey: k}), "-D -t 10.0.0.1:80"},
		{DestinationLine("-e", k, d), "-e -t 10.0.0.1:80 -r 10.0.1.1:80 -m -w 5 -x 10 -y 2"},
		{DestinationLine("-d", k, d), "-d -t 10.0.0.1:80 -r 10.0.1.1:80"},
		{ServiceArgs(ops.ServiceKey{Family: ops.AFInet6, FWMark: 9}), "-f 9 -6"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}

// FuzzParseRules checks that no input makes ParseRules panic, and that
// what it accepts prints back to rules it accepts again, meaning the same.
func FuzzParseRules(f *testing.F) {
	f.Add("-A -t 10.0.0.1:80 -s rr\n-a -t 10.0.0.1:80 -r 10.0.1.1:80 -m -w 2")
	f.Add("-A -f 3 -6 -p 60 -M 64\n-a -f 3 -6 -r [2001:db8::2]:80 -i --tun-type gre --tun-csum")
	f.Add("-A -u 10.0.0.2:53 -o -s sh -b sh-port,sh-fallback")
	f.Fuzz(func(t *testing.T, s string) {
		tab, err := ParseRules(strings.Split(s, "\n"))
		if err != nil {
			return
		}
		var lines []string
		for _, r := range tab {
			lines = append(lines, ServiceLine("-A", r.Service))
			for _, d := range r.Destinations {
				lines = append(lines, DestinationLine("-a", r.Service.ServiceKey, d))
			}
		}
		again, err := ParseRules(lines)
		if err != nil {
			t.Fatalf("printed rules do not parse: %v\n%q", err, lines)
		}
		if len(again) != len(tab) {
			t.Fatalf("printed rules have %d services, want %d", len(again), len(tab))
		}
	})
}
