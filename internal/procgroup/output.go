package procgroup

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/lvsadm/lvsadm/internal/capbuf"
)

// Output runs argv like Command (own group, killed whole when ctx ends)
// with stdin and stderr on /dev/null, and returns the first max bytes of
// its standard output. It leaves nothing running: once argv has exited,
// what is left in its group is killed (WaitKillGroup), and a process that
// still holds the output pipe waitDelay later, a descendant that left the
// group with setsid, is found by that pipe and killed too. A health
// check that ran "setsid helper" left one such process per check
// (issue 11 item 9). A descendant that left the group and closed its
// standard output is not found.
// ErrStart marks a command that could not be started (not found, not
// executable, no process to be had): the caller's problem, not the
// command's answer.
var ErrStart = errors.New("cannot start")

func Output(ctx context.Context, waitDelay time.Duration, max int, argv ...string) (string, error) {
	pr, pw, err := os.Pipe()
	if err != nil {
		return "", err
	}
	cmd := Command(ctx, waitDelay, argv...)
	cmd.Stdout = pw
	err = cmd.Start()
	pw.Close() // the command has its own copy
	if err != nil {
		pr.Close()
		return "", fmt.Errorf("%w %s: %w", ErrStart, argv[0], err)
	}
	out := capbuf.New(max)
	copied := make(chan struct{})
	go func() {
		defer close(copied)
		_, _ = io.Copy(out, pr)
	}()
	err = WaitKillGroup(cmd)
	if !waitFor(copied, waitDelay) {
		// Someone outside the group still writes to, or holds, the pipe.
		killPipeHolders(pr)
		waitFor(copied, waitDelay)
	}
	pr.Close() // ends the copy if a holder survived
	<-copied
	return out.String(), err
}

func waitFor(c <-chan struct{}, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-c:
		return true
	case <-t.C:
		return false
	}
}

// killPipeHolders sends SIGKILL to every other process that has a
// descriptor on the pipe f belongs to. Each is checked again through a
// pidfd before the signal, so a pid reused since the scan is not hit.
func killPipeHolders(f *os.File) {
	fi, err := f.Stat()
	if err != nil {
		return
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return
	}
	target := "pipe:[" + strconv.FormatUint(st.Ino, 10) + "]"
	procs, err := os.ReadDir("/proc")
	if err != nil {
		return
	}
	self := os.Getpid()
	for _, p := range procs {
		pid, err := strconv.Atoi(p.Name())
		if err != nil || pid == self || !holds(pid, target) {
			continue
		}
		pfd, err := unix.PidfdOpen(pid, 0)
		if err != nil {
			continue // gone already
		}
		if holds(pid, target) {
			// An error (ESRCH: it exited) leaves nothing to do; the
			// caller closes its end of the pipe anyway.
			_ = unix.PidfdSendSignal(pfd, unix.SIGKILL, nil, 0)
		}
		unix.Close(pfd)
	}
}

// holds says whether process pid has a descriptor whose link is target.
func holds(pid int, target string) bool {
	dir := "/proc/" + strconv.Itoa(pid) + "/fd"
	fds, err := os.ReadDir(dir)
	if err != nil {
		return false
	}
	for _, fd := range fds {
		if l, err := os.Readlink(dir + "/" + fd.Name()); err == nil && l == target {
			return true
		}
	}
	return false
}
