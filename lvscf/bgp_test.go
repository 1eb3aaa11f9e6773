package lvscf

import (
	"net/netip"
	"strings"
	"testing"
	"time"
)

// ecmpBaseline is a clean file for three directors behind a router's
// ECMP: the bgp block, an announced virtual server with a consistent
// hash, sloppy_tcp.
const ecmpBaseline = `serial_no = 1
director_mode = ecmp
sloppy_tcp = 1
network = direct
bgp {
     local_as = 65001
     neighbor 10.0.0.254 {
         remote_as = 65000
         hold_time = 9
         bfd = 1
     }
}
virtual www {
     active = 1
     address = 10.0.0.100 lo:1
     port = 80
     scheduler = mh
     sched_flags = mh-port
     announce = 1
     send = "GET / HTTP/1.0\r\n\r\n"
     expect = "HTTP"
     timeout = 6
     reentry = 15
     server web1 {
         address = 10.0.1.1
         active = 1
         weight = 1
     }
}
`

// replaced returns base with each old replaced by its new (old must occur).
func replaced(t *testing.T, base string, pairs ...string) string {
	t.Helper()
	for i := 0; i+1 < len(pairs); i += 2 {
		if !strings.Contains(base, pairs[i]) {
			t.Fatalf("no %q in\n%s", pairs[i], base)
		}
		base = strings.Replace(base, pairs[i], pairs[i+1], 1)
	}
	return base
}

func TestECMPBaselineIsClean(t *testing.T) {
	if ds := Lint("ecmp.cf", []byte(ecmpBaseline), LintOptions{}); len(ds) > 0 {
		t.Errorf("ecmp baseline:\n%s", FormatDiagnostics(ds))
	}
	// Every extension is reported with --piranha, the bgp block once.
	ds := Lint("ecmp.cf", []byte(ecmpBaseline), LintOptions{Piranha: true})
	count := map[string]int{}
	for _, d := range ds {
		count[d.Code]++
	}
	if count["lvsadm-block"] != 1 || count["lvsadm-key"] != 4 { // director_mode, sloppy_tcp, sched_flags, announce
		t.Errorf("--piranha: %v\n%s", count, FormatDiagnostics(ds))
	}
}

func TestDecodeBGP(t *testing.T) {
	src := replaced(t, ecmpBaseline, "     }\n}\nvirtual", `     }
     router_id = 192.0.2.1
     listen_port = 0
     bfd_interval = 300
     bfd_multiplier = 5
     neighbor 2001:DB8::FE {
         remote_as = 4200000000
         passive = 1
         port = 1179
         keepalive = 20
     }
}
virtual`)
	cfg, diags := Decode(Parse("t.cf", []byte(src)))
	if HasErrors(diags) {
		t.Fatal(FormatDiagnostics(diags))
	}
	want := &BGPConfig{
		LocalAS: 65001, RouterID: netip.MustParseAddr("192.0.2.1"), ListenPort: 0,
		BFDInterval: 300 * time.Millisecond, BFDMultiplier: 5,
		Neighbors: []BGPNeighbor{
			{Address: netip.MustParseAddr("10.0.0.254"), RemoteAS: 65000, HoldTime: 9, Keepalive: 3, BFD: true, Port: 179},
			{Address: netip.MustParseAddr("2001:db8::fe"), RemoteAS: 4200000000, HoldTime: 90, Keepalive: 20, Passive: true, Port: 1179},
		},
	}
	got := cfg.BGP
	if got == nil || got.LocalAS != want.LocalAS || got.RouterID != want.RouterID || got.ListenPort != want.ListenPort ||
		got.BFDInterval != want.BFDInterval || got.BFDMultiplier != want.BFDMultiplier || len(got.Neighbors) != 2 ||
		got.Neighbors[0] != want.Neighbors[0] || got.Neighbors[1] != want.Neighbors[1] {
		t.Errorf("BGP = %+v\nwant %+v", got, want)
	}
	if !cfg.SloppyTCP || cfg.DirectorMode != DirectorModeECMP || !cfg.Virtuals[0].Announce ||
		strings.Join(cfg.Virtuals[0].SchedFlags, ",") != "mh-port" {
		t.Errorf("globals/virtual: sloppy %v mode %q announce %v flags %v", cfg.SloppyTCP, cfg.DirectorMode, cfg.Virtuals[0].Announce, cfg.Virtuals[0].SchedFlags)
	}
	// Defaults: no bgp block, pair mode, nothing announced.
	cfg, _ = Decode(Parse("t.cf", []byte(baseline)))
	if cfg.BGP != nil || cfg.SloppyTCP || cfg.DirectorMode != DirectorModePair || cfg.Announces() {
		t.Errorf("baseline decodes extensions: %+v", cfg)
	}
	// A bgp block with only local_as takes every default.
	cfg, _ = Decode(Parse("t.cf", []byte("bgp {\n local_as = 1\n neighbor 10.0.0.1 {\n  remote_as = 2\n }\n}\n")))
	if b := cfg.BGP; b == nil || b.ListenPort != 179 || b.BFDInterval != 100*time.Millisecond || b.BFDMultiplier != 3 ||
		b.RouterID.IsValid() || b.Neighbors[0].HoldTime != 90 || b.Neighbors[0].Keepalive != 30 || b.Neighbors[0].Port != 179 {
		t.Errorf("defaults: %+v", b)
	}
}

