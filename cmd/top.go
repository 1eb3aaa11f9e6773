package cmd

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/lvsadm/lvsadm/daemon/control"
	"github.com/lvsadm/lvsadm/tui"
)

// TopOptions is what "lvsadm top" was asked to do. Without Batch it is
// the TUI (TUIOptions, with Delay as the interval).
type TopOptions struct {
	TUIOptions

	Batch    bool
	Frames   int
	Width    int
	Height   int
	Conns    bool
	Director bool
}

// NewCmdTop is "lvsadm top"; runF as in NewCmdList.
func NewCmdTop(f *Factory, runF func(context.Context, *TopOptions) error) *cobra.Command {
	opts := &TopOptions{TUIOptions: TUIOptions{IO: f.IO, Kernel: f.Kernel, Control: f.Control, Config: f.tuiConfig}}
	c := &cobra.Command{
		Use:   "top",
		Short: "The TUI, or with -b plain-text frames of it for watch and logs",
		Long: `Without -b, "lvsadm top" is "lvsadm tui". With -b it prints frames of the
services view (with --conns the connections view, with --director the
director view: the daemon's role, peer, addresses and events) as plain text, like
"top -b": no terminal needed, for "watch", cron jobs and logs. -n limits the
number of frames (0: until interrupted), -d the delay between them. Real
server health comes from the daemon on --socket, as in "lvsadm tui".
Without -b, --config names the lvs.cf of the config view ("4").`,
		Example: `  lvsadm top -b -n 1
  lvsadm top -b -n 0 -d 10s >> /var/log/lvs-top.log
  lvsadm top -b -n 1 --conns --width 120
  lvsadm top -b -n 1 --director`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, args []string) error {
			if opts.Interval < 100*time.Millisecond {
				return &exitError{code: 2, err: fmt.Errorf("-d %v: must be at least 100ms", opts.Interval)}
			}
			if opts.Frames < 0 || opts.Width < 20 || opts.Height < 5 || opts.ConnRows < 1 {
				return &exitError{code: 2, err: fmt.Errorf("-n must be >= 0, --width >= 20, --height >= 5, --conn-rows >= 1")}
			}
			if opts.Conns && opts.Director {
				return &exitError{code: 2, err: fmt.Errorf("--conns and --director: one view at a time")}
			}
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return topRun(c.Context(), opts)
		},
	}
	fl := c.Flags()
	fl.BoolVarP(&opts.Batch, "batch", "b", false, "print plain-text frames instead of running the TUI")
	fl.IntVarP(&opts.Frames, "iterations", "n", 0, "frames to print in batch mode (0: until interrupted)")
	fl.DurationVarP(&opts.Interval, "delay", "d", tui.DefaultInterval, "time between refreshes")
	fl.IntVar(&opts.Width, "width", 80, "columns of a batch frame")
	fl.IntVar(&opts.Height, "height", 24, "lines of a batch frame at most")
	fl.BoolVar(&opts.Conns, "conns", false, "batch frames of the connections view")
	fl.BoolVar(&opts.Director, "director", false, "batch frames of the director view (needs the daemon on --socket)")
	fl.IntVar(&opts.ConnRows, "conn-rows", tui.DefaultConnRows, "connection rows kept per refresh (counts always cover the whole table)")
	fl.StringVar(&opts.Socket, "socket", control.DefaultSocket, "the daemon's control socket, read for real-server health")
	fl.BoolVar(&opts.ReadOnly, "read-only", false, "without -b: refuse every change (drain, restore, weight, take out, zero)")
	fl.BoolVar(&opts.NoMouse, "no-mouse", false, "without -b: leave the mouse to the terminal")
	tuiConfigFlag(c, &opts.File, "without -b: ")
	return c
}

func topRun(ctx context.Context, opts *TopOptions) error {
	if !opts.Batch {
		return tuiRun(ctx, &opts.TUIOptions)
	}
	k, err := opts.Kernel()
	if err != nil {
		return err
	}
	defer k.Close()
	return tui.Batch(ctx, tui.NewKernelSource(k), opts.IO.Out, tui.BatchOptions{
		Frames: opts.Frames, Interval: opts.Interval, Width: opts.Width, Height: opts.Height, Conns: opts.Conns,
		Director: opts.Director, ConnRows: opts.ConnRows, Daemon: opts.Control(opts.Socket),
	})
}
