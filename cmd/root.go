package cmd

import (
	"errors"
	"fmt"
	"io"
	"strings"

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
loops). "lvsadm -h" prints ipvsadm's option summary and "lvsadm -v" the
version; the subcommands below are lvsadm's own.

Exit status of the subcommands: 0 on success, 1 on failure, 2 on a usage
error (an unknown command or flag, a wrong number of arguments, a bad flag
value), which is followed by "Try 'lvsadm COMMAND --help'". Some commands
say more in their own page (lvsadm cf lint: 1 for findings). ipvsadm
command lines exit as ipvsadm does.

Without IPVS in the kernel (no ip_vs module), commands that need it say
how to load it (modprobe ip_vs); "lvsadm cf" and the config view of
"lvsadm tui --config FILE" work without it.`

// NewRootCmd builds the cobra command tree for lvsadm's own subcommands;
// every command reaches the kernel, the daemon and the streams through f.
func NewRootCmd(f *Factory) *cobra.Command {
	io := f.IO
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
	// Never parsed here ("lvsadm -v" is an ipvsadm command line, answered
	// before cobra runs): declared so that help and lvsadm(8) list it.
	root.Flags().BoolP("version", "v", false, `print the version, in ipvsadm -v's shape: "lvsadm vVERSION (compiled with popt and IPVS v1.2.1)"`)
	root.SetIn(io.In)
	root.SetOut(io.Out)
	root.SetErr(io.ErrOut)
	root.SetFlagErrorFunc(flagUsageError)
	root.AddCommand(newVersionCmd(f), NewCmdList(f, nil), NewCmdRestore(f, nil), newCfCmd(f), NewCmdTUI(f, nil), NewCmdTop(f, nil),
		NewCmdDaemon(f, nil), NewCmdStatus(f, nil), NewCmdReload(f, nil))
	root.AddCommand(newOverrideCmds(f)...)
	root.AddCommand(newDirectorCmds(f)...)
	// Added now rather than when the command runs, as cobra would, so
	// that it has a man page and its argument errors exit 2 as well.
	root.InitDefaultCompletionCmd()
	usageErrors(root)
	registerFlagValues(root)
	return root
}

// flagUsageError makes a flag error (an unknown flag, a bad value) a usage
// error: exit 2, followed by where help is.
func flagUsageError(c *cobra.Command, err error) error {
	return &exitError{code: 2, err: fmt.Errorf("%w\nTry '%s --help' for more information", err, c.CommandPath())}
}

// usageErrors makes every argument error of c and its subcommands a usage
// error: exit 2, with the line that says where help is (as flag errors
// have, through the flag error func). A command that checks no arguments
// and has subcommands refuses an unknown one, as cobra does for the root
// alone.
func usageErrors(c *cobra.Command) {
	switch {
	case c.Args != nil:
		c.Args = usageArgs(c.Args)
	case c.HasSubCommands():
		c.Args = usageArgs(unknownSubcommand)
	}
	if c.HasSubCommands() && !c.Runnable() {
		// cobra shows a command that cannot run its help, exit 0,
		// before it checks the arguments: "lvsadm completion bogus"
		// would not be refused.
		c.RunE = func(c *cobra.Command, args []string) error { return c.Help() }
	}
	for _, sub := range c.Commands() {
		usageErrors(sub)
	}
}

// usageArgs makes argument errors usage errors (exit 2) followed by
// where help is; an error that already carries an exit status keeps it.
func usageArgs(check cobra.PositionalArgs) cobra.PositionalArgs {
	return func(c *cobra.Command, args []string) error {
		err := check(c, args)
		var ee *exitError
		if err == nil || errors.As(err, &ee) {
			return err
		}
		return &exitError{code: 2, err: fmt.Errorf("%w\nTry '%s --help' for more information", err, c.CommandPath())}
	}
}

// unknownSubcommand refuses any argument to a command that only groups
// subcommands, suggesting the nearest names as cobra does at the root.
func unknownSubcommand(c *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	msg := fmt.Sprintf("unknown command %q for %q", args[0], c.CommandPath())
	if c.SuggestionsMinimumDistance <= 0 {
		c.SuggestionsMinimumDistance = 2 // cobra's default, set only on its own path
	}
	if s := c.SuggestionsFor(args[0]); len(s) > 0 {
		msg += "\n\nDid you mean this?\n\t" + strings.Join(s, "\n\t")
	}
	return errors.New(msg)
}

// exitError carries an exit status out of a cobra command.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// exitCode prints err to w and maps it to an exit status: 1 unless the
// command said otherwise. An error that means the kernel has no IPVS is
// followed by what to do about it.
func exitCode(w io.Writer, err error) int {
	code := 1
	var ee *exitError
	if errors.As(err, &ee) {
		code = ee.code
		if ee.err == nil {
			return code
		}
	}
	if msg := err.Error(); msg != "" {
		fmt.Fprintln(w, "lvsadm: "+msg)
	}
	writeNoIPVSHint(w, err)
	return code
}
