package cfedit

import (
	"bytes"
	"context"
	"fmt"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"

	"github.com/lvsadm/lvsadm/lvscf"
)

// ioTimeout bounds one load, save, daemon query or apply.
const ioTimeout = 30 * time.Second

// maxInput bounds a typed value; lvs.cf strings are far shorter.
const maxInput = 1024

// maxUndo bounds the edits u can undo (each keeps a version of the file).
const maxUndo = 100

// Options configure a Model.
type Options struct {
	// ReadOnly shows the file without allowing edits, saving or applying
	// (lvsadm tui --read-only).
	ReadOnly bool
	// Profile is the terminal's color profile, as tui.Options.Profile: NoTTY
	// draws no styles, ASCII no colors. A ColorProfileMsg replaces it.
	Profile colorprofile.Profile
}

type panel int

const (
	panelGlobal panel = iota
	panelRedundancy
	panelVirtuals
	numPanels
)

func (p panel) String() string {
	switch p {
	case panelRedundancy:
		return "Redundancy"
	case panelVirtuals:
		return "Virtual servers"
	}
	return "Global settings"
}

// mode is what keys do.
type mode int

const (
	modeLoading mode = iota
	modeNormal
	modeEdit    // typing a field's value
	modeName    // typing the name of a new virtual or real server
	modeConfirm // waiting for y/n
	modePreview // the diff, or the operations apply would do
	modeBusy    // waiting for a save, a reload or an apply
)

// pending is an action waiting for y.
type pending struct {
	prompt string
	yes    func() tea.Cmd
}

// Model is the Config view: one lvs.cf, edited in memory.
type Model struct {
	keys keyMap
	ctx  context.Context
	deps Deps
	opts Options
	st   styles

	width, height int

	orig *tree // the file as on disk
	cur  *tree // with the edits
	undo []*tree

	panel   panel
	virtual string         // the open virtual server, "" for the list
	server  string         // the open real server, "" for none
	cursor  int            // index into the current screen's selectable items
	cursors [numPanels]int // the cursor each panel had when left
	offset  int            // first body line shown

	mode      mode
	in        textInput
	inputErr  string
	editPath  string // the key being edited, or the block a name is typed for
	confirm   *pending
	preview   []string
	prevTitle string
	prevOff   int

	status    string
	statusErr bool
}

// New returns the view of the file deps load; Init loads it. ctx bounds
// every load, save and apply; cancel it to stop them.
func New(ctx context.Context, deps Deps, opts Options) *Model {
	return &Model{ctx: ctx, deps: deps, opts: opts, st: newStyles(opts.Profile), width: 80, height: 24, keys: newKeyMap()}
}

// SetSize gives the view the room it has, in cells.
func (m *Model) SetSize(w, h int) {
	if w > 0 && h > 0 {
		m.width, m.height = w, h
	}
	m.clamp()
}

// Dirty reports whether there are unsaved edits (a parent quitting may
// want to ask first).
func (m *Model) Dirty() bool {
	return m.orig != nil && m.cur != nil && !bytes.Equal(m.orig.src, m.cur.src)
}

// Captures reports whether the view is in a prompt, a confirmation or the
// preview: then every key is the view's, q and digits included.
func (m *Model) Captures() bool {
	switch m.mode {
	case modeEdit, modeName, modeConfirm, modePreview:
		return true
	}
	return false
}

// Messages the view emits for its parent.
type (
	// SavedMsg follows a successful save.
	SavedMsg struct {
		Path   string
		Serial int // serial_no as saved
	}
	// AppliedMsg follows a successful apply or daemon reload; Summary is
	// what the status line says.
	AppliedMsg struct{ Summary string }
)

// Messages of the view's own commands; the parent passes them back.
type (
	loadedMsg struct {
		src []byte
		err error
		why string // what the status line says after the load
	}
	savedMsg struct {
		src       []byte // the file as saved, read back
		from, to  string // serial_no before and after
		err, rerr error  // the save's error, the read-back's
	}
	daemonMsg struct {
		pid int
		err error
	}
	planMsg struct {
		ops []string
		err error
	}
	appliedMsg struct {
		text string
		ops  []string
		err  error
	}
)

