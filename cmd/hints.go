package cmd

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"

	"github.com/lvsadm/lvsadm/daemon/control"
	"github.com/lvsadm/lvsadm/lvscf"
	"github.com/lvsadm/lvsadm/ops"
)

// noIPVSHint is what lvsadm, under its own name, adds after an error that
// says the kernel has no IPVS: the error alone names a netlink family,
// which tells a newcomer nothing about what to do. Under the names
// ipvsadm, ipvsadm-save and ipvsadm-restore nothing is added: their
// messages stay ipvsadm's, byte for byte.
const noIPVSHint = `lvsadm: this kernel has no IPVS (the ip_vs module is not loaded).
  Load it as root:  modprobe ip_vs   (the kernel needs CONFIG_IP_VS)
  Or watch lvsadm run on a kernel that has it: "make demo" in lvsadm's
  source tree boots a VM with two directors (qemu; see docs/lab.md there).
  Without IPVS, "lvsadm cf" (lint, fmt, diff, get, set) and "lvsadm tui
  --config FILE" (the config view) still work.
`

// writeNoIPVSHint writes noIPVSHint to w when err says the kernel has no
// IPVS, and tells whether it did.
func writeNoIPVSHint(w io.Writer, err error) bool {
	if !errors.Is(err, ops.ErrNoIPVS) {
		return false
	}
	io.WriteString(w, noIPVSHint)
	return true
}

// hintingOpener wraps open for the ipvsadm surface run under lvsadm's own
// name: it remembers a failure that means "no IPVS", so that Main can add
// the hint after ipvsadm's own message, which stays as ipvsadm prints it.
type hintingOpener struct {
	open func() (ops.Kernel, error)
	err  error
}

func (h *hintingOpener) Open() (ops.Kernel, error) {
	k, err := h.open()
	if err != nil {
		h.err = err
	}
	return k, err
}

// isOwnName tells whether argv0 runs the binary as lvsadm (any name but
// ipvsadm's three).
func isOwnName(argv0 string) bool {
	switch filepath.Base(argv0) {
	case "ipvsadm", "ipvsadm-save", "ipvsadm-restore":
		return false
	}
	return true
}

// daemonError says plainly that no daemon runs, and how to start one,
// rather than a dial error.
func daemonError(err error) error {
	if errors.Is(err, control.ErrNoDaemon) {
		return &exitError{code: 1, err: fmt.Errorf("%w\n%s", err, startDaemonHint)}
	}
	return err
}

// startDaemonHint names both ways to start the daemon the packages
// install: the systemd unit (dist/systemd/lvsadm.service) and the command
// it runs.
const startDaemonHint = `  Start one:  systemctl start lvsadm
         or:  lvsadm daemon --config ` + lvscf.DefaultPath