func TestBGPDiagnostics(t *testing.T) {
	for _, tt := range []struct {
		src, want string
	}{
		{replaced(t, ecmpBaseline, "remote_as = 65000", "remote_asn = 65000"),
			`t.cf:8:10: error: unknown key "remote_asn" in a neighbor block; did you mean "remote_as"? [unknown-key]`},
		{replaced(t, ecmpBaseline, "local_as = 65001", "local_as = 65001\n     hold_time = 9"),
			`t.cf:7:6: error: unknown key "hold_time" in a bgp block (it belongs in a neighbor block) [unknown-key]`},
		{replaced(t, ecmpBaseline, "sloppy_tcp = 1", "sloppy_tcp = 1\nlocal_as = 1"),
			`t.cf:4:1: error: unknown key "local_as" in a global block (it belongs in the bgp block) [unknown-key]`},
		{replaced(t, ecmpBaseline, "neighbor 10.0.0.254 {", "neighbor 10.0.0.300 {"),
			`t.cf:7:15: error: neighbor 10.0.0.300: the name of a neighbor block is its IPv4 or IPv6 address [bad-ip]`},
		{replaced(t, ecmpBaseline, "local_as = 65001", "local_as = 65001\n     router_id = 2001:db8::1"),
			`t.cf:7:18: error: router_id = 2001:db8::1: a BGP router id is an IPv4 address [bad-ip]`},
		{replaced(t, ecmpBaseline, "bgp {", "bgp main {"),
			`t.cf:5:1: error: expected "bgp {": the bgp block has no name [block-syntax]`},
		{replaced(t, ecmpBaseline, "     local_as = 65001\n", ""),
			`t.cf:5:1: error: the bgp block has no local_as (this director's AS number) [missing-key]`},
		{replaced(t, ecmpBaseline, "         remote_as = 65000\n", ""),
			`t.cf:7:6: error: neighbor 10.0.0.254 has no remote_as [missing-key]`},
		{replaced(t, ecmpBaseline, "bgp {", "neighbor 10.0.0.1 {\n}\nbgp {"),
			`t.cf:5:1: error: neighbor blocks belong inside the bgp block [nested-block]`},
		{replaced(t, ecmpBaseline, "hold_time = 9", "hold_time = 0\n         keepalive = 3"),
			`t.cf:10:22: error: keepalive must be 0 with hold_time = 0 (BGP sends no keepalives without a hold timer) [bad-hold-time]`},
		{replaced(t, ecmpBaseline, "sched_flags = mh-port", "sched_flags = mh-port,sh-port"),
			`t.cf:18:20: error: virtual "www": scheduler flag "sh-port" needs scheduler sh, not mh [bad-sched-flags]`},
		{replaced(t, ecmpBaseline, "bgp {", "bgp {\n}\nbgp {"),
			`t.cf:7:1: error: there is one bgp block, already opened on line 5; this one is ignored [duplicate-name]`},
	} {
		ds := FormatDiagnostics(Lint("t.cf", []byte(tt.src), LintOptions{}))
		if !strings.Contains(ds, tt.want+"\n") {
			t.Errorf("want %s\ngot:\n%s", tt.want, ds)
		}
	}
}

