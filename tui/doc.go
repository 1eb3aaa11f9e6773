// Package tui is lvsadm's full-screen terminal UI ("lvsadm tui"): a live view
// of the IPVS table with rates, the connection table, and changes of real
// servers (weight, take out and put back, zeroing counters), built on
// Bubble Tea v2 (styles are plain SGR sequences from
// x/ansi: Lip Gloss v2's package initialiser inspects the terminal, see
// docs/tui.md).
//
// It follows the Elm architecture the Charm applications use: Model holds
// all state, Update turns messages (keys, window sizes, fetched snapshots)
// into a new state and commands, View renders the state (a tea.View: the
// screen as text, on the alternate screen). All reading and writing of the
// kernel goes through the small Source interface as tea.Cmd functions, so
// the model is tested with a fake source and no kernel; KernelSource is the
// real one, over ops.Kernel.
//
// Views 1 to 3 are pages (page.go): each has its state (servicesState,
// connsState, directorState, embedded in Model), its keymap (keymap.go),
// its keys and help and hints (services_page.go, conns_page.go,
// director_page.go) and its drawing (view_services.go, view_conns.go,
// view_director.go). Model keeps what they share and update.go the keys
// of every view; what arrives from a refresh is refresh.go's, the prompts
// prompt.go's, and changes of the table with their confirmation
// actions.go's. The help overlay and the key hints are drawn from the
// keymaps (help.go), so they cannot drift from the keys.
//
// View 4, the lvs.cf Config view, is package cfedit's sub-model, embedded
// as its doc says: the model sends it the keys and pastes while it is
// shown (every key but ctrl+c while it captures them), the messages it
// does not handle itself, and the screen's size less its own three lines;
// Options.Config says which file it edits and how it saves and applies.
//
// This package is linked into the same binary that serves ipvsadm-style
// invocations in shell loops, so it keeps nothing at package level that
// costs time at start-up: styles, key tables and filters are built when a
// Model is.
package tui
