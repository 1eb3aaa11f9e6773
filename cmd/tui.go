package cmd

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/lvsadm/lvsadm/daemon/control"
	"github.com/lvsadm/lvsadm/lvscf"
	"github.com/lvsadm/lvsadm/ops"
	"github.com/lvsadm/lvsadm/tui"
	"github.com/lvsadm/lvsadm/tui/cfedit"
	"github.com/lvsadm/lvsadm/tui/cfedit/cfdaemon"
)

// TUIOptions is what "lvsadm tui" was asked to do.
type TUIOptions struct {
	IO      IOStreams
	Kernel  func() (ops.Kernel, error)
	Control func(path string) *control.Client
	// Config is the config view's access to lvs.cf (--config), made
	// from the factory once the flags are read.
	Config func(path, socket string) cfedit.Deps

	Interval time.Duration
	ConnRows int
	Socket   string
	ReadOnly bool
	NoMouse  bool
	File     string // --config; "" is the factory's default
}

// NewCmdTUI is "lvsadm tui"; runF as in NewCmdList.
func NewCmdTUI(f *Factory, runF func(context.Context, *TUIOptions) error) *cobra.Command {
	opts := &TUIOptions{IO: f.IO, Kernel: f.Kernel, Control: f.Control, Config: f.tuiConfig}
	c := &cobra.Command{
		Use:   "tui",
		Short: "Full-screen live view of the IPVS table and connections, and an lvs.cf editor",
		Long: `A full-screen terminal view of the IPVS table for the screen where
"watch ipvsadm -Lcn" used to run, usable at 80x24 over SSH.

The services view lists virtual services with their real servers (health,
forwarding, weight, active and inactive connections) and their rates:
connections, packets and bytes per second, measured from the counters' change
between two refreshes, or the kernel's own estimates ("r" switches); at 120
columns and wider, a sparkline of each service's traffic over the last 16
refreshes. It sorts ("s"), filters ("/", a regular expression, "!" first
inverts it), and drains a real server (weight 0, "d"), restores it ("u") or
sets its weight ("w"), each after a y/n confirmation. "x" takes a real server
out of the kernel table after a y/n (its connections are cut); it stays
listed, OUT, and "u" on its row puts it back as it was. "Z" zeroes the
counters of the selected service. The status line ends with the lvsadm
command that does the same from the shell ("lvsadm -e -t ... -r ... -w 0").

With "lvsadm daemon" running, every real server shows its health as the
daemon's checks see it: up, DOWN, QUIESCED (down, kept at weight 0),
REENTRY (checks good again, not yet for reentry seconds), off; a service
shows how many of its servers are up, or NONE UP. Servers the daemon took
out of the kernel table are listed too. The detail line says why a server
is down and the last check's latency. The daemon is read on --socket in
every refresh; without one there is no HEALTH column and the status line
says so once.

The director view ("3") shows the daemon's role and since when, the peer and
its last heartbeat, both directors' serial_no and config digest (MISMATCH
when they differ), a refused reload, the addresses held, the last table
error, and the daemon's event log, scrollable. "tab" cycles views 1 to 3.

The connections view shows the connection table as "ipvsadm -Lcn" does, with
counts per state over the whole table and rows for the first entries that
match the filter (state:, proto:, client:, svc:, rs: terms, ~REGEXP over the
entry or rs~REGEXP over one field, ! before a term inverts it), so a table of
a million entries costs its counts and --conn-rows rows, not a million rows.
P E S C V D sort the rows kept by a column (again: reversed); "c" counts the
matching entries by real server or by state instead. It reads the table only
while it is shown.

The config view ("4") edits lvs.cf (--config, default $LVSADM_CONFIG or
/etc/sysconfig/ha/lvs.cf) as piranha's web GUI did: global settings,
redundancy, virtual and real servers as forms, each value checked by the
linter as it is typed. "D" shows the diff, "ctrl+s" saves after a y/n as
"lvsadm cf set" does (serial_no + 1, the previous version in FILE.bak), "A"
reloads the daemon or applies the saved file as "lvsadm cf apply" does.
There tab switches its panels and 1 2 3 go back; "q" asks before unsaved
edits are lost. A file that cannot be read is an error in this view only.

--read-only refuses every change: the key hints say so, d, u, w, x and Z answer
"read-only" in the status line, and the config view only shows the file.
"+" and "-" lengthen and shorten the refresh interval live (from 100ms to
1m; the header shows it). The mouse wheel scrolls (--no-mouse leaves the
mouse to the terminal); arrows and vim keys (j k g G h l, ctrl+f ctrl+b
ctrl+d ctrl+u) move everywhere.

"?" shows every key; "q" quits. The keys of htop and mc work too: F1 help,
F10 quit, F3 (like "/") filter, F6 sort. Color is decoration only: with NO_COLOR or a
terminal without color nothing is lost. The table views need root and IPVS,
like ipvsadm; where the table cannot be read (no ip_vs module, a laptop)
they say why, the config and director views work, and the TUI opens on the
config view: "lvsadm tui --config lvs.cf" edits and lints a file anywhere.
See /usr/share/doc/lvsadm/tui.md.`,
		Example: `  lvsadm tui
  lvsadm tui --interval 5s
  NO_COLOR=1 lvsadm tui --conn-rows 200
  lvsadm tui --read-only --socket /run/lvsadm/lvsadm.sock
  lvsadm tui --config /tmp/lvs.cf`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, args []string) error {
			if opts.Interval < 100*time.Millisecond {
				return &exitError{code: 2, err: fmt.Errorf("--interval %v: must be at least 100ms", opts.Interval)}
			}
			if opts.ConnRows < 1 {
				return &exitError{code: 2, err: fmt.Errorf("--conn-rows %d: must be at least 1", opts.ConnRows)}
			}
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return tuiRun(c.Context(), opts)
		},
	}
	c.Flags().DurationVarP(&opts.Interval, "interval", "i", tui.DefaultInterval, "time between refreshes")
	c.Flags().IntVar(&opts.ConnRows, "conn-rows", tui.DefaultConnRows, "connection rows kept per refresh (counts always cover the whole table)")
	c.Flags().StringVar(&opts.Socket, "socket", control.DefaultSocket, "the daemon's control socket, read for real-server health")
	c.Flags().BoolVar(&opts.ReadOnly, "read-only", false, "refuse every change (drain, restore, weight, take out, zero): only look")
	c.Flags().BoolVar(&opts.NoMouse, "no-mouse", false, "leave the mouse to the terminal (text selection) instead of scrolling with the wheel")
	tuiConfigFlag(c, &opts.File, "")
	return c
}

