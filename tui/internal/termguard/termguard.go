// Package termguard stops Bubble Tea v1's package initialiser from querying
// the terminal on every start of lvsadm.
//
// bubbletea v1 (tea_init.go) calls lipgloss.HasDarkBackground() in its
// init(): when standard output is a terminal in the foreground, termenv
// writes "ESC ] 11 ; ? ESC \" and "ESC [ 6 n" to it, switches it to
// no-echo and waits up to 5 seconds (termenv.OSCTimeout) for the answer.
// Linked into lvsadm, that would run before every ipvsadm-style invocation:
// an SSH round trip per "ipvsadm -a" in a shell loop, escape sequences in
// logs captured through a pty, and a 5-second hang where nothing answers
// (expect, script, serial consoles). The TUI never uses the background
// color (it has no adaptive colors), so the query buys lvsadm nothing.
//
// termenv skips the query when TERM starts with "dumb". This package sets TERM=dumb
// in this package's init and package tui's init puts the old value back
// (Restore), so nothing after start-up sees the change. The order is the Go
// specification's (since Go 1.21, "Package initialization"): among the
// packages whose imports are initialised, the one with the lexically
// smallest import path goes first. This package imports only os, and
// "github.com/lvsadm/lvsadm/tui/internal/termguard" sorts before
// "github.com/muesli/termenv", which bubbletea imports, so it is initialised
// before termenv and therefore before bubbletea; tui imports bubbletea, so
// its init runs after. TestInitOrder in package tui checks this order in a
// real binary, TestTermRestored that TERM comes back.
//
// One trace stays: termenv's default output, built in its init, has the
// plain (Ascii) profile. Nothing in lvsadm draws with it; the TUI makes a
// renderer of its own for the terminal it draws on, after TERM is back.
package termguard

import "os"

var (
	saved   string
	wasSet  bool
	guarded bool
)

func init() {
	saved, wasSet = os.LookupEnv("TERM")
	guarded = os.Setenv("TERM", "dumb") == nil
}

// Restore puts TERM back as it was before init. It is idempotent.
func Restore() {
	if !guarded {
		return
	}
	guarded = false
	if wasSet {
		os.Setenv("TERM", saved)
	} else {
		os.Unsetenv("TERM")
	}
}
