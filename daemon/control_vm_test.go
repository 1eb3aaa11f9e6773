//go:build vmtest

package daemon

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/lvsadm/lvsadm/daemon/control"
)

// lvsadmCmd runs the lvsadm binary (LVSADM) with args and returns its
// output and exit status; ok is false when there is no binary with the
// control commands (then the test uses the control client instead).
func lvsadmCmd(t *testing.T, args ...string) (stdout, stderr string, code int, ok bool) {
	t.Helper()
	bin := os.Getenv("LVSADM")
	if bin == "" || exec.Command(bin, "reload", "--help").Run() != nil {
		return "", "", 0, false
	}
	var out, errOut strings.Builder
	c := exec.Command(bin, args...)
	c.Stdout, c.Stderr = &out, &errOut
	err := c.Run()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return out.String(), errOut.String(), code, true
}

// TestLabReloadVerdictAndDrain: on the pair, lvsadm reload of a broken
// file exits 1 with the lint text and changes nothing in the kernel; a
// drain through the daemon puts rs1 at weight 0 in the real IPVS table and
// keeps it there through a periodic resync, a hand edit (repaired) and a
// good reload, until undrain gives lvs.cf's weight back.
func TestLabReloadVerdictAndDrain(t *testing.T) {
	cfg, act, _ := labPair(t, labConfig, "")
	A := act.name
	cl := control.New(act.sock)
	ctx := context.Background()
	rs1At := func(w string) func() bool {
		re := regexp.MustCompile(`10\.10\.0\.2:80\s+Masq\s+` + w + `\s`)
		return func() bool { return re.MatchString(table(t, A)) }
	}
	eventually(t, "rs1 at weight 1", 30*time.Second, rs1At("1"))

	before := table(t, A)
	if err := os.WriteFile(cfg, []byte(replaceOnce(t, labConfig, "serial_no = 1", "serial_no = 2\nwieght = 2")), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, errOut, code, ok := lvsadmCmd(t, "reload", "--socket", act.sock); ok {
		if code != 1 || !strings.HasPrefix(errOut, "refused: ") || !strings.Contains(errOut, cfg+":") || !strings.Contains(errOut, "wieght") {
			t.Errorf("lvsadm reload of a broken file: exit %d, stderr %q", code, errOut)
		}
	} else {
		var refused *control.RefusedError
		if _, err := cl.Reload(ctx); !errors.As(err, &refused) || !strings.Contains(strings.Join(refused.Lines, "\n"), "wieght") {
			t.Errorf("reload of a broken file: %v", err)
		}
	}
	if after := table(t, A); after != before {
		t.Errorf("a refused reload changed the table:\n%s\n---\n%s", before, after)
	}

	if _, _, code, ok := lvsadmCmd(t, "drain", "web/rs1", "--socket", act.sock); ok {
		if code != 0 {
			t.Fatalf("lvsadm drain: exit %d", code)
		}
	} else if _, err := cl.Override(ctx, control.OverrideRequest{Action: control.ActDrain, Target: "web/rs1"}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "rs1 drained", 5*time.Second, rs1At("0"))
	time.Sleep(labResync + time.Second) // a periodic resync passes
	if !rs1At("0")() {
		t.Fatalf("a resync undid the drain:\n%s", table(t, A))
	}
	// A hand edit behind the daemon is repaired to the override.
	if out, err := exec.Command(ipCmd, "netns", "exec", A, "/sbin/ipvsadm", "-e", "-t", "192.168.100.10:80", "-r", "10.10.0.2:80", "-m", "-w", "1").CombinedOutput(); err != nil {
		t.Fatalf("ipvsadm -e: %v %s", err, out)
	}
	eventually(t, "the hand edit repaired", labResync+5*time.Second, rs1At("0"))
	if err := os.WriteFile(cfg, []byte(replaceOnce(t, labConfig, "serial_no = 1", "serial_no = 3")), 0o644); err != nil {
		t.Fatal(err)
	}
	if res, err := cl.Reload(ctx); err != nil || res.Serial != 3 {
		t.Fatalf("good reload: %+v %v", res, err)
	}
	if !rs1At("0")() {
		t.Fatalf("the reload undid the drain:\n%s", table(t, A))
	}
	if _, err := cl.Override(ctx, control.OverrideRequest{Action: control.ActUndrain, Target: "web/rs1"}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "rs1 back at weight 1", 5*time.Second, rs1At("1"))
}
