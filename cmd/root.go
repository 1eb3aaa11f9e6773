package cmd

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/lvsadm/lvsadm/ops/ipvsadm"
)

const rootLong = `lvsadm administers Linux Virtual Server (IPVS) load balancers.

ipvsadm, exactly: any ipvsadm 1.31 command line works unchanged, with the same
parsing, output, messages and exit codes:

  lvsadm -A -t 10.0.0.1:80 -s rr
  lvsadm -a -t 10.0.0.1:80 -r 10.0.1.1:80 -m -w 2
  lvsadm -Ln
  lvsadm -S -n > rules; lvsadm -R < rules

Invoked through a symlink named ipvsadm, ipvsadm-save or ipvsadm-restore the
binary behaves as that program (the lvsadm-ipvsadm package installs those
names from a drop-in build of the same code that starts faster in shell
loops). "lvsadm -h" prints ipvsadm's option summary; the subcommands below
are lvsadm's own.`

// NewRootCmd builds the cobra command tree for lvsadm's own subcommands.
func NewRootCmd(io IOStreams) *cobra.Command {
	root := &cobra.Command{
		Use:           "lvsadm",
		Short:         "Linux Virtual Server administration: ipvsadm-compatible, lvs.cf-aware",
		Long:          rootLong,
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       ipvsadm.Version,
		// Without arguments lvsadm lists the table, as ipvsadm does; Main
		// sends that case to the ipvsadm surface before cobra runs.
	}
	root.SetIn(io.In)
	root.SetOut(io.Out)
	root.SetErr(io.ErrOut)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return &exitError{code: 2, err: fmt.Errorf("%w\nTry '%s --help' for more information", err, c.CommandPath())}
	})
	root.AddCommand(newVersionCmd(io), newListCmd(io), newRestoreCmd(io), newCfCmd(io), newTUICmd(io), newTopCmd(io), newDaemonCmd(io), newStatusCmd(io), newReloadCmd(io))
	root.AddCommand(newOverrideCmds(io)...)
	root.AddCommand(newDirectorCmds(io)...)
	return root
}

// exitError carries an exit status out of a cobra command.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// exitCode prints err and maps it to an exit status: 1 unless the command
// said otherwise.
func exitCode(err error) int {
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil && ee.err.Error() != "" {
			fmt.Fprintln(SystemIO().ErrOut, "lvsadm: "+ee.err.Error())
		}
		return ee.code
	}
	fmt.Fprintln(SystemIO().ErrOut, "lvsadm: "+err.Error())
	return 1
}
