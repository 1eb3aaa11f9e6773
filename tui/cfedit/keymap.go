package cfedit

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// keyMap holds the Config view's keys as bubbles/key bindings. The top
// level's help shows them (HelpKeys), so the help says what this file
// binds. Built by New, never at package level: package tui's start-up
// rule (docs/tui.md) holds here too.
type keyMap struct {
	Up, Down, PageUp, PageDown, Home, End key.Binding
	NextPanel, PrevPanel                  key.Binding
	Open, Back                            key.Binding
	Add, Delete, Undo                     key.Binding
	Diff, Save, Apply, Reload             key.Binding
	Yes                                   key.Binding
	// In a prompt Line edits the line and every other key is typed.
	Set, Cancel key.Binding
	Line        lineKeyMap
	// In the diff preview s saves as ctrl+s does, and q closes it
	// as esc does: it is a pager.
	PreviewSave, PreviewClose key.Binding
}

func bind(label, desc string, keys ...string) key.Binding {
	return key.NewBinding(key.WithKeys(keys...), key.WithHelp(label, desc))
}

func newKeyMap() keyMap {
	return keyMap{
		Up:        bind("up k", "move", "up", "k"),
		Down:      bind("down j", "", "down", "j"),
		PageUp:    bind("pgup", "by a page, to the ends", "pgup"),
		PageDown:  bind("pgdn space", "", "pgdown", "space"),
		Home:      bind("home g", "", "home", "g"),
		End:       bind("end G", "", "end", "G"),
		NextPanel: bind("tab", "next / previous panel", "tab"),
		PrevPanel: bind("shift+tab", "", "shift+tab"),
		Open:      bind("enter right l", "edit the field / open the virtual or real server", "enter", "right", "l"),
		Back:      bind("esc left h backspace", "back: to the virtual server, to the list", "esc", "left", "h", "backspace"),
		Add:       bind("a", "add a virtual server (list) or a real server", "a"),
		Delete:    bind("x delete", "delete the server (after y) / unset the field", "x", "delete"),
		Undo:      bind("u", "undo the last edit", "u"),
		Diff:      bind("D", "diff: the file on disk against the edited one", "D"),
		Save:      bind("ctrl+s", "the diff, then y saves (serial_no + 1, FILE.bak)", "ctrl+s"),
		Apply:     bind("A", "apply the saved file: daemon reload, or cf apply", "A"),
		Reload:    bind("ctrl+r", "read the file again", "ctrl+r"),
		Yes:       bind("y", "confirm", "y", "Y"),
		Set:       bind("enter", "set", "enter"),
		Cancel:    bind("esc", "cancel", "esc"),
		Line:      newLineKeyMap(),

		PreviewSave:  bind("ctrl+s s", "save", "ctrl+s", "s"),
		PreviewClose: bind("esc q D", "back", "esc", "q", "D"),
	}
}

// lineKeyMap holds the readline keys of the value and name prompts
// (input.go), which a shell user expects: values such as send strings
// are long enough to want them.
type lineKeyMap struct {
	Left, Right, Home, End       key.Binding
	Erase, Delete                key.Binding
	KillStart, KillEnd, KillWord key.Binding
}

func newLineKeyMap() lineKeyMap {
	return lineKeyMap{
		Left:      bind("left ^b", "move", "left", "ctrl+b"),
		Right:     bind("right ^f", "", "right", "ctrl+f"),
		Home:      bind("home ^a", "", "home", "ctrl+a"),
		End:       bind("end ^e", "", "end", "ctrl+e"),
		Erase:     bind("backspace ^h", "erase", "backspace", "ctrl+h"),
		Delete:    bind("delete ^d", "", "delete", "ctrl+d"),
		KillStart: bind("^u", "clear to the start, the end, a word", "ctrl+u"),
		KillEnd:   bind("^k", "", "ctrl+k"),
		KillWord:  bind("^w", "", "ctrl+w"),
	}
}

// HelpKeys are the Config view's bindings in the order its help lists
// them; a binding without a description shares the line above.
func HelpKeys() []key.Binding {
	k := newKeyMap()
	return []key.Binding{k.NextPanel, k.PrevPanel, k.Up, k.Down, k.PageUp, k.PageDown, k.Home, k.End,
		k.Open, k.Back, k.Add, k.Delete, k.Undo, k.Diff, k.Save, k.Apply, k.Reload,
		bind("", "in a prompt every key is typed, q and digits too")}
}

// moveBy is how far a navigation key moves, in items or lines, with page
// items or lines on the screen; ok is false for other keys.
func (k keyMap) moveBy(msg tea.KeyPressMsg, page int) (d int, ok bool) {
	switch {
	case key.Matches(msg, k.Up):
		return -1, true
	case key.Matches(msg, k.Down):
		return 1, true
	case key.Matches(msg, k.PageUp):
		return -page, true
	case key.Matches(msg, k.PageDown):
		return page, true
	case key.Matches(msg, k.Home):
		return -1 << 30, true
	case key.Matches(msg, k.End):
		return 1 << 30, true
	}
	return 0, false
}

// hint is b's first key and word, as the key-hint line writes them.
func hint(b key.Binding, word string) string {
	return b.Keys()[0] + " " + word
}
