package tui

import (
	"errors"
	"strings"
	"testing"
)

// TestStatusStaysInItsView: a failed change of the services view says so
// there, not under the connections table; the TUI's own news (paused)
// shows in every view.
func TestStatusStaysInItsView(t *testing.T) {
	src := twoSnaps()
	src.editErr = errors.New("operation not permitted")
	m := newTestModel(t, src, 80, 24)
	press(t, m, "j", "x", "y")
	wantIn(t, m.View().Content, "error: operation not permitted")
	press(t, m, "2")
	if out := m.View().Content; strings.Contains(out, "operation not permitted") {
		t.Errorf("the services view's error shows in the connections view:\n%s", out)
	}
	press(t, m, "1")
	wantIn(t, m.View().Content, "error: operation not permitted")

	press(t, m, "p")
	for _, v := range []string{"2", "3", "1"} {
		press(t, m, v)
		wantIn(t, m.View().Content, "paused (p resumes)")
	}
}

// TestKeysOnADownRow: d, w and x on a server the daemon took out of the
// table say why they do nothing, not "select a real server".
func TestKeysOnADownRow(t *testing.T) {
	m := goldenModel(t, 80, 24, &jsonDaemon{st: fixtureStatus()}, false)
	press(t, m, "j", "j", "j")
	wantIn(t, lineWith(t, m.View().Content, ">   -> 10.0.1.3:80"), "DOWN", "not in the kernel table")
	for _, k := range []string{"d", "w", "x"} {
		press(t, m, k)
		out := m.View().Content
		wantIn(t, out, "10.0.1.3:80 is DOWN, not in the kernel table: no weight to change")
		if strings.Contains(out, "select a real server") || m.mode != modeNormal {
			t.Errorf("%s: mode %v\n%s", k, m.mode, out)
		}
	}
}

// TestServiceCountsWhatServes: a server the daemon says is up but that
// takes no new connections (drained to weight 0, taken out) is not
// counted on its service's line.
func TestServiceCountsWhatServes(t *testing.T) {
	m := goldenModel(t, 80, 24, &jsonDaemon{st: fixtureStatus()}, false)
	wantIn(t, lineWith(t, m.View().Content, "TCP 10.0.0.1:80 wlc"), "2/3 up")
	press(t, m, "j", "x", "y") // 10.0.1.1 out of the table
	wantIn(t, lineWith(t, m.View().Content, "TCP 10.0.0.1:80 wlc"), "1/3 up")
	ss := &m.snap.Services[0]
	for i := range ss.Destinations {
		if ss.Destinations[i].Address.String() == "10.0.1.2" {
			ss.Destinations[i].Weight = 0 // drained
		}
	}
	m.resort()
	wantIn(t, lineWith(t, m.View().Content, "TCP 10.0.0.1:80 wlc"), "NONE UP")
}