func TestBGPPathsAndEdits(t *testing.T) {
	for _, tt := range []struct{ in, canon string }{
		{"bgp", "bgp"},
		{"bgp.local_as", "bgp.local_as"},
		{"bgp.neighbor[10.0.0.1].remote_as", "bgp.neighbor.[10.0.0.1].remote_as"},
		{"bgp.neighbor.[10.0.0.1]", "bgp.neighbor.[10.0.0.1]"},
		{"bgp.neighbor.2001:db8::1.bfd", "bgp.neighbor.2001:db8::1.bfd"},
	} {
		p, err := ParsePath(tt.in)
		if err != nil || p.String() != tt.canon {
			t.Errorf("ParsePath(%q) = %q, %v; want %q", tt.in, p.String(), err, tt.canon)
		}
	}
	for _, bad := range []string{"neighbor.[10.0.0.1]", "bgp.neighbor", "bgp.neighbor[10.0.0.1"} {
		if _, err := ParsePath(bad); err == nil {
			t.Errorf("ParsePath(%q) accepted", bad)
		}
	}

	f := Parse("lvs.cf", []byte(baseline))
	steps := []func() error{
		func() error { return f.Add("bgp.neighbor[10.0.0.254]") }, // creates the bgp block too
		func() error { return f.Set("bgp.local_as", "65001") },
		func() error { return f.Set("bgp.neighbor[10.0.0.254].remote_as", "65000") },
		func() error { return f.Set("bgp.neighbor[10.0.0.254].bfd", "1") },
		func() error { return f.Set("virtual.www.announce", "1") },
		func() error { return f.Set("sloppy_tcp", "1") },
	}
	for i, step := range steps {
		if err := step(); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
	}
	out := string(f.Bytes())
	if !strings.Contains(out, "bgp {\n     local_as = 65001\n     neighbor 10.0.0.254 {\n         remote_as = 65000\n         bfd = 1\n     }\n}\n") {
		t.Errorf("edited file:\n%s", out)
	}
	if ds := Lint("lvs.cf", []byte(out), LintOptions{}); HasErrors(ds) {
		t.Errorf("edited file has errors:\n%s", FormatDiagnostics(ds))
	}
	g := Parse("lvs.cf", []byte(out))
	if v, err := g.Get("bgp.neighbor.[10.0.0.254].remote_as"); err != nil || v != "65000" {
		t.Errorf("Get = %q, %v", v, err)
	}
	cfg, _ := Decode(g)
	for path, want := range map[string]string{
		"bgp.neighbor[10.0.0.254].hold_time": "90", "bgp.neighbor[10.0.0.254].keepalive": "30",
		"bgp.listen_port": "179", "director_mode": "pair", "sloppy_tcp": "1", "virtual.www.announce": "1",
		"virtual.www.sched_flags": "",
	} {
		if v, err := cfg.Get(path); err != nil || v != want {
			t.Errorf("Config.Get(%s) = %q, %v; want %q", path, v, err, want)
		}
	}
	for _, bad := range []struct{ path, value string }{
		{"bgp.local_as", "0"}, {"bgp.neighbor[10.0.0.254].hold_time", "2"}, {"bgp.neighbor[10.0.0.254].remote_as", "x"},
		{"bgp.neighbor[10.0.0.254].remote_asn", "1"}, {"bgp.router_id", "::1"},
	} {
		if err := g.Set(bad.path, bad.value); err == nil {
			t.Errorf("Set(%s, %s) accepted", bad.path, bad.value)
		}
	}
	if err := g.Add("bgp.neighbor.[10.0.0.254]"); err == nil {
		t.Error("Add of an existing neighbor accepted")
	}
	if err := g.Add("bgp.neighbor.[router1]"); err == nil {
		t.Error("Add of a neighbor named by a host name accepted")
	}
	if err := g.Delete("bgp.neighbor[10.0.0.254]"); err != nil {
		t.Fatal(err)
	}
	if err := g.Delete("bgp"); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(g.Bytes()), "bgp") {
		t.Errorf("bgp left after delete:\n%s", g.Bytes())
	}
}

func TestBGPDiff(t *testing.T) {
	a, _ := Decode(Parse("a", []byte(ecmpBaseline)))
	b, _ := Decode(Parse("b", []byte(replaced(t, ecmpBaseline, "neighbor 10.0.0.254 {\n         remote_as = 65000\n         hold_time = 9\n         bfd = 1\n     }\n",
		"neighbor 10.0.0.254 {\n         remote_as = 65000\n         hold_time = 9\n         bfd = 1\n     }\n     neighbor 10.0.0.253 {\n         remote_as = 65000\n     }\n", "hold_time = 9", "hold_time = 6"))))
	var got []string
	for _, c := range Diff(a, b) {
		got = append(got, c.String())
	}
	want := []string{`~ bgp.neighbor.[10.0.0.254].hold_time: "9" -> "6"`, `~ bgp.neighbor.[10.0.0.254].keepalive: "3" -> "2"`, `+ bgp.neighbor.[10.0.0.253]`}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("Diff:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	c, _ := Decode(Parse("c", []byte(baseline)))
	got = got[:0]
	for _, ch := range Diff(c, a) {
		if strings.HasPrefix(ch.Path, "bgp") {
			got = append(got, ch.String())
		}
	}
	if strings.Join(got, "\n") != "+ bgp" {
		t.Errorf("Diff without bgp block: %v", got)
	}
}

func TestSchedFlagsInTable(t *testing.T) {
	cfg, _ := Decode(Parse("t", []byte(ecmpBaseline)))
	tab, err := BuildTable(cfg, TableOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rules, _ := Render(cfg)
	if len(tab) != 1 || tab[0].Flags&0x10 == 0 || !strings.Contains(strings.Join(rules, "\n"), "-s mh -b mh-port") {
		t.Errorf("table %+v, rules %q", tab, rules)
	}
}
