package tui

import (
	"context"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"

	"github.com/lvsadm/lvsadm/daemon/control"
	"github.com/lvsadm/lvsadm/ops"
	"github.com/lvsadm/lvsadm/tui/cfedit"
)

// Defaults for Options.
const (
	DefaultInterval = time.Second
	DefaultConnRows = 1000
	// fetchTimeout bounds one refresh, so that a stuck kernel read shows up
	// as an error in the status line instead of a frozen screen.
	fetchTimeout = 10 * time.Second
)

// Options configure a Model.
type Options struct {
	// Interval is the time between the end of one refresh and the start
	// of the next (DefaultInterval when zero). Refreshes never overlap.
	Interval time.Duration
	// ConnRows bounds the connection rows kept per refresh
	// (DefaultConnRows when zero); counts cover the whole table.
	ConnRows int
	// Profile is the color profile of the terminal drawn on: NoTTY draws
	// no styles, ASCII (NO_COLOR) no colors. Unknown (zero) draws
	// everything and leaves downsampling to Bubble Tea's renderer. A
	// ColorProfileMsg from the program replaces it.
	Profile colorprofile.Profile
	// Now is time.Now when nil; tests fix it.
	Now func() time.Time
	// Daemon, when set, is read in every refresh for real-server health
	// and the director view; without one health shows "-".
	Daemon DaemonSource
	// ReadOnly refuses every change (drain, restore, weight, taking out,
	// putting back, zeroing): the TUI only looks.
	ReadOnly bool
	// NoMouse leaves the mouse to the terminal (its own text selection)
	// instead of scrolling with the wheel.
	NoMouse bool
	// Config is how the Config view (view 4, package cfedit) reads, saves
	// and applies lvs.cf; Config.Path is the name it shows. The zero
	// value has no file: the view says so, the other views work.
	Config cfedit.Deps
	// NoKernel, when set, is why the kernel's IPVS table cannot be read
	// (no ip_vs module, no permission): the source is not used, the
	// services and connections views say so in place of a table, and the
	// config and director views work as usual (editing lvs.cf on a
	// machine without IPVS). The TUI then starts in the config view when
	// it has a file.
	NoKernel error
}

type viewID int

const (
	viewServices viewID = iota
	viewConns
	viewDirector
	// viewConfig is the lvs.cf editor, reached with 4 only: inside it tab
	// switches the editor's panels (cfedit owns tab), so a tab cycle that
	// entered it could not leave it again.
	viewConfig
	numViews
)

// tabViews counts the views tab, h and l cycle through.
const tabViews = viewConfig

// configChrome is what the top level draws around the Config view: the
// header, the view tabs and its own key hints.
const configChrome = 3

// mode is what keys currently do.
type mode int

const (
	modeNormal  mode = iota
	modeFilter       // typing a filter
	modeWeight       // typing a weight
	modeConfirm      // waiting for y/n on a pending change
	modeQuit         // waiting for y/n on quitting with unsaved lvs.cf edits
)

// sortKey orders the services view.
type sortKey int

const (
	sortKernel sortKey = iota // the kernel's order, as ipvsadm -L
	sortAddr
	sortActive
	sortCPS
	sortBytes
	sortWeight
	numSortKeys
)

func (k sortKey) String() string {
	switch k {
	case sortAddr:
		return "address"
	case sortActive:
		return "active conns"
	case sortCPS:
		return "conn/s"
	case sortBytes:
		return "bytes/s"
	case sortWeight:
		return "weight"
	}
	return "kernel order"
}

// removedServer is a real server this session took out of the kernel's
// table (x): kept, as the last refresh read it, so that its row stays on
// screen (a ghost) and u can add it back with the same parameters.
type removedServer struct {
	key  ops.ServiceKey
	sid  itemID
	dest ops.Destination
	// since is the first refresh generation that started after the
	// deletion: an older refresh may still list the server, and must
	// not be taken for someone having added it back.
	since int
	// taking: the deletion is still running; putBack: the addition
	// succeeded and the ghost waits for a refresh that lists it.
	taking, putBack bool
}

