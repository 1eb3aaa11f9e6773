package fwmark

import (
	"context"
	"errors"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/lvsadm/lvsadm/lvscf"
)

type fakeTables struct {
	rules []string
	fail  string // fail AppendUnique of a spec containing this
}

func (f *fakeTables) AppendUnique(table, chain string, spec ...string) error {
	s := table + " " + chain + " " + strings.Join(spec, " ")
	if f.fail != "" && strings.Contains(s, f.fail) {
		return errors.New("boom")
	}
	if !slices.Contains(f.rules, s) {
		f.rules = append(f.rules, s)
	}
	return nil
}

func (f *fakeTables) DeleteIfExists(table, chain string, spec ...string) error {
	s := table + " " + chain + " " + strings.Join(spec, " ")
	f.rules = slices.DeleteFunc(f.rules, func(x string) bool { return x == s })
	return nil
}

func mustMatch(t *testing.T, s string) lvscf.FwmarkMatch {
	t.Helper()
	m, err := lvscf.ParseFwmarkMatch(s)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestFromConfigAndSpec(t *testing.T) {
	src := `primary = 10.0.0.1
service = lvs
network = direct
virtual ftp {
     active = 1
     address = 10.0.0.21 eth0:1
     fwmark = 21
     persistent = 60
     fwmark_match = "tcp 21,10000:20000"
     fwmark_match = "tcp 21,10000:20000"
     fwmark_match = "udp 53"
}
virtual off {
     active = 0
     address = 10.0.0.22 eth0:2
     fwmark = 22
     persistent = 60
     fwmark_match = "tcp 22"
}
`
	cfg, _ := lvscf.Decode(lvscf.Parse("t.cf", []byte(src)))
	rules := FromConfig(cfg)
	var got []string
	for _, r := range rules {
		got = append(got, r.String())
	}
	want := []string{
		"-d 10.0.0.21/32 -p tcp -m multiport --dports 21,10000:20000 -m comment --comment lvsadm -j MARK --set-mark 21",
		"-d 10.0.0.21/32 -p udp -m multiport --dports 53 -m comment --comment lvsadm -j MARK --set-mark 21",
	}
	if !slices.Equal(got, want) {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	r6 := Rule{VIP: netip.MustParseAddr("2001:db8::1"), Mark: 5, Match: mustMatch(t, "tcp 80")}
	if s := r6.Spec()[1]; s != "2001:db8::1/128" {
		t.Errorf("v6 destination %q", s)
	}
}

func TestManagerInstallRemove(t *testing.T) {
	f4, f6 := &fakeTables{}, &fakeTables{}
	m := &Manager{New: func(v6 bool) (Tables, error) {
		if v6 {
			return f6, nil
		}
		return f4, nil
	}}
	ctx := context.Background()
	vip := netip.MustParseAddr("10.0.0.21")
	a := Rule{VIP: vip, Mark: 21, Match: mustMatch(t, "tcp 21,10000:20000")}
	b := Rule{VIP: vip, Mark: 21, Match: mustMatch(t, "udp 53")}
	c := Rule{VIP: netip.MustParseAddr("2001:db8::1"), Mark: 7, Match: mustMatch(t, "tcp 443")}
	other := "mangle PREROUTING -d 10.0.0.9/32 -j MARK --set-mark 9"
	f4.rules = []string{other}
	if err := m.Install(ctx, []Rule{a, b, c}); err != nil {
		t.Fatal(err)
	}
	if len(f4.rules) != 3 || len(f6.rules) != 1 {
		t.Fatalf("after install: v4 %q v6 %q", f4.rules, f6.rules)
	}
	// Reinstall with one rule less: b goes, a stays once.
	if err := m.Install(ctx, []Rule{a, c}); err != nil {
		t.Fatal(err)
	}
	if len(f4.rules) != 2 || len(m.Installed()) != 2 {
		t.Fatalf("after reinstall: %q, installed %v", f4.rules, m.Installed())
	}
	if err := m.Remove(ctx); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(f4.rules, []string{other}) || len(f6.rules) != 0 || len(m.Installed()) != 0 {
		t.Fatalf("after remove: v4 %q v6 %q", f4.rules, f6.rules)
	}
	// A failing rule is reported; the others are installed and removable.
	f4.fail = "udp"
	if err := m.Install(ctx, []Rule{a, b}); err == nil || !strings.Contains(err.Error(), "udp") {
		t.Errorf("want an error for the udp rule, got %v", err)
	}
	if len(m.Installed()) != 1 {
		t.Errorf("installed %v", m.Installed())
	}
	_ = m.Remove(ctx)
	if !slices.Equal(f4.rules, []string{other}) {
		t.Errorf("after remove: %q", f4.rules)
	}
}

func TestParseMarks(t *testing.T) {
	out := `-P PREROUTING ACCEPT
-A PREROUTING -d 10.0.0.1/32 -p tcp -m tcp --dport 80 -j MARK --set-xmark 0x50/0xffffffff
-A PREROUTING -d 10.0.0.2/32 -p tcp -m multiport --dports 21,10000:20000 -m comment --comment lvsadm -j MARK --set-xmark 0x15/0xffffffff
-A PREROUTING -d 10.0.0.3/32 -j MARK --set-mark 7
-A PREROUTING -d 10.0.0.4/32 -j MARK --set-xmark 0x9/0xff
-A PREROUTING -d 10.0.0.5/32 -j CONNMARK --set-xmark 0x11/0xffffffff
`
	got := ParseMarks(out)
	for _, m := range []uint32{80, 21, 7} {
		if !got[m] {
			t.Errorf("mark %d not found", m)
		}
	}
	for _, m := range []uint32{9, 17} {
		if got[m] {
			t.Errorf("mark %d found", m)
		}
	}
}

// Installed returns the rules m holds as installed (only tests ask).
func (m *Manager) Installed() []Rule {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.installed)
}
