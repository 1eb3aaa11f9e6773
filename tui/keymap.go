package tui

import (
	"strings"

	"charm.land/bubbles/v2/key"
)

// The keys are bubbles/key bindings, and the help overlay and the key-hint
// line are drawn from them: a key added or changed here shows in both, so
// the help cannot drift from what the code does. Like everything else in
// package tui they are built by NewModel, not at package level (see
// docs/tui.md, "Start-up cost").

// bind is a key binding whose help line says label (the keys as the help
// shows them) and desc. A binding with an empty desc shares the help line
// of the binding before it (up and down, next and previous view).
func bind(label, desc string, keys ...string) key.Binding {
	return key.NewBinding(key.WithKeys(keys...), key.WithHelp(label, desc))
}

// hint is one entry of the key-hint line: the keys as the line shows them
// (the binding's first key when empty) and one word.
type hint struct {
	b    key.Binding
	keys string
	word string
}

func (h hint) String() string {
	k := h.keys
	if k == "" {
		k = keyLabel(h.b.Keys()[0])
	}
	return k + " " + h.word
}

// keyLabel is how a key is written in the hints: F keys as on the
// keyboard.
func keyLabel(k string) string {
	if len(k) > 1 && k[0] == 'f' && k[1] >= '0' && k[1] <= '9' {
		return "F" + k[1:]
	}
	return k
}

// globalKeyMap holds the keys of every view but the Config view, which
// keeps only Quit, Help and the view digits (its own keymap has the rest).
type globalKeyMap struct {
	Help, Quit, ForceQuit       key.Binding
	NextView, PrevView          key.Binding
	Views, ConfigView           key.Binding
	Up, Down                    key.Binding
	PageUp, PageDown            key.Binding
	HalfUp, HalfDown            key.Binding
	Home, End                   key.Binding
	Filter, ClearFilter         key.Binding
	Pause, Slower, Faster, Sync key.Binding
}

func newGlobalKeyMap() globalKeyMap {
	return globalKeyMap{
		// F1, F10, F3 and F6 are where htop and mc users look.
		Help:        bind("? F1", "this help (up down scroll, other keys close it)", "?", "f1"),
		Quit:        bind("q F10 ctrl+c", "quit (q asks first if lvs.cf edits are unsaved)", "q", "f10"),
		ForceQuit:   bind("", "", "ctrl+c"),
		NextView:    bind("tab l right", "next / previous view (1 to 3)", "tab", "l", "right"),
		PrevView:    bind("shift+tab h left", "", "shift+tab", "h", "left"),
		Views:       bind("1 2 3", "the services / conns / director / lvs.cf view", "1", "2", "3"),
		ConfigView:  bind("4", "", "4"),
		Up:          bind("up k", "move the selection, scroll (the wheel too)", "up", "k"),
		Down:        bind("down j", "", "down", "j"),
		PageUp:      bind("pgup ^b", "by a page, by half a page", "pgup", "ctrl+b"),
		PageDown:    bind("pgdn ^f space", "", "pgdown", "ctrl+f", "space"),
		HalfUp:      bind("^u", "", "ctrl+u"),
		HalfDown:    bind("^d", "", "ctrl+d"),
		Home:        bind("home g", "to the ends", "home", "g"),
		End:         bind("end G", "", "end", "G"),
		Filter:      bind("/ F3", "filter (enter applies, esc clears)", "/", "f3"),
		ClearFilter: bind("esc", "", "esc"),
		Pause:       bind("p", "pause / resume, longer / shorter interval", "p"),
		Slower:      bind("+ =", "", "+", "="),
		Faster:      bind("-", "", "-"),
		Sync:        bind("ctrl+r", "refresh now", "ctrl+r"),
	}
}

// help lists the global bindings in the order the help shows them.
func (k globalKeyMap) help() []key.Binding {
	return []key.Binding{k.NextView, k.PrevView, k.Views, k.ConfigView, k.Up, k.Down,
		k.PageUp, k.PageDown, k.HalfUp, k.HalfDown, k.Home, k.End, k.Filter, k.ClearFilter,
		k.Pause, k.Slower, k.Faster, k.Sync, k.Help, k.Quit}
}

