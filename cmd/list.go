package cmd

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/lvsadm/lvsadm/ops"
)

// ListOptions is what "lvsadm list" was asked to do.
type ListOptions struct {
	IO     IOStreams
	Kernel func() (ops.Kernel, error)

	Output string // json or yaml
}

// NewCmdList is "lvsadm list". runF, when not nil, is called instead of
// the real run with the checked options (tests of the flags).
func NewCmdList(f *Factory, runF func(context.Context, *ListOptions) error) *cobra.Command {
	opts := &ListOptions{IO: f.IO, Kernel: f.Kernel}
	c := &cobra.Command{
		Use:   "list",
		Short: "Print the IPVS table for scripts (JSON or YAML)",
		Long: `Print the kernel's IPVS table, services with their real servers, counters
and rates, as JSON or YAML: for scripts that today scrape "ipvsadm -Ln".
Field names are stable, and the document's first field, schema_version
(1), goes up if one is ever renamed, removed or changes meaning
(/usr/share/doc/lvsadm/output.md lists them); numbers are exact (no K/M/G
suffixes).`,
		Example: `  lvsadm list -o json | jq '.services[] | select(.port == 80) .destinations[].address'
  lvsadm list -o yaml`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, args []string) error {
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return listRun(c.Context(), opts)
		},
	}
	addOutputFlag(c, &opts.Output, formatJSON, formatYAML)
	return c
}

func listRun(ctx context.Context, opts *ListOptions) error {
	k, err := opts.Kernel()
	if err != nil {
		return err
	}
	defer k.Close()
	t, err := ops.ReadTable(ctx, k)
	if err != nil {
		return err
	}
	return writeMachine(opts.IO.Out, opts.Output, t)
}
