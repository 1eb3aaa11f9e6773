package tui

import (
	"charm.land/bubbles/v2/key"

	"github.com/lvsadm/lvsadm/tui/cfedit"
)

// helpSection groups the bindings of one view in the help overlay.
type helpSection struct {
	title string
	keys  []key.Binding
}

// helpLine is one line of the help overlay: the labels of one or more
// bindings and what they do.
type helpLine struct{ keys, what string }

// lines merges the section's bindings into help lines: a binding without
// a description shares the line of the one before it.
func (s helpSection) lines() []helpLine {
	var out []helpLine
	for _, b := range s.keys {
		h := b.Help()
		if h.Desc == "" && len(out) > 0 {
			if h.Key != "" {
				out[len(out)-1].keys += " " + h.Key
			}
			continue
		}
		out = append(out, helpLine{h.Key, h.Desc})
	}
	return out
}

// helpSections is the help overlay's content for view v: the keys that
// work everywhere and v's own.
func (m *Model) helpSections(v viewID) []helpSection {
	g := m.keys.global
	switch v {
	case viewServices:
		title := "Services"
		if m.opts.ReadOnly {
			title += " (read-only: " + firstKeys(m.keys.services.changes()) + " are refused)"
		}
		return []helpSection{{"Everywhere", g.help()}, {title, m.keys.services.help()}}
	case viewDirector:
		return []helpSection{{"Everywhere", g.help()}, {"Director", m.keys.director.help()}}
	case viewConfig:
		// Most of Everywhere is not the Config view's (/, p, ctrl+r,
		// h l are its own keys there): one section says it all.
		title := "Config view (lvs.cf)"
		if m.opts.ReadOnly {
			title += " (read-only: no edits, saves or applies)"
		}
		keys := append([]key.Binding{g.Views}, cfedit.HelpKeys()...)
		return []helpSection{{title, append(keys, g.Help, g.Quit)}}
	}
	return []helpSection{{"Everywhere", g.help()}, {"Connections", m.keys.conns.help()},
		// The filter's terms are no keys, but this is where they are looked for.
		{"Connections filter (/): terms, all of which must match", []key.Binding{
			bind("state:EST", "proto:udp client:IP svc:IP:PORT rs:IP  a word: a state"),
			bind("~REGEXP", "rs~REGEXP (and state~ proto~ client~ svc~)  !TERM inverts"),
		}}}
}

// hints are the key-hint line's entries, per view and mode, the most
// important first so that a narrow terminal keeps them.
func (m *Model) hints() []hint {
	g := m.keys.global
	help, quit := hint{b: g.Help, word: "help"}, hint{b: g.Quit, word: "quit"}
	views := hint{b: g.NextView, word: "views"}
	switch m.view {
	case viewConns:
		c := m.keys.conns
		return []hint{help, views, {b: g.Filter, word: "filter"}, {b: c.State, word: "state"},
			{b: c.Sort, keys: "PESCVD", word: "sort"}, {b: c.Count, word: "count"}, {b: g.Pause, word: "pause"}, quit}
	case viewDirector:
		return []hint{help, views, {b: m.keys.director.Scroll, keys: "j k", word: "scroll"},
			{b: g.Slower, keys: "+-", word: "interval"}, {b: g.Pause, word: "pause"}, quit}
	case viewConfig:
		// The view's own hints are on the line above.
		return []hint{help, {b: g.Views, keys: "1 2 3", word: "views"}, quit}
	}
	s := m.keys.services
	// No "tab views" here: the tab line above shows the views, and the
	// actions need the room at 80 columns.
	out := []hint{help, {b: g.Filter, word: "filter"}, {b: s.Sort, word: "sort"}}
	if m.opts.ReadOnly {
		return append(out, hint{b: g.Slower, keys: "+-", word: "interval"}, quit,
			hint{keys: "read-only:", word: "no " + firstKeys(s.changes())})
	}
	return append(out, hint{b: s.Drain, word: "drain"}, hint{b: s.Restore, word: "restore"},
		hint{b: s.Weight, word: "weight"}, hint{b: s.Out, word: "out"}, hint{b: s.Zero, word: "zero"}, quit)
}

// footerHints is the key-hint line of the current view in w columns:
// whole hints, as many as fit ("x ou~" helps nobody).
func (m *Model) footerHints(w int) string {
	line := ""
	for _, h := range m.hints() {
		next := h.String()
		if line != "" {
			next = line + "  " + next
		}
		if len(next) > w && line != "" {
			break
		}
		line = next
	}
	return line
}