func tuiRun(ctx context.Context, opts *TUIOptions) error {
	if err := tui.NeedTerminal(opts.IO.In, opts.IO.Out); err != nil {
		return err
	}
	src, closeKernel, noKernel := tuiSource(opts.Kernel)
	defer closeKernel()
	return tui.Run(ctx, src, opts.IO.In, opts.IO.Out,
		tui.Options{Interval: opts.Interval, ConnRows: opts.ConnRows, Daemon: opts.Control(opts.Socket),
			ReadOnly: opts.ReadOnly, NoMouse: opts.NoMouse, Config: opts.Config(opts.File, opts.Socket), NoKernel: noKernel})
}

// tuiSource opens the kernel for the TUI. A kernel that cannot be opened
// (no IPVS on a laptop, not root) is no reason to refuse the config and
// director views: the TUI runs without a source and its table views say
// why (tui.Options.NoKernel).
func tuiSource(open func() (ops.Kernel, error)) (src tui.Source, closeKernel func(), noKernel error) {
	k, err := open()
	if err != nil {
		return nil, func() {}, err
	}
	return tui.NewKernelSource(k), func() { k.Close() }, nil
}

// tuiConfigFlag registers --config, the file of the TUI's config view.
// Its default is resolved when the command runs (cfFile), as the cf
// commands' --file is, so that help and man pages do not depend on the
// environment they were made in.
func tuiConfigFlag(c *cobra.Command, config *string, when string) {
	c.Flags().StringVar(config, "config", "", when+"the lvs.cf the config view (4) edits (default $LVSADM_CONFIG or "+lvscf.DefaultPath+")")
}

// tuiConfig is how the config view reaches the lvs.cf named by flag (or
// the factory's default): read and saved as "lvsadm cf set" saves it, applied by
// reloading the daemon on socket when it runs that file, or else as
// "lvsadm cf apply" applies it. Nothing is read before the view is shown:
// a file that is missing or unreadable is an error in that view only.
func (f *Factory) tuiConfig(flag, socket string) cfedit.Deps {
	path := f.cfFile(flag)
	d := cfdaemon.With(cfedit.FileDeps(path), socket)
	d.Apply = cfedit.KernelApply(path, f.Kernel)
	return d
}
