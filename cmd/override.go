package cmd

import (
	"context"
	"fmt"
	"io"
	"net"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/lvsadm/lvsadm/daemon/control"
)

// serverArg is the help text of the SERVER argument, shared by the
// override commands.
const serverArg = `SERVER names real servers of the running daemon's lvs.cf: VIRTUAL/SERVER
(the block names, "web/rs1"), VIRTUAL alone (all its real servers), or a real
server's address, ADDR or ADDR:PORT (every virtual server it appears in).

The daemon holds the override (it is not written to lvs.cf) and keeps the
kernel table to it: a resync or a reload does not undo it, until it is
cleared; a reload that removes the server drops it; a restart of the daemon
forgets it. "lvsadm status" shows it (OVERRIDE) with since when; the metrics
have lvsadm_real_server_override. A real server that fails its checks still
leaves the table. "lvsadm -e/-d" edit the kernel as ipvsadm does: the daemon
repairs such an edit at its next resync.`

// overrideSpec is one override command.
type overrideSpec struct {
	action, use, short, long, example string
	weight                            bool // takes a weight after SERVER
}

var overrideSpecs = []overrideSpec{
	{action: control.ActDrain, use: "drain SERVER", short: "Drain real servers through the daemon: weight 0, their connections finish",
		long: `Set the weight of real servers to 0 through the running daemon: IPVS sends
them no new connections and the existing ones finish. "lvsadm undrain" puts
lvs.cf's weight back.`,
		example: "  lvsadm drain web/rs1\n  lvsadm drain 10.0.1.1\n  lvsadm drain web"},
	{action: control.ActUndrain, use: "undrain SERVER", short: "Clear a drain or weight override: back to lvs.cf's weight",
		long: `Clear the drain or weight override of real servers: they get lvs.cf's weight
again (after the slow start and load monitoring, as without an override). A
server taken out stays out: "lvsadm in" puts it back.`,
		example: "  lvsadm undrain web/rs1"},
	{action: control.ActWeight, use: "weight SERVER WEIGHT", short: "Give real servers a weight of the operator's instead of lvs.cf's", weight: true,
		long: `Give real servers a weight (0 to 2147483647, as ipvsadm's -w) through the running
daemon, instead of lvs.cf's, slow start's and load monitoring's. "lvsadm
undrain" clears it.`,
		example: "  lvsadm weight web/rs1 5"},
	{action: control.ActOut, use: "out SERVER", short: "Take real servers out of the kernel table through the daemon",
		long: `Take real servers out of the kernel table through the running daemon (as
ipvsadm -d would, but held): their connections are cut (IPVS drops the
packets of a deleted destination's connections unless
net.ipv4.vs.expire_nodest_conn expires them); drain first to let them finish.
"lvsadm in" puts them back.`,
		example: "  lvsadm out web/rs1"},
	{action: control.ActIn, use: "in SERVER", short: "Put real servers taken out with lvsadm out back into the table",
		long:    `Clear the take-out of real servers: the daemon puts them back into the kernel table (when their checks pass) with lvs.cf's weight.`,
		example: "  lvsadm in web/rs1"},
}

func newOverrideCmds(f *Factory) []*cobra.Command {
	var out []*cobra.Command
	for _, sp := range overrideSpecs {
		out = append(out, NewCmdOverride(f, sp.action, nil))
	}
	return out
}

// OverrideOptions is what an override command (drain, undrain, weight,
// out, in) was asked to do.
type OverrideOptions struct {
	IO      IOStreams
	Control func(path string) *control.Client

	Socket  string
	Request control.OverrideRequest // checked
}

// NewCmdOverride is the override command of action (control.ActDrain...);
// runF as in NewCmdList.
func NewCmdOverride(f *Factory, action string, runF func(context.Context, *OverrideOptions) error) *cobra.Command {
	var sp overrideSpec
	for _, s := range overrideSpecs {
		if s.action == action {
			sp = s
		}
	}
	opts := &OverrideOptions{IO: f.IO, Control: f.Control}
	nargs := 1
	if sp.weight {
		nargs = 2
	}
	c := &cobra.Command{
		Use:     sp.use,
		Short:   sp.short,
		Long:    sp.long + "\n\n" + serverArg,
		Example: sp.example,
		Args:    usageArgs(cobra.ExactArgs(nargs)),
		ValidArgsFunction: func(c *cobra.Command, args []string, _ string) ([]cobra.Completion, cobra.ShellCompDirective) {
			if len(args) > 0 {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			return daemonNames(c.Context(), f.Control(opts.Socket), true), cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(c *cobra.Command, args []string) error {
			req, err := overrideRequest(sp.action, args)
			if err != nil {
				return &exitError{code: 2, err: err}
			}
			opts.Request = req
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return overrideRun(c.Context(), opts)
		},
	}
	socketFlag(c, &opts.Socket)
	return c
}

func overrideRun(ctx context.Context, opts *OverrideOptions) error {
	ctx, cancel := context.WithTimeout(ctx, controlTimeout)
	defer cancel()
	res, err := opts.Control(opts.Socket).Override(ctx, opts.Request)
	if err != nil {
		return daemonError(err)
	}
	writeOverrideResult(opts.IO.Out, res)
	return nil
}

// overrideRequest reads the command line of an override command: SERVER,
// and WEIGHT for weight.
func overrideRequest(action string, args []string) (control.OverrideRequest, error) {
	r := control.OverrideRequest{Action: action, Target: args[0]}
	if action == control.ActWeight {
		w, err := strconv.ParseInt(args[1], 10, 32)
		if err != nil || w < 0 || w > control.MaxWeight {
			return r, fmt.Errorf("weight %q: expected a number from 0 to %d", args[1], control.MaxWeight)
		}
		r.Weight = int32(w)
	}
	return r, r.Check()
}

// writeOverrideResult prints one line per real server changed:
// "web/rs1 10.0.1.1:80: drained (weight 0), was lvs.cf's weight 5".
func writeOverrideResult(w io.Writer, res control.OverrideResult) {
	if len(res.Changes) == 0 {
		fmt.Fprintf(w, "nothing changed: the %d real servers named are already so\n", res.Matched)
		return
	}
	for _, ch := range res.Changes {
		fmt.Fprintf(w, "%s/%s %s: %s, was %s\n", ch.Virtual, ch.Server, net.JoinHostPort(ch.Address, strconv.Itoa(int(ch.Port))),
			overrideState(ch.After, ch.Weight), overrideState(ch.Before, ch.Weight))
	}
}

func overrideState(o *control.Override, configured int) string {
	if o == nil {
		return fmt.Sprintf("lvs.cf's weight %d", configured)
	}
	return o.Describe()
}
