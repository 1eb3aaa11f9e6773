package ipvsadm

import (
	"context"
	"io"
	"path/filepath"

	"github.com/lvsadm/lvsadm/ops"
)

// Program is which of ipvsadm's three commands an executable name stands for.
type Program int

const (
	ProgIpvsadm Program = iota
	ProgSave            // ipvsadm-save
	ProgRestore         // ipvsadm-restore
)

// ProgramOf tells which program argv0 names. Any name but ipvsadm-save and
// ipvsadm-restore is ipvsadm itself, so a copy under another name (a
// versioned path, a test's temporary name) still behaves as ipvsadm.
func ProgramOf(argv0 string) Program {
	switch filepath.Base(argv0) {
	case "ipvsadm-save":
		return ProgSave
	case "ipvsadm-restore":
		return ProgRestore
	}
	return ProgIpvsadm
}

// Main runs prog with argv: the ipvsadm command line, or the save or
// restore script. It is the whole of the drop-in executable (cmd/ipvsadm)
// and the ipvsadm surface of lvsadm.
func Main(ctx context.Context, prog Program, open func() (ops.Kernel, error), argv []string, stdin io.Reader, stdout, stderr io.Writer) int {
	switch prog {
	case ProgSave:
		return SaveMain(ctx, open, argv, stdin, stdout, stderr)
	case ProgRestore:
		return RestoreMain(ctx, open, argv, stdin, stdout, stderr)
	}
	return Run(ctx, open, argv, stdin, stdout, stderr)
}
