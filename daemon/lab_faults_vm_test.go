//go:build vmtest

package daemon

import (
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// vmRSSMB is a process's resident memory in MB, from /proc/PID/status.
func vmRSSMB(t *testing.T, pid int) int {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, _ := strconv.Atoi(f[1])
			return kb / 1024
		}
	}
	t.Fatalf("no VmRSS in /proc/%d/status", pid)
	return 0
}

// TestLabEndlessOutput (issue 11 item 1): active_cmd prints without end
// (busybox yes) on the active director. Its output is kept to 4 KiB: the
// daemon's memory stays flat (it reached 4.2 GB in 8 s before), the roles
// and the VIP holder do not change, and the table stays.
func TestLabEndlessOutput(t *testing.T) {
	conf := replaceOnce(t, labConfig, "keepalive = 0.5", "keepalive = 0.5\nactive_cmd = \"/bin/busybox yes\"")
	_, act, sb := labPair(t, conf, "")
	A, B := act.name, sb.name
	v := newVIPHolders(t, A, B)
	before := table(t, A)
	pid := act.cmd.Process.Pid
	start := time.Now()
	peak, yesSeen := 0, 0
	for time.Since(start) < 8*time.Second {
		peak = max(peak, vmRSSMB(t, pid))
		if yesRunning() {
			yesSeen++
		}
		if !v.holds(A) || v.holds(B) {
			t.Fatalf("%v into the endless output: VIP on %s %v, on %s %v", time.Since(start).Round(time.Millisecond), A, v.holds(A), B, v.holds(B))
		}
		time.Sleep(500 * time.Millisecond)
	}
	t.Logf("%s with an endless active_cmd: VmRSS peak %d MB over 8 s; the command seen running at %d of 16 samples", A, peak, yesSeen)
	if peak > 150 {
		t.Errorf("%s's memory grew to %d MB with an endless active_cmd", A, peak)
	}
	if yesSeen == 0 {
		t.Errorf("the endless active_cmd was never seen running; log:\n%s", act.log.String())
	}
	if st := act.status(t); st == nil || st.Heartbeat.Role != "active" {
		t.Errorf("%s: %+v, want active", A, st)
	}
	if after := table(t, A); after != before {
		t.Errorf("the table changed:\n%s\n---\n%s", before, after)
	}
}

// TestLabClockStep (issue 11 item 6): a keyed pair (replay protection on)
// runs while the lab's wall clock, shared by both directors, is stepped
// 60 s ahead, then 120 s back. Heartbeats carry no clock any more (trailer
// version 2: run ids, sequence numbers, echoed nonces), so nothing is
// refused as a replay: the active director keeps the VIP and the standby
// stays standby at every 100 ms sample.
func TestLabClockStep(t *testing.T) {
	labTopology(t, "")
	key := t.TempDir() + "/heartbeat.key"
	if err := os.WriteFile(key, []byte(strings.Repeat("5a", 32)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := writeCfg(t, labConfig)
	act, sb := settle(t, startLabDaemon(t, "d1", cfg, key), startLabDaemon(t, "d2", cfg, key))
	A, B := act.name, sb.name
	v := newVIPHolders(t, A, B)
	step := func(d time.Duration) {
		t.Helper()
		if err := exec.Command("date", "-s", "@"+strconv.FormatInt(time.Now().Add(d).Unix(), 10)).Run(); err != nil {
			t.Fatalf("date -s: %v", err)
		}
	}
	t.Cleanup(func() { step(60 * time.Second) }) // roughly back
	for _, d := range []time.Duration{60 * time.Second, -120 * time.Second} {
		step(d)
		for i := 0; i < 50; i++ { // 5 s, more than twice deadtime
			if !v.holds(A) || v.holds(B) {
				t.Fatalf("%d00 ms after a clock step of %v: VIP on %s %v, on %s %v", i, d, A, v.holds(A), B, v.holds(B))
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	sa, ss := act.status(t), sb.status(t)
	if sa == nil || ss == nil || sa.Heartbeat.Role != "active" || ss.Heartbeat.Role != "standby" {
		t.Fatalf("after the clock steps: %s %+v, %s %+v", A, sa, B, ss)
	}
	if !ss.Heartbeat.Peer.Signed || ss.Heartbeat.Peer.Replay != "nonce" {
		t.Errorf("%s's partner: signed %v, replay protection %q; want signed, nonce", B, ss.Heartbeat.Peer.Signed, ss.Heartbeat.Peer.Replay)
	}
	if n := ss.Heartbeat.Rejected; n != 0 {
		t.Errorf("%s rejected %d heartbeats across the clock steps (%s)", B, n, ss.Heartbeat.LastReject)
	}
}

// yesRunning: a "/bin/busybox yes" process exists (the lab's directors
// share the VM's process namespace).
func yesRunning() bool {
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		if b, err := os.ReadFile("/proc/" + e.Name() + "/cmdline"); err == nil && string(b) == "/bin/busybox\x00yes\x00" {
			return true
		}
	}
	return false
}
