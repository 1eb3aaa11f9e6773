package procgroup

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lvsadm/lvsadm/internal/proctest"
)

// The test binary doubles as the commands the tests run (selected by
// PROCGROUP_HELPER), so no shell or system tool is assumed.
func TestMain(m *testing.M) {
	switch os.Getenv("PROCGROUP_HELPER") {
	case "":
		os.Exit(m.Run())
	case "hold-stdout":
		// Start a child that inherits stdout and lives long, report its
		// pid on stdout, then block: neither ever closes stdout.
		child := exec.Command(os.Args[0], "-test.run=^$")
		child.Env = append(os.Environ(), "PROCGROUP_HELPER=sleep")
		child.Stdout = os.Stdout
		if err := child.Start(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(3)
		}
		fmt.Printf("%d\n", child.Process.Pid)
		time.Sleep(time.Hour)
	case "sleep":
		time.Sleep(time.Hour)
	case "leave-child":
		// Start a child in this group that does not hold stdout, report
		// its pid, and exit.
		child := exec.Command(os.Args[0], "-test.run=^$")
		child.Env = append(os.Environ(), "PROCGROUP_HELPER=sleep")
		if err := child.Start(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(3)
		}
		fmt.Printf("%d\n", child.Process.Pid)
		os.Exit(0)
	case "pidfile-sleep":
		// Say who we are in PROCGROUP_PIDFILE (whole, by rename), then
		// sleep holding stdout.
		f := os.Getenv("PROCGROUP_PIDFILE")
		if err := os.WriteFile(f+".tmp", []byte(strconv.Itoa(os.Getpid())), 0o600); err != nil {
			os.Exit(3)
		}
		if err := os.Rename(f+".tmp", f); err != nil {
			os.Exit(3)
		}
		time.Sleep(time.Hour)
	}
	os.Exit(4)
}

// TestCancelKillsGroupAndReturns: a command whose child keeps stdout open
// returns once the context ends (not when the child exits, an hour
// later), and the child, a member of the command's group, is killed.
func TestCancelKillsGroupAndReturns(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cmd := Command(ctx, 200*time.Millisecond, os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "PROCGROUP_HELPER=hold-stdout")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("reading the child's pid: %v", err)
	}
	child, err := strconv.Atoi(strings.TrimSpace(line))
	if err != nil {
		t.Fatal(err)
	}
	go io.Copy(io.Discard, stdout)
	if pgid, err := syscall.Getpgid(cmd.Process.Pid); err != nil || pgid != cmd.Process.Pid {
		t.Fatalf("command's process group %d (%v), want its own %d", pgid, err, cmd.Process.Pid)
	}
	cancel()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("Wait succeeded for a killed command")
		}
	case <-time.After(30 * time.Second): // expected: well under a second
		t.Fatal("Wait still blocked 30 s after the context ended")
	}
	// The child was SIGKILLed with its group.
	proctest.WaitGone(t, child, 30*time.Second, "the child of the killed command")
}

// escapee returns a command line that leaves behind a descendant in a
// session of its own (setsid), holding the command's stdout, and exits
// once that descendant is running; pid reads the descendant's pid. The
// descendant is killed at the end of the test whatever happens.
func escapee(t *testing.T) (argv []string, pid func() int) {
	t.Helper()
	if _, err := exec.LookPath("setsid"); err != nil {
		t.Skip("no setsid(1)")
	}
	pidfile := filepath.Join(t.TempDir(), "pid")
	t.Setenv("PROCGROUP_HELPER", "pidfile-sleep")
	t.Setenv("PROCGROUP_PIDFILE", pidfile)
	pid = func() int {
		b, err := os.ReadFile(pidfile)
		if err != nil {
			t.Fatalf("the descendant's pid: %v", err)
		}
		n, err := strconv.Atoi(string(b))
		if err != nil {
			t.Fatalf("the descendant's pid: %q", b)
		}
		return n
	}
	t.Cleanup(func() {
		if b, err := os.ReadFile(pidfile); err == nil {
			if n, err := strconv.Atoi(string(b)); err == nil {
				syscall.Kill(n, syscall.SIGKILL)
			}
		}
	})
	// sh's child is no group leader, so setsid(1) does not fork: $! is
	// the descendant.
	return []string{"sh", "-c", `setsid "$0" -test.run=^$ & while [ ! -s "$1" ]; do sleep 0.01; done`, os.Args[0], pidfile}, pid
}

// TestExitedCommandsEscapedChildDoesNotHoldWait: a command that exits
// while a descendant outside its group still holds stdout returns after
// the wait delay (exec.ErrWaitDelay), not when the descendant exits.
func TestExitedCommandsEscapedChildDoesNotHoldWait(t *testing.T) {
	argv, _ := escapee(t)
	cmd := Command(context.Background(), 200*time.Millisecond, argv...)
	var out strings.Builder
	cmd.Stdout = &out
	done := make(chan error, 1)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if !errors.Is(err, exec.ErrWaitDelay) {
			t.Fatalf("Wait = %v, want exec.ErrWaitDelay", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Wait held by a descendant outside the group")
	}
}

// TestWaitKillGroupKillsLeftovers: a command that exits leaving a child
// in its group (a check script's "helper &") leaves nothing running.
// Plain Wait would return at once and leave the child for an hour.
func TestWaitKillGroupKillsLeftovers(t *testing.T) {
	cmd := Command(context.Background(), 200*time.Millisecond, os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "PROCGROUP_HELPER=leave-child")
	var out strings.Builder
	cmd.Stdout = &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if err := WaitKillGroup(cmd); err != nil {
		t.Fatalf("WaitKillGroup: %v", err)
	}
	child, err := strconv.Atoi(strings.TrimSpace(out.String()))
	if err != nil {
		t.Fatalf("child's pid: %q", out.String())
	}
	proctest.WaitGone(t, child, 30*time.Second, "the child left by the exited command")
}

// TestOutputKillsEscapedHolder: a command that leaves a descendant
// outside its group holding its output returns, and that descendant,
// which would sleep an hour, is killed. Before, each health check doing
// this left one such process.
func TestOutputKillsEscapedHolder(t *testing.T) {
	argv, pid := escapee(t)
	done := make(chan error, 1)
	go func() {
		_, err := Output(context.Background(), 200*time.Millisecond, 64, argv...)
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Output: %v", err)
		}
	case <-time.After(30 * time.Second): // expected: about 0.2 s
		t.Fatal("Output held by a descendant outside the group")
	}
	proctest.WaitGone(t, pid(), 30*time.Second, "the escaped descendant")
}

// TestOutputCapped: output beyond max is discarded, and a plain command's
// output comes back whole.
func TestOutputCapped(t *testing.T) {
	got, err := Output(context.Background(), time.Second, 5, "echo", "hello world")
	if err != nil || got != "hello" {
		t.Fatalf("Output = %q, %v", got, err)
	}
	got, err = Output(context.Background(), time.Second, 64, "echo", "ok")
	if err != nil || got != "ok\n" {
		t.Fatalf("Output = %q, %v", got, err)
	}
}
