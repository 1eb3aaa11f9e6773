// Package cmd holds lvsadm's command line: the ipvsadm-compatible surface
// (dispatched before cobra ever runs, so scripts see ipvsadm's parsing and
// pay nothing for the rest of the program) and the cobra subcommands.
//
// Each subcommand is NewCmdX(f, runF): it gets the Factory (how to open
// the kernel, reach the daemon, the streams, the default lvs.cf), fills an
// XOptions struct from its flags and arguments, checks them in RunE, and
// then calls runF when a test gave one (to see the options) or its xRun.
// So a command's flags are tested without a kernel or a daemon, and a run
// is tested with fakes put in the factory.
package cmd

import (
	"context"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/lvsadm/lvsadm/internal/thp"
	"github.com/lvsadm/lvsadm/ops"
	"github.com/lvsadm/lvsadm/ops/ipvsadm"
	"github.com/lvsadm/lvsadm/ops/kernel"
)

// Main runs lvsadm with argv and returns the exit status.
func Main(argv []string) int {
	return run(argv, SystemIO(), openKernel)
}

// run is Main with the streams and the kernel opener given.
func run(argv []string, io IOStreams, open func() (ops.Kernel, error)) int {
	// The ipvsadm surface installs no signal handler: like ipvsadm, an
	// interrupt simply ends the process, and short invocations in shell
	// loops do not pay for the signal-forwarding goroutine.
	ctx := context.Background()
	m := mode(argv)
	if m == modeIpvsadm {
		thp.Disable()
	}
	if isIpvsadmCompletion(argv) {
		return completeIpvsadm(ctx, argv[2:], io.Out, openKernelForCompletion)
	}
	if m == modeIpvsadm {
		prog := ipvsadm.ProgIpvsadm
		if len(argv) > 0 {
			prog = ipvsadm.ProgramOf(argv[0])
		}
		if len(argv) == 0 || !isOwnName(argv[0]) {
			return ipvsadm.Main(ctx, prog, open, argv, io.In, io.Out, io.ErrOut)
		}
		h := &hintingOpener{open: open}
		rc := ipvsadm.Main(ctx, prog, h.Open, argv, io.In, io.Out, io.ErrOut)
		if rc != 0 {
			writeNoIPVSHint(io.ErrOut, h.err)
		}
		return rc
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	// The subcommands open the kernel as the ipvsadm surface does, so that
	// a test's opener serves both.
	f := NewFactory(io)
	f.Kernel = open
	root := NewRootCmd(f)
	root.SetArgs(argv[1:])
	if err := root.ExecuteContext(ctx); err != nil {
		return exitCode(io.ErrOut, err)
	}
	return 0
}

type dispatch int

const (
	modeCobra dispatch = iota
	modeIpvsadm
)

// mode decides who parses argv. Under the names ipvsadm, ipvsadm-save and
// ipvsadm-restore the binary is those programs (ipvsadm.ProgramOf tells
// which). As lvsadm, an ipvsadm command line (no arguments, or a first
// argument that is an option) goes to the ipvsadm surface, and a word goes
// to a cobra subcommand.
func mode(argv []string) dispatch {
	if len(argv) == 0 {
		return modeIpvsadm
	}
	switch filepath.Base(argv[0]) {
	case "ipvsadm", "ipvsadm-save", "ipvsadm-restore":
		return modeIpvsadm
	}
	if len(argv) == 1 || strings.HasPrefix(argv[1], "-") {
		return modeIpvsadm
	}
	return modeCobra
}

func openKernel() (ops.Kernel, error) {
	return kernel.Open()
}

// openKernelForCompletion opens the kernel without running modprobe: a
// TAB on a machine without IPVS completes nothing, at once, rather than
// loading a module or waiting for modprobe.
func openKernelForCompletion() (ops.Kernel, error) {
	return kernel.OpenWith(kernel.Options{NoModprobe: true})
}
