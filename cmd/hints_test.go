package cmd

import (
	"bytes"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/lvsadm/lvsadm/ops"
	"github.com/lvsadm/lvsadm/ops/kernel"
)

// runCaptured runs argv as Main does, with buffers for the streams.
func runCaptured(argv []string, open func() (ops.Kernel, error)) (rc int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	rc = run(argv, IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut}, open)
	return rc, out.String(), errOut.String()
}

const ipvsadmNoIPVS = "Can't initialize ipvs: Protocol not available\n" +
	"Are you sure that IP Virtual Server is built in the kernel or as module?\n"

// On a kernel without IPVS (this machine's, when it has none: the opener
// is the real one, without modprobe), ipvsadm's names print ipvsadm's
// message alone; lvsadm's own name adds what to do after it.
func TestNoIPVSHintOnThisKernel(t *testing.T) {
	open := func() (ops.Kernel, error) { return kernel.OpenWith(kernel.Options{NoModprobe: true}) }
	if k, err := open(); err == nil {
		k.Close()
		t.Skip("this kernel has IPVS")
	} else if !errors.Is(err, ops.ErrNoIPVS) {
		t.Skipf("opening IPVS fails otherwise: %v", err)
	}
	for _, name := range []string{"ipvsadm", "/usr/sbin/ipvsadm", "ipvsadm-save"} {
		argv := []string{name, "-Ln"}
		if strings.HasSuffix(name, "-save") {
			argv = []string{name}
		}
		rc, _, stderr := runCaptured(argv, open)
		if rc != 2 || stderr != ipvsadmNoIPVS {
			t.Errorf("%q: exit %d, stderr %q; want 2 and ipvsadm's message alone", argv, rc, stderr)
		}
	}
	rc, _, stderr := runCaptured([]string{"/usr/sbin/lvsadm", "-Ln"}, open)
	if rc != 2 || stderr != ipvsadmNoIPVS+noIPVSHint {
		t.Errorf("lvsadm -Ln: exit %d, stderr %q; want 2 and ipvsadm's message, then the hint", rc, stderr)
	}
}

func TestNoIPVSHintText(t *testing.T) {
	for _, want := range []string{"modprobe ip_vs", "make demo"} {
		if !strings.Contains(noIPVSHint, want) {
			t.Errorf("the hint does not say %q:\n%s", want, noIPVSHint)
		}
	}
	// What kernel.Open returns when the generic netlink family is missing.
	missing := &ops.KernelError{Op: ops.OpOpen, Err: fmt.Errorf("%w: no generic netlink family %q", ops.ErrNoIPVS, "IPVS")}
	var b bytes.Buffer
	if rc := exitCode(&b, missing); rc != 1 || !strings.HasSuffix(b.String(), noIPVSHint) || !strings.HasPrefix(b.String(), "lvsadm: ") {
		t.Errorf("exitCode(no IPVS) = %d, %q", rc, b.String())
	}
	b.Reset()
	if exitCode(&b, errors.New("other")); b.String() != "lvsadm: other\n" {
		t.Errorf("exitCode(other) printed %q", b.String())
	}
}

func TestStatusWithoutDaemonSaysHowToStartOne(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "none.sock")
	rc, _, stderr := runCaptured([]string{"lvsadm", "status", "--socket", sock}, nil)
	if rc != 1 {
		t.Errorf("exit %d, want 1", rc)
	}
	for _, want := range []string{"no daemon at " + sock, "systemctl start lvsadm", "lvsadm daemon --config /etc/sysconfig/ha/lvs.cf"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr does not say %q:\n%s", want, stderr)
		}
	}
}

// Every command refuses an unknown flag and a wrong number of arguments
// as a usage error: exit 2 and where help is.
func TestUsageErrorsExit2(t *testing.T) {
	root := NewRootCmd(NewFactory(IOStreams{In: strings.NewReader(""), Out: &bytes.Buffer{}, ErrOut: &bytes.Buffer{}}))
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if c.Hidden || c.Name() == "help" {
			return
		}
		path := strings.Fields(c.CommandPath())[1:]
		if len(path) > 0 {
			argv := append(append([]string{"lvsadm"}, path...), "--no-such-flag")
			if rc, _, stderr := runCaptured(argv, nil); rc != 2 || !strings.Contains(stderr, "Try '"+c.CommandPath()+" --help'") {
				t.Errorf("%q: exit %d, stderr %q; want 2 and the Try line", argv, rc, stderr)
			}
		}
		if c.Args != nil {
			refused := 0
			for n := 0; n <= 6; n++ {
				args := strings.Fields(strings.Repeat("x ", n))
				err := c.Args(c, args)
				if err == nil {
					continue
				}
				refused++
				var ee *exitError
				if !errors.As(err, &ee) || ee.code != 2 || !strings.Contains(err.Error(), "Try '") {
					t.Errorf("%s with %d arguments: %v; want a usage error (exit 2)", c.CommandPath(), n, err)
				}
			}
			if len(path) > 0 && refused == 0 && c.Name() != "set" && c.Name() != "add" {
				t.Logf("%s accepts 0 to 6 arguments", c.CommandPath())
			}
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	for _, argv := range [][]string{{"lvsadm", "bogus"}, {"lvsadm", "cf", "bogus"}, {"lvsadm", "completion", "bogus"}, {"lvsadm", "cf", "get"}, {"lvsadm", "version", "x"}} {
		if rc, _, stderr := runCaptured(argv, nil); rc != 2 || !strings.Contains(stderr, "Try '") {
			t.Errorf("%q: exit %d, stderr %q; want 2 and the Try line", argv, rc, stderr)
		}
	}
}
