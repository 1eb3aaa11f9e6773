package ipvsadm

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"syscall"

	"github.com/lvsadm/lvsadm/ops"
)

// exitError ends a command line the way ipvsadm's fail() and exit() do: msg
// (when not empty) goes to stderr, and the process exits with code.
//
// A soft exitError is a failure of one command line that ipvsadm reports
// by returning -1 from process_options rather than by exiting: it ends a
// plain run with 255 but lets a restore (-R) go on with the next line.
type exitError struct {
	code int
	msg  string
	soft bool
}

func (e *exitError) Error() string { return e.msg }

// failf is ipvsadm's fail(code, fmt, ...): the message and a newline.
func failf(code int, format string, args ...any) *exitError {
	return &exitError{code: code, msg: fmt.Sprintf(format, args...) + "\n"}
}

// exitCode ends without a message.
func exitCode(code int) *exitError { return &exitError{code: code} }

// strerrorTable is libipvs's ipvs_strerror table: messages by the failing
// operation and errno; entries without an operation apply to any.
var strerrorTable = []struct {
	op    ops.Op
	errno syscall.Errno
	msg   string
}{
	{ops.OpAddService, syscall.EEXIST, "Service already exists"},
	{ops.OpAddService, syscall.ENOENT, "Scheduler or persistence engine not found"},
	{ops.OpEditService, syscall.ESRCH, "No such service"},
	{ops.OpEditService, syscall.ENOENT, "Scheduler or persistence engine not found"},
	{ops.OpDelService, syscall.ESRCH, "No such service"},
	{ops.OpZero, syscall.ESRCH, "No such service"},
	{ops.OpAddDest, syscall.ESRCH, "Service not defined"},
	{ops.OpAddDest, syscall.EEXIST, "Destination already exists"},
	{ops.OpEditDest, syscall.ESRCH, "Service not defined"},
	{ops.OpEditDest, syscall.ENOENT, "No such destination"},
	{ops.OpDelDest, syscall.ESRCH, "Service not defined"},
	{ops.OpDelDest, syscall.ENOENT, "No such destination"},
	{ops.OpStartDaemon, syscall.EEXIST, "Daemon has already run"},
	{ops.OpStopDaemon, syscall.ESRCH, "No daemon is running"},
	{ops.OpGetServices, syscall.ESRCH, "No such service"},
	{ops.OpGetDests, syscall.ESRCH, "No such service"},
	{ops.OpGetService, syscall.ESRCH, "No such service"},
	{"", syscall.EPERM, "Permission denied (you must be root)"},
	{"", syscall.EINVAL, "Invalid operation.  Possibly wrong module version, address not unicast, ..."},
	{"", syscall.ENOPROTOOPT, "Protocol not available"},
	{"", syscall.ENOMEM, "Memory allocation problem"},
	{"", syscall.EOPNOTSUPP, "Operation not supported with IPv6"},
	{"", syscall.EAFNOSUPPORT, "Operation not supported with specified address family"},
	{"", syscall.EMSGSIZE, "Module is wrong version"},
}

// ipvsStrerror is libipvs's ipvs_strerror for errno from op.
func ipvsStrerror(op ops.Op, errno syscall.Errno) string {
	for _, e := range strerrorTable {
		if (e.op == "" || e.op == op) && e.errno == errno {
			return e.msg
		}
	}
	return cStrerror(errno)
}

// errorMessage is what ipvsadm prints for err, which op of the kernel
// interface returned (the error's own Op, when it is a KernelError that
// has one, takes precedence). Errors that carry no errno (the kernel
// implementation failed before or around the kernel) print their own text:
// libipvs would have said "Invalid operation..." (EINVAL), which helps no
// one.
func errorMessage(err error, op ops.Op) string {
	var ke *ops.KernelError
	if errors.As(err, &ke) {
		if ke.Op != "" {
			op = ke.Op
		}
		if ke.Errno != 0 {
			return ipvsStrerror(op, ke.Errno)
		}
		if ke.Err != nil {
			var en syscall.Errno
			if errors.As(ke.Err, &en) && en != 0 {
				return ipvsStrerror(op, en)
			}
			if errors.Is(ke.Err, ops.ErrNoIPVS) {
				return ipvsStrerror(op, syscall.ENOPROTOOPT)
			}
			return ke.Err.Error()
		}
		return ipvsStrerror(op, syscall.EINVAL)
	}
	if errors.Is(err, ops.ErrNoIPVS) {
		return ipvsStrerror(op, syscall.ENOPROTOOPT)
	}
	var en syscall.Errno
	if errors.As(err, &en) && en != 0 {
		return ipvsStrerror(op, en)
	}
	if err == nil {
		return ""
	}
	return err.Error()
}

// cStrerror is glibc's strerror: Go's texts for Linux errnos are glibc's
// with the first letter lowered.
func cStrerror(errno syscall.Errno) string {
	switch errno {
	case 0:
		return "Success"
	case 133: // EHWPOISON
		return "Memory page has hardware error"
	}
	s := errno.Error()
	if strings.HasPrefix(s, "errno ") {
		return "Unknown error " + strconv.Itoa(int(errno))
	}
	if s != "" && s[0] >= 'a' && s[0] <= 'z' {
		s = string(s[0]-'a'+'A') + s[1:]
	}
	return s
}
