package ops

import (
	"context"
	"errors"
	"fmt"
	"syscall"
)

// Kernel is the narrow interface to the kernel's IPVS table. Every part of
// lvsadm that reads or changes IPVS goes through it, so that everything above
// it can be tested; the real implementation is ops/kernel (generic netlink
// plus /proc/net/ip_vs_conn), and it is proven only against a real kernel in
// the VM lab.
type Kernel interface {
	Info(ctx context.Context) (Info, error)

	Services(ctx context.Context) ([]Service, error)
	// Service fetches one service by key (IPVS_CMD_GET_SERVICE).
	Service(ctx context.Context, key ServiceKey) (Service, error)
	AddService(ctx context.Context, s Service) error
	EditService(ctx context.Context, s Service) error
	DelService(ctx context.Context, key ServiceKey) error
	Flush(ctx context.Context) error

	Destinations(ctx context.Context, key ServiceKey) ([]Destination, error)
	AddDestination(ctx context.Context, key ServiceKey, d Destination) error
	EditDestination(ctx context.Context, key ServiceKey, d Destination) error
	DelDestination(ctx context.Context, key ServiceKey, d Destination) error

	// Zero zeroes the counters of one service, or of all when key is nil.
	Zero(ctx context.Context, key *ServiceKey) error

	Timeouts(ctx context.Context) (Timeouts, error)
	SetTimeouts(ctx context.Context, t Timeouts) error

	Daemons(ctx context.Context) ([]Daemon, error)
	StartDaemon(ctx context.Context, d Daemon) error
	StopDaemon(ctx context.Context, state uint32) error

	// Connections calls fn for each entry of the kernel's connection
	// table, as /proc/net/ip_vs_conn shows it (netlink has no connection
	// dump), stopping at fn's first error. Entries stream: a table of a
	// million connections costs no more memory than one of ten. fn must
	// not keep c after it returns.
	Connections(ctx context.Context, fn func(c *Connection) error) error

	Close() error
}

// Op names the kernel operation an error came from; ipvsadm's messages
// depend on it (its ipvs_strerror table is keyed by function and errno).
type Op string

const (
	OpInfo        Op = "info"
	OpGetServices Op = "get-services"
	OpGetService  Op = "get-service"
	OpAddService  Op = "add-service"
	OpEditService Op = "edit-service"
	OpDelService  Op = "del-service"
	OpFlush       Op = "flush"
	OpGetDests    Op = "get-dests"
	OpAddDest     Op = "add-dest"
	OpEditDest    Op = "edit-dest"
	OpDelDest     Op = "del-dest"
	OpZero        Op = "zero"
	OpGetTimeout  Op = "get-timeout"
	OpSetTimeout  Op = "set-timeout"
	OpGetDaemon   Op = "get-daemon"
	OpStartDaemon Op = "start-daemon"
	OpStopDaemon  Op = "stop-daemon"
	OpConnections Op = "connections"
	OpOpen        Op = "open"
)

// KernelError is an error the kernel (or the path to it) returned for Op.
type KernelError struct {
	Op    Op
	Errno syscall.Errno // 0 when the failure was not an errno from the kernel
	Err   error
}

func (e *KernelError) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("ipvs %s: %v", e.Op, e.Err)
	}
	return fmt.Sprintf("ipvs %s: %v", e.Op, e.Errno)
}

func (e *KernelError) Unwrap() error {
	if e.Err != nil {
		return e.Err
	}
	return e.Errno
}

// ErrNoIPVS means the kernel has no IPVS (module not loaded or not built).
var ErrNoIPVS = errors.New("IPVS is not available in this kernel")
