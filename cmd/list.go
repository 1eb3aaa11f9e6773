package cmd

import (
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/lvsadm/lvsadm/ops"
)

func newListCmd(io IOStreams) *cobra.Command {
	var output string
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
			if output != "json" && output != "yaml" {
				return &exitError{code: 2, err: fmt.Errorf("unknown output format %q: expected json or yaml", output)}
			}
			k, err := openKernel()
			if err != nil {
				return err
			}
			defer k.Close()
			t, err := ops.ReadTable(c.Context(), k)
			if err != nil {
				return err
			}
			if output == "yaml" {
				if err := writeYAML(io.Out, t); err != nil {
					return fmt.Errorf("writing YAML: %w", err)
				}
				return nil
			}
			enc := json.NewEncoder(io.Out)
			enc.SetIndent("", "  ")
			if err := enc.Encode(t); err != nil {
				return fmt.Errorf("writing JSON: %w", err)
			}
			return nil
		},
	}
	c.Flags().StringVarP(&output, "output", "o", "json", "output format: json or yaml")
	_ = c.RegisterFlagCompletionFunc("output", cobra.FixedCompletions([]string{"json", "yaml"}, cobra.ShellCompDirectiveNoFileComp))
	return c
}
