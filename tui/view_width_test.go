package tui

import (
	"net"
	"strings"
	"testing"
)

// TestNamesKeptAt60 drops columns rather than names: at 60x20 a service's
// VIP, port and scheduler stay readable (they were "TCP 192~").
func TestNamesKeptAt60(t *testing.T) {
	m := healthModel(t, &jsonDaemon{st: fixtureStatus()}, 60, 20)
	out := m.View().Content
	wantIn(t, out, "TCP 10.0.0.1:80 wlc", "-> 10.0.1.1:80", "HEALTH", "CONN/s")
	if strings.Contains(out, "B/s IN") {
		t.Errorf("bytes/s kept at 60 columns, at the names' cost:\n%s", out)
	}
	checkScreen(t, out, 60, 20)
}

// TestNoGapAt200: at 200 columns the slack goes after the table, not
// between a name and its HEALTH.
func TestNoGapAt200(t *testing.T) {
	m := healthModel(t, &jsonDaemon{st: fixtureStatus()}, 200, 50)
	head := lineWith(t, m.View().Content, "SERVICE -> SERVER")
	gap := strings.Index(head, "HEALTH") - strings.Index(head, "SERVER") - len("SERVER")
	if gap > 4 {
		t.Errorf("%d blanks between the names and HEALTH:\n%s", gap, head)
	}
}

// TestFilterShowsAt80: the active filter comes first in the tab line, so
// the settings after it, not the filter, give way at 80 columns.
func TestFilterShowsAt80(t *testing.T) {
	m := healthModel(t, &jsonDaemon{st: fixtureStatus()}, 80, 24)
	press(t, m, "/", "1", "0", "\\", ".", "0", "enter")
	wantIn(t, lineWith(t, m.View().Content, "[1 Services]"), `filter: 10\.0`)
	press(t, m, "2", "/", "r", "s", ":", "1", "0", ".", "0", ".", "1", ".", "1", "enter", "E")
	wantIn(t, lineWith(t, m.View().Content, "[2 Conn"), "filter: rs:10.0.1.1")
}

// TestReadOnlyFits80: --read-only is said whole on the header and the
// hint line at 80 columns; the connection table's size gives way.
func TestReadOnlyFits80(t *testing.T) {
	m := healthModel(t, &jsonDaemon{st: fixtureStatus()}, 80, 24)
	m.opts.ReadOnly = true
	lines := strings.Split(m.View().Content, "\n")
	head, hints := lines[0], lines[len(lines)-1]
	if !strings.HasSuffix(strings.TrimRight(head, " "), "read-only") || strings.Contains(head, "~") {
		t.Errorf("header: %q", head)
	}
	if strings.Contains(head, "conn tab") {
		t.Errorf("header kept the table size at read-only's cost: %q", head)
	}
	wantIn(t, hints, "read-only: no d u w x Z", "q quit")
	if strings.Contains(hints, "~") {
		t.Errorf("hints cut: %q", hints)
	}
	checkScreen(t, m.View().Content, 80, 24)
}

// TestLongNamesKeepTheNumbersAt80: a name longer than the column (an
// IPv6 VIP) is cut at 80 columns, as it always was, rather than costing
// the bytes/s columns.
func TestLongNamesKeepTheNumbersAt80(t *testing.T) {
	m := healthModel(t, &jsonDaemon{st: fixtureStatus()}, 80, 24)
	m.snap.Services[0].Service.Address = net.ParseIP("2001:db8:ffff::10")
	m.resort()
	out := m.View().Content
	wantIn(t, lineWith(t, out, "SERVICE -> SERVER"), "HEALTH", "B/s IN")
	wantIn(t, out, "TCP [2001:db8:ffff:~")
}
