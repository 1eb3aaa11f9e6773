package tui

import (
	"net"
	"runtime"
	"strings"
	"testing"

	"github.com/lvsadm/lvsadm/ops"
)

func conn(proto, state, client string, cport uint16, vip string, vport uint16, rs string, dport uint16) ops.Connection {
	return ops.Connection{Protocol: proto, State: state, Client: net.ParseIP(client), CPort: cport,
		Virtual: net.ParseIP(vip), VPort: vport, Dest: net.ParseIP(rs), DPort: dport, Expires: 60}
}

// filterCase is a filter and whether it matches each of filterEntries.
type filterCase struct {
	filter string
	want   []bool // est, tw, udp, v6
}

// checkFilters matches every case's filter against four entries: est,
// tw, udp, v6.
func checkFilters(t *testing.T, cases []filterCase) {
	t.Helper()
	all := []ops.Connection{
		conn("TCP", "ESTABLISHED", "192.168.1.5", 40000, "10.0.0.1", 80, "10.0.1.1", 80),
		conn("TCP", "TIME_WAIT", "192.168.1.6", 40001, "10.0.0.1", 80, "10.0.1.2", 80),
		conn("UDP", "UDP", "192.168.1.5", 5353, "10.0.0.2", 53, "10.0.2.1", 53),
		conn("TCP", "ESTABLISHED", "2001:db8::5", 40000, "2001:db8::1", 443, "2001:db8:1::1", 443),
	}
	for _, tt := range cases {
		f, err := ParseConnFilter(tt.filter)
		if err != nil {
			t.Errorf("%q: %v", tt.filter, err)
			continue
		}
		if f.Empty() != (strings.TrimSpace(tt.filter) == "") {
			t.Errorf("%q: Empty %v", tt.filter, f.Empty())
		}
		for i := range all {
			if got := f.Match(&all[i]); got != tt.want[i] {
				t.Errorf("%q on entry %d: %v, want %v", tt.filter, i, got, tt.want[i])
			}
		}
	}
}

