package cfedit

import (
	"context"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
)

func TestTextInputKeys(t *testing.T) {
	var in textInput
	in.set("10.0.0.1")
	for _, k := range []tea.KeyPressMsg{{Code: tea.KeyHome}, {Code: tea.KeyRight}, {Code: tea.KeyRight}, {Code: tea.KeyDelete}} {
		in.key(k, newLineKeyMap())
	}
	in.insert("9\n") // the newline goes
	if got := in.String(); got != "1090.0.1" {
		t.Errorf("after home, right, right, delete, typing: %q", got)
	}
	in.key(tea.KeyPressMsg{Code: 'k', Mod: tea.ModCtrl}, newLineKeyMap())
	if in.String() != "109" || in.view(style{}) != "109_" {
		t.Errorf("ctrl+k: %q %q", in.String(), in.view(style{}))
	}
	in.set("a b c")
	in.key(tea.KeyPressMsg{Code: 'w', Mod: tea.ModCtrl}, newLineKeyMap())
	if in.String() != "a b " {
		t.Errorf("ctrl+w: %q", in.String())
	}
}

func TestPasteIsTextInPromptsOnly(t *testing.T) {
	p := writeFile(t, readCorpus(t, httpCf))
	m := newTestModel(t, p, 80, 24, Options{}, nil)
	before := string(m.cur.src)
	m.Update(tea.PasteMsg{Content: "xD\n"})
	if string(m.cur.src) != before || m.mode != modeNormal {
		t.Fatal("a paste outside a prompt did something")
	}
	press(t, m, "enter", "ctrl+u")
	m.Update(tea.PasteMsg{Content: "172.16.0.20\r\n"})
	press(t, m, "enter")
	if v, _ := m.cur.value("primary"); v != "172.16.0.20" {
		t.Errorf("primary = %q after a pasted value", v)
	}
}

func TestResizeKeepsSelectionVisible(t *testing.T) {
	p := writeFile(t, readCorpus(t, httpCf))
	m := newTestModel(t, p, 160, 48, Options{}, nil)
	press(t, m, "tab", "tab", "enter", "end")
	m.SetSize(80, 12)
	screen := m.View()
	checkFrame(t, screen+"\n", 80, 12)
	if !strings.Contains(screen, "> Expect is a regex") {
		t.Errorf("the selection went off the screen:\n%s", screen)
	}
	m.SetSize(0, 0) // an unknown size keeps the last one
	if m.width != 80 || m.height != 12 {
		t.Errorf("size %dx%d", m.width, m.height)
	}
}

func TestMissingKeyShowsAtItsField(t *testing.T) {
	p := writeFile(t, "service = lvs\nnetwork = direct\n")
	m := newTestModel(t, p, 80, 24, Options{}, nil)
	if got := lineAfter(t, m.View(), "> Primary server public IP"); !strings.Contains(got, "error: no primary") {
		t.Errorf("under primary: %q\n%s", got, m.View())
	}
}

func TestNoColorKeepsMeaning(t *testing.T) {
	p := writeFile(t, readCorpus(t, httpCf))
	d := FileDeps(p)
	m := New(context.Background(), d, Options{Profile: colorprofile.ASCII})
	m.SetSize(80, 24)
	feed(t, m, m.Init())
	press(t, m, "tab", "tab", "enter", "down", "down", "down", "down", "down", "down", "enter", "ctrl+u", "dwrr", "enter")
	screen := m.View()
	if strings.Contains(screen, "\x1b[3") || strings.Contains(screen, "\x1b[9") {
		t.Errorf("colors with NO_COLOR:\n%q", screen)
	}
	if !strings.Contains(screen, "\x1b[7m") || !strings.Contains(screen, "> ") {
		t.Errorf("no reverse video or marker for the selection")
	}
	m.Update(tea.ColorProfileMsg{Profile: colorprofile.ANSI})
	if !strings.Contains(m.View(), "\x1b[") {
		t.Errorf("no styles after a ColorProfileMsg")
	}
}
