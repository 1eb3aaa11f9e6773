package cfedit

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
)

const corpus = "../../testdata/lvscf/corpus/"

// writeFile puts src in a fresh directory as lvs.cf.
func writeFile(t *testing.T, src string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "lvs.cf")
	if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func readCorpus(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(corpus + name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// newTestModel edits the file at path through the real lvscf/save, with
// deps changed by adjust, drawn plain at w x h, and loaded.
func newTestModel(t *testing.T, path string, w, h int, opts Options, adjust func(*Deps)) *Model {
	t.Helper()
	d := FileDeps(path)
	if adjust != nil {
		adjust(&d)
	}
	opts.Profile = colorprofile.NoTTY
	m := New(context.Background(), d, opts)
	m.SetSize(w, h)
	feed(t, m, m.Init())
	return m
}

// feed runs a command and everything that follows from it, as Bubble Tea
// would, and returns the messages that were meant for the parent.
func feed(t *testing.T, m *Model, cmd tea.Cmd) []tea.Msg {
	t.Helper()
	var out []tea.Msg
	for n := 0; cmd != nil; n++ {
		if n > 100 {
			t.Fatal("command chain does not end")
		}
		msg := cmd()
		switch msg := msg.(type) {
		case tea.BatchMsg:
			for _, c := range msg {
				out = append(out, feed(t, m, c)...)
			}
			return out
		case SavedMsg, AppliedMsg:
			out = append(out, msg)
		}
		_, cmd = m.Update(msg)
	}
	return out
}

// press sends keys, each a name ("enter", "ctrl+s") or, for anything
// longer than one rune that is not a name, typed text.
func press(t *testing.T, m *Model, keys ...string) []tea.Msg {
	t.Helper()
	var out []tea.Msg
	for _, k := range keys {
		for _, msg := range keyMsgs(k) {
			_, cmd := m.Update(msg)
			out = append(out, feed(t, m, cmd)...)
		}
	}
	return out
}

func keyMsgs(k string) []tea.KeyPressMsg {
	named := map[string]tea.KeyPressMsg{
		"enter":     {Code: tea.KeyEnter},
		"esc":       {Code: tea.KeyEscape},
		"tab":       {Code: tea.KeyTab},
		"shift+tab": {Code: tea.KeyTab, Mod: tea.ModShift},
		"up":        {Code: tea.KeyUp},
		"down":      {Code: tea.KeyDown},
		"backspace": {Code: tea.KeyBackspace},
		"ctrl+s":    {Code: 's', Mod: tea.ModCtrl},
		"ctrl+r":    {Code: 'r', Mod: tea.ModCtrl},
		"ctrl+u":    {Code: 'u', Mod: tea.ModCtrl},
		"end":       {Code: tea.KeyEnd},
		"home":      {Code: tea.KeyHome},
	}
	if msg, ok := named[k]; ok {
		return []tea.KeyPressMsg{msg}
	}
	var out []tea.KeyPressMsg
	for _, r := range k {
		out = append(out, tea.KeyPressMsg{Code: r, Text: string(r)})
	}
	return out
}