// Init loads the file.
func (m *Model) Init() tea.Cmd { return m.loadCmd("") }

// run makes a command of fn, bounded by ioTimeout and the model's context.
func (m *Model) run(fn func(ctx context.Context) tea.Msg) tea.Cmd {
	ctx := m.ctx
	return func() tea.Msg {
		c, cancel := context.WithTimeout(ctx, ioTimeout)
		defer cancel()
		return fn(c)
	}
}

func (m *Model) loadCmd(why string) tea.Cmd {
	m.mode = modeLoading
	load := m.deps.Load
	return m.run(func(ctx context.Context) tea.Msg {
		if load == nil {
			return loadedMsg{err: fmt.Errorf("nothing to load: no lvs.cf given")}
		}
		src, err := load(ctx)
		return loadedMsg{src: src, err: err, why: why}
	})
}

func (m *Model) saveCmd() tea.Cmd {
	m.mode = modeBusy
	m.setStatus("saving "+m.deps.Path+"...", false)
	d := m.deps
	old, data := m.orig.src, m.cur.src
	from, _ := m.orig.value("serial_no")
	return m.run(func(ctx context.Context) tea.Msg {
		if d.Save == nil {
			return savedMsg{err: fmt.Errorf("saving is not available")}
		}
		if err := d.Save(ctx, old, data); err != nil {
			return savedMsg{err: err}
		}
		src, err := d.Load(ctx)
		to := ""
		if err == nil {
			to, _ = newTree(d.Path, src).value("serial_no")
		}
		return savedMsg{src: src, from: from, to: to, rerr: err}
	})
}

func (m *Model) daemonCmd() tea.Cmd {
	m.mode = modeBusy
	m.setStatus("looking for a running daemon...", false)
	find := m.deps.Daemon
	return m.run(func(ctx context.Context) tea.Msg {
		if find == nil {
			return daemonMsg{err: ErrNoDaemon}
		}
		pid, err := find(ctx)
		return daemonMsg{pid: pid, err: err}
	})
}

func (m *Model) planCmd() tea.Cmd {
	m.mode = modeBusy
	m.setStatus("planning lvsadm cf apply "+m.deps.Path+"...", false)
	ap := m.deps.Apply
	return m.run(func(ctx context.Context) tea.Msg {
		ops, err := ap(ctx, true)
		return planMsg{ops: ops, err: err}
	})
}

func (m *Model) applyCmd() tea.Cmd {
	m.closePreview()
	m.mode = modeBusy
	m.setStatus("applying "+m.deps.Path+" to the kernel...", false)
	ap := m.deps.Apply
	return m.run(func(ctx context.Context) tea.Msg {
		ops, err := ap(ctx, false)
		return appliedMsg{ops: ops, err: err, text: fmt.Sprintf("applied %s to the kernel (lvsadm cf apply)", plural(len(ops), "change"))}
	})
}

func (m *Model) reloadCmd(pid int) tea.Cmd {
	m.closePreview()
	m.mode = modeBusy
	m.setStatus(fmt.Sprintf("reloading the daemon (pid %d)...", pid), false)
	rl := m.deps.Reload
	return m.run(func(ctx context.Context) tea.Msg {
		if rl == nil {
			return appliedMsg{err: fmt.Errorf("reloading the daemon is not available")}
		}
		text, err := rl(ctx, pid)
		return appliedMsg{text: text, err: err}
	})
}

func (m *Model) setStatus(s string, isErr bool) { m.status, m.statusErr = s, isErr }

func (m *Model) errStatus(err error) { m.setStatus("error: "+firstLine(err.Error()), true) }

// name is the file's name for diagnostics and diff labels.
func (m *Model) name() string {
	if m.deps.Path != "" {
		return m.deps.Path
	}
	return lvscf.DefaultPath
}
