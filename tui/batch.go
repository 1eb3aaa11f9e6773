package tui

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
)

// BatchOptions configure Batch.
type BatchOptions struct {
	Frames   int           // how many frames; 0 means until ctx ends
	Interval time.Duration // between frames (DefaultInterval when zero)
	Width    int           // columns (80 when zero)
	Height   int           // lines per frame, header and footer included (24 when zero)
	Conns    bool          // the connections view instead of services
	Director bool          // the director view (the daemon's state) instead of services
	ConnRows int           // DefaultConnRows when zero
	Daemon   DaemonSource  // real-server health; nil: none
}

// Batch prints frames of the TUI as plain text, the way "top -b" does: for
// watch-style use and for logging. It draws through the same model and
// view as the interactive TUI, with no styles, padding or key hints, and
// separates frames with a blank line. Measured rates need two snapshots:
// a single frame shows what the view shows before its second refresh.
func Batch(ctx context.Context, src Source, out io.Writer, o BatchOptions) error {
	if o.Width <= 0 {
		o.Width = 80
	}
	if o.Height <= 0 {
		o.Height = 24
	}
	if o.Interval <= 0 {
		o.Interval = DefaultInterval
	}
	m := NewModel(ctx, src, Options{Interval: o.Interval, ConnRows: o.ConnRows, Profile: colorprofile.NoTTY, Daemon: o.Daemon})
	m.Update(tea.WindowSizeMsg{Width: o.Width, Height: o.Height})
	switch {
	case o.Conns:
		m.view = viewConns
	case o.Director:
		m.view = viewDirector
	}
	for i := 0; o.Frames == 0 || i < o.Frames; i++ {
		if i > 0 {
			select {
			case <-ctx.Done():
				return nil
			case <-time.After(o.Interval):
			}
		}
		msg := m.startFetch()()
		snap, ok := msg.(snapshotMsg)
		if ok && snap.err != nil {
			return fmt.Errorf("reading the table: %w", snap.err)
		}
		m.Update(msg)
		frame := batchFrame(m.screen())
		if i > 0 {
			frame = "\n" + frame
		}
		if _, err := io.WriteString(out, frame+"\n"); err != nil {
			return err
		}
	}
	return nil
}

// batchFrame is a screen without what only an interactive screen needs:
// the blank lines that pad it to the terminal's height and the key hints.
func batchFrame(screen string) string {
	var keep []string
	for _, l := range strings.Split(screen, "\n") {
		t := strings.TrimRight(l, " ")
		if t == "" || strings.HasPrefix(t, "? help") {
			continue
		}
		keep = append(keep, t)
	}
	return strings.Join(keep, "\n")
}
