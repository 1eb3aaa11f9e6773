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

// RestoreOptions is what "lvsadm restore" was asked to do.
type RestoreOptions struct {
	IO     IOStreams
	Kernel func() (ops.Kernel, error)

	File   string // "" or "-": standard input
	Check  bool
	Atomic bool
}

// NewCmdRestore is "lvsadm restore"; runF as in NewCmdList.
func NewCmdRestore(f *Factory, runF func(context.Context, *RestoreOptions) error) *cobra.Command {
	opts := &RestoreOptions{IO: f.IO, Kernel: f.Kernel}
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
			if len(args) == 1 {
				opts.File = args[0]
			}
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return restoreRun(c.Context(), opts)
		},
	}
	c.Flags().BoolVar(&opts.Check, "check", false, "validate every line, report FILE:LINE: message, apply nothing")
	c.Flags().BoolVar(&opts.Atomic, "atomic", false, "apply all lines or none: roll back at the first failure")
	c.MarkFlagsMutuallyExclusive("check", "atomic")
	return c
}

func restoreRun(ctx context.Context, opts *RestoreOptions) error {
	name, data, err := readRulesInput(opts.IO.In, opts.File)
	if err != nil {
		return &exitError{code: 2, err: err}
	}
	if opts.Check || opts.Atomic {
		bad, err := ipvsadm.CheckRules(ctx, bytes.NewReader(data))
		if err != nil {
			return err
		}
		for _, b := range bad {
			fmt.Fprintf(opts.IO.ErrOut, "%s:%d: %s\n", name, b.Line, b.Msg)
		}
		if len(bad) > 0 {
			return &exitError{code: 1, err: fmt.Errorf("%s: %d bad line(s); nothing applied", name, len(bad))}
		}
		if opts.Check {
			return nil
		}
	}
	if !opts.Atomic {
		code := ipvsadm.Run(ctx, opts.Kernel, []string{"ipvsadm", "-R"}, bytes.NewReader(data), opts.IO.Out, opts.IO.ErrOut)
		if code != 0 {
			return &exitError{code: code}
		}
		return nil
	}
	return restoreAtomic(ctx, name, data, opts)
}

// readRulesInput reads FILE (or stdin for "-" or no argument) and names it
// for messages.
func readRulesInput(stdin io.Reader, file string) (string, []byte, error) {
	if file == "" || file == "-" {
		data, err := io.ReadAll(stdin)
		if err != nil {
			return "", nil, fmt.Errorf("reading standard input: %w", err)
		}
		return "<stdin>", data, nil
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return "", nil, fmt.Errorf("reading rules: %w", err)
	}
	return file, data, nil
}

// restoreAtomic applies data, and on the first failing line puts the
// table back as it was.
func restoreAtomic(ctx context.Context, name string, data []byte, opts *RestoreOptions) error {
	k, err := opts.Kernel()
	if err != nil {
		return err
	}
	defer k.Close()
	before, err := reconcile.TakeSnapshot(ctx, k)
	if err != nil {
		return fmt.Errorf("before restoring: %w", err)
	}
	failed := ipvsadm.ApplyRules(ctx, k, bytes.NewReader(data), opts.IO.Out, opts.IO.ErrOut)
	if failed == 0 {
		return nil
	}
	if err := before.Rollback(ctx, k); err != nil {
		return &exitError{code: 3, err: fmt.Errorf("%s:%d: line failed, and rolling back failed too; the table is partly restored: %w", name, failed, err)}
	}
	return &exitError{code: 1, err: fmt.Errorf("%s:%d: line failed; the table was rolled back to its state before the restore", name, failed)}
}
