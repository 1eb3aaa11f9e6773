// Command cfdemo runs the Config view alone on a terminal, embedded the way
// the top-level TUI embeds it (see package cfedit's doc), for looking at
// it under tmux on a copy of an lvs.cf. It is a development aid, not part
// of lvsadm; it never opens the kernel (without a daemon, A says so).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"

	"github.com/lvsadm/lvsadm/daemon/control"
	"github.com/lvsadm/lvsadm/tui/cfedit"
	"github.com/lvsadm/lvsadm/tui/cfedit/cfdaemon"
)

// root is a stand-in for the top-level model: one header line, then the
// view, with the key routing cfedit's doc asks for.
type root struct {
	cfg *cfedit.Model
}

func (r *root) Init() tea.Cmd { return r.cfg.Init() }

func (r *root) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		r.cfg.SetSize(msg.Width, msg.Height-1)
		return r, nil
	case tea.KeyPressMsg:
		if s := msg.String(); s == "ctrl+c" || s == "q" && !r.cfg.Captures() {
			return r, tea.Quit
		}
	}
	_, cmd := r.cfg.Update(msg)
	return r, cmd
}

func (r *root) View() tea.View {
	v := tea.NewView("cfdemo (q quits)\n" + r.cfg.View())
	v.AltScreen = true
	return v
}

func main() {
	file := flag.String("f", "", "the lvs.cf to edit (a copy: saving writes it)")
	socket := flag.String("socket", control.DefaultSocket, "the daemon's control socket")
	ro := flag.Bool("read-only", false, "no edits, no save")
	flag.Parse()
	if *file == "" {
		fmt.Fprintln(os.Stderr, "cfdemo: -f FILE is required")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	prof := colorprofile.Detect(os.Stdout, os.Environ())
	cfg := cfedit.New(ctx, cfdaemon.With(cfedit.FileDeps(*file), *socket), cfedit.Options{ReadOnly: *ro, Profile: prof})
	p := tea.NewProgram(&root{cfg: cfg}, tea.WithContext(ctx), tea.WithColorProfile(prof))
	if _, err := p.Run(); err != nil && !(errors.Is(err, tea.ErrProgramKilled) && ctx.Err() != nil) {
		fmt.Fprintln(os.Stderr, "cfdemo:", err)
		os.Exit(1)
	}
}
