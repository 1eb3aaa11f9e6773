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

// helpSections is the help overlay's content for the current view: the
// keys that work everywhere and the view's own.
func (m *Model) helpSections() []helpSection {
	g := m.keys.global
	if p := m.page(); p != nil {
		return append([]helpSection{{"Everywhere", g.help()}}, p.help()...)
	}
	// The Config view: most of Everywhere is not its (/, p, ctrl+r, h l
	// are its own keys there): one section says it all.
	title := "Config view (lvs.cf)"
	if m.opts.ReadOnly {
		title += " (read-only: no edits, saves or applies)"
	}
	keys := append([]key.Binding{g.Views}, cfedit.HelpKeys()...)
	return []helpSection{{title, append(keys, g.Help, g.Quit)}}
}

// hints are the key-hint line's entries of the current view, the most
// important first so that a narrow terminal keeps them.
func (m *Model) hints() []hint {
	if p := m.page(); p != nil {
		return p.hints()
	}
	// The Config view's own hints are on the line above.
	help, _, quit := m.commonHints()
	return []hint{help, {b: m.keys.global.Views, keys: "1 2 3", word: "views"}, quit}
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
