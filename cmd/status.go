package cmd

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/lvsadm/lvsadm/daemon"
	"github.com/lvsadm/lvsadm/daemon/control"
)

// controlTimeout bounds an override or director exchange with the daemon
// (small answers; a status is bounded by the daemon's silence instead).
const controlTimeout = 10 * time.Second

// StatusOptions is what "lvsadm status" was asked to do.
type StatusOptions struct {
	IO      IOStreams
	Control func(path string) *control.Client

	Socket string
	Output string // text or json
	Filter control.Filter
}

// NewCmdStatus is "lvsadm status"; runF as in NewCmdList.
func NewCmdStatus(f *Factory, runF func(context.Context, *StatusOptions) error) *cobra.Command {
	opts := &StatusOptions{IO: f.IO, Control: f.Control}
	var all bool
	c := &cobra.Command{
		Use:   "status [VIRTUAL | VIP[:PORT]]",
		Short: "Show the running daemon's state: role, partner, real servers, recent events",
		Long: `Show the running daemon's state, read over its control socket: role and
partner, configuration, floating addresses, the virtual servers and the
health of their real servers, and the last events.

The text output is a summary: each virtual server with its counts (3/4 up,
1 DOWN, ...) and only the real servers that need a look: not up, or carrying
an operator override (lvsadm drain, weight, out). --all lists every real
server. A virtual server's name or address (as argument, or --virtual,
--vip) and --state narrow the answer; the daemon filters, so the answer stays
small at 10,000 real servers.

-o json prints the daemon's JSON as it comes: without a filter every virtual
and real server (the shape scripts rely on); with one, only what matches, and
each virtual then carries "counts" of all its real servers. Its first
field, schema_version (1), goes up if a field is ever renamed, removed or
changes meaning.`,
		Example: `  lvsadm status
  lvsadm status www
  lvsadm status 10.0.0.1:80 --all
  lvsadm status --state down
  lvsadm status -o json --vip 10.0.0.1`,
		Args:              usageArgs(cobra.MaximumNArgs(1)),
		ValidArgsFunction: completeVirtuals(f, &opts.Socket),
		RunE: func(c *cobra.Command, args []string) error {
			fl := &opts.Filter
			if len(args) == 1 {
				if fl.Virtual != "" || fl.VIP != "" {
					return &exitError{code: 2, err: errors.New("name the virtual server once: as argument, --virtual or --vip")}
				}
				if _, _, err := control.ParseVIP(args[0]); err == nil {
					fl.VIP = args[0]
				} else {
					fl.Virtual = args[0]
				}
			}
			if err := fl.Check(); err != nil {
				return &exitError{code: 2, err: fmt.Errorf("--state/--vip: %w", err)}
			}
			// The summary hides the healthy servers; a state filter or --all
			// says which to list.
			fl.Summary = opts.Output == formatText && !all && fl.State == ""
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return statusRun(c.Context(), opts)
		},
	}
	fl := c.Flags()
	addOutputFlag(c, &opts.Output, formatText, formatJSON)
	socketFlag(c, &opts.Socket)
	fl.StringVar(&opts.Filter.Virtual, "virtual", "", "only the virtual server of this name (lvs.cf block name)")
	fl.StringVar(&opts.Filter.VIP, "vip", "", "only the virtual servers on this address (ADDR or ADDR:PORT)")
	fl.StringVar(&opts.Filter.State, "state", "", "only real servers in this state: "+strings.Join(control.FilterStates, ", "))
	fl.BoolVar(&all, "all", false, "text: list every real server, not only those that are not up")
	c.RegisterFlagCompletionFunc("state", cobra.FixedCompletions(control.FilterStates, cobra.ShellCompDirectiveNoFileComp))
	return c
}

