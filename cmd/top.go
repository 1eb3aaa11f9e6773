package cmd

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/lvsadm/lvsadm/daemon/control"
	"github.com/lvsadm/lvsadm/tui"
)

func newTopCmd(io IOStreams) *cobra.Command {
	var (
		batch    bool
		frames   int
		delay    time.Duration
		width    int
		height   int
		conns    bool
		director bool
		connRows int
		socket   string
		readOnly bool
		noMouse  bool
		config   string
	)
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
			if delay < 100*time.Millisecond {
				return &exitError{code: 2, err: fmt.Errorf("-d %v: must be at least 100ms", delay)}
			}
			if frames < 0 || width < 20 || height < 5 || connRows < 1 {
				return &exitError{code: 2, err: fmt.Errorf("-n must be >= 0, --width >= 20, --height >= 5, --conn-rows >= 1")}
			}
			if conns && director {
				return &exitError{code: 2, err: fmt.Errorf("--conns and --director: one view at a time")}
			}
			if !batch {
				if err := tui.NeedTerminal(io.In, io.Out); err != nil {
					return err
				}
			}
			dmn := control.New(socket)
			if !batch {
				src, closeKernel, noKernel := tuiSource()
				defer closeKernel()
				return tui.Run(c.Context(), src, io.In, io.Out, tui.Options{Interval: delay, ConnRows: connRows, Daemon: dmn,
					ReadOnly: readOnly, NoMouse: noMouse, Config: tuiConfig(config, socket), NoKernel: noKernel})
			}
			k, err := openKernel()
			if err != nil {
				return err
			}
			defer k.Close()
			return tui.Batch(c.Context(), tui.NewKernelSource(k), io.Out, tui.BatchOptions{
				Frames: frames, Interval: delay, Width: width, Height: height, Conns: conns, Director: director, ConnRows: connRows, Daemon: dmn,
			})
		},
	}
	f := c.Flags()
	f.BoolVarP(&batch, "batch", "b", false, "print plain-text frames instead of running the TUI")
	f.IntVarP(&frames, "iterations", "n", 0, "frames to print in batch mode (0: until interrupted)")
	f.DurationVarP(&delay, "delay", "d", tui.DefaultInterval, "time between refreshes")
	f.IntVar(&width, "width", 80, "columns of a batch frame")
	f.IntVar(&height, "height", 24, "lines of a batch frame at most")
	f.BoolVar(&conns, "conns", false, "batch frames of the connections view")
	f.BoolVar(&director, "director", false, "batch frames of the director view (needs the daemon on --socket)")
	f.IntVar(&connRows, "conn-rows", tui.DefaultConnRows, "connection rows kept per refresh (counts always cover the whole table)")
	f.StringVar(&socket, "socket", control.DefaultSocket, "the daemon's control socket, read for real-server health")
	f.BoolVar(&readOnly, "read-only", false, "without -b: refuse every change (drain, restore, weight, take out, zero)")
	f.BoolVar(&noMouse, "no-mouse", false, "without -b: leave the mouse to the terminal")
	tuiConfigFlag(c, &config, "without -b: ")
	return c
}
