package cmd

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/lvsadm/lvsadm/ops"
	"github.com/lvsadm/lvsadm/ops/ipvsadm"
	"github.com/lvsadm/lvsadm/ops/reconcile"
)

func newRestoreCmd(io IOStreams) *cobra.Command {
	var check, atomic bool
	c := &cobra.Command{
		Use:   "restore [FILE]",
		Short: "Restore rules (ipvsadm -R) with a check first, or all-or-nothing",
		Long: `Restore IPVS rules written by "ipvsadm -S" (or any ipvsadm command lines, one
per line) from FILE, or standard input when FILE is "-" or absent.

Without flags this is exactly "ipvsadm -R": a failing line is reported and the
restore goes on.

--check validates every line without touching the kernel and reports each bad
one as FILE:LINE: message (what ipvsadm -R would fail on while parsing, and
services or real servers added twice). Exit 0 when clean, 1 when not.

--atomic checks first and applies nothing if any line is bad; then applies the
lines in order and, at the first line the kernel refuses, rolls the virtual
service table back to what it was before (services, real servers, and the
--set timeouts). Counters of services that the rollback has to re-create start
from zero; a sync daemon started or stopped by the file is not rolled back.`,
		Example: `  lvsadm restore --check /etc/ipvsadm.rules
  lvsadm restore --atomic /etc/ipvsadm.rules
  lvsadm -S -n | ssh backup lvsadm restore --atomic`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			name, data, err := readRulesInput(io.In, args)
			if err != nil {
				return &exitError{code: 2, err: err}
			}
			if check || atomic {
				bad, err := ipvsadm.CheckRules(c.Context(), bytes.NewReader(data))
				if err != nil {
					return err
				}
				for _, b := range bad {
					fmt.Fprintf(io.ErrOut, "%s:%d: %s\n", name, b.Line, b.Msg)
				}
				if len(bad) > 0 {
					return &exitError{code: 1, err: fmt.Errorf("%s: %d bad line(s); nothing applied", name, len(bad))}
				}
				if check {
					return nil
				}
			}
			if !atomic {
				code := ipvsadm.Run(c.Context(), openKernel, []string{"ipvsadm", "-R"}, bytes.NewReader(data), io.Out, io.ErrOut)
				if code != 0 {
					return &exitError{code: code}
				}
				return nil
			}
			return restoreAtomic(c.Context(), name, data, io)
		},
	}
	c.Flags().BoolVar(&check, "check", false, "validate every line, report FILE:LINE: message, apply nothing")
	c.Flags().BoolVar(&atomic, "atomic", false, "apply all lines or none: roll back at the first failure")
	c.MarkFlagsMutuallyExclusive("check", "atomic")
	return c
}

// readRulesInput reads FILE (or stdin for "-" or no argument) and names it
// for messages.
func readRulesInput(stdin io.Reader, args []string) (string, []byte, error) {
	if len(args) == 0 || args[0] == "-" {
		data, err := io.ReadAll(stdin)
		if err != nil {
			return "", nil, fmt.Errorf("reading standard input: %w", err)
		}
		return "<stdin>", data, nil
	}
	data, err := os.ReadFile(args[0])
	if err != nil {
		return "", nil, fmt.Errorf("reading rules: %w", err)
	}
	return args[0], data, nil
}

// restoreAtomic applies data, and on the first failing line puts the
// table back as it was.
func restoreAtomic(ctx context.Context, name string, data []byte, io IOStreams) error {
	k, err := openKernel()
	if err != nil {
		return err
	}
	defer k.Close()
	before, err := ops.Read(ctx, k)
	if err != nil {
		return fmt.Errorf("reading the table before restoring: %w", err)
	}
	timeouts, err := k.Timeouts(ctx)
	if err != nil {
		return fmt.Errorf("reading timeouts before restoring: %w", err)
	}
	failed := ipvsadm.ApplyRules(ctx, k, bytes.NewReader(data), io.Out, io.ErrOut)
	if failed == 0 {
		return nil
	}
	if err := rollback(ctx, k, before, timeouts); err != nil {
		return &exitError{code: 3, err: fmt.Errorf("%s:%d: line failed, and rolling back failed too; the table is partly restored: %w", name, failed, err)}
	}
	return &exitError{code: 1, err: fmt.Errorf("%s:%d: line failed; the table was rolled back to its state before the restore", name, failed)}
}

// rollback makes the table equal to before again, removing what the
// restore added (Prune) and re-adding what it deleted.
func rollback(ctx context.Context, k ops.Kernel, before reconcile.Table, t ops.Timeouts) error {
	now, err := ops.Read(ctx, k)
	if err != nil {
		return err
	}
	if err := reconcile.Apply(ctx, k, reconcile.PlanWith(before, now, reconcile.Options{Prune: true})); err != nil {
		return err
	}
	if err := k.SetTimeouts(ctx, t); err != nil {
		return fmt.Errorf("restoring timeouts: %w", err)
	}
	return nil
}
