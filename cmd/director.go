package cmd

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/lvsadm/lvsadm/daemon/control"
)

// newDirectorCmds are drain-director and undrain-director: the whole
// director out of (and back into) its routers' ECMP, for maintenance.
func newDirectorCmds(f *Factory) []*cobra.Command {
	return []*cobra.Command{NewCmdDrainDirector(f, nil), NewCmdUndrainDirector(f, nil)}
}

// DirectorOptions is what drain-director or undrain-director was asked
// to do.
type DirectorOptions struct {
	IO      IOStreams
	Control func(path string) *control.Client

	Socket  string
	Request control.DirectorRequest // checked
}

// NewCmdDrainDirector is "lvsadm drain-director"; runF as in NewCmdList.
func NewCmdDrainDirector(f *Factory, runF func(context.Context, *DirectorOptions) error) *cobra.Command {
	opts := &DirectorOptions{IO: f.IO, Control: f.Control}
	var wait time.Duration
	c := &cobra.Command{
		Use:   "drain-director",
		Short: "Withdraw this director's BGP routes and wait for its connections to end",
		Long: `Take this director out of its routers' ECMP for maintenance: the running
daemon withdraws every VIP route it announces over BGP (lvs.cf's bgp block),
so the routers send it no new flow, then waits up to --wait for the IPVS
connections to those VIPs to end, and reports. The table, the VIPs and the
health checks stay: flows the routers still send here are served. The
drain holds through reloads until lvsadm undrain-director.

Prints the routes withdrawn and the connections at the start and left at
the end; exits 0 (also when the wait ended with connections left, which it
says), 1 without a daemon or without a bgp block.`,
		Example: `  lvsadm drain-director --wait 5m
  lvsadm drain-director --wait 0    # withdraw, do not wait`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(c *cobra.Command, args []string) error {
			opts.Request = control.DirectorRequest{Action: control.ActDrainDirector, Wait: wait}
			if err := opts.Request.Check(); err != nil {
				return &exitError{code: 2, err: err}
			}
			return directorRunF(c.Context(), opts, runF)
		},
	}
	socketFlag(c, &opts.Socket)
	c.Flags().DurationVar(&wait, "wait", time.Minute, "how long to wait for the connections to end (0: do not wait)")
	return c
}

// NewCmdUndrainDirector is "lvsadm undrain-director"; runF as in
// NewCmdList.
func NewCmdUndrainDirector(f *Factory, runF func(context.Context, *DirectorOptions) error) *cobra.Command {
	opts := &DirectorOptions{IO: f.IO, Control: f.Control}
	c := &cobra.Command{
		Use:   "undrain-director",
		Short: "Announce this director's VIP routes over BGP again after drain-director",
		Long: `End a drain-director: the running daemon announces again every VIP route
that has a real server up, and prints the routes it announced.`,
		Example: `  lvsadm undrain-director`,
		Args:    usageArgs(cobra.NoArgs),
		RunE: func(c *cobra.Command, args []string) error {
			opts.Request = control.DirectorRequest{Action: control.ActUndrainDirector}
			return directorRunF(c.Context(), opts, runF)
		},
	}
	socketFlag(c, &opts.Socket)
	return c
}

// directorRunF runs runF if a test gave one, else the real exchange.
func directorRunF(ctx context.Context, opts *DirectorOptions, runF func(context.Context, *DirectorOptions) error) error {
	if runF != nil {
		return runF(ctx, opts)
	}
	return directorRun(ctx, opts)
}

func directorRun(ctx context.Context, opts *DirectorOptions) error {
	ctx, cancel := context.WithTimeout(ctx, opts.Request.Wait+controlTimeout)
	defer cancel()
	res, err := opts.Control(opts.Socket).Director(ctx, opts.Request)
	if err != nil {
		return daemonError(err)
	}
	writeDirectorResult(opts.IO.Out, res)
	return nil
}

// writeDirectorResult: "withdrawn: 192.0.2.10/32" then the connections.
func writeDirectorResult(w io.Writer, res control.DirectorResult) {
	routes := "none"
	if len(res.Routes) > 0 {
		routes = strings.Join(res.Routes, " ")
	}
	if res.Action == control.ActUndrainDirector {
		fmt.Fprintf(w, "undrained: announced %s\n", routes)
		return
	}
	fmt.Fprintf(w, "drained: withdrawn %s\n", routes)
	switch {
	case res.TimedOut:
		fmt.Fprintf(w, "connections: %d at the withdrawal, %d still open after %v\n", res.Connections, res.ConnectionsLeft, res.Waited)
	case res.Connections > 0 && res.ConnectionsLeft == 0:
		fmt.Fprintf(w, "connections: %d at the withdrawal, all ended after %v\n", res.Connections, res.Waited)
	default:
		fmt.Fprintf(w, "connections: %d at the withdrawal, %d open\n", res.Connections, res.ConnectionsLeft)
	}
}
