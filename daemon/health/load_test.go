package health

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/lvsadm/lvsadm/internal/testwait"
)

func TestSlowStart(t *testing.T) {
	tests := []struct {
		weight   int
		interval time.Duration
		up       time.Duration
		want     int
	}{
		{1, 10 * time.Second, 0, 1},
		{0, 10 * time.Second, time.Hour, 1}, // weight 0 ends up as 1, as in nanny
		{100, 10 * time.Second, 0, 3},       // 100 >> 5
		{100, 10 * time.Second, 19 * time.Second, 3},
		{100, 10 * time.Second, 20 * time.Second, 6},
		{100, 10 * time.Second, 100 * time.Second, 96},
		{100, 10 * time.Second, 120 * time.Second, 100},
		{5, 10 * time.Second, 0, 1},
		{5, 10 * time.Second, 40 * time.Second, 4},
		{5, 10 * time.Second, 60 * time.Second, 5},
		{64, 30 * time.Second, 29 * time.Second, 2}, // interval over 20 s: doubles every check
		{64, 30 * time.Second, 30 * time.Second, 4},
		{1 << 20, time.Second, 1000 * time.Hour, 1 << 20},
	}
	for _, tc := range tests {
		if got := SlowStart(tc.weight, tc.interval, tc.up); got != tc.want {
			t.Errorf("SlowStart(%d, %v, %v) = %d, want %d", tc.weight, tc.interval, tc.up, got, tc.want)
		}
	}
}

func TestLoadArgv(t *testing.T) {
	host := netip.MustParseAddr("10.0.0.5")
	tests := []struct {
		monitor, rsh string
		want         []string
	}{
		{"none", "rsh", nil},
		{"", "rsh", nil},
		{"rup", "rsh", []string{"rup", "10.0.0.5"}},
		{"ruptime", "ssh", []string{"ruptime", "10.0.0.5"}},
		// lvs passes rsh_command for "uptime"; nanny adds "uptime" for rsh and ssh.
		{"uptime", "ssh", []string{"ssh", "10.0.0.5", "uptime"}},
		{"uptime", "rsh", []string{"rsh", "10.0.0.5", "uptime"}},
		{"uptime", "", []string{"rsh", "10.0.0.5", "uptime"}},
	}
	for _, tc := range tests {
		if got := LoadArgv(tc.monitor, tc.rsh, host); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("LoadArgv(%q, %q) = %q, want %q", tc.monitor, tc.rsh, got, tc.want)
		}
	}
}

func TestParseLoad(t *testing.T) {
	tests := []struct {
		out  string
		want float64
		ok   bool
	}{
		{" 10:11:12 up 3 days,  2:03,  1 user,  load average: 0.08, 0.03, 0.01", 0.08, true}, // uptime
		{"web1        up  3 days,  2:03,  load average: 1.50, 1.20, 0.90", 1.5, true},        // rup
		{"load average: 12.25 11.0 10.0", 12.25, true},                                       // space-separated
		{"web1  up  3+02:03,  1 user,  load 0.12, 0.08, 0.01", 0, false},                     // ruptime: no colon, as nanny
		{"load average: 0.08", 0, false},                                                     // nothing after the number
		{"load average: , 1", 0, false},
		{"up 2 days", 0, false},
		{"", 0, false},
		{"load:", 0, false},
	}
	for _, tc := range tests {
		got, err := ParseLoad(tc.out)
		if (err == nil) != tc.ok || (tc.ok && got != tc.want) {
			t.Errorf("ParseLoad(%q) = %v, %v; want %v, ok %v", tc.out, got, err, tc.want, tc.ok)
		}
	}
}

func TestAdjustWeight(t *testing.T) {
	tests := []struct {
		weight, last int
		load         float64
		want         int
		apply        bool
	}{
		{4, 4, 0, 6, true},       // 4 + 2*cbrt(1)
		{4, 4, 0.5, 5, true},     // 4 + 2*0.79 = 5.59, truncated
		{4, 4, 0.99, 4, false},   // 4 + 2*0.22 = 4.43 -> 4: no change
		{4, 4, 1.0, 4, false},    // exactly 1.0: nanny leaves it
		{4, 4, -1, 4, false},     // no reading
		{4, 10, 9, 6, true},      // 10 - 2*cbrt(8)
		{4, 5, 9, 4, true},       // 5 - 4, floored at the configured 4; a change of 1 >= 4/4
		{4, 4, 30, 4, false},     // never below the configured weight
		{4, 39, 0, 40, true},     // 41 capped at 10 x weight
		{10, 99, 0, 99, false},   // 104 capped at 100: a change of 1 < 10/4
		{10, 100, 0, 100, false}, // at the cap
		{1, 1, 0, 1, false},      // 1 + 0.5 truncates to 1
	}
	for _, tc := range tests {
		got, apply := AdjustWeight(tc.weight, tc.last, tc.load)
		if got != tc.want || apply != tc.apply {
			t.Errorf("AdjustWeight(%d, %d, %v) = %d, %v; want %d, %v", tc.weight, tc.last, tc.load, got, apply, tc.want, tc.apply)
		}
	}
}