// Model is the TUI's whole state.
type Model struct {
	src  Source
	opts Options
	ctx  context.Context
	st   styles
	now  func() time.Time

	width, height int

	view   viewID
	mode   mode
	help   bool
	paused bool

	snap        *Snapshot
	rates       rateTable
	sparks      sparkHistory // recent traffic per service, for the sparkline
	lastRefresh time.Time
	fetching    bool
	refetch     bool // a refresh was asked for while one was running
	gen         int  // generation of the refresh chain; a tick of an older one is ignored
	status      string
	// statusView is the view the status is about: it shows there only,
	// so that one view's error does not sit under another's table.
	// statusAll marks the TUI's own news (refreshes, the daemon, pause,
	// interval), shown in every view.
	statusView viewID
	statusAll  bool
	statusErr  bool
	// statusCLI is the shell command doing what the status line reports
	// (ipvsadm syntax, as lvsadm accepts it), shown after it.
	statusCLI string

	// the failover daemon, read in the same refresh as the kernel
	dstat     *control.Status // nil: none answered the last refresh
	daemonMsg string          // what the status line last said about it, said once
	health    healthIndex

	// the pages' own state (page.go)
	servicesState
	connsState
	directorState

	// the filter and weight prompts, and the change waiting for y
	input    string
	inputErr string // why the prompt's last value was refused
	pending  *pendingEdit

	// config view: the lvs.cf editor, loaded when first shown
	cfg        *cfedit.Model
	cfgStarted bool

	keys       keyMaps
	helpOffset int // the first line of the help overlay shown
	helpTotal  int // its lines, as last drawn
}

// NewModel returns a Model reading from src. ctx bounds every kernel call
// the model makes; cancel it to stop them.
func NewModel(ctx context.Context, src Source, o Options) *Model {
	if o.Interval <= 0 {
		o.Interval = DefaultInterval
	}
	if o.ConnRows <= 0 {
		o.ConnRows = DefaultConnRows
	}
	now := o.Now
	if now == nil {
		now = time.Now
	}
	m := &Model{
		src: src, opts: o, ctx: ctx, st: newStyles(o.Profile), now: now,
		width: 80, height: 24,
		keys:          newKeyMaps(),
		servicesState: servicesState{drainedFrom: map[itemID]int32{}, removed: map[itemID]*removedServer{}},
		cfg:           cfedit.New(ctx, o.Config, cfedit.Options{ReadOnly: o.ReadOnly, Profile: o.Profile}),
	}
	m.sizeConfig()
	return m
}

// sizeConfig gives the Config view the screen less the top level's lines.
func (m *Model) sizeConfig() {
	m.cfg.SetSize(m.width, max(m.height-configChrome, 1))
}

// Init starts the first refresh.
func (m *Model) Init() tea.Cmd {
	if m.opts.NoKernel != nil && m.opts.Config.Path != "" {
		return tea.Batch(m.switchView(viewConfig), m.startFetch())
	}
	return m.startFetch()
}

// Messages.
type (
	snapshotMsg struct {
		snap Snapshot
		err  error
		// the daemon's status, when Options.Daemon is set
		daemon    *control.Status
		daemonErr error
		// gen is the generation the refresh started in: results of
		// changes made after it started are not in it.
		gen int
	}
	tickMsg struct{ gen int }
	editMsg struct {
		p   pendingEdit
		err error
	}
)

// startFetch returns the command for one refresh, or nil when one is
// already running (the running one's result will ask for another).
func (m *Model) startFetch() tea.Cmd {
	if m.fetching {
		m.refetch = true
		return nil
	}
	m.fetching = true
	m.refetch = false
	m.gen++ // any tick still pending belongs to an older chain: it is stale
	src, ctx, dmn, gen, noKernel := m.src, m.ctx, m.opts.Daemon, m.gen, m.opts.NoKernel != nil
	q := ConnQuery{Enabled: m.view == viewConns, Filter: m.effectiveConnFilter(), Limit: m.opts.ConnRows, RowsHint: len(m.connKernel)}
	return func() tea.Msg {
		c, cancel := context.WithTimeout(ctx, fetchTimeout)
		defer cancel()
		var msg snapshotMsg
		msg.gen = gen
		if !noKernel {
			msg.snap, msg.err = src.Snapshot(c, q)
		}
		if dmn != nil {
			msg.daemon, msg.daemonErr = dmn.Status(c, control.Filter{})
		}
		return msg
	}
}

// tick schedules the next refresh of the current chain.
func (m *Model) tick() tea.Cmd {
	gen := m.gen
	return tea.Tick(m.opts.Interval, func(time.Time) tea.Msg { return tickMsg{gen: gen} })
}

// setStatus shows a message in the status line of the current view.
func (m *Model) setStatus(s string, isErr bool) {
	m.status, m.statusErr, m.statusCLI = s, isErr, ""
	m.statusView, m.statusAll = m.view, false
}

// setGlobalStatus shows a message in the status line of every view.
func (m *Model) setGlobalStatus(s string, isErr bool) {
	m.setStatus(s, isErr)
	m.statusAll = true
}

// setEditStatus shows the outcome of a change of the table: it is about
// the services view, whichever view is shown when it arrives.
func (m *Model) setEditStatus(s string, isErr bool) {
	m.setStatus(s, isErr)
	m.statusView = viewServices
}

// setDone shows what a change did, followed by the shell command that
// does the same (cli, from editCLI).
func (m *Model) setDone(s, cli string) {
	m.setEditStatus(s, false)
	m.statusCLI = cli
}
