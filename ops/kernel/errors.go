package kernel

import (
	"errors"

	"github.com/lvsadm/lvsadm/ops"
)

// ErrClosed is returned by every method after Close.
var ErrClosed = errors.New("kernel handle is closed")

// kernelError turns err into the *ops.KernelError of op. An errno the kernel
// answered (NLMSG_ERROR) lands in Errno, as ipvsadm's ipvs_strerror needs;
// anything else (encoding, timeouts, socket errors) stays in Err with
// Errno 0.
func kernelError(op ops.Op, err error) error {
	if err == nil {
		return nil
	}
	var ke *ops.KernelError
	if errors.As(err, &ke) {
		if ke.Op == op {
			return ke
		}
		return &ops.KernelError{Op: op, Errno: ke.Errno, Err: ke.Err}
	}
	var ne *nlError
	if errors.As(err, &ne) {
		ke := &ops.KernelError{Op: op, Errno: ne.errno}
		if ne.msg != "" {
			ke.Err = ne // "errno: message", unwrapping to the errno
		}
		return ke
	}
	return &ops.KernelError{Op: op, Err: err}
}
