package ipvsadm

import "testing"

func TestProgramOf(t *testing.T) {
	for _, tc := range []struct {
		argv0 string
		want  Program
	}{
		{"ipvsadm", ProgIpvsadm},
		{"/usr/sbin/ipvsadm", ProgIpvsadm},
		{"/sbin/ipvsadm-save", ProgSave},
		{"ipvsadm-restore", ProgRestore},
		{"lvsadm", ProgIpvsadm},
		{"bin/ipvsadm.test", ProgIpvsadm},
		{"", ProgIpvsadm},
	} {
		if got := ProgramOf(tc.argv0); got != tc.want {
			t.Errorf("ProgramOf(%q) = %v, want %v", tc.argv0, got, tc.want)
		}
	}
}
