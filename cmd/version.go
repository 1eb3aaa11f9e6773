package cmd

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/lvsadm/lvsadm/ops/ipvsadm"
)

func newVersionCmd(f *Factory) *cobra.Command {
	io := f.IO
	return &cobra.Command{
		Use:   "version",
		Short: "Print lvsadm's version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			_, err := fmt.Fprintf(io.Out, "lvsadm %s\n", ipvsadm.Version)
			return err
		},
	}
}