// writeScript installs an executable script atomically, so a load command
// being run at that moment is the old or the new one, never a torn file.
func writeScript(t *testing.T, path, body string) {
	t.Helper()
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte("#!/bin/sh\n"+body+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

// TestMonitorLoadWeight runs the monitor's load monitoring against a real
// load command (a script): after the slow start an idle server's weight
// rises in nanny's steps up to 10x, a loaded one's falls back to the
// configured weight, and a failing command leaves the weight and records
// the error.
func TestMonitorLoadWeight(t *testing.T) {
	script := filepath.Join(t.TempDir(), "rup")
	writeScript(t, script, `echo " 10:00:00 up 1 day,  load average: 0.00, 0.01, 0.05"`)
	m := NewMonitor(nil)
	m.step = 40 * time.Millisecond
	m.check = func(context.Context, *Target) Result { return Result{OK: true} }
	tg := Target{Virtual: "web", Server: "a", Addr: netip.MustParseAddr("127.0.0.1"), Port: 80,
		Interval: 10 * time.Millisecond, Weight: 4, Load: []string{script, "127.0.0.1"}}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	m.Update(ctx, []Target{tg})
	defer m.Stop()
	waitStatus := func(what string, ok func(ServerStatus) bool) ServerStatus {
		t.Helper()
		var st ServerStatus
		testwait.Until(t, what, func() bool { st = m.Health()["web/a"]; return ok(st) },
			func() string { return fmt.Sprintf("status %+v", st) })
		return st
	}
	// Idle: 4 -> 6 -> 8 -> ... -> 40.
	st := waitStatus("weight up to 10x", func(s ServerStatus) bool { return s.LoadWeight == 40 })
	if st.Load == nil || st.Load.Average != 0 || st.Load.Error != "" {
		t.Errorf("load reading %+v, want 0.00 without error", st.Load)
	}
	// Loaded: down in steps of 2*cbrt(8) = 4, never below 4.
	writeScript(t, script, `echo "load average: 9.00, 8.00, 7.00"`)
	waitStatus("weight back to the configured 4", func(s ServerStatus) bool { return s.LoadWeight == 4 })
	// Failing: the weight stays, the error is kept for status.
	writeScript(t, script, `echo "no idea"; exit 1`)
	st = waitStatus("the command's failure", func(s ServerStatus) bool { return s.Load != nil && s.Load.Error != "" })
	if st.LoadWeight != 4 {
		t.Errorf("weight %d after a failing load command, want it left at 4", st.LoadWeight)
	}
	if !strings.Contains(st.Load.Error, "rup") {
		t.Errorf("load error %q does not name the command", st.Load.Error)
	}
}

// TestUpdateKeepsCheckOnWeightChange: a reload that changes only a
// server's weight or load command must not restart its check, which would
// forget the server is up and take it out of the table until it passed
// again; the load-adjusted weight of the old weight starts over.
func TestUpdateKeepsCheckOnWeightChange(t *testing.T) {
	m := NewMonitor(nil)
	m.step = time.Millisecond
	m.check = func(context.Context, *Target) Result { return Result{OK: true} }
	script := filepath.Join(t.TempDir(), "rup")
	writeScript(t, script, `echo "load average: 0.00, 0.00, 0.00"`)
	tg := Target{Virtual: "web", Server: "a", Addr: netip.MustParseAddr("127.0.0.1"), Port: 80,
		Interval: 5 * time.Millisecond, Weight: 4, Load: []string{script}}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	m.Update(ctx, []Target{tg})
	defer m.Stop()
	testwait.Until(t, "a load weight", func() bool { return m.Health()["web/a"].LoadWeight >= 6 },
		func() string { return fmt.Sprintf("%+v", m.Health()["web/a"]) })
	before := m.Health()["web/a"]
	tg.Weight = 9
	m.Update(ctx, []Target{tg})
	after := m.Health()["web/a"]
	if after.State != Up || !after.LastTransition.Equal(before.LastTransition) || after.Checks < before.Checks {
		t.Errorf("the check restarted on a weight change: before %+v, after %+v", before, after)
	}
	if after.LoadWeight != 0 {
		t.Errorf("load weight %d kept from the old weight, want it to start over", after.LoadWeight)
	}
	m.mu.Lock()
	w := m.workers["web/a"].target.Weight
	m.mu.Unlock()
	if w != 9 {
		t.Errorf("running check's weight %d, want 9", w)
	}
}
