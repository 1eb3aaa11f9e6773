// Package regfile opens files that are read whole (configurations) and
// refuses anything that is not a regular file. Opening a FIFO for reading
// blocks until a writer comes, inside open(2), where neither a context
// nor Go's signal handling can end it: `lvsadm cf lint FIFO` hung and
// ignored SIGINT and SIGTERM (issue 11 item 9). The open is non-blocking
// and the type is checked on the open descriptor (no race with a rename).
package regfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"syscall"
)

// ErrNotRegular is wrapped by Open's error for a FIFO, device, socket or
// directory.
var ErrNotRegular = errors.New("not a regular file")

// Open opens path for reading; it fails, wrapping ErrNotRegular, unless
// path (after symlinks) is a regular file.
func Open(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK|syscall.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, &fs.PathError{Op: "open", Path: path, Err: fmt.Errorf("%w (%s); use - to read standard input", ErrNotRegular, Describe(fi.Mode()))}
	}
	return f, nil
}

// Describe names a file type for messages: "a regular file", "a FIFO",
// "a directory", "a symbolic link" (from Lstat), ...
func Describe(m fs.FileMode) string {
	switch {
	case m.IsRegular():
		return "a regular file"
	case m&fs.ModeSymlink != 0:
		return "a symbolic link"
	case m&fs.ModeNamedPipe != 0:
		return "a FIFO"
	case m&fs.ModeDir != 0:
		return "a directory"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a block device"
	}
	return m.Type().String()
}
