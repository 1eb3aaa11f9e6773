package main

import (
	"os/exec"
	"strings"
	"testing"
)

// TestLinksOnlyTheIpvsadmSurface guards the reason this executable exists:
// every package linked in runs its initialisers at every start, so the
// lvs.cf tools, the daemon, the TUI and their libraries must stay out.
func TestLinksOnlyTheIpvsadmSurface(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Skipf("go list: %v", err)
	}
	allowed := map[string]bool{
		"github.com/lvsadm/lvsadm/cmd/ipvsadm":   true,
		"github.com/lvsadm/lvsadm/internal/thp":  true,
		"github.com/lvsadm/lvsadm/ops":           true,
		"github.com/lvsadm/lvsadm/ops/ipvsadm":   true,
		"github.com/lvsadm/lvsadm/ops/kernel":    true,
		"github.com/vishvananda/netlink/nl":      true,
		"github.com/vishvananda/netns":           true,
		"golang.org/x/sys/unix":                  true,
		"golang.org/x/sys/internal/unsafeheader": true,
	}
	n := 0
	for _, pkg := range strings.Fields(string(out)) {
		first, _, _ := strings.Cut(pkg, "/")
		if !strings.Contains(first, ".") {
			continue // the standard library
		}
		n++
		if !allowed[pkg] {
			t.Errorf("the drop-in ipvsadm links %s; keep it to the ipvsadm surface (or allow it here after measuring its start-up cost with make bench)", pkg)
		}
	}
	if n < 4 {
		t.Fatalf("go list -deps named only %d non-standard packages:\n%s", n, out)
	}
}
