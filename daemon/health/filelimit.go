package health

import (
	"fmt"
	"syscall"
)

// RaiseFileLimit raises the soft limit on open files (RLIMIT_NOFILE) to
// the hard limit and returns both soft limits. Every running check holds a
// socket or a pipe, and the common soft limit of 1024 is reached long
// before the hard one, so a director with thousands of real servers would
// otherwise fail its own checks with EMFILE. It never lowers the limit.
func RaiseFileLimit() (old, raised uint64, err error) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return 0, 0, fmt.Errorf("reading the open file limit: %w", err)
	}
	old = lim.Cur
	if lim.Cur >= lim.Max {
		return old, old, nil
	}
	lim.Cur = lim.Max
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return old, old, fmt.Errorf("raising the open file limit from %d to %d: %w", old, lim.Max, err)
	}
	return old, lim.Max, nil
}
