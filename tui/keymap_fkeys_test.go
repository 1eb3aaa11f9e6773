package tui

import (
	"testing"

	tea "charm.land/bubbletea/v2"
)

// TestFunctionKeys: htop's and mc's keys do what they do there.
func TestFunctionKeys(t *testing.T) {
	m := newTestModel(t, twoSnaps(), 80, 24)
	press(t, m, "f1")
	if !m.help {
		t.Fatal("F1 did not open the help")
	}
	press(t, m, "f1")
	press(t, m, "f3")
	if m.mode != modeFilter {
		t.Fatalf("F3: mode %d, want the filter prompt", m.mode)
	}
	press(t, m, "esc", "f6")
	if m.sort != sortAddr {
		t.Errorf("F6: sort %v, want the next key (address)", m.sort)
	}
	press(t, m, "2", "f6")
	if m.connSort != connSortProto {
		t.Errorf("F6 in the connections view: sort %v, want protocol", m.connSort)
	}
	_, cmd := m.Update(keyMsg(t, "f10"))
	if cmd == nil {
		t.Fatal("F10 did not quit")
	}
	if _, ok := cmd().(tea.QuitMsg); !ok {
		t.Error("F10 did not quit")
	}
}

// TestHelpScrolls: at 60x20 the help does not fit; down shows the rest,
// any other key still closes it.
func TestHelpScrolls(t *testing.T) {
	m := newTestModel(t, twoSnaps(), 60, 20)
	press(t, m, "?")
	first := m.View().Content
	wantIn(t, first, "Everywhere")
	wantIn(t, first, "lines 1-18 of ", "up down scroll  other keys close")
	press(t, m, "G")
	if !m.help {
		t.Fatal("down closed the help")
	}
	out := m.View().Content
	wantIn(t, out, "  Z", "zero the counters")
	if out == first {
		t.Error("down did not scroll the help")
	}
	press(t, m, "g")
	m.Update(tea.MouseWheelMsg{Button: tea.MouseWheelDown})
	if m.View(); m.helpOffset != wheelStep || !m.help {
		t.Errorf("the wheel: offset %d, help %v", m.helpOffset, m.help)
	}
	press(t, m, "x")
	if m.help {
		t.Error("x did not close the help")
	}
}
