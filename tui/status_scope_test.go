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