func statusRun(ctx context.Context, opts *StatusOptions) error {
	// No bound on the whole exchange: the client gives up on a daemon
	// silent for its timeout, and an answer that keeps coming (tens of
	// megabytes at 100,000 real servers) is read to its end.
	cl := opts.Control(opts.Socket)
	if opts.Output == formatJSON {
		raw, err := cl.StatusJSON(ctx, opts.Filter)
		if err != nil {
			return daemonError(err)
		}
		// The daemon answers compact JSON (indenting 10,000 servers
		// was half its work); people read it indented.
		var b bytes.Buffer
		if err := json.Indent(&b, raw, "", "  "); err != nil {
			return fmt.Errorf("the daemon's answer: %w", err)
		}
		_, err = opts.IO.Out.Write(b.Bytes())
		return err
	}
	st, err := cl.Status(ctx, opts.Filter)
	if err != nil {
		return daemonError(err)
	}
	daemon.WriteText(opts.IO.Out, st, time.Now())
	return nil
}

// ReloadOptions is what "lvsadm reload" was asked to do.
type ReloadOptions struct {
	IO      IOStreams
	Control func(path string) *control.Client

	Socket string
}

// NewCmdReload is "lvsadm reload"; runF as in NewCmdList.
func NewCmdReload(f *Factory, runF func(context.Context, *ReloadOptions) error) *cobra.Command {
	opts := &ReloadOptions{IO: f.IO, Control: f.Control}
	c := &cobra.Command{
		Use:   "reload",
		Short: "Make the running daemon read lvs.cf again, and print its verdict",
		Long: `Ask the running daemon, over its control socket, to read its lvs.cf again
(what SIGHUP does) and print the verdict:

  reloaded: serial_no N, M kernel edits     (exit 0)
  refused: FILE has lint errors:            (exit 1)
  FILE:LINE:COL: error: message [code]

A refused file changes nothing: the daemon keeps running the configuration it
had. A file whose bytes are those already running is answered at once, without
parsing it again: "reloaded: serial_no N, 0 kernel edits (file unchanged)". The systemd unit's ExecReload runs this, so "systemctl reload lvsadm"
fails on a broken file. Without a daemon it says so and exits 1. Operator
overrides (lvsadm drain, weight, out) survive a reload, except those of real
servers the new file no longer has.`,
		Example: `  lvsadm reload
  systemctl reload lvsadm`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(c *cobra.Command, args []string) error {
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return reloadRun(c.Context(), opts)
		},
	}
	socketFlag(c, &opts.Socket)
	return c
}

func reloadRun(ctx context.Context, opts *ReloadOptions) error {
	ctx, cancel := context.WithTimeout(ctx, control.ReloadTimeout)
	defer cancel()
	res, err := opts.Control(opts.Socket).Reload(ctx)
	var refused *control.RefusedError
	if errors.As(err, &refused) {
		fmt.Fprintf(opts.IO.ErrOut, "refused: %s\n", refused.Msg)
		for _, l := range refused.Lines {
			if l != refused.Msg {
				fmt.Fprintln(opts.IO.ErrOut, l)
			}
		}
		return &exitError{code: 1, err: errors.New("")} // the verdict is printed
	}
	if err != nil {
		return daemonError(err)
	}
	fmt.Fprintf(opts.IO.Out, "reloaded: %s\n", res)
	return nil
}

// socketFlag registers --socket, the daemon's control socket, of every
// command that talks to the daemon.
func socketFlag(c *cobra.Command, socket *string) {
	c.Flags().StringVar(socket, "socket", control.DefaultSocket, "the daemon's control socket")
}

// completeVirtuals completes virtual server names from the daemon on
// *socket (nothing when none answers).
func completeVirtuals(f *Factory, socket *string) cobra.CompletionFunc {
	return func(c *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		if len(args) > 0 {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		return daemonNames(c.Context(), f.Control(*socket), false), cobra.ShellCompDirectiveNoFileComp
	}
}

// daemonNames lists the daemon's virtual servers, and with servers also
// VIRTUAL/SERVER for each real server, for completion: quick or nothing.
func daemonNames(ctx context.Context, cl *control.Client, servers bool) []cobra.Completion {
	if ctx == nil {
		ctx = context.Background()
	}
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	f := control.Filter{}
	if !servers {
		f = control.Filter{Summary: true} // smaller: only the names are needed
	}
	st, err := cl.Status(ctx, f)
	if err != nil {
		return nil
	}
	var out []cobra.Completion
	for _, v := range st.Virtuals {
		out = append(out, v.Name)
		if servers {
			for _, s := range v.Servers {
				out = append(out, v.Name+"/"+s.Name)
			}
		}
	}
	return out
}
