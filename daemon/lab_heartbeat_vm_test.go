//go:build vmtest

package daemon

import (
	"context"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// labKey writes a heartbeat key file for the pair.
func labKey(t *testing.T) string {
	t.Helper()
	key := filepath.Join(t.TempDir(), "hb.key")
	if err := os.WriteFile(key, []byte("lab heartbeat key 0123456789\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return key
}

// labAddr is the public address of a lab director (d1 192.168.100.11, d2 .12).
func labAddr(name string) string { return "192.168.100.1" + strings.TrimPrefix(name, "d") }

// TestLabHeartbeatFlood (issue 11, item 2): a keyed pair runs while the
// client floods the standby's heartbeat port with about 50,000 datagrams
// a second from random source addresses (and 5,000 a second of garbage
// spoofing the active director's own address) for 10 s. Sampled every
// 100 ms through the flood and 3 s after: the roles stay, only the active
// director holds the VIP, the standby's status counts the dropped
// datagrams, and its log grows by a bounded number of heartbeat lines.
// Before the fix the standby took over while the primary kept the VIP, and
// logged one WARN line per source address (94,660 in 8 s).
func TestLabHeartbeatFlood(t *testing.T) {
	flood := os.Getenv("UDPFLOOD")
	if flood == "" {
		t.Skip("UDPFLOOD not set (run through testdata/vm/vmtest.sh)")
	}
	// No reverse-path filter on the directors: the flood's random sources
	// must reach the heartbeat socket, as they did in the incident.
	labTopology(t, "for d in d1 d2; do $IP netns exec $d sh -c 'for f in /proc/sys/net/ipv4/conf/*/rp_filter; do echo 0 >$f; done' || exit 1; done")
	cfg := writeCfg(t, labConfig)
	key := labKey(t)
	d1 := startLabDaemon(t, "d1", cfg, key)
	d2 := startLabDaemon(t, "d2", cfg, key)
	act, sb := settle(t, d1, d2)
	A, B := act.name, sb.name
	vips := newVIPHolders(t, "d1", "d2")
	logBefore := strings.Count(sb.log.String(), "heartbeat")

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	start := func(args ...string) *exec.Cmd {
		c := exec.CommandContext(ctx, ipCmd, append([]string{"netns", "exec", "client", flood}, args...)...)
		c.Stderr = os.Stderr
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		return c
	}
	// -src is the address before the first one used: the spoofed flood
	// comes from exactly A's address.
	aPrev := netip.MustParseAddr(labAddr(A)).Prev().String()
	random := start("-random", "-n", "0", "-rate", "50000", "-duration", "10s", "-vip", labAddr(B), "-port", "539", "-src", "172.16.0.0")
	spoofed := start("-n", "0", "-rate", "5000", "-duration", "10s", "-vip", labAddr(B), "-port", "539", "-src", aPrev)
	floodStart := time.Now()
	samples, bad := 0, 0
	for time.Since(floodStart) < 13*time.Second {
		h1, h2 := vips.holds("d1"), vips.holds("d2")
		samples++
		if h1 && h2 {
			bad++
			t.Errorf("%v into the flood: both directors hold the VIP", time.Since(floodStart).Round(time.Millisecond))
		}
		if !vips.holds(A) || vips.holds(B) {
			t.Errorf("%v into the flood: VIP on %s %v, on %s %v; want %s only", time.Since(floodStart).Round(time.Millisecond), A, vips.holds(A), B, vips.holds(B), A)
		}
		time.Sleep(100 * time.Millisecond)
	}
	for _, c := range []*exec.Cmd{random, spoofed} {
		if err := c.Wait(); err != nil {
			t.Errorf("udpflood: %v", err)
		}
	}
	sa, ss := act.status(t), sb.status(t)
	if sa == nil || ss == nil || sa.Heartbeat.Role != "active" || ss.Heartbeat.Role != "standby" {
		t.Fatalf("after the flood: %s %+v, %s %+v; want the roles kept", A, sa, B, ss)
	}
	hb := ss.Heartbeat
	t.Logf("%s: %d samples, VIP on both at %d; %s dropped %d foreign, %d forged, %d on a full queue; %d rejected",
		B, samples, bad, B, hb.DroppedForeign, hb.DroppedForged, hb.DroppedQueueFull, hb.Rejected)
	// udpflood asks for 50,000 + 5,000 datagrams/s; the emulated VM sends
	// what it can (600 to 1,300/s in all on a loaded 2-core host, more on
	// a quiet one). The rate that arrived is reported; the test asks only
	// that a flood did arrive. The transport's own unit test
	// (TestTransportDropsFloodBeforeQueue) is the one that fails on the
	// old queue-first code.
	t.Logf("%s: flood that arrived: %.0f datagrams/s", B, float64(hb.DroppedForeign+hb.DroppedForged)/10)
	if hb.DroppedForeign < 1000 || hb.DroppedForged < 1000 {
		t.Errorf("%s dropped %d foreign and %d forged datagrams: the flood did not arrive", B, hb.DroppedForeign, hb.DroppedForged)
	}
	// One line per kind per 10 s, plus the ordinary start-up lines.
	if n := strings.Count(sb.log.String(), "heartbeat") - logBefore; n > 12 {
		t.Errorf("%s logged %d heartbeat lines during the flood, want a handful", B, n)
	}
	if got := fetch(t); got != "rs1" && got != "rs2" {
		t.Errorf("client after the flood: %q", got)
	}
}

// TestLabSimultaneousStart (issue 11, item 7): both directors' daemons are
// started at the same moment, 20 times (keyed and not, alternately); the
// VIP holders are sampled every 100 ms for 8 s after each start: never
// two holders, and one at the end. pulse's rule made both active for
// about 200 ms in every run under TCG.
func TestLabSimultaneousStart(t *testing.T) {
	labTopology(t, "")
	cfg := writeCfg(t, labConfig)
	key := labKey(t)
	vips := newVIPHolders(t, "d1", "d2")
	for run := 0; run < 20; run++ {
		var keys []string
		if run%2 == 0 {
			keys = []string{key}
		}
		d1 := startLabDaemon(t, "d1", cfg, keys...)
		d2 := startLabDaemon(t, "d2", cfg, keys...)
		started := time.Now()
		both, last1, last2 := 0, false, false
		for time.Since(started) < 8*time.Second {
			last1, last2 = vips.holds("d1"), vips.holds("d2")
			if last1 && last2 {
				both++
			}
			time.Sleep(100 * time.Millisecond)
		}
		if both > 0 {
			t.Errorf("run %d (keyed %v): both directors held the VIP in %d samples", run, len(keys) > 0, both)
		}
		if last1 == last2 {
			t.Errorf("run %d (keyed %v): VIP on d1 %v, d2 %v at the end, want exactly one", run, len(keys) > 0, last1, last2)
		}
		d1.stop(t)
		d2.stop(t)
		if vips.holds("d1") || vips.holds("d2") {
			t.Fatalf("run %d: a stopped director kept the VIP", run)
		}
	}
}
