package cmd

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/lvsadm/lvsadm/lvscf"
	"github.com/lvsadm/lvsadm/lvscf/apply"
	"github.com/lvsadm/lvsadm/ops"
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

// CfApplyOptions is what "lvsadm cf apply" was asked to do.
type CfApplyOptions struct {
	IO     IOStreams
	Kernel func() (ops.Kernel, error)

	File                 string
	DryRun, Prune, Quiet bool
}

// NewCmdCfApply is "lvsadm cf apply"; runF as in NewCmdList.
func NewCmdCfApply(f *Factory, runF func(context.Context, *CfApplyOptions) error) *cobra.Command {
	opts := &CfApplyOptions{IO: f.IO, Kernel: f.Kernel}
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
			opts.File = f.cfFiles(args)[0]
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return cfApplyRun(c.Context(), opts)
		},
	}
	c.Flags().BoolVarP(&opts.DryRun, "dry-run", "n", false, "print the operations, do not apply them")
	c.Flags().BoolVar(&opts.Prune, "prune", false, "also delete kernel services the file does not name")
	c.Flags().BoolVarP(&opts.Quiet, "quiet", "q", false, "do not print the operations applied")
	return c
}

func cfApplyRun(ctx context.Context, opts *CfApplyOptions) error {
	io := opts.IO
	name, src, err := cfRead(io, opts.File)
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
	k, err := opts.Kernel()
	if err != nil {
		return &exitError{code: 1, err: fmt.Errorf("opening IPVS: %w", err)}
	}
	defer k.Close()
	changes, err := t.Plan(ctx, k, opts.Prune)
	if err != nil {
		return &exitError{code: 1, err: err}
	}
	if opts.DryRun {
		for _, ch := range changes {
			fmt.Fprintln(io.Out, ipvsadm.FormatChange(ch))
		}
		return nil
	}
	err = apply.Run(ctx, k, changes, func(ch reconcile.Change) {
		if !opts.Quiet {
			fmt.Fprintln(io.Out, ipvsadm.FormatChange(ch))
		}
	})
	if err != nil {
		return &exitError{code: 1, err: err}
	}
	return nil
}