func TestConnFilter(t *testing.T) {
	checkFilters(t, []filterCase{
		{"", []bool{true, true, true, true}},
		{"state:est", []bool{true, false, false, true}},
		{"EST", []bool{true, false, false, true}},
		{"time_wait", []bool{false, true, false, false}},
		{"proto:udp", []bool{false, false, true, false}},
		{"client:192.168.1.5", []bool{true, false, true, false}},
		{"client:192.168.1.5:5353", []bool{false, false, true, false}},
		{"svc:10.0.0.1:80", []bool{true, true, false, false}},
		{"vip:10.0.0.1", []bool{true, true, false, false}},
		{"rs:10.0.1.2", []bool{false, true, false, false}},
		{":53", []bool{false, false, true, false}},
		{"svc::443", []bool{false, false, false, true}},
		{"10.0.1.1", []bool{true, false, false, false}},
		{"2001:db8::1", []bool{false, false, false, true}},
		{"[2001:db8::1]:443", []bool{false, false, false, true}},
		{"svc:10.0.0.1 state:tim", []bool{false, true, false, false}},
		{"  state:est   client:192.168.1.5  ", []bool{true, false, false, false}},
	})
	for _, bad := range []string{"client:nonsense", "svc:10.0.0.1:99999", "10.0.0", "rs:1.2.3.4:x"} {
		if _, err := ParseConnFilter(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
	if f, _ := ParseConnFilter(" state:est "); f.String() != "state:est" || f.Empty() {
		t.Errorf("String/Empty: %q %v", f.String(), f.Empty())
	}
}

func TestConnFilterMatchAllocatesNothing(t *testing.T) {
	f, err := ParseConnFilter("state:est svc:10.0.0.1:80 192.168.1.5")
	if err != nil {
		t.Fatal(err)
	}
	c := conn("TCP", "ESTABLISHED", "192.168.1.5", 40000, "10.0.0.1", 80, "10.0.1.1", 80)
	if n := testing.AllocsPerRun(100, func() { f.Match(&c) }); n != 0 {
		t.Errorf("Match allocates %v times", n)
	}
}

// TestConnSummaryBounded feeds a million entries, as the kernel source does
// (one reused entry), and checks that counts cover them all while memory
// holds only the kept rows.
func TestConnSummaryBounded(t *testing.T) {
	const total, limit = 1_000_000, 100
	states := []string{"ESTABLISHED", "TIME_WAIT", "SYN_RECV", "FIN_WAIT"}
	f, err := ParseConnFilter("state:est")
	if err != nil {
		t.Fatal(err)
	}
	c := ops.Connection{Protocol: "TCP", Client: net.IPv4(192, 168, 0, 0).To4(), Virtual: net.IPv4(10, 0, 0, 1).To4(),
		Dest: net.IPv4(10, 0, 1, 1).To4(), VPort: 80, DPort: 80}
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	cc := newConnCollector(f, limit, 0)
	for i := 0; i < total; i++ {
		c.State = states[i%len(states)]
		c.Client[2], c.Client[3] = byte(i>>8), byte(i) // reused storage, as the kernel source does
		c.CPort = uint16(i)
		if err := cc.add(&c); err != nil {
			t.Fatal(err)
		}
	}
	sum := cc.summary()
	runtime.ReadMemStats(&after)
	if sum.Total != total || sum.Matched != total/4 || len(sum.Rows) != limit {
		t.Fatalf("total %d matched %d rows %d", sum.Total, sum.Matched, len(sum.Rows))
	}
	for _, st := range states {
		if sum.ByState[st] != total/4 {
			t.Errorf("%s: %d", st, sum.ByState[st])
		}
	}
	// Kept rows are copies: the reused entry's later changes do not show.
	if r := sum.Rows[1]; r.CPort != 4 || !r.Client.Equal(net.IPv4(192, 168, 0, 4)) {
		t.Errorf("row 1 = %v:%d, want 192.168.0.4:4", r.Client, r.CPort)
	}
	// A few hundred allocations for the kept rows and the state map, not
	// one per entry; well under a megabyte.
	if n := after.Mallocs - before.Mallocs; n > 2000 {
		t.Errorf("%d allocations for %d entries", n, total)
	}
	if b := after.TotalAlloc - before.TotalAlloc; b > 1<<20 {
		t.Errorf("%d bytes allocated for %d entries", b, total)
	}
	if got := sum.States(); len(got) != 4 || got[0] != "ESTABLISHED" {
		t.Errorf("States = %v", got)
	}
}

func TestConnFilterRegexpAndNot(t *testing.T) {
	checkFilters(t, []filterCase{
		{`~^udp`, []bool{false, false, true, false}},
		{`~10\.0\.1\.[12]:80$`, []bool{true, true, false, false}},
		{`rs~^10\.0\.1\.`, []bool{true, true, false, false}},
		{`client~\.5:`, []bool{true, false, true, false}},
		{`svc~^\[2001:db8::1\]:443$`, []bool{false, false, false, true}},
		{`state~wait|udp`, []bool{false, true, true, false}},
		{`proto~^t`, []bool{true, true, false, true}},
		{`!est`, []bool{false, true, true, false}},
		{`!proto:udp !rs:10.0.1.2`, []bool{true, false, false, true}},
		{`!~192\.168`, []bool{false, false, false, true}},
		{`state:est !~2001`, []bool{true, false, false, false}},
	})
	for _, bad := range []string{"~(", "rs~[", "!", "!client:nonsense", "what~x"} {
		if _, err := ParseConnFilter(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func TestConnRegexpCollectsWithoutAllocating(t *testing.T) {
	f, err := ParseConnFilter(`rs~^10\.0\.1\.1: !~udp`)
	if err != nil {
		t.Fatal(err)
	}
	cc := newConnCollector(f, 0, 0)
	c := conn("TCP", "ESTABLISHED", "192.168.1.5", 40000, "10.0.0.1", 80, "10.0.1.1", 80)
	_ = cc.add(&c) // grows the scratch buffer and the maps once
	if n := testing.AllocsPerRun(100, func() { _ = cc.add(&c) }); n != 0 {
		t.Errorf("add allocates %v times per entry", n)
	}
}
