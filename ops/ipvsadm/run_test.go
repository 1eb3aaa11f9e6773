package ipvsadm

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"reflect"
	"strings"
	"syscall"
	"testing"

	"github.com/lvsadm/lvsadm/ops"
)

func TestHelpAndVersion(t *testing.T) {
	want, err := os.ReadFile("testdata/help.txt")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{"-h", "--help", "-h --bogus", "-hq"} {
		r := runLine(t, nil, line, "")
		if r.code != 0 || r.stderr != "" || r.opened {
			t.Errorf("%s: code %d stderr %q opened %v", line, r.code, r.stderr, r.opened)
		}
		checkLines(t, line, r.stdout, string(want))
	}
	for _, line := range []string{"-v", "--version"} {
		r := runLine(t, nil, line, "")
		if r.code != 0 || r.stdout != CompatBanner+"\n" || r.opened {
			t.Errorf("%s: code %d stdout %q opened %v", line, r.code, r.stdout, r.opened)
		}
	}
	// Without the environment variable, lvsadm names itself.
	var out bytes.Buffer
	code := run(context.Background(), nil, []string{"/sbin/lvsadm", "-h"}, nil, &out, &out, func(string) string { return "" })
	first, rest, _ := strings.Cut(out.String(), "\n")
	if code != 0 || first != "lvsadm v"+Version+" (compiled with popt and IPVS v1.2.1)" {
		t.Errorf("-h first line %q (code %d)", first, code)
	}
	if !strings.Contains(rest, "\n  /sbin/lvsadm -A|E virtual-service") {
		t.Errorf("-h does not use the program name:\n%s", rest)
	}
}

func TestKernelErrors(t *testing.T) {
	k := newFakeKernel()
	setup(t, k, "-A -t 10.0.0.1:80")
	tests := []struct {
		line   string
		code   int
		stderr string
	}{
		{"-A -t 10.0.0.1:80", 255, "Service already exists\n"},
		{"-E -t 10.0.0.2:80", 255, "No such service\n"},
		{"-D -t 10.0.0.2:80", 255, "No such service\n"},
		{"-a -t 10.0.0.2:80 -r 10.0.1.1", 255, "Service not defined\n"},
		{"-d -t 10.0.0.1:80 -r 10.0.1.1", 255, "No such destination\n"},
		{"-Z -t 10.0.0.2:80", 255, "No such service\n"},
		{"--stop-daemon backup", 255, "No daemon is running\n"},
		{"-L -t 10.0.0.2:80", 1, "No such service\n"},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			r := runLine(t, k, tt.line, "")
			if r.code != tt.code || r.stderr != tt.stderr {
				t.Errorf("got %d %q, want %d %q", r.code, r.stderr, tt.code, tt.stderr)
			}
		})
	}

	r := runLine(t, nil, "-C", "")
	want := "Can't initialize ipvs: Permission denied (you must be root)\nAre you sure that IP Virtual Server is built in the kernel or as module?\n"
	if r.code != 2 || r.stderr != want {
		t.Errorf("open failure: %d %q", r.code, r.stderr)
	}

	k.SetInject(func(op ops.Op, _ *ops.ServiceKey) error {
		if op == ops.OpGetDests {
			return &ops.KernelError{Op: op, Errno: syscall.ENOMEM}
		}
		return nil
	})
	r = runLine(t, k, "-Ln", "")
	if r.code != 1 || r.stderr != "Memory allocation problem\n" || !strings.HasPrefix(r.stdout, "IP Virtual Server version") {
		t.Errorf("dests failure: %d %q %q", r.code, r.stderr, r.stdout)
	}
}

func TestZero(t *testing.T) {
	k := newFakeKernel()
	setup(t, k, "-A -t 10.0.0.1:80", "-Z", "-Z -t 10.0.0.1:80", "-Z -t 0.0.0.0:0")
	if got := fmt.Sprint(k.Changes()); got != "[add-service zero zero zero]" {
		t.Errorf("calls %s", got)
	}
}

func TestStrerror(t *testing.T) {
	for _, tt := range []struct {
		op    ops.Op
		errno syscall.Errno
		want  string
	}{
		{ops.OpAddService, syscall.EEXIST, "Service already exists"},
		{ops.OpAddService, syscall.ENOENT, "Scheduler or persistence engine not found"},
		{ops.OpAddDest, syscall.EEXIST, "Destination already exists"},
		{ops.OpDelService, syscall.EEXIST, "File exists"},
		{ops.OpFlush, syscall.EINVAL, "Invalid operation.  Possibly wrong module version, address not unicast, ..."},
		{ops.OpFlush, syscall.EBUSY, "Device or resource busy"},
		{ops.OpStartDaemon, syscall.EEXIST, "Daemon has already run"},
		{ops.OpStartDaemon, syscall.ENODEV, "No such device"},
		{"", syscall.Errno(41), "Unknown error 41"},
	} {
		if got := ipvsStrerror(tt.op, tt.errno); got != tt.want {
			t.Errorf("ipvsStrerror(%s, %d) = %q, want %q", tt.op, tt.errno, got, tt.want)
		}
	}
	// An error whose Op is not set takes the caller's.
	if got := errorMessage(&ops.KernelError{Errno: syscall.ESRCH}, ops.OpDelDest); got != "Service not defined" {
		t.Errorf("errorMessage without op: %q", got)
	}
	if got := errorMessage(ops.ErrNoIPVS, ops.OpOpen); got != "Protocol not available" {
		t.Errorf("errorMessage(ErrNoIPVS) = %q", got)
	}
}

