package tui

import tea "charm.land/bubbletea/v2"

// directorPage is the director view (page.go): the failover daemon's
// state, which scrolls.
type directorPage struct{ m *Model }

// directorState is the director view's state.
type directorState struct {
	dirOffset int
}

// update: the view has no keys of its own; the keys of every view move
// it.
func (p directorPage) update(tea.KeyPressMsg) tea.Cmd { return nil }

func (p directorPage) move(delta int) {
	p.m.dirOffset += delta
	p.m.clampDirector()
}

func (p directorPage) help() []helpSection {
	return []helpSection{{"Director", p.m.keys.director.help()}}
}

func (p directorPage) hints() []hint {
	g := p.m.keys.global
	help, views, quit := p.m.commonHints()
	return []hint{help, views, {b: p.m.keys.director.Scroll, keys: "j k", word: "scroll"},
		{b: g.Slower, keys: "+-", word: "interval"}, {b: g.Pause, word: "pause"}, quit}
}