// servicesKeyMap holds the services view's own keys.
type servicesKeyMap struct {
	Sort, Reverse, Rates              key.Binding
	Drain, Restore, Weight, Out, Zero key.Binding
}

func newServicesKeyMap() servicesKeyMap {
	return servicesKeyMap{
		Sort:    bind("s F6", "next sort key", "s", "f6"),
		Reverse: bind("S", "reverse the order", "S"),
		Rates:   bind("r", "rates: measured deltas / kernel estimates", "r"),
		Drain:   bind("d", "drain (quiesce) the selected server: weight 0", "d"),
		Restore: bind("u", "restore the weight from before d; put back what x took out", "u"),
		Weight:  bind("w", "edit the selected server's weight", "w"),
		Out:     bind("x", "take the server out of the table: its connections are cut", "x"),
		Zero:    bind("Z", "zero the counters of the selected row's service", "Z"),
	}
}

func (k servicesKeyMap) help() []key.Binding {
	return append([]key.Binding{k.Sort, k.Reverse, k.Rates}, k.changes()...)
}

// changes are the keys that change the kernel's table (or the daemon's
// overrides): --read-only refuses them.
func (k servicesKeyMap) changes() []key.Binding {
	return []key.Binding{k.Drain, k.Restore, k.Weight, k.Out, k.Zero}
}

// connsKeyMap holds the connections view's own keys. The sort keys are
// the columns' initials in upper case, so that none clashes with a
// command.
type connsKeyMap struct {
	Sort, NextSort, State, Count key.Binding
}

func newConnsKeyMap() connsKeyMap {
	return connsKeyMap{
		Sort:     bind("P E S C V D", "sort by protocol expire state source virtual dest; again reverses", "P", "E", "S", "C", "V", "D"),
		NextSort: bind("F6", "next sort column", "f6"),
		State:    bind("s", "cycle a state filter through the states present", "s"),
		Count:    bind("c", "list rows / count by real server / by state", "c"),
	}
}

func (k connsKeyMap) help() []key.Binding {
	return []key.Binding{k.Sort, k.NextSort, k.State, k.Count}
}

// directorKeyMap holds the director view's keys. It only scrolls, with
// the global movement keys, which move() applies to it; Scroll is what its
// help and hints say about them.
type directorKeyMap struct {
	Scroll key.Binding
}

func newDirectorKeyMap(g globalKeyMap) directorKeyMap {
	return directorKeyMap{Scroll: bind(g.Up.Help().Key+" "+g.Down.Help().Key,
		"scroll role, peer, configs, events (the keys above too)",
		append(g.Up.Keys(), g.Down.Keys()...)...)}
}

func (k directorKeyMap) help() []key.Binding { return []key.Binding{k.Scroll} }

// promptKeyMap holds the keys of the filter and weight prompts, where
// every other key is typed, and of the y/n questions.
type promptKeyMap struct {
	Apply, Cancel, Erase, Clear, Yes key.Binding
}

func newPromptKeyMap() promptKeyMap {
	return promptKeyMap{
		Apply:  bind("enter", "apply", "enter"),
		Cancel: bind("esc", "cancel", "esc"),
		Erase:  bind("backspace ^h", "erase a character", "backspace", "ctrl+h"),
		Clear:  bind("ctrl+u", "clear", "ctrl+u"),
		Yes:    bind("y Y", "confirm", "y", "Y"),
	}
}

// keyMaps are all of the top level's keymaps.
type keyMaps struct {
	global   globalKeyMap
	prompt   promptKeyMap
	services servicesKeyMap
	conns    connsKeyMap
	director directorKeyMap
}

func newKeyMaps() keyMaps {
	g := newGlobalKeyMap()
	return keyMaps{global: g, prompt: newPromptKeyMap(), services: newServicesKeyMap(), conns: newConnsKeyMap(), director: newDirectorKeyMap(g)}
}

// firstKeys are the first keys of bs, as the hints write them: "d u w x Z".
func firstKeys(bs []key.Binding) string {
	var out []string
	for _, b := range bs {
		out = append(out, keyLabel(b.Keys()[0]))
	}
	return strings.Join(out, " ")
}
