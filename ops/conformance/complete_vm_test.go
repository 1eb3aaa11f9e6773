//go:build vmtest

package conformance

import (
	"context"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestCompletionFromKernel checks that shell completion of the ipvsadm
// surface offers what the kernel holds: services after -t/-u/-f and the
// service's real servers after -r (the table is built with the real ipvsadm).
func TestCompletionFromKernel(t *testing.T) {
	lvsadm := mustEnv(t, "LVSADM")
	oracle := envOr("IPVSADM", "/sbin/ipvsadm")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	script := NetnsPrelude + `
O=` + oracle + `
$O -A -t 10.0.0.1:80 -s rr
$O -A -t [2001:db8::1]:443 -s rr
$O -A -u 10.0.0.2:53
$O -A -f 7
$O -a -t 10.0.0.1:80 -r 10.0.1.1:8080 -m
$O -a -t 10.0.0.1:80 -r 10.0.1.2:8080 -m
echo ---; ` + lvsadm + ` __complete -d -t ''
echo ---; ` + lvsadm + ` __complete -D -u 10.0
echo ---; ` + lvsadm + ` __complete -D -f ''
echo ---; ` + lvsadm + ` __complete -d -t 10.0.0.1:80 -r ''
`
	out, err := exec.CommandContext(ctx, "unshare", "-n", "sh", "-c", script).CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	parts := strings.Split(string(out), "---\n")
	if len(parts) != 5 {
		t.Fatalf("output:\n%s", out)
	}
	for i, want := range []string{
		"10.0.0.1:80\n[2001:db8::1]:443\n:4\n",
		"10.0.0.2:53\n:4\n",
		"7\n:4\n",
		"10.0.1.2:8080\n10.0.1.1:8080\n:4\n",
	} {
		got := parts[i+1]
		if sortLines(got) != sortLines(want) {
			t.Errorf("completion %d offered\n%s\nwant\n%s", i, got, want)
		}
	}
}

func sortLines(s string) string {
	l := strings.Split(strings.TrimSpace(s), "\n")
	for i := range l {
		for j := i + 1; j < len(l); j++ {
			if l[j] < l[i] {
				l[i], l[j] = l[j], l[i]
			}
		}
	}
	return strings.Join(l, "\n")
}
