package cmd

import (
	"fmt"
	"strings"
	"testing"

	"github.com/lvsadm/lvsadm/ops/ipvsadm"
	"github.com/lvsadm/lvsadm/ops/opstest"
)

// restore --atomic through the factory's kernel: a line the kernel
// refuses (a scheduler it has no module for) rolls back what the lines
// before it did, and the table is as it was.
func TestRestoreAtomicRollsBack(t *testing.T) {
	before, err := ipvsadm.ParseRules([]string{"-A -t 10.0.0.1:80 -s wlc", "-a -t 10.0.0.1:80 -r 10.0.1.1:80 -m -w 1"})
	if err != nil {
		t.Fatal(err)
	}
	k := opstest.New()
	k.Load(before)
	want := fmt.Sprint(k.Table())
	rules := "-A -t 10.0.0.7:80 -s rr\n-a -t 10.0.0.7:80 -r 10.0.1.1:80 -m\n-D -t 10.0.0.1:80\n-A -t 10.0.0.8:80 -s nosuch\n"
	_, errOut, code := runWithKernel(t, k, rules, "restore", "--atomic")
	if code != 1 || !strings.Contains(errOut, "<stdin>:4: line failed; the table was rolled back") {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	if got := fmt.Sprint(k.Table()); got != want {
		t.Errorf("table after the rollback:\n%s\nwant\n%s", got, want)
	}
	if _, errOut, code := runWithKernel(t, k, rules[:strings.Index(rules, "-A -t 10.0.0.8")], "restore", "--atomic"); code != 0 || len(k.Table()) != 1 {
		t.Errorf("a good file: exit %d, %d services\n%s", code, len(k.Table()), errOut)
	}
}
