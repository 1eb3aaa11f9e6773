package cmd

import "testing"

func TestMode(t *testing.T) {
	for _, tc := range []struct {
		argv []string
		want dispatch
	}{
		{[]string{"lvsadm"}, modeIpvsadm},
		{[]string{"lvsadm", "-Ln"}, modeIpvsadm},
		{[]string{"lvsadm", "--help"}, modeIpvsadm},
		{[]string{"lvsadm", "version"}, modeCobra},
		{[]string{"/usr/sbin/ipvsadm", "version"}, modeIpvsadm},
		{[]string{"/sbin/ipvsadm-save", "-n"}, modeIpvsadm},
		{[]string{"ipvsadm-restore", "version"}, modeIpvsadm},
		{nil, modeIpvsadm},
	} {
		if got := mode(tc.argv); got != tc.want {
			t.Errorf("mode(%q) = %v, want %v", tc.argv, got, tc.want)
		}
	}
}
