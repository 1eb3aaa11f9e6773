package cmd

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"slices"

	"github.com/spf13/cobra"

	"github.com/lvsadm/lvsadm/lvscf"
	"github.com/lvsadm/lvsadm/lvscf/save"
	"github.com/lvsadm/lvsadm/lvscf/udiff"
)

const cfFmtLong = `Print lvs.cf files in piranha's own layout (the one its GUI writes): 5
spaces before keys of virtual and failover blocks, 9 before keys of real
servers, one blank around "=", LF line ends, no trailing blanks, no runs of
blank lines. Keys, their order, duplicates and comments are kept, and so is
the meaning ("lvsadm cf diff" finds no difference).

Without flags the formatted file goes to standard output. -d prints a
unified diff instead, -l the names of the files whose layout would change,
and -w writes the result back (safely: locked, atomic, previous version kept
as FILE.bak; serial_no is left alone, since the meaning does not change).
Files with syntax errors are not formatted (exit 1).`

// CfFmtOptions is what "lvsadm cf fmt" was asked to do.
type CfFmtOptions struct {
	IO IOStreams

	Files             []string // the default lvs.cf when none is named
	Write, Diff, List bool
	Save              cfSaveFlags // --lock-timeout, for -w
}

// NewCmdCfFmt is "lvsadm cf fmt"; runF as in NewCmdList.
func NewCmdCfFmt(f *Factory, runF func(context.Context, *CfFmtOptions) error) *cobra.Command {
	opts := &CfFmtOptions{IO: f.IO}
	c := &cobra.Command{
		Use:   "fmt [-w] [-d] [-l] [FILE...]",
		Short: "Format lvs.cf in piranha's layout",
		Long:  cfFmtLong,
		Example: `  lvsadm cf fmt lvs.cf > lvs.cf.new
  lvsadm cf fmt -d                 # what would change in /etc/sysconfig/ha/lvs.cf
  lvsadm cf fmt -w -d lvs.cf       # rewrite it and show what changed
  test -z "$(lvsadm cf fmt -l)"    # in CI: is it formatted?`,
		RunE: func(c *cobra.Command, args []string) error {
			opts.Files = f.cfFiles(args)
			if opts.Write && slices.Contains(opts.Files, "-") {
				return &exitError{code: 2, err: errors.New("-w cannot write standard input")}
			}
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return cfFmtRun(c.Context(), opts)
		},
	}
	c.Flags().BoolVarP(&opts.Write, "write", "w", false, "write the result back to the file")
	c.Flags().BoolVarP(&opts.Diff, "diff", "d", false, "print a unified diff instead of the formatted file")
	c.Flags().BoolVarP(&opts.List, "list", "l", false, "print the names of files whose formatting differs")
	c.Flags().DurationVar(&opts.Save.lockTimeout, "lock-timeout", defaultLockTimeout, "how long to wait for another editor's lock")
	return c
}

func cfFmtRun(ctx context.Context, opts *CfFmtOptions) error {
	io := opts.IO
	code := 0
	for _, path := range opts.Files {
		var src, out []byte
		name := path
		format := func(old []byte) ([]byte, error) {
			src = old
			var err error
			out, err = lvscf.FormatSource(name, old)
			return out, err
		}
		var err error
		if opts.Write {
			// Read, format and write under the lock, so that an edit
			// made meanwhile is not lost.
			err = opts.Save.update(ctx, path, format)
		} else {
			var b []byte
			if name, b, err = cfRead(io, path); err == nil {
				_, err = format(b)
			}
		}
		var se *lvscf.SyntaxError
		switch {
		case errors.As(err, &se):
			fmt.Fprint(io.ErrOut, lvscf.FormatDiagnostics(se.Diags))
			fmt.Fprintf(io.ErrOut, "lvsadm: %s: not formatted: it has syntax errors\n", name)
			code = max(code, 1)
			continue
		case err != nil:
			fmt.Fprintf(io.ErrOut, "lvsadm: %v\n", err)
			var pe *fs.PathError
			if errors.As(err, &pe) || errors.Is(err, lvscf.ErrTooLarge) {
				code = 2 // unreadable
			} else {
				code = max(code, 1) // formatted, but the save failed (lock, disk)
			}
			continue
		}
		changed := string(out) != string(src)
		if opts.List && changed {
			fmt.Fprintln(io.Out, name)
		}
		if opts.Diff && changed {
			fmt.Fprint(io.Out, udiff.Unified(name+".orig", name, src, out))
		}
		if !opts.Write && !opts.Diff && !opts.List {
			if _, err := io.Out.Write(out); err != nil {
				return err
			}
		}
	}
	if code != 0 {
		return cfExit(code)
	}
	return nil
}

// update rewrites a file with fn under the lock. Formatting keeps the
// meaning, so a file that had lint errors still has the same ones: they
// do not stop it.
func (f *cfSaveFlags) update(ctx context.Context, path string, fn func([]byte) ([]byte, error)) error {
	ctx, cancel := context.WithTimeout(ctx, f.lockTimeout)
	defer cancel()
	return save.Update(ctx, path, fn, save.Options{Force: true, KeepBackup: true})
}
