package ipvsadm

import (
	"context"
	"io"
	"strings"
	"testing"

	"github.com/lvsadm/lvsadm/ops"
	"github.com/lvsadm/lvsadm/ops/opstest"
)

// FuzzRun checks that no command line or restore input makes Run panic.
func FuzzRun(f *testing.F) {
	for _, s := range []string{
		"-A -t 10.0.0.1:80 -s rr -p", "-Lcn", "-a -t [::1]:80 -r [::2]:81 -m",
		"-R", "--set 1 2 3", "-A -f 1 -6 -M 64", "-s=!#:+ x", "-L --tun-info",
	} {
		f.Add(s, "-A -t 10.0.0.1:80\n-a -t 10.0.0.1:80 -r 10.0.0.2\n-Sn\n")
	}
	f.Fuzz(func(t *testing.T, line, stdin string) {
		k := newFakeKernel()
		setupQuiet(k)
		open := func() (ops.Kernel, error) { return k, nil }
		argv := append([]string{"ipvsadm"}, strings.Split(line, " ")...)
		code := run(context.Background(), open, argv, strings.NewReader(stdin), io.Discard, io.Discard, func(string) string { return "" })
		if code < 0 || code > 255 {
			t.Fatalf("exit code %d", code)
		}
	})
}

func setupQuiet(k *opstest.Kernel) {
	open := func() (ops.Kernel, error) { return k, nil }
	for _, l := range []string{"-A -t 10.0.0.1:80", "-A -f 3 -6", "-a -t 10.0.0.1:80 -r 10.0.0.9 -i --tun-type gue --tun-port 9"} {
		run(context.Background(), open, append([]string{"ipvsadm"}, strings.Fields(l)...), nil, io.Discard, io.Discard, func(string) string { return "" })
	}
}
