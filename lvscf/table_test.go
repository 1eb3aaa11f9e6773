package lvscf

import (
	"reflect"
	"strings"
	"testing"

	"github.com/lvsadm/lvsadm/ops"
	"github.com/lvsadm/lvsadm/ops/ipvsadm"
)

// checkBuildMatchesRules holds the typed builder to a render golden file,
// read back through ipvsadm's own rules parser: the kernel structures the
// daemon writes are exactly what "ipvsadm -R" makes of the reviewed rules.
func checkBuildMatchesRules(t *testing.T, cfg *Config, golden string) {
	t.Helper()
	got, err := BuildTable(cfg, TableOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want, err := ipvsadm.ParseRules(strings.Split(golden, "\n"))
	if err != nil {
		t.Fatalf("golden rules: %v", err)
	}
	if len(want) == 0 {
		want = ops.Table{}
	}
	if !reflect.DeepEqual(normalize(got), normalize(want)) {
		t.Errorf("built:\n%#v\nrules say:\n%#v", normalize(got), normalize(want))
	}
}

// normalize makes every IPv4 address 4 bytes long, the form the parser
// gives, so DeepEqual compares meaning.
func normalize(t ops.Table) ops.Table {
	out := make(ops.Table, len(t))
	for i, s := range t {
		s.Address = v4(s.Address)
		ds := make([]ops.Destination, len(s.Destinations))
		for j, d := range s.Destinations {
			d.Address = v4(d.Address)
			ds[j] = d
		}
		s.Destinations = ds
		out[i] = s
	}
	return out
}

func v4(ip []byte) []byte {
	if len(ip) == 16 && ip[10] == 0xff && ip[11] == 0xff && string(ip[:10]) == string(make([]byte, 10)) {
		return ip[12:]
	}
	return ip
}

func TestBuildTableOptions(t *testing.T) {
	cfg, diags := Decode(Parse("t.cf", []byte(`network = nat
virtual web {
     active = 1
     address = 10.0.0.1 eth0:1
     port = 80
     sorry_server = 10.0.9.9
     server a {
         address = 10.1.0.1
         active = 1
         weight = 4
     }
     server b {
         address = 10.1.0.2
         active = 1
     }
}
`)))
	if HasErrors(diags) {
		t.Fatal(FormatDiagnostics(diags))
	}
	// a drained to 0, b left out (down), the sorry server in.
	tab, err := BuildTable(cfg, TableOptions{
		Server: func(v *Virtual, s *Server) (int32, bool) { return 0, s.Name == "a" },
		Sorry:  func(v *Virtual) bool { return true },
	})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range tab {
		for _, d := range s.Destinations {
			got = append(got, ipvsadm.DestinationLine("-a", s.ServiceKey, d))
		}
	}
	want := []string{"-a -t 10.0.0.1:80 -r 10.1.0.1:80 -m -w 0", "-a -t 10.0.0.1:80 -r 10.0.9.9:80 -m -w 1"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}
