package tui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"

	"github.com/lvsadm/lvsadm/lvscf/save"
	"github.com/lvsadm/lvsadm/tui/cfedit"
)

// goldenCf is the corpus file the Config view's tests edit: four real
// servers, one inactive, serial_no 31.
const goldenCf = "04-http-four-servers-one-inactive.cf"

// corpusCopy copies a corpus lvs.cf into a fresh directory and returns
// its path: saving writes it, and its .bak beside it.
func corpusCopy(t *testing.T, name string) string {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("..", "testdata", "lvscf", "corpus", name))
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "lvs.cf")
	if err := os.WriteFile(p, src, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// configModel is a model over the fake table whose Config view edits
// the lvs.cf at path through the real lvscf/save, after its first
// refresh, at 80x24.
func configModel(t *testing.T, path string, readOnly bool) *Model {
	t.Helper()
	m := NewModel(t.Context(), twoSnaps(), Options{Interval: time.Millisecond, Profile: colorprofile.NoTTY,
		Now: func() time.Time { return t0 }, ReadOnly: readOnly, Config: cfedit.FileDeps(path)})
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	feed(t, m, m.Init())
	return m
}

// typeText presses the characters of s one by one.
func typeText(t *testing.T, m *Model, s string) {
	t.Helper()
	for _, r := range s {
		press(t, m, string(r))
	}
}

func TestConfigViewShowsTheFile(t *testing.T) {
	p := corpusCopy(t, goldenCf)
	m := configModel(t, p, false)
	press(t, m, "4")
	if m.view != viewConfig {
		t.Fatalf("4: view %d", m.view)
	}
	lines := checkScreen(t, m.View().Content, 80, 24)
	wantIn(t, lines[0], "lvsadm tui", "2 svc 3 rs")
	wantIn(t, lines[1], "[4 Config]", "1 Services", p[:min(len(p), 20)])
	wantIn(t, lines[2], "[Global settings]", "serial 31")
	wantIn(t, lines[4], "> Primary server public IP", "172.16.0.2")
	wantIn(t, lines[22], "tab panel", "ctrl+s save")
	wantIn(t, lines[23], "? help", "1 2 3 views", "q quit")
	// The refreshes go on behind it; the other views are as they were.
	feed(t, m, m.startFetch())
	press(t, m, "1")
	wantIn(t, m.View().Content, "[1 Services]", "TCP 10.0.0.1:80 wlc")
	press(t, m, "4", "?")
	wantIn(t, m.View().Content, "Config view (lvs.cf)", "ctrl+s")
	press(t, m, "x")
	if m.help || m.view != viewConfig {
		t.Errorf("a key after ? should close the help only: help %v view %d", m.help, m.view)
	}
}

func TestConfigViewSavesThroughLvscfSave(t *testing.T) {
	p := corpusCopy(t, goldenCf)
	orig, _ := os.ReadFile(p)
	m := configModel(t, p, false)
	// Global settings, primary: a new address.
	press(t, m, "4", "enter", "ctrl+u")
	typeText(t, m, "172.16.0.9")
	press(t, m, "enter")
	if !m.cfg.Dirty() {
		t.Fatal("no unsaved edit after setting primary")
	}
	press(t, m, "ctrl+s")
	wantIn(t, m.View().Content, "+primary = 172.16.0.9", "[y/N]")
	if now, _ := os.ReadFile(p); string(now) != string(orig) {
		t.Fatal("ctrl+s wrote before y")
	}
	press(t, m, "y")
	got, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"serial_no = 32\n", "primary = 172.16.0.9\n", "primary_private = 172.16.2.2\n"} {
		if !strings.Contains(string(got), want) {
			t.Errorf("saved file lacks %q:\n%s", want, got)
		}
	}
	if bak, err := os.ReadFile(p + save.BackupSuffix); err != nil || string(bak) != string(orig) {
		t.Errorf("%s: %v, want the previous version", p+save.BackupSuffix, err)
	}
	if m.cfg.Dirty() {
		t.Error("still dirty after saving")
	}
	// The status message wraps where the temporary directory's name makes
	// it: read it with the wrapping undone.
	flat := strings.Join(strings.Fields(m.View().Content), " ")
	wantIn(t, flat, "saved "+p[:min(len(p), 20)], "serial_no 31 -> 32", "serial 32")
	// Saved: q quits at once.
	if _, cmd := m.Update(keyMsg(t, "q")); !isQuit(cmd) {
		t.Error("q after saving did not quit")
	}
}

// isQuit reports whether cmd is tea.Quit.
func isQuit(cmd tea.Cmd) bool {
	if cmd == nil {
		return false
	}
	_, ok := cmd().(tea.QuitMsg)
	return ok
}

