// Command ipvsadm is the drop-in build of lvsadm's ipvsadm surface: the same
// code that answers "lvsadm -Ln" (package ops/ipvsadm), linked without the
// lvs.cf tools, the daemon and the TUI. Go runs the initialisers of every
// package linked into a binary at every start, and those of the TUI's and
// the daemon's libraries cost more than ipvsadm's whole listing in a shell
// loop (BENCHMARKS.md), so the names scripts call (ipvsadm, ipvsadm-save,
// ipvsadm-restore) get a binary that links only what they use. lvsadm
// itself under those names (a symlink) behaves identically.
package main

import (
	"context"
	"os"

	"github.com/lvsadm/lvsadm/internal/thp"
	"github.com/lvsadm/lvsadm/ops"
	"github.com/lvsadm/lvsadm/ops/ipvsadm"
	"github.com/lvsadm/lvsadm/ops/kernel"
)

func main() {
	thp.Disable()
	open := func() (ops.Kernel, error) { return kernel.Open() }
	os.Exit(ipvsadm.Main(context.Background(), ipvsadm.ProgramOf(os.Args[0]), open, os.Args, os.Stdin, os.Stdout, os.Stderr))
}
