package cmd

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/lvsadm/lvsadm/daemon"
	"github.com/lvsadm/lvsadm/tui"
)

func newTUICmd(io IOStreams) *cobra.Command {
	var (
		interval time.Duration
		connRows int
		socket   string
		readOnly bool
		noMouse  bool
	)
	c := &cobra.Command{
		Use:   "tui",
		Short: "Full-screen live view of the IPVS table and connections",
		Long: `A full-screen terminal view of the IPVS table for the screen where
"watch ipvsadm -Lcn" used to run, usable at 80x24 over SSH.

The services view lists virtual services with their real servers (health,
forwarding, weight, active and inactive connections) and their rates:
connections, packets and bytes per second, measured from the counters' change
between two refreshes, or the kernel's own estimates ("r" switches); at 120
columns and wider, a sparkline of each service's traffic over the last 16
refreshes. It sorts ("s"), filters ("/", a regular expression, "!" first
inverts it), and drains a real server (weight 0, "d"), restores it ("u") or
sets its weight ("w"), each after a y/n confirmation.

With "lvsadm daemon" running, every real server shows its health as the
daemon's checks see it: up, DOWN, QUIESCED (down, kept at weight 0),
REENTRY (checks good again, not yet for reentry seconds), off; a service
shows how many of its servers are up, or NONE UP. Servers the daemon took
out of the kernel table are listed too. The detail line says why a server
is down and the last check's latency. The daemon is read on --socket in
every refresh; without one health shows "-" and the status line says so
once.

The director view ("3") shows the daemon's role and since when, the peer and
its last heartbeat, both directors' serial_no and config digest (MISMATCH
when they differ), a refused reload, the addresses held, the last table
error, and the daemon's event log, scrollable. "tab" cycles the views.

The connections view shows the connection table as "ipvsadm -Lcn" does, with
counts per state over the whole table and rows for the first entries that
match the filter (state:, proto:, client:, svc:, rs: terms, ~REGEXP over the
entry or rs~REGEXP over one field, ! before a term inverts it), so a table of
a million entries costs its counts and --conn-rows rows, not a million rows.
P E S C V D sort the rows kept by a column (again: reversed); "c" counts the
matching entries by real server or by state instead. It reads the table only
while it is shown.

--read-only refuses every change: the key hints say so, and d, u and w answer
"read-only" in the status line. "+" and "-" lengthen and shorten the refresh
interval live (from 100ms to 1m; the header shows it). The mouse wheel
scrolls (--no-mouse leaves the mouse to the terminal); arrows and vim keys
(j k g G h l, ctrl+f ctrl+b ctrl+d ctrl+u) move everywhere.

"?" shows every key; "q" quits. Color is decoration only: with NO_COLOR or a
terminal without color nothing is lost. Needs root, like ipvsadm. See
docs/tui.md.`,
		Example: `  lvsadm tui
  lvsadm tui --interval 5s
  NO_COLOR=1 lvsadm tui --conn-rows 200
  lvsadm tui --read-only --socket /run/lvsadm/lvsadm.sock`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, args []string) error {
			if interval < 100*time.Millisecond {
				return &exitError{code: 2, err: fmt.Errorf("--interval %v: must be at least 100ms", interval)}
			}
			if connRows < 1 {
				return &exitError{code: 2, err: fmt.Errorf("--conn-rows %d: must be at least 1", connRows)}
			}
			if err := tui.NeedTerminal(io.In, io.Out); err != nil {
				return err
			}
			k, err := openKernel()
			if err != nil {
				return err
			}
			defer k.Close()
			return tui.Run(c.Context(), tui.NewKernelSource(k), io.In, io.Out,
				tui.Options{Interval: interval, ConnRows: connRows, Daemon: tui.SocketDaemon{Path: socket},
					ReadOnly: readOnly, NoMouse: noMouse})
		},
	}
	c.Flags().DurationVarP(&interval, "interval", "i", tui.DefaultInterval, "time between refreshes")
	c.Flags().IntVar(&connRows, "conn-rows", tui.DefaultConnRows, "connection rows kept per refresh (counts always cover the whole table)")
	c.Flags().StringVar(&socket, "socket", daemon.DefaultSocket, "the daemon's control socket, read for real-server health")
	c.Flags().BoolVar(&readOnly, "read-only", false, "refuse every change (drain, restore, weight): only look")
	c.Flags().BoolVar(&noMouse, "no-mouse", false, "leave the mouse to the terminal (text selection) instead of scrolling with the wheel")
	return c
}
