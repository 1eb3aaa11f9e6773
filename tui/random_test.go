package tui

import (
	"math/rand/v2"
	"testing"

	"github.com/lvsadm/lvsadm/daemon/control"

	tea "charm.land/bubbletea/v2"
)

// TestRandomKeysNeverBreakTheFrame presses random keys, wheels and
// resizes on every view (the Config view's edits too), with the fixture daemon and without, and checks
// after each that the frame is whole: exactly the terminal's height, no
// line wider than it, and no panic.
func TestRandomKeysNeverBreakTheFrame(t *testing.T) {
	keys := []string{"j", "k", "g", "G", "h", "l", "1", "2", "3", "4", "tab", "shift+tab", "up", "down",
		"ctrl+d", "ctrl+u", "space", "/", "!", "~", "(", "[", ".", "*", "e", "s", "t", "d", "u", "w", "y", "n",
		"0", "9", "enter", "esc", "backspace", "c", "P", "E", "S", "C", "V", "D", "r", "?", "+", "-", "p",
		"a", "x", "A", "ctrl+s", "ctrl+r"}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, d := range []DaemonSource{&jsonDaemon{st: fixtureStatus()}, &jsonDaemon{err: control.ErrNoDaemon}} {
		m := goldenModel(t, 80, 24, d, false)
		// Load the Config view's file (the loop drops commands), so
		// that 4 shows its panels rather than "reading...".
		press(t, m, "4", "1")
		w, h := 80, 24
		for i := 0; i < 3000; i++ {
			switch n := rng.IntN(40); {
			case n == 0:
				w, h = 10+rng.IntN(200), 3+rng.IntN(70)
				m.Update(tea.WindowSizeMsg{Width: w, Height: h})
			case n == 1:
				m.Update(tea.MouseWheelMsg{Button: tea.MouseWheelDown})
			case n == 2:
				m.Update(tea.MouseWheelMsg{Button: tea.MouseWheelUp})
			case n == 3:
				m.Update(tea.PasteMsg{Content: "rs~10\\.0\n!est"})
			default:
				k := keys[rng.IntN(len(keys))]
				if k == "q" {
					continue
				}
				// Commands are not followed: a tick may be a minute
				// long; refreshes come from the explicit fetch below.
				m.Update(keyMsg(t, k))
			}
			if i%50 == 0 {
				// A refresh whose command was dropped above never
				// ended: start a new one, and take only its snapshot.
				m.fetching = false
				m.Update(m.startFetch()())
			}
			lines := checkScreen(t, m.View().Content, w, h)
			if t.Failed() {
				t.Fatalf("after step %d (%dx%d, view %d, mode %d):\n%v", i, w, h, m.view, m.mode, lines)
			}
		}
	}
}
