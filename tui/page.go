package tui

import tea "charm.land/bubbletea/v2"

// page is one of the views the top level draws itself: services,
// connections, director (the Config view is package cfedit's model). Each
// has its state (a struct embedded in Model, so that the code reads
// m.cursor as before), its keymap, its keys, its drawing, and its part of
// the help and the hints; Model keeps what they share (the snapshot, the
// daemon's status, the options, the status line) and the keys of every
// view, and hands each page the rest.
type page interface {
	// update handles a key of the page's own, after the keys of every
	// view (update.go) did not take it.
	update(k tea.KeyPressMsg) tea.Cmd
	// view draws the tab line, the column header, the body and the two
	// detail lines in w columns.
	view(w int) (tabs, colHead string, body, detail []string)
	// move moves the selection or the scroll by delta lines.
	move(delta int)
	// help is the page's sections of the help overlay, after the keys
	// of every view.
	help() []helpSection
	// hints is the page's key-hint line, the most needed first.
	hints() []hint
}

// page is the page of the current view; nil for the Config view.
func (m *Model) page() page {
	switch m.view {
	case viewServices:
		return servicesPage{m}
	case viewConns:
		return connsPage{m}
	case viewDirector:
		return directorPage{m}
	}
	return nil
}

// commonHints are the hints every page starts and ends with.
func (m *Model) commonHints() (help, views, quit hint) {
	g := m.keys.global
	return hint{b: g.Help, word: "help"}, hint{b: g.NextView, word: "views"}, hint{b: g.Quit, word: "quit"}
}
