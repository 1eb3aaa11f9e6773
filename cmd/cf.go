package cmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"time"

	"github.com/spf13/cobra"

	"github.com/lvsadm/lvsadm/lvscf"
	"github.com/lvsadm/lvsadm/lvscf/save"
)

const cfLong = `Work with piranha's configuration file, lvs.cf: check it, format it,
compare two copies, read and change single settings, show the IPVS rules it
means and make the kernel's table match it.

The file is /etc/sysconfig/ha/lvs.cf unless $LVSADM_CONFIG names another;
commands that take a FILE argument or --file/-f use that instead. "-" reads
standard input where a command only reads.

Commands that change the file (set, add, delete, fmt -w) save it safely:
under a lock (FILE.lock) against concurrent editors, refusing a result with
lint errors unless --force, keeping the previous version as FILE.bak, and
replacing the file atomically so that a crash leaves the old or the new
file, never a torn one. set, add and delete add one to serial_no, as
piranha's GUI does on each save.

Exit status: 0 success; 1 findings, differences or a failed operation;
2 unreadable files or bad usage.`

// newCfCmd is the "cf" command group.
func newCfCmd(f *Factory) *cobra.Command {
	c := &cobra.Command{
		Use:   "cf",
		Short: "Check, format, edit, render and apply piranha's lvs.cf",
		Long:  cfLong,
		Example: `  lvsadm cf lint
  lvsadm cf fmt -d /etc/sysconfig/ha/lvs.cf
  lvsadm cf set virtual.www.server.web1.weight 5
  lvsadm cf apply --dry-run`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, args []string) error { return c.Help() },
	}
	c.AddCommand(
		NewCmdCfLint(f, nil), NewCmdCfFmt(f, nil), NewCmdCfDiff(f, nil),
		NewCmdCfGet(f, nil), NewCmdCfSet(f, nil), NewCmdCfAdd(f, nil), NewCmdCfDelete(f, nil),
		NewCmdCfRender(f, nil), NewCmdCfApply(f, nil),
		NewCmdCfImport(f, nil), NewCmdCfExport(f, nil),
		NewCmdCfKeygen(f, nil),
	)
	return c
}

// cfFileFlag registers --file/-f. Its default is resolved when the command
// runs, so that help (and the generated man pages) do not depend on the
// environment they were made in.
func cfFileFlag(c *cobra.Command, file *string, usage string) {
	c.Flags().StringVarP(file, "file", "f", "", usage+" (default $LVSADM_CONFIG or "+lvscf.DefaultPath+")")
}

// cfRead reads a configuration; "-" is the command's standard input,
// named "<stdin>" in messages.
func cfRead(io IOStreams, path string) (name string, data []byte, err error) {
	if path != "-" {
		data, err = lvscf.ReadFile(path)
		return path, data, err
	}
	data, err = readLimited(io.In, lvscf.MaxFileSize)
	if err != nil {
		return "<stdin>", nil, fmt.Errorf("read standard input: %w", err)
	}
	return "<stdin>", data, nil
}

func readLimited(r io.Reader, max int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > max {
		return nil, fmt.Errorf("%w (more than %d bytes)", lvscf.ErrTooLarge, max)
	}
	return b, nil
}

// errSilent ends a command with a status after it has printed what it had
// to say.
var errSilent = errors.New("")

func cfExit(code int) error { return &exitError{code: code, err: errSilent} }

// cfError maps an error from lvscf or save to an exit status: unreadable
// files and bad paths are usage trouble (2), the rest is a failure (1).
// Lint refusals print their diagnostics first.
func cfError(io IOStreams, err error) error {
	if err == nil {
		return nil
	}
	var rs *save.LintError
	if errors.As(err, &rs) {
		fmt.Fprint(io.ErrOut, lvscf.FormatDiagnostics(rs.Diags))
		return &exitError{code: 1, err: errors.New("not saved: the result has errors (see above); --force saves anyway")}
	}
	var se *lvscf.SyntaxError
	if errors.As(err, &se) {
		fmt.Fprint(io.ErrOut, lvscf.FormatDiagnostics(se.Diags))
		return &exitError{code: 1, err: errors.New("the configuration has errors (see above)")}
	}
	var pe *fs.PathError
	if errors.As(err, &pe) || errors.Is(err, lvscf.ErrPath) || errors.Is(err, lvscf.ErrTooLarge) {
		return &exitError{code: 2, err: err}
	}
	return &exitError{code: 1, err: err}
}

// cfSaveFlags are the flags of every command that writes the file.
type cfSaveFlags struct {
	force       bool
	noSerial    bool
	lockTimeout time.Duration
}

func (f *cfSaveFlags) register(c *cobra.Command, serial bool) {
	c.Flags().BoolVar(&f.force, "force", false, "save even if the result has lint errors")
	if serial {
		c.Flags().BoolVar(&f.noSerial, "no-bump-serial", false, "leave serial_no as it is")
	}
	c.Flags().DurationVar(&f.lockTimeout, "lock-timeout", defaultLockTimeout, "how long to wait for another editor's lock")
}

// edit applies fn to the file under the lock and saves it.
func (f *cfSaveFlags) edit(ctx context.Context, path string, bump bool, fn func(*lvscf.File) error) error {
	ctx, cancel := context.WithTimeout(ctx, f.lockTimeout)
	defer cancel()
	return save.Edit(ctx, path, fn, save.Options{Force: f.force, BumpSerial: bump && !f.noSerial, KeepBackup: true})
}

// defaultLockTimeout is how long a command waits for another editor.
const defaultLockTimeout = 10 * time.Second
