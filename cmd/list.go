package cmd

import (
	"context"
	"encoding/json"
	"fmt"

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
Field names are stable; numbers are exact (no K/M/G suffixes).`,
		Example: `  lvsadm list -o json | jq '.services[] | select(.port == 80) .destinations[].address'
  lvsadm list -o yaml`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, args []string) error {
			if opts.Output != "json" && opts.Output != "yaml" {
				return &exitError{code: 2, err: fmt.Errorf("unknown output format %q: expected json or yaml", opts.Output)}
			}
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return listRun(c.Context(), opts)
		},
	}
	c.Flags().StringVarP(&opts.Output, "output", "o", "json", "output format: json or yaml")
	_ = c.RegisterFlagCompletionFunc("output", cobra.FixedCompletions([]string{"json", "yaml"}, cobra.ShellCompDirectiveNoFileComp))
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
	if opts.Output == "yaml" {
		if err := writeYAML(opts.IO.Out, t); err != nil {
			return fmt.Errorf("writing YAML: %w", err)
		}
		return nil
	}
	enc := json.NewEncoder(opts.IO.Out)
	enc.SetIndent("", "  ")
	if err := enc.Encode(t); err != nil {
		return fmt.Errorf("writing JSON: %w", err)
	}
	return nil
}
