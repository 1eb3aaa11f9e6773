package ipvsadm

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"syscall"
	"testing"

	"github.com/lvsadm/lvsadm/ops"
	"github.com/lvsadm/lvsadm/ops/opstest"
)

// newFakeKernel is the shared in-memory IPVS, enough to run commands.
func newFakeKernel() *opstest.Kernel { return opstest.New() }

// result is what one run printed and returned.
type result struct {
	code           int
	stdout, stderr string
	opened         bool
}

// runLine runs a command line (split on spaces) against k with numeric
// names resolution disabled and the compatibility banner on.
func runLine(t *testing.T, k *opstest.Kernel, line string, stdin string) result {
	t.Helper()
	return runArgv(t, k, append([]string{"ipvsadm"}, strings.Fields(line)...), stdin)
}

func runArgv(t *testing.T, k *opstest.Kernel, argv []string, stdin string) result {
	t.Helper()
	var out, errb bytes.Buffer
	var r result
	open := func() (ops.Kernel, error) {
		r.opened = true
		if k == nil {
			return nil, &ops.KernelError{Op: ops.OpOpen, Errno: syscall.EPERM}
		}
		return k, nil
	}
	env := func(name string) string {
		if name == BannerEnv {
			return "1"
		}
		return ""
	}
	r.code = run(context.Background(), open, argv, strings.NewReader(stdin), &out, &errb, env)
	r.stdout, r.stderr = out.String(), errb.String()
	return r
}

func fmtS(format string, args ...any) string { return fmt.Sprintf(format, args...) }

func newTestWriter(w io.Writer) *bufio.Writer { return bufio.NewWriter(w) }
