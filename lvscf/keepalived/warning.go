package keepalived

import "fmt"

// Pos is a place in an input file (1-based line).
type Pos struct {
	File string
	Line int
}

func (p Pos) String() string {
	if p.Line <= 0 {
		return p.File
	}
	return fmt.Sprintf("%s:%d", p.File, p.Line)
}

// Warning is a setting that was not carried over exactly, at the place it
// was written: "keepalived.conf:14: notification_email: not carried over
// (lvs.cf has no equivalent)".
type Warning struct {
	Pos Pos
	Key string
	Msg string
}

func (w Warning) String() string {
	if w.Key == "" {
		return fmt.Sprintf("%s: %s", w.Pos, w.Msg)
	}
	return fmt.Sprintf("%s: %s: %s", w.Pos, w.Key, w.Msg)
}

// Common messages.
const (
	msgNoEquivalent = "not carried over (lvs.cf has no equivalent)"
	msgNoKeepalived = "not carried over (keepalived.conf has no equivalent)"
	msgPlaceholder  = "0.0.0.0 is a placeholder (from cf import): not carried over"
)
