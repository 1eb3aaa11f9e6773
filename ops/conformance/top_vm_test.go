//go:build vmtest

package conformance

import (
	"context"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestTopBatch runs "lvsadm top -b" against a table built with the real
// ipvsadm and checks the frames show what the kernel holds.
func TestTopBatch(t *testing.T) {
	lvsadm := mustEnv(t, "LVSADM")
	oracle := envOr("IPVSADM", "/sbin/ipvsadm")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	script := NetnsPrelude + `
O=` + oracle + `
$O -A -t 10.0.0.1:80 -s wlc
$O -a -t 10.0.0.1:80 -r 10.0.1.1:8080 -m -w 3
$O -a -t 10.0.0.1:80 -r 10.0.1.2:8080 -m -w 0
$O -A -u 10.0.0.2:53 -s rr
` + lvsadm + ` top -b -n 2 -d 200ms --width 100
echo "exit=$?"
`
	out, err := exec.CommandContext(ctx, "unshare", "-n", "sh", "-c", script).CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	text := string(out)
	if !strings.Contains(text, "exit=0") {
		t.Fatalf("top -b failed:\n%s", text)
	}
	frames := strings.Split(strings.TrimSuffix(text, "exit=0\n"), "\n\n")
	if len(frames) != 2 {
		t.Fatalf("want 2 frames:\n%s", text)
	}
	for _, want := range []string{"TCP 10.0.0.1:80 wlc", "UDP 10.0.0.2:53 rr", "-> 10.0.1.1:8080", "-> 10.0.1.2:8080"} {
		if !strings.Contains(frames[1], want) {
			t.Errorf("second frame lacks %q:\n%s", want, frames[1])
		}
	}
	for _, l := range strings.Split(frames[1], "\n") {
		if strings.Contains(l, "-> 10.0.1.1:8080") && !strings.Contains(strings.Join(strings.Fields(l), " "), "masq 3") {
			t.Errorf("weight 3 (masq) not shown: %q", l)
		}
		if strings.Contains(l, "\x1b") {
			t.Errorf("escape sequence in batch output: %q", l)
		}
	}
}
