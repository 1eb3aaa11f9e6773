package tui

// keyHelp is one line of the help overlay.
type keyHelp struct{ keys, what string }

// helpSection groups the key help of one view.
type helpSection struct {
	title string
	keys  []keyHelp
}

// helpSections is the help overlay's content for view v: the keys that
// work everywhere and v's own, so that it fits 80x24. It is a function,
// not a package-level table, so that nothing is built unless the TUI runs.
func helpSections(v viewID) []helpSection {
	all := []helpSection{
		{"Everywhere", []keyHelp{
			{"tab 1 2 3 h l", "services / connections / director view"},
			{"4", "lvs.cf config view (tab there switches its panels)"},
			{"up down j k wheel", "move the selection, scroll"},
			{"pgup pgdn ^f^b ^d^u", "by a page, by half a page"},
			{"home end g G", "to the ends"},
			{"/", "filter: regexp, !inverts (enter applies, esc clears)"},
			{"p + -", "pause / resume, longer / shorter interval"},
			{"ctrl+r", "refresh now"},
			{"?", "this help (any key closes it)"},
			{"q ctrl+c", "quit"},
		}},
		{"Services", []keyHelp{
			{"s S", "next sort key / reverse the order"},
			{"r", "rates: measured deltas / kernel estimates"},
			{"d", "drain (quiesce) the selected server: weight 0"},
			{"u", "restore the weight from before d; put back what x took out"},
			{"w", "edit the selected server's weight"},
			{"x", "take the server out of the table: its connections are cut"},
			{"Z", "zero the counters of the selected row's service"},
		}},
		{"Director", []keyHelp{
			{"up down pgup pgdn", "scroll the role, peer, configs and event log"},
		}},
		{"Connections", []keyHelp{
			{"s", "cycle a state filter through the states present"},
			{"P E S C V D", "sort by protocol expire state source virtual dest"},
			{"", "(the same key again reverses)"},
			{"c", "list rows / count by real server / by state"},
			{"/", "state:EST proto:udp client:IP svc:IP:PORT rs:IP"},
			{"", "~REGEXP  rs~REGEXP  !TERM inverts a term"},
		}},
	}
	switch v {
	case viewServices:
		return all[:2]
	case viewDirector:
		return []helpSection{all[0], all[2]}
	case viewConfig:
		// Most of Everywhere is not the Config view's (/, p, ctrl+r,
		// h l are its own keys there): one section says it all.
		return []helpSection{configHelp()}
	}
	return []helpSection{all[0], all[3]}
}

// configHelpTitle names the Config view's help section (read-only adds
// to it).
const configHelpTitle = "Config view (lvs.cf)"

// configHelp is the help of the Config view: the keys package cfedit
// handles (docs/tui.md has the whole table) and the top level's few.
func configHelp() helpSection {
	return helpSection{configHelpTitle, []keyHelp{
		{"1 2 3", "services / connections / director view"},
		{"tab shift+tab", "next / previous panel"},
		{"up down j k", "move; pgup pgdn home end g G by a page, to the ends"},
		{"enter right l", "edit the field / open the virtual or real server"},
		{"esc left h", "back: to the virtual server, to the list"},
		{"a", "add a virtual server (list) or a real server"},
		{"x", "delete the server (after y) / unset the field"},
		{"u", "undo the last edit"},
		{"D", "diff: the file on disk against the edited one"},
		{"ctrl+s", "the diff, then y saves (serial_no + 1, FILE.bak)"},
		{"A", "apply the saved file: daemon reload, or cf apply"},
		{"ctrl+r", "read the file again"},
		{"", "in a prompt every key is typed, q and digits too"},
		{"?", "this help (any key closes it)"},
		{"q ctrl+c", "quit (q asks first when edits are unsaved)"},
	}}
}

// footerHints are the key hints of the footer, per view and mode, shortest
// last so that a narrow terminal keeps the most important ones.
func footerHints(v viewID, readOnly bool) string {
	switch v {
	case viewConns:
		return "? help  tab views  / filter  s state  PESCVD sort  c count  p pause  q quit"
	case viewDirector:
		return "? help  tab views  j k scroll  +- interval  p pause  q quit"
	case viewConfig:
		// The view's own hints are on the line above.
		return "? help  1 2 3 views  q quit"
	}
	if readOnly {
		return "? help  tab views  / filter  s sort  read-only: no d u w x Z  +- interval  q quit"
	}
	// No "tab views" here: the tab line above shows the views, and the
	// actions need the room at 80 columns.
	return "? help  / filter  s sort  d drain  u restore  w weight  x out  Z zero  q quit"
}
