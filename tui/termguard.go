package tui

import (
	// Imported for its init, which must run before bubbletea's; see the
	// package's documentation.
	"github.com/lvsadm/lvsadm/tui/internal/termguard"
)

// Undo termguard's TERM change. This package imports bubbletea, so this
// runs after bubbletea's init, the one the guard was for.
func init() { termguard.Restore() }
