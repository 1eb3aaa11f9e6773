package cmd

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/lvsadm/lvsadm/lvscf"
	"github.com/lvsadm/lvsadm/lvscf/apply"
	"github.com/lvsadm/lvsadm/ops/ipvsadm"
	"github.com/lvsadm/lvsadm/ops/reconcile"
)

const cfApplyLong = `Make the kernel's IPVS table what lvs.cf says (what "cf render" prints),
changing only what differs, and print each operation as it is done, as an
ipvsadm command line without the program name.

Only the virtual services the file names are touched: services it does not
name are left alone, unless --prune. A virtual server the file marks
inactive (active = 0, or no active key) is deleted from the kernel, as
piranha would not have created it; to stop managing a service without
deleting it, remove its block. Within a named service, real servers the
file does not list, or lists as inactive, are removed. Changes are edits wherever the kernel
allows, so that established connections survive: a new scheduler,
persistence or flag is "-E", a new weight or forwarding method "-e"; only a
new address or port is a delete and an add. Services are added before their
real servers, real servers deleted before new ones are added.

A file with lint errors is refused and nothing is applied. --dry-run prints
the operations without doing them; its output is valid "lvsadm -R" input.
The failover daemon does this itself; cf apply is for a director run by hand
or for checking what the daemon would do.

Exit status: 0 done (or nothing to do); 1 refused, or an operation failed
(those before it stay applied: IPVS has no transactions; run apply again);
2 the file cannot be read.`

// cfOpenKernel opens the kernel for cf apply; tests replace it.
var cfOpenKernel = openKernel

func newCfApplyCmd(io IOStreams) *cobra.Command {
	var dryRun, prune, quiet bool
	c := &cobra.Command{
		Use:   "apply [FILE]",
		Short: "Make the kernel's IPVS table match lvs.cf, changing only what differs",
		Long:  cfApplyLong,
		Example: `  lvsadm cf apply --dry-run          # what would change
  lvsadm cf apply
  lvsadm cf apply --prune lvs.cf     # also delete services lvs.cf does not name
  lvsadm cf apply --dry-run | ssh backup lvsadm -R`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			path := cfFiles(args)[0]
			name, src, err := cfRead(io, path)
			if err != nil {
				return &exitError{code: 2, err: err}
			}
			t, err := apply.Prepare(name, src)
			var refused *apply.RefusedError
			if errors.As(err, &refused) {
				fmt.Fprint(io.ErrOut, lvscf.FormatDiagnostics(refused.Diags))
				return &exitError{code: 1, err: err}
			}
			if err != nil {
				return &exitError{code: 1, err: err}
			}
			k, err := cfOpenKernel()
			if err != nil {
				return &exitError{code: 1, err: fmt.Errorf("opening IPVS: %w", err)}
			}
			defer k.Close()
			changes, err := t.Plan(c.Context(), k, prune)
			if err != nil {
				return &exitError{code: 1, err: err}
			}
			if dryRun {
				for _, ch := range changes {
					fmt.Fprintln(io.Out, ipvsadm.FormatChange(ch))
				}
				return nil
			}
			err = apply.Run(c.Context(), k, changes, func(ch reconcile.Change) {
				if !quiet {
					fmt.Fprintln(io.Out, ipvsadm.FormatChange(ch))
				}
			})
			if err != nil {
				return &exitError{code: 1, err: err}
			}
			return nil
		},
	}
	c.Flags().BoolVarP(&dryRun, "dry-run", "n", false, "print the operations, do not apply them")
	c.Flags().BoolVar(&prune, "prune", false, "also delete kernel services the file does not name")
	c.Flags().BoolVarP(&quiet, "quiet", "q", false, "do not print the operations applied")
	return c
}
