//go:build vmtest

package fwmark

import (
	"context"
	"net/netip"
	"os/exec"
	"strings"
	"testing"

	"github.com/lvsadm/lvsadm/ops/labns"

	"github.com/lvsadm/lvsadm/lvscf"
)

// inNetns runs fn in a new network namespace; the iptables commands
// go-iptables starts from fn inherit it, so each test sees an empty mangle
// table.
func inNetns(t *testing.T, fn func()) {
	t.Helper()
	labns.Run(t, fn)
}

func iptablesS(t *testing.T, cmd string) string {
	t.Helper()
	out, err := exec.Command(cmd, "-t", "mangle", "-S", "PREROUTING").CombinedOutput()
	if err != nil {
		t.Fatalf("%s -S: %v\n%s", cmd, err, out)
	}
	return string(out)
}

// loadModules loads what the rules need beyond the lab init's list
// (xt_comment, ip6table_mangle); the lab kernel does not autoload them.
func loadModules(t *testing.T) {
	t.Helper()
	for _, m := range []string{"iptable_mangle", "xt_mark", "xt_multiport", "xt_comment", "ip6table_mangle"} {
		if out, err := exec.Command("modprobe", m).CombinedOutput(); err != nil {
			t.Logf("modprobe %s: %v %s", m, err, out)
		}
	}
}

func TestVMFwmarkInstallRemove(t *testing.T) {
	loadModules(t)
	inNetns(t, func() {
		other := []string{"-t", "mangle", "-A", "PREROUTING", "-d", "10.0.0.9/32", "-p", "tcp", "--dport", "80", "-j", "MARK", "--set-mark", "9"}
		if out, err := exec.Command("iptables", other...).CombinedOutput(); err != nil {
			t.Fatalf("iptables %v: %v\n%s", other, err, out)
		}
		vip := netip.MustParseAddr("10.0.0.21")
		ftp, _ := lvscf.ParseFwmarkMatch("tcp 21,10000:20000")
		dns, _ := lvscf.ParseFwmarkMatch("udp 53")
		web6, _ := lvscf.ParseFwmarkMatch("tcp 443")
		rules := []Rule{
			{VIP: vip, Mark: 21, Match: ftp},
			{VIP: vip, Mark: 21, Match: dns},
			{VIP: netip.MustParseAddr("2001:db8::21"), Mark: 22, Match: web6},
		}
		m := &Manager{}
		ctx := context.Background()
		if err := m.Install(ctx, rules); err != nil {
			t.Fatal(err)
		}
		// Installing again adds nothing.
		if err := m.Install(ctx, rules); err != nil {
			t.Fatal(err)
		}
		s := iptablesS(t, "iptables")
		for _, want := range []string{
			`-A PREROUTING -d 10.0.0.21/32 -p tcp -m multiport --dports 21,10000:20000 -m comment --comment lvsadm -j MARK --set-xmark 0x15/0xffffffff`,
			`-A PREROUTING -d 10.0.0.21/32 -p udp -m multiport --dports 53 -m comment --comment lvsadm -j MARK --set-xmark 0x15/0xffffffff`,
			`-A PREROUTING -d 10.0.0.9/32 -p tcp -m tcp --dport 80 -j MARK --set-xmark 0x9/0xffffffff`,
		} {
			if strings.Count(s, want+"\n") != 1 {
				t.Errorf("want once %q in:\n%s", want, s)
			}
		}
		if marks := ParseMarks(s); !marks[21] || !marks[9] {
			t.Errorf("ParseMarks: %v", marks)
		}
		s6 := iptablesS(t, "ip6tables")
		if !strings.Contains(s6, "-d 2001:db8::21/128 -p tcp -m multiport --dports 443 -m comment --comment lvsadm -j MARK --set-xmark 0x16/0xffffffff") {
			t.Errorf("ip6tables:\n%s", s6)
		}
		// Dropping the udp rule from the wanted set removes it.
		if err := m.Install(ctx, []Rule{rules[0], rules[2]}); err != nil {
			t.Fatal(err)
		}
		if s := iptablesS(t, "iptables"); strings.Contains(s, "-p udp") || !strings.Contains(s, "--dports 21,10000:20000") {
			t.Errorf("after reinstall:\n%s", s)
		}
		if err := m.Remove(ctx); err != nil {
			t.Fatal(err)
		}
		s = iptablesS(t, "iptables")
		if strings.Contains(s, "lvsadm") || !strings.Contains(s, "-d 10.0.0.9/32") {
			t.Errorf("after remove, want only the other rule:\n%s", s)
		}
		if s6 := iptablesS(t, "ip6tables"); strings.Contains(s6, "lvsadm") {
			t.Errorf("ip6tables after remove:\n%s", s6)
		}
		// Removing twice is harmless.
		if err := m.Remove(ctx); err != nil {
			t.Fatal(err)
		}
	})
}
