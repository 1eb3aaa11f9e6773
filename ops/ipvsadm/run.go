// Package ipvsadm is lvsadm's reimplementation of ipvsadm 1.31: the same
// command line (parsed as popt parses it), the same checks and messages,
// the same output byte for byte and the same exit codes, over the
// ops.Kernel interface.
package ipvsadm

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/lvsadm/lvsadm/ops"
)

// minimumIPVSVersion is the oldest IPVS ipvsadm accepts without a warning.
const minimumIPVSVersion = 1<<16 | 1<<8 | 4

// session is one Run: its streams, its kernel (opened on first use) and
// the buffers the listings reuse.
type session struct {
	ctx    context.Context
	open   func() (ops.Kernel, error)
	k      ops.Kernel
	info   ops.Info
	kerr   *exitError // why the kernel could not be opened
	prog   string
	stdin  io.Reader
	out    *bufio.Writer
	errw   io.Writer
	getenv func(string) string
	ps     *parser
	names  *resolver

	line, name, dname []byte
}

// Run executes one ipvsadm command line (argv[0] is the program name, used
// in messages) and returns the process exit code. The kernel is opened
// with open only when the command needs it, so -h, -v and command lines
// that do not parse never touch netlink. stdin is read by -R.
func Run(ctx context.Context, open func() (ops.Kernel, error), argv []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return run(ctx, open, argv, stdin, stdout, stderr, osGetenv)
}

func run(ctx context.Context, open func() (ops.Kernel, error), argv []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	if len(argv) == 0 {
		argv = []string{"ipvsadm"}
	}
	if stdin == nil {
		stdin = strings.NewReader("")
	}
	if stdout == nil {
		stdout = io.Discard
	}
	if stderr == nil {
		stderr = io.Discard
	}
	s := newSession(ctx, open, argv[0], stdin, stdout, stderr, getenv)
	code := s.main(argv)
	s.out.Flush()
	if s.k != nil {
		s.k.Close()
	}
	return code
}

func newSession(ctx context.Context, open func() (ops.Kernel, error), prog string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) *session {
	names := newResolver(ctx)
	return &session{
		ctx:    ctx,
		open:   open,
		prog:   prog,
		stdin:  stdin,
		out:    bufio.NewWriterSize(stdout, 32*1024),
		errw:   stderr,
		getenv: getenv,
		names:  names,
		ps: &parser{
			prog:  prog,
			posix: getenv("POSIXLY_CORRECT") != "" || getenv("POSIX_ME_HARDER") != "",
			names: names,
		},
	}
}

// SaveMain is the ipvsadm-save script (Debian's ipvsadm 1.31 package):
// "-n" selects numeric output, any other option prints the script's help
// to stderr and exits 1, other words are ignored; then "ipvsadm -S [-n]".
// argv[0] is the name it was invoked as.
func SaveMain(ctx context.Context, open func() (ops.Kernel, error), argv []string, stdin io.Reader, stdout, stderr io.Writer) int {
	args := []string{scriptProgram(argv), "-S"}
	numeric := false
	for _, a := range argv[min(1, len(argv)):] {
		switch {
		case a == "-n":
			numeric = true
		case strings.HasPrefix(a, "-"):
			name := "ipvsadm-save"
			if len(argv) > 0 {
				name = filepath.Base(argv[0])
			}
			fmt.Fprintf(stderr, "%s: Script to save the IPVS table to stdout.\n   With the -n option, prints out the table in numeric format.\n", name)
			return 1
		}
	}
	if numeric {
		args = append(args, "-n")
	}
	return Run(ctx, open, args, stdin, stdout, stderr)
}