func TestRestoreTokens(t *testing.T) {
	for _, tt := range []struct {
		name, in string
		want     [][]string
	}{
		{"plain", "-A -t 1.2.3.4:80\n-C\n", [][]string{{"-A", "-t", "1.2.3.4:80"}, {"-C"}}},
		{"blank and space lines", "\n   \n\t-C\n", [][]string{nil, nil, {"-C"}}},
		{"crlf", "-C\r\n-L\r\n", [][]string{{"-C"}, {"-L"}}},
		{"ipvsadm dropped anywhere", "ipvsadm -A ipvsadm -t x\n/sbin/ipvsadm -C\n", [][]string{{"-A", "-t", "x"}, {"/sbin/ipvsadm", "-C"}}},
		{"no comments", "# a comment\n", [][]string{{"#", "a", "comment"}}},
		{"last line without newline", "-C\n-L", [][]string{{"-C"}, {"-L"}}},
		{"last line with trailing blank", "-C\n-L  ", [][]string{{"-C"}}},
		{"only ipvsadm at end", "-C\nipvsadm", [][]string{{"-C"}}},
		{"long word", strings.Repeat("a", 4100) + "\n", [][]string{{strings.Repeat("a", 4096), "aaaa"}}},
		{"empty", "", nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			lr := newLineReader(strings.NewReader(tt.in))
			var got [][]string
			for {
				w, ok := lr.next()
				if !ok {
					break
				}
				got = append(got, w)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestRestore(t *testing.T) {
	k := newFakeKernel()
	in := "-A -t 10.0.0.1:80 -s rr\n" +
		"-a -t 10.0.0.1:80 -r 10.0.1.1:80 -m\n" +
		"-A -t 10.0.0.1:80 -s rr\n" + // fails, the restore goes on
		"-a -t 10.0.0.1:80 -r 10.0.1.2:80 -m -w 3\n"
	r := runLine(t, k, "-R", in)
	if r.code != 0 || r.stderr != "Service already exists\n" {
		t.Errorf("restore: %d %q", r.code, r.stderr)
	}
	if tab := k.Table(); len(tab) != 1 || len(tab[0].Destinations) != 2 {
		t.Errorf("restore did not go on after a failing line")
	}

	// The result is the last line's.
	r = runLine(t, k, "-R", "-A -t 10.0.0.1:80\n")
	if r.code != 255 {
		t.Errorf("failing last line: code %d", r.code)
	}
	// popt errors fail the line only.
	r = runLine(t, k, "-R", "-L -q\n-C\n")
	if r.code != 0 || r.stderr != "-q: unknown option\n" {
		t.Errorf("popt error in restore: %d %q", r.code, r.stderr)
	}
	// Bad values end the restore.
	k = newFakeKernel()
	r = runLine(t, k, "-R", "-A -t 10.0.0.1:80 -p 0\n-A -t 10.0.0.2:80\n")
	if r.code != 2 || r.stderr != "invalid timeout value `0' specified\n" || len(k.Table()) != 0 {
		t.Errorf("fail() in restore: %d %q %d services", r.code, r.stderr, len(k.Table()))
	}
	// A comment line is no command: ipvsadm gives up.
	r = runLine(t, k, "-R", "# saved\n-A -t 10.0.0.2:80\n")
	if r.code != 255 || r.stderr != tryHelp || len(k.Table()) != 0 {
		t.Errorf("comment in restore: %d %q", r.code, r.stderr)
	}
	// -R within -R.
	r = runLine(t, k, "-R", "-R\n")
	if r.code != 255 || r.stderr != tryHelp {
		t.Errorf("nested restore: %d %q", r.code, r.stderr)
	}
	// Listings print from within a restore.
	r = runLine(t, k, "-R", "-A -t 10.0.0.3:80\n-Sn\n")
	if r.code != 0 || r.stdout != "-A -t 10.0.0.3:80 -s wlc\n" {
		t.Errorf("save in restore: %d %q %q", r.code, r.stdout, r.stderr)
	}
}

func TestSaveRestoreMain(t *testing.T) {
	k := newFakeKernel()
	setup(t, k, "-A -t 10.0.0.1:80 -s rr")
	var out, errb bytes.Buffer
	open := func() (ops.Kernel, error) { return k, nil }
	code := SaveMain(context.Background(), open, []string{"/sbin/ipvsadm-save", "-n"}, nil, &out, &errb)
	if code != 0 || out.String() != "-A -t 10.0.0.1:80 -s rr\n" {
		t.Errorf("save: %d %q %q", code, out.String(), errb.String())
	}
	out.Reset()
	code = RestoreMain(context.Background(), open, []string{"ipvsadm-restore", "-x"}, strings.NewReader("-C\n"), &out, &errb)
	if code != 0 || len(k.Table()) != 0 {
		t.Errorf("restore: %d %q", code, errb.String())
	}
	if got := scriptProgram([]string{"/usr/sbin/lvsadm-save"}); got != "lvsadm" {
		t.Errorf("scriptProgram = %q", got)
	}
}

func TestNoArguments(t *testing.T) {
	k := newFakeKernel()
	r := runArgv(t, k, []string{"ipvsadm"}, "")
	want := "IP Virtual Server version 1.2.1 (size=4096)\n" +
		"Prot LocalAddress:Port Scheduler Flags\n" +
		"  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n"
	if r.code != 0 || r.stdout != want {
		t.Errorf("no arguments: %d %q", r.code, r.stdout)
	}
}
