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
func newDirectorCmds(ios IOStreams) []*cobra.Command {
	return []*cobra.Command{newDrainDirectorCmd(ios), newUndrainDirectorCmd(ios)}
}

func newDrainDirectorCmd(ios IOStreams) *cobra.Command {
	var socket string
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
			r := control.DirectorRequest{Action: control.ActDrainDirector, Wait: wait}
			if err := r.Check(); err != nil {
				return &exitError{code: 2, err: err}
			}
			return runDirector(c.Context(), ios.Out, socket, r)
		},
	}
	c.Flags().StringVar(&socket, "socket", control.DefaultSocket, "the daemon's control socket")
	c.Flags().DurationVar(&wait, "wait", time.Minute, "how long to wait for the connections to end (0: do not wait)")
	return c
}

func newUndrainDirectorCmd(ios IOStreams) *cobra.Command {
	var socket string
	c := &cobra.Command{
		Use:   "undrain-director",
		Short: "Announce this director's VIP routes over BGP again after drain-director",
		Long: `End a drain-director: the running daemon announces again every VIP route
that has a real server up, and prints the routes it announced.`,
		Example: `  lvsadm undrain-director`,
		Args:    usageArgs(cobra.NoArgs),
		RunE: func(c *cobra.Command, args []string) error {
			return runDirector(c.Context(), ios.Out, socket, control.DirectorRequest{Action: control.ActUndrainDirector})
		},
	}
	c.Flags().StringVar(&socket, "socket", control.DefaultSocket, "the daemon's control socket")
	return c
}

func runDirector(ctx context.Context, w io.Writer, socket string, r control.DirectorRequest) error {
	ctx, cancel := context.WithTimeout(ctx, r.Wait+controlTimeout)
	defer cancel()
	res, err := control.New(socket).Director(ctx, r)
	if err != nil {
		return daemonError(err)
	}
	writeDirectorResult(w, res)
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
