// Package procgroup runs external commands so that neither they nor their
// descendants can hold their caller past a deadline: each command leads a
// process group of its own, the whole group is killed when the context
// ends, and the wait for output pipes that an escaped descendant still
// holds open is bounded.
//
// Without this a command's child that keeps stdout open (a shell script
// that backgrounds a helper) makes exec.Cmd.Wait block until that child
// exits, whatever the context says: the daemon stayed up 70 s after
// SIGTERM that way (issue 11 item 4).
package procgroup

import (
	"context"
	"errors"
	"os/exec"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// Command is exec.CommandContext(ctx, argv[0], argv[1:]...) in a process
// group of its own: when ctx ends, SIGKILL goes to the whole group (not
// only to argv[0]), and Wait gives up on the output pipes waitDelay after
// that, or after the command exited, even when a descendant outside the
// group (setsid) still holds them. argv must not be empty. Stdin is
// /dev/null unless the caller sets it.
func Command(ctx context.Context, waitDelay time.Duration, argv ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error {
		// The leader is not reaped before Wait returns, so its pid is
		// still the group's id here and cannot name another group.
		err := syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		if errors.Is(err, syscall.ESRCH) {
			return nil // the group has gone already
		}
		return err
	}
	cmd.WaitDelay = waitDelay
	return cmd
}

// WaitKillGroup is cmd.Wait for a command from Command that must leave
// nothing behind: once the command has exited, whatever it left running
// in its process group (a check script's "helper &") is killed, then the
// command is reaped. The kill happens while the exited command is not
// yet reaped, so its pid, which is the group's id, cannot have been given
// to another process. A descendant that left the group (setsid) is not
// reached.
func WaitKillGroup(cmd *exec.Cmd) error {
	pid := cmd.Process.Pid
	var info unix.Siginfo
	for {
		// WNOWAIT: wait for the exit without reaping.
		err := unix.Waitid(unix.P_PID, pid, &info, unix.WEXITED|unix.WNOWAIT, nil)
		if !errors.Is(err, unix.EINTR) {
			break
		}
	}
	_ = syscall.Kill(-pid, syscall.SIGKILL) // ESRCH: nothing was left
	return cmd.Wait()
}
