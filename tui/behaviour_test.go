package tui

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
)

func TestReadOnly(t *testing.T) {
	src := twoSnaps()
	m := NewModel(t.Context(), src, Options{Interval: time.Millisecond, Profile: colorprofile.NoTTY,
		Now: func() time.Time { return t0 }, ReadOnly: true})
	feed(t, m, m.Init())
	wantIn(t, m.View().Content, "read-only", "read-only: no d u w")
	press(t, m, "j")
	for _, k := range []string{"d", "u", "w"} {
		m.setStatus("", false)
		press(t, m, k, "y")
		if m.mode != modeNormal || m.pending != nil {
			t.Errorf("%s: mode %d pending %v", k, m.mode, m.pending)
		}
		wantIn(t, m.View().Content, "read-only: no changes")
	}
	press(t, m, "?")
	wantIn(t, m.View().Content, "Services (read-only: d u w x Z are refused)")
	if len(src.sets) != 0 {
		t.Errorf("read-only changed weights: %v", src.sets)
	}
}

func TestIntervalChangesLive(t *testing.T) {
	m := newTestModel(t, twoSnaps(), 80, 24) // --interval 1ms: below the steps
	hit(t, m, "+")
	wantIn(t, m.View().Content, "every 100ms", "refreshing every 100ms")
	gen := m.gen
	_, cmd := m.Update(keyMsg(t, "+"))
	if cmd == nil || m.gen == gen {
		t.Fatal("no new tick chain for the new interval")
	}
	// The old chain's tick is stale now: it starts no refresh.
	if _, c := m.Update(tickMsg{gen: gen}); c != nil {
		t.Error("a tick of the old interval refreshed")
	}
	hit(t, m, "+", "+", "+", "+", "+", "+", "+", "+")
	wantIn(t, m.View().Content, "every 1m0s", "stays 1m0s")
	hit(t, m, "-", "=")
	wantIn(t, m.View().Content, "every 1m0s")
	hit(t, m, "-", "-")
	wantIn(t, m.View().Content, "every 10s")
	// Paused: the interval changes, nothing is scheduled.
	hit(t, m, "p")
	if _, c := m.Update(keyMsg(t, "-")); c != nil {
		t.Error("paused, yet a refresh was scheduled")
	}
	wantIn(t, m.View().Content, "PAUSED")
}

func TestMouseWheelAndVimKeys(t *testing.T) {
	m := healthModel(t, &jsonDaemon{st: fixtureStatus()}, 80, 24)
	if m.View().MouseMode != tea.MouseModeCellMotion {
		t.Error("no mouse mode")
	}
	m.Update(tea.MouseWheelMsg{Button: tea.MouseWheelDown})
	if m.cursor != wheelStep {
		t.Errorf("wheel down: cursor %d", m.cursor)
	}
	m.Update(tea.MouseWheelMsg{Button: tea.MouseWheelUp})
	if m.cursor != 0 {
		t.Errorf("wheel up: cursor %d", m.cursor)
	}
	press(t, m, "ctrl+d")
	if m.cursor != len(m.rows)-1 { // half of 17 rows is past the 7 rows
		t.Errorf("ctrl+d: cursor %d", m.cursor)
	}
	press(t, m, "ctrl+u")
	if m.cursor != 0 {
		t.Errorf("ctrl+u: cursor %d", m.cursor)
	}
	press(t, m, "l")
	if m.view != viewConns {
		t.Errorf("l: view %d", m.view)
	}
	press(t, m, "l", "l", "h")
	if m.view != viewDirector {
		t.Errorf("l l h: view %d", m.view)
	}
	// The wheel scrolls the director view too, and does nothing in a
	// prompt or under the help.
	m.Update(tea.MouseWheelMsg{Button: tea.MouseWheelDown})
	if m.dirOffset != 0 { // it fits the screen
		t.Errorf("director: offset %d", m.dirOffset)
	}
	press(t, m, "1", "/")
	m.Update(tea.MouseWheelMsg{Button: tea.MouseWheelDown})
	if m.cursor != 0 || !strings.Contains(m.View().Content, "filter: _") {
		t.Errorf("wheel in the prompt: cursor %d", m.cursor)
	}
	noMouse := NewModel(t.Context(), twoSnaps(), Options{NoMouse: true})
	if noMouse.View().MouseMode != tea.MouseModeNone {
		t.Error("NoMouse: mouse mode on")
	}
}

// hit sends keys without running the commands they return: a tick of a
// minute would wait a minute.
func hit(t *testing.T, m *Model, keys ...string) {
	t.Helper()
	for _, k := range keys {
		m.Update(keyMsg(t, k))
	}
}
