// Package proctest helps tests that check that processes are gone.
package proctest

import (
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Running says whether pid exists and is not a zombie (a zombie is dead;
// only its parent's wait is missing, and in a container whose init does
// not reap, it stays).
func Running(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	return len(f) > 0 && f[0] != "Z"
}

// WaitGone fails t unless pid is gone within the given time; a process
// that outlives it is killed, so a failing test leaves nothing behind.
// Killed processes are reaped by others (init), so the test polls rather
// than waits.
func WaitGone(t testing.TB, pid int, within time.Duration, what string) {
	t.Helper()
	deadline := time.Now().Add(within)
	for Running(pid) {
		if time.Now().After(deadline) {
			_ = syscall.Kill(pid, syscall.SIGKILL)
			t.Fatalf("%s (pid %d) still runs after %v", what, pid, within)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
