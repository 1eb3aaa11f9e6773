package cmd

import (
	"context"
	"errors"
	"strings"
	"testing"
)

func TestCfLintHost(t *testing.T) {
	fw := strings.Replace(cfGood, "     port = 80\n", "     port = 80\n     fwmark = 80\n     persistent = 60\n", 1)
	fwMatch := strings.Replace(fw, "     fwmark = 80\n", "     fwmark = 80\n     fwmark_match = \"tcp 80,8080:8090\"\n", 1)
	const marked = `-P PREROUTING ACCEPT
-A PREROUTING -d 10.0.0.1/32 -p tcp -m tcp --dport 80 -j MARK --set-xmark 0x50/0xffffffff
`
	const other = `-P PREROUTING ACCEPT
-A PREROUTING -d 10.0.0.9/32 -p tcp -m tcp --dport 80 -j MARK --set-xmark 0x51/0xffffffff
`
	saved := readMangle
	t.Cleanup(func() { readMangle = saved })
	for _, tt := range []struct {
		name, cf, ipt string
		err           error
		want, not     string
	}{
		{name: "rule present", cf: fw, ipt: marked, not: "fwmark-no-iptables-rule"},
		{name: "rule missing", cf: fw, ipt: other, want: "lvs.cf:10:15: warning: virtual \"www\" uses fwmark 80 but no iptables mangle PREROUTING rule on this host sets that mark; add fwmark_match"},
		{name: "missing with fwmark_match", cf: fwMatch, ipt: other, want: "the daemon installs the fwmark_match rules"},
		{name: "no fwmark service", cf: cfGood, err: errors.New("not called"), not: "iptables"},
		{name: "no iptables", cf: fw, err: errors.New(`exec: "iptables": executable file not found in $PATH`), want: "lvs.cf:1:1: warning: cannot read iptables mangle PREROUTING to check the fwmark rules: exec: \"iptables\""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			calls := 0
			readMangle = func(context.Context) (string, error) {
				calls++
				return tt.ipt, tt.err
			}
			out, _, code := runCf(t, "", "lint", "--host", writeCf(t, tt.cf))
			if code != 0 {
				t.Errorf("exit %d (warnings only):\n%s", code, out)
			}
			if tt.want != "" && !strings.Contains(out, tt.want) {
				t.Errorf("want %q in:\n%s", tt.want, out)
			}
			if tt.not != "" && strings.Contains(out, tt.not) {
				t.Errorf("want no %q in:\n%s", tt.not, out)
			}
			if calls > 1 {
				t.Errorf("iptables read %d times", calls)
			}
		})
	}
	// Without --host, iptables is not read.
	readMangle = func(context.Context) (string, error) { t.Error("iptables read without --host"); return "", nil }
	runCf(t, "", "lint", writeCf(t, fw))
}
