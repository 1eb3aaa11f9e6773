package cmd

import (
	"os"

	"github.com/lvsadm/lvsadm/daemon/control"
	"github.com/lvsadm/lvsadm/lvscf"
	"github.com/lvsadm/lvsadm/ops"
)

// Factory is everything a cobra subcommand reaches outside the process
// for: the streams, the kernel's IPVS table, the daemon's control socket
// and the default lvs.cf. Every command gets the same one, so a test
// replaces the world in one place instead of through package variables,
// and a command cannot grow a private way to open the kernel. (The GitHub
// CLI's cmdutil.Factory is the model; the ipvsadm surface is not a cobra
// command and keeps its own opener, see run.)
type Factory struct {
	IO IOStreams

	// Kernel opens the IPVS table. Commands call it only once their flags
	// are checked, so that a usage error never needs root or the ip_vs
	// module.
	Kernel func() (ops.Kernel, error)

	// Control is the client of the daemon's control socket at path
	// (--socket; "" is control.DefaultSocket).
	Control func(path string) *control.Client

	// ConfigPath is the lvs.cf a command works on when given none. It is
	// a function because $LVSADM_CONFIG is read when the command runs,
	// not when the tree is built (help and man pages must not depend on
	// the environment they were made in).
	ConfigPath func() string
}

// NewFactory is the Factory of the running process: its own streams, the
// kernel over netlink, the control socket as named.
func NewFactory(io IOStreams) *Factory {
	return &Factory{
		IO:         io,
		Kernel:     openKernel,
		Control:    control.New,
		ConfigPath: cfDefaultPath,
	}
}

// cfDefaultPath is the configuration a command works on when it is not
// given one.
func cfDefaultPath() string {
	if p := os.Getenv("LVSADM_CONFIG"); p != "" {
		return p
	}
	return lvscf.DefaultPath
}

// cfFile is the --file value or the default.
func (f *Factory) cfFile(flag string) string {
	if flag == "" {
		return f.ConfigPath()
	}
	return flag
}

// cfFiles returns the files named on the command line, or the default.
func (f *Factory) cfFiles(args []string) []string {
	if len(args) == 0 {
		return []string{f.ConfigPath()}
	}
	return args
}