func TestQuitWithUnsavedConfigEditsAsks(t *testing.T) {
	m := configModel(t, corpusCopy(t, goldenCf), false)
	press(t, m, "4", "enter", "ctrl+u")
	typeText(t, m, "172.16.0.9")
	press(t, m, "enter")
	_, cmd := m.Update(keyMsg(t, "q"))
	if cmd != nil || m.mode != modeQuit {
		t.Fatalf("q with unsaved edits: mode %d, cmd %v", m.mode, cmd)
	}
	lines := checkScreen(t, m.View().Content, 80, 24)
	wantIn(t, lines[23], "unsaved changes in lvs.cf: quit anyway? [y/N]")
	// Anything but y stays, with the edit.
	if _, cmd := m.Update(keyMsg(t, "n")); cmd != nil || m.mode != modeNormal || !m.cfg.Dirty() {
		t.Fatalf("n: mode %d, dirty %v", m.mode, m.cfg.Dirty())
	}
	// From another view too, and a paste answers no.
	press(t, m, "1", "q")
	wantIn(t, checkScreen(t, m.View().Content, 80, 24)[22], "unsaved changes in lvs.cf: quit anyway? [y/N]")
	m.Update(tea.PasteMsg{Content: "y"})
	if m.mode != modeNormal {
		t.Fatalf("paste: mode %d", m.mode)
	}
	press(t, m, "q")
	if _, cmd := m.Update(keyMsg(t, "y")); !isQuit(cmd) {
		t.Error("y did not quit")
	}
	// ctrl+c never asks.
	m.mode = modeNormal
	if _, cmd := m.Update(keyMsg(t, "ctrl+c")); !isQuit(cmd) {
		t.Error("ctrl+c with unsaved edits did not quit")
	}
}

func TestConfigViewOwnsTab(t *testing.T) {
	m := configModel(t, corpusCopy(t, goldenCf), false)
	press(t, m, "4", "tab")
	if m.view != viewConfig {
		t.Fatalf("tab left the Config view: view %d", m.view)
	}
	wantIn(t, m.View().Content, "[Redundancy]")
	press(t, m, "shift+tab", "shift+tab")
	wantIn(t, m.View().Content, "[Virtual servers]")
	// l and h open and close (the view's), not switch views.
	press(t, m, "l")
	wantIn(t, m.View().Content, "Virtual server LVS-HTTP")
	press(t, m, "h")
	if m.view != viewConfig {
		t.Fatalf("h left the Config view: view %d", m.view)
	}
	wantIn(t, m.View().Content, "> LVS-HTTP")
	// The wheel moves its selection as down does.
	press(t, m, "tab")
	m.Update(tea.MouseWheelMsg{Button: tea.MouseWheelDown})
	wantIn(t, m.View().Content, "> Use network type")
}

func TestConfigPromptCapturesKeys(t *testing.T) {
	m := configModel(t, corpusCopy(t, goldenCf), false)
	// In the value prompt, 1 and q are typed, tab does not switch.
	press(t, m, "4", "enter", "1", "q", "tab", "3")
	if m.view != viewConfig || m.mode != modeNormal || !m.cfg.Captures() {
		t.Fatalf("in the prompt: view %d, mode %d, captures %v", m.view, m.mode, m.cfg.Captures())
	}
	wantIn(t, m.View().Content, "172.16.0.21q3")
	if m.footerLine(80) != "" {
		t.Errorf("top-level hints while the view captures keys: %q", m.footerLine(80))
	}
	m.Update(tea.PasteMsg{Content: "4\n"})
	wantIn(t, m.View().Content, "172.16.0.21q34")
	press(t, m, "ctrl+u")
	typeText(t, m, "172.16.0.21")
	press(t, m, "enter")
	if m.cfg.Captures() || !m.cfg.Dirty() {
		t.Fatalf("enter: captures %v, dirty %v", m.cfg.Captures(), m.cfg.Dirty())
	}
	wantIn(t, m.View().Content, "> Primary server public IP     172.16.0.21")
	// The name prompt of a new virtual server, likewise.
	press(t, m, "tab", "tab", "a", "2")
	if m.view != viewConfig {
		t.Fatalf("2 in the name prompt switched to view %d", m.view)
	}
	wantIn(t, m.View().Content, "name of the new virtual server: 2")
	// ctrl+c always quits.
	if _, cmd := m.Update(keyMsg(t, "ctrl+c")); !isQuit(cmd) {
		t.Error("ctrl+c in a prompt did not quit")
	}
}

func TestConfigViewReadOnly(t *testing.T) {
	p := corpusCopy(t, goldenCf)
	orig, _ := os.ReadFile(p)
	m := configModel(t, p, true)
	press(t, m, "4", "enter")
	if m.cfg.Captures() {
		t.Fatal("read-only: enter opened the value prompt")
	}
	wantIn(t, m.View().Content, "read-only: cannot edit", "read-only  tab panel")
	press(t, m, "x", "tab", "tab", "a", "ctrl+s", "y")
	if m.cfg.Dirty() {
		t.Error("read-only: an edit was made")
	}
	if now, _ := os.ReadFile(p); string(now) != string(orig) {
		t.Error("read-only: the file changed")
	}
	press(t, m, "?")
	wantIn(t, m.View().Content, "Config view (lvs.cf) (read-only: no edits, saves or applies)")
}

func TestConfigViewWithoutAFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "missing", "lvs.cf")
	m := configModel(t, p, false)
	press(t, m, "4")
	lines := checkScreen(t, m.View().Content, 80, 24)
	wantIn(t, strings.Join(lines, "\n"), "error:", "no such file")
	wantIn(t, lines[23], "? help", "q quit")
	press(t, m, "1")
	wantIn(t, m.View().Content, "[1 Services]", "TCP 10.0.0.1:80 wlc")
	press(t, m, "2")
	wantIn(t, m.View().Content, "[2 Connections]")
	// Nothing to lose: q quits.
	press(t, m, "4")
	if _, cmd := m.Update(keyMsg(t, "q")); !isQuit(cmd) {
		t.Error("q did not quit")
	}
}
