package conformance

import (
	"strings"
	"testing"
)

func TestParseCases(t *testing.T) {
	src := `# header
=== add and list
ipvsadm -A -t 10.0.0.1:80
! /usr/sbin/ip addr add 10.1.0.1/32 dev d0
ipvsadm -Ln

=== restore
ipvsadm -R <<EOF
-A -t 10.0.0.1:80 -s rr
EOF
ipvsadm -Sn
`
	cs, err := ParseCases("x.case", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 2 {
		t.Fatalf("got %d cases, want 2", len(cs))
	}
	if got := cs[0].Cmds; len(got) != 2 || got[1] != "ipvsadm -Ln" {
		t.Errorf("case 0 commands = %q", got)
	}
	if got := cs[0].Setup; len(got) != 1 || !strings.HasPrefix(got[0], "/usr/sbin/ip") {
		t.Errorf("case 0 setup = %q", got)
	}
	if got := cs[1].Cmds[0]; got != "ipvsadm -R <<EOF\n-A -t 10.0.0.1:80 -s rr\nEOF" {
		t.Errorf("here-document command = %q", got)
	}
}

func TestParseCasesErrors(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{"ipvsadm -L\n", "x.case:1: command before"},
		{"=== a\n", `case "a" has no command`},
		{"=== a\nipvsadm -R <<EOF\n-C\n", "here-document not closed"},
		{"===\n", "case without a name"},
	} {
		_, err := ParseCases("x.case", []byte(tc.src))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ParseCases(%q) error = %v, want %q", tc.src, err, tc.want)
		}
	}
}

func TestDiff(t *testing.T) {
	a := Result{Stdout: []byte("x \n"), Exit: 0}
	if d := Diff(a, a); d != "" {
		t.Errorf("equal results differ: %s", d)
	}
	b := Result{Stdout: []byte("x\n"), Exit: 2}
	d := Diff(a, b)
	if !strings.Contains(d, "exit status: ipvsadm 0, lvsadm 2") || !strings.Contains(d, "- x·") {
		t.Errorf("Diff = %q", d)
	}
}
