//go:build vmtest

package daemon

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lvsadm/lvsadm/internal/proctest"
)

// TestLabSecondInstance is issue 11 item 3 in the lab: a second daemon
// started by mistake in the active director's namespace, with another
// control socket, fails naming the running one, and the active director's
// VIP stays where it is all along (sampled every 20 ms through netlink):
// before, the newcomer removed it as "stale" and then failed on port 539.
func TestLabSecondInstance(t *testing.T) {
	cfg, act, sb := labPair(t, labConfig, "")
	A, B := act.name, sb.name
	vh := newVIPHolders(t, A, B)
	second := startLabDaemonAt(t, A, cfg, "/tmp/lvsadm-"+A+"-second.sock")
	var exitErr error
	samples, lost := 0, 0
	timeout := time.After(30 * time.Second)
wait:
	for {
		select {
		case exitErr = <-second.done:
			second.done <- exitErr
			break wait
		case <-timeout:
			t.Fatalf("the second daemon still runs after 30 s:\n%s", second.log.String())
		case <-time.After(20 * time.Millisecond):
			samples++
			if !vh.holds(A) {
				lost++
			}
		}
	}
	log := second.log.String()
	t.Logf("second daemon exited (%v) after %d samples:\n%s", exitErr, samples, log)
	if exitErr == nil {
		t.Error("the second daemon exited 0")
	}
	if !strings.Contains(log, "another lvsadm daemon is running") || !strings.Contains(log, fmt.Sprintf("pid %d", act.cmd.Process.Pid)) {
		t.Errorf("the second daemon's error does not name the running one (pid %d)", act.cmd.Process.Pid)
	}
	if strings.Contains(log, "stale floating address removed") {
		t.Error("the second daemon removed addresses")
	}
	if lost > 0 {
		t.Errorf("%s lost its VIP in %d of %d samples while the second daemon ran", A, lost, samples)
	}
	if !vh.holds(A) || vh.holds(B) {
		t.Errorf("VIP on %s %v, on %s %v: want %s only", A, vh.holds(A), B, vh.holds(B), A)
	}
	if st := act.status(t); st == nil || st.Heartbeat.Role != "active" {
		t.Errorf("%s after the second daemon: %+v, want active", A, st)
	}
	if got := fetch(t); got == "" {
		t.Error("client not served after the second daemon")
	}
}

// TestLabStopStuckInactiveCmd is issue 11 item 4 in the lab: with an
// inactive_cmd that never exits and whose child holds its output, SIGTERM
// to the active daemon releases the VIP at once, clears the table, and
// the daemon exits within StopBound (before: it stayed up as long as the
// child, VIP held, heartbeats stopped). The partner takes over, and the
// stuck command's processes in the stopped director's namespace are gone.
func TestLabStopStuckInactiveCmd(t *testing.T) {
	dir := t.TempDir()
	script, pids := filepath.Join(dir, "inactive.sh"), filepath.Join(dir, "pids")
	// Each line: a pid and its network namespace, so the partner's own
	// (still running, within its one-minute bound) can be told apart.
	body := "#!/bin/sh\nns=$(readlink /proc/$$/ns/net)\necho \"$$ $ns\" >> " + pids +
		"\nsleep 3600 &\necho \"$! $ns\" >> " + pids + "\nwait\n"
	if err := os.WriteFile(script, []byte(body), 0o755); err != nil {
		t.Fatal(err)
	}
	conf := replaceOnce(t, labConfig, "backup_active = 1\n", "backup_active = 1\ninactive_cmd = \"/bin/sh "+script+"\"\n")
	_, act, sb := labPair(t, conf, "")
	A, B := act.name, sb.name
	vh := newVIPHolders(t, A, B)
	if !vh.holds(A) || !strings.Contains(table(t, A), "192.168.100.10:80") {
		t.Fatalf("%s active without its VIP or table", A)
	}

	start := time.Now()
	act.signal(syscall.SIGTERM)
	vipGone := time.Duration(-1)
	var exited time.Duration
	timeout := time.After(StopBound + 10*time.Second)
wait:
	for {
		select {
		case err := <-act.done:
			act.done <- err
			exited = time.Since(start)
			break wait
		case <-timeout:
			t.Fatalf("%s's daemon still runs %v after SIGTERM", A, StopBound+10*time.Second)
		case <-time.After(20 * time.Millisecond):
			if vipGone < 0 && !vh.holds(A) {
				vipGone = time.Since(start)
			}
		}
	}
	t.Logf("%s: VIP gone %v after SIGTERM, daemon exited after %v (bound %v)", A, vipGone.Round(time.Millisecond), exited.Round(time.Millisecond), StopBound)
	if exited > StopBound {
		t.Errorf("stop took %v, over StopBound %v", exited, StopBound)
	}
	if vipGone < 0 || vh.holds(A) {
		t.Errorf("%s still held the VIP when its daemon exited", A)
	}
	if tbl := table(t, A); strings.Contains(tbl, "192.168.100.10:80") {
		t.Errorf("%s's table left behind:\n%s", A, tbl)
	}
	eventually(t, B+" takes over", 30*time.Second, func() bool {
		st := sb.status(t)
		return st != nil && st.Heartbeat.Role == "active" && vh.holds(B)
	})

	var st syscall.Stat_t
	if err := syscall.Stat("/run/netns/"+A, &st); err != nil {
		t.Fatal(err)
	}
	nsA := "net:[" + strconv.FormatUint(st.Ino, 10) + "]"
	b, err := os.ReadFile(pids)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		f := strings.Fields(line)
		if len(f) != 2 || f[1] != nsA {
			continue
		}
		pid, err := strconv.Atoi(f[0])
		if err != nil {
			t.Fatalf("pids: %q", line)
		}
		n++
		proctest.WaitGone(t, pid, 5*time.Second, "inactive_cmd's process in "+A)
	}
	if n < 4 { // the script and its sleep, at start and at stop
		t.Errorf("%d inactive_cmd processes recorded in %s, want 4:\n%s", n, A, b)
	}
}
