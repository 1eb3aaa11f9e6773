package cmd

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/lvsadm/lvsadm/lvscf"
)

// CfRenderOptions is what "lvsadm cf render" was asked to do.
type CfRenderOptions struct {
	IO   IOStreams
	File string // the lvs.cf; "-": standard input
}

// NewCmdCfRender is "lvsadm cf render"; runF as in NewCmdList.
func NewCmdCfRender(f *Factory, runF func(context.Context, *CfRenderOptions) error) *cobra.Command {
	opts := &CfRenderOptions{IO: f.IO}
	return &cobra.Command{
		Use:   "render [FILE]",
		Short: "Print the IPVS rules lvs.cf means, as ipvsadm -S -n lines",
		Long: `Print the IPVS table that piranha's lvs and nanny would build from the
file once every health check passes, in the syntax of "ipvsadm -S -n": one
-A line per active virtual service, one -a line per active real server.
Inactive virtual and real servers are left out, as piranha leaves them out;
sorry servers are not shown. A failover-only configuration (service = fos)
has no rules. Files with errors are refused (exit 1).

When there is no rule to print (service = fos, no virtual server, or none
active), standard output stays empty and standard error says why; the
exit status is 0, since an empty table is what piranha would set up.

The output can be restored as it is ("lvsadm -R"), but "lvsadm cf apply"
is usually what you want: it changes only what differs.`,
		Example: `  lvsadm cf render
  lvsadm cf render lvs.cf | diff - <(lvsadm -S -n)`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			opts.File = f.cfFiles(args)[0]
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return cfRenderRun(opts)
		},
	}
}

func cfRenderRun(opts *CfRenderOptions) error {
	io := opts.IO
	cfg, err := cfDecode(io, opts.File)
	if err != nil {
		return cfError(io, err)
	}
	lines, err := lvscf.Render(cfg)
	for _, l := range lines {
		fmt.Fprintln(io.Out, l)
	}
	if err != nil {
		return &exitError{code: 1, err: err}
	}
	if why := lvscf.NoRules(cfg, lines); why != "" {
		fmt.Fprintf(io.ErrOut, "lvsadm: %s\n", why)
	}
	return nil
}
