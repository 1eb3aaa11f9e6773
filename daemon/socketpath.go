package daemon

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/lvsadm/lvsadm/internal/regfile"
)

// removeStaleSocket removes what a dead daemon left at the control
// socket's path, and only that: a socket. Anything else there (a regular
// file named by a mistaken --socket, a directory, a symlink, which is not
// followed) is refused and left alone (issue 11 item 9: --socket pointing
// at a regular file deleted it). A missing path is fine. The caller has
// checked that no daemon answers on it.
func removeStaleSocket(path string) error {
	fi, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("control socket %s: %w", path, err)
	}
	if fi.Mode().Type() != fs.ModeSocket {
		return fmt.Errorf("control socket %s: exists and is not a socket (%s); refusing to replace it", path, regfile.Describe(fi.Mode()))
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("control socket %s: removing the stale socket: %w", path, err)
	}
	return nil
}
