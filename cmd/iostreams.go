package cmd

import (
	"io"
	"os"
)

// IOStreams are the standard streams a command uses; tests swap in buffers
// (the GitHub CLI's pattern).
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer
}

// SystemIO returns the process's own streams.
func SystemIO() IOStreams {
	return IOStreams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr}
}
