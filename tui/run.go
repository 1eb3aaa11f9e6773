package tui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/term"
)

// ErrNotTerminal means the TUI was started without a terminal to draw on.
var ErrNotTerminal = errors.New("the TUI needs a terminal (for scripts: lvsadm list -o json, or lvsadm -Lcn)")

// NeedTerminal returns ErrNotTerminal unless in and out are terminals.
func NeedTerminal(in io.Reader, out io.Writer) error {
	for _, s := range []any{in, out} {
		f, ok := s.(*os.File)
		if !ok || !term.IsTerminal(f.Fd()) {
			return ErrNotTerminal
		}
	}
	return nil
}

// Run runs the TUI on the terminal in/out until the user quits or ctx ends.
// The terminal is restored on every way out.
func Run(ctx context.Context, src Source, in io.Reader, out io.Writer, o Options) error {
	if o.Profile == colorprofile.Unknown {
		// Detected here, when the TUI starts, for the terminal actually
		// drawn on (and NO_COLOR), and given to the program too, so that
		// the styles and Bubble Tea's renderer agree and the detection
		// runs once.
		o.Profile = colorprofile.Detect(out, os.Environ())
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // ends any kernel call still running when the UI ends
	m := NewModel(ctx, src, o)
	// The alternate screen is asked for by View (tea.View.AltScreen).
	p := tea.NewProgram(m, tea.WithContext(ctx), tea.WithInput(in), tea.WithOutput(out),
		tea.WithColorProfile(o.Profile))
	if _, err := p.Run(); err != nil {
		if errors.Is(err, tea.ErrProgramKilled) && ctx.Err() != nil {
			return nil // interrupted or terminated: a normal way out
		}
		return fmt.Errorf("running the TUI: %w", err)
	}
	return nil
}
