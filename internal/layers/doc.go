// Package layers holds the test that keeps lvsadm's packages in their
// layers: cmd on top; tui, daemon and lvscf beside each other below it;
// ops at the bottom. An edge sideways (tui importing the daemon, lvscf
// importing the TUI) or upwards (ops importing lvscf) makes a change in one
// room break another and drags the daemon's libraries into the TUI's
// binary, so the test fails on one.
package layers
