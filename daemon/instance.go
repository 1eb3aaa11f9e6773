package daemon

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/lvsadm/lvsadm/internal/regfile"
)

// DefaultLockDir is where `lvsadm daemon` keeps its single-instance lock
// (systemd's RuntimeDirectory, /run/lvsadm).
const DefaultLockDir = "/run/lvsadm"

// ErrAlreadyRunning is the error of a daemon started where one runs.
var ErrAlreadyRunning = errors.New("another lvsadm daemon is running in this network namespace")

// instanceLock is the held single-instance lock: an flock on a file named
// after the network namespace. Two directors in one network namespace
// would share its IPVS table, its addresses and port 539, so that is
// never meant; two in different namespaces (the lab, containers) are
// independent. The lock does not depend on --socket or --config: a second
// daemon started by mistake with another socket removed the running
// director's VIP as "stale" before failing on port 539 (issue 11 item 3).
// The kernel drops the lock when its holder dies, so kill -9 never leaves
// a director unable to start.
type instanceLock struct {
	f *os.File
}

// lockName is the lock file's name for this process's network namespace.
func lockName() string {
	var st syscall.Stat_t
	if err := syscall.Stat("/proc/self/ns/net", &st); err == nil {
		return "lvsadm-netns-" + strconv.FormatUint(st.Ino, 10) + ".lock"
	}
	return "lvsadm.lock" // no /proc: one per host
}

// lockInstance takes the single-instance lock in dir (created 0700 when
// missing) and writes who holds it (pid, config, socket) into it. The
// file is opened without following symlinks and must be a regular file,
// so a planted link or FIFO cannot redirect or block it. When another
// process holds it, the error wraps ErrAlreadyRunning and names the
// holder as the file says.
func lockInstance(dir, config, socket string) (*instanceLock, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("single-instance lock: %w", err)
	}
	name := filepath.Join(dir, lockName())
	f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|syscall.O_NOFOLLOW|syscall.O_CLOEXEC|syscall.O_NONBLOCK, 0o600)
	if err != nil {
		return nil, fmt.Errorf("single-instance lock %s: %w", name, err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("single-instance lock %s: %w", name, err)
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, fmt.Errorf("single-instance lock %s: not a regular file (%s)", name, regfile.Describe(fi.Mode()))
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		holder := readHolder(f)
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("%w (%s; lock %s): stop it first, or start this one in another network namespace", ErrAlreadyRunning, holder, name)
		}
		return nil, fmt.Errorf("single-instance lock %s: %w", name, err)
	}
	// Ours: say who holds it, for the next one's message.
	line := fmt.Sprintf("pid %d, config %s", os.Getpid(), config)
	if socket != "" {
		line += ", socket " + socket
	}
	if err := f.Truncate(0); err == nil {
		_, _ = f.WriteAt([]byte(line+"\n"), 0)
	}
	return &instanceLock{f: f}, nil
}

// readHolder is what the holder wrote into the lock (bounded), or a
// placeholder.
func readHolder(f *os.File) string {
	b, _ := io.ReadAll(io.LimitReader(f, 512))
	s := strings.TrimSpace(strings.ToValidUTF8(string(b), "?"))
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if s == "" {
		return "pid unknown"
	}
	return s
}

// release drops the lock. The file stays: removing it would let two
// daemons lock two different files.
func (l *instanceLock) release() {
	if l != nil && l.f != nil {
		l.f.Close()
		l.f = nil
	}
}