// RestoreMain is the ipvsadm-restore script: it drops the lines of stdin
// that start with "#", clears the table ("ipvsadm -C"), then feeds the
// rest to "ipvsadm -R" and exits with its status. Arguments are ignored.
func RestoreMain(ctx context.Context, open func() (ops.Kernel, error), argv []string, stdin io.Reader, stdout, stderr io.Writer) int {
	prog := scriptProgram(argv)
	data, err := io.ReadAll(stdin)
	if err != nil {
		fmt.Fprintf(stderr, "%s: reading standard input: %v\n", prog, err)
		return 1
	}
	var kept strings.Builder
	for _, l := range strings.SplitAfter(string(data), "\n") {
		if !strings.HasPrefix(l, "#") {
			kept.WriteString(l)
		}
	}
	// The script holds the input in a shell variable ("$(grep ...)" drops
	// trailing newlines) and echoes it, which adds exactly one.
	input := strings.TrimRight(kept.String(), "\n") + "\n"
	Run(ctx, open, []string{prog, "-C"}, nil, stdout, stderr)
	return Run(ctx, open, []string{prog, "-R"}, strings.NewReader(input), stdout, stderr)
}

// scriptProgram is the program the -save and -restore scripts run:
// "ipvsadm" for ipvsadm-save, "lvsadm" for lvsadm-save.
func scriptProgram(argv []string) string {
	if len(argv) == 0 {
		return "ipvsadm"
	}
	base := filepath.Base(argv[0])
	for _, suffix := range []string{"-save", "-restore"} {
		if p, ok := strings.CutSuffix(base, suffix); ok && p != "" {
			return p
		}
	}
	return "ipvsadm"
}

func (s *session) errorf(format string, args ...any) {
	fmt.Fprintf(s.errw, format, args...)
}

// main is ipvsadm's main: no arguments lists the table.
func (s *session) main(argv []string) int {
	if len(argv) == 1 {
		if err := s.listAll(0); err != nil {
			return s.exit(err)
		}
		return 0
	}
	result, err := s.processOptions(argv, false)
	if err != nil {
		return s.exit(err)
	}
	return result & 0xff
}

// exit prints err's message and returns its code.
func (s *session) exit(err *exitError) int {
	if err.msg != "" {
		io.WriteString(s.errw, err.msg)
	}
	return err.code & 0xff
}

// processOptions parses and runs one command line. It returns 0 or -1 (the
// line failed, which is reported) or an error that ends the program.
func (s *session) processOptions(argv []string, readingStdin bool) (int, *exitError) {
	c, err := s.ps.parse(argv)
	if err != nil {
		if err.soft {
			io.WriteString(s.errw, err.msg)
			return -1, nil
		}
		return 0, err
	}
	switch c.cmd {
	case cmdHelp:
		s.out.WriteString(usageText(s.prog, s.getenv))
		return 0, exitCode(0)
	case cmdVersion:
		s.out.WriteString(versionLine(s.getenv))
		s.out.WriteByte('\n')
		return 0, exitCode(0)
	}
	return s.execute(c, readingStdin)
}

// kernel opens the kernel on first use, as ipvs_init does at ipvsadm's
// start: a failure is ipvsadm's "Can't initialize ipvs" (exit 2).
func (s *session) kernel() (ops.Kernel, *exitError) {
	if s.k != nil {
		return s.k, nil
	}
	if s.kerr != nil {
		return nil, s.kerr
	}
	if s.open == nil {
		s.kerr = failf(2, "Can't initialize ipvs: %s\nAre you sure that IP Virtual Server is built in the kernel or as module?", ipvsStrerror("", 92))
		return nil, s.kerr
	}
	k, err := s.open()
	op := ops.OpOpen
	if err == nil && k == nil {
		err = ops.ErrNoIPVS
	}
	var info ops.Info
	if err == nil {
		op = ops.OpInfo
		info, err = k.Info(s.ctx)
		if err != nil {
			k.Close()
		}
	}
	if err != nil {
		s.kerr = failf(2, "Can't initialize ipvs: %s\nAre you sure that IP Virtual Server is built in the kernel or as module?", errorMessage(err, op))
		return nil, s.kerr
	}
	s.k, s.info = k, info
	if info.Version < minimumIPVSVersion {
		s.errorf("Warning: IPVS version mismatch: \n"+
			"  Kernel compiled with IPVS version %d.%d.%d\n"+
			"  ipvsadm v1.31  requires minimum IPVS version 1.1.4\n\n",
			info.Version>>16&0xff, info.Version>>8&0xff, info.Version&0xff)
	}
	return k, nil
}
