package ipvsadm

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"
	"testing"

	"github.com/lvsadm/lvsadm/ops"
)

// fakeKernel is a small in-memory IPVS table, enough to run commands.
type fakeKernel struct {
	info     ops.Info
	svcs     []ops.Service
	dests    map[string][]ops.Destination
	timeouts ops.Timeouts
	daemons  []ops.Daemon
	conns    []ops.Connection
	calls    []string
	fail     map[ops.Op]syscall.Errno
}

func newFakeKernel() *fakeKernel {
	return &fakeKernel{
		info:     ops.Info{Version: 1<<16 | 2<<8 | 1, ConnTabSize: 4096},
		dests:    map[string][]ops.Destination{},
		timeouts: ops.Timeouts{TCP: 900, TCPFin: 120, UDP: 300},
	}
}

func keyString(k ops.ServiceKey) string {
	if k.FWMark != 0 {
		return fmt.Sprintf("fwm %d/%d", k.FWMark, k.Family)
	}
	return fmt.Sprintf("%d/%d/%s/%d", k.Family, k.Protocol, k.Address, k.Port)
}

func (f *fakeKernel) err(op ops.Op) error {
	if e, ok := f.fail[op]; ok {
		return &ops.KernelError{Op: op, Errno: e}
	}
	return nil
}

func (f *fakeKernel) find(k ops.ServiceKey) int {
	for i := range f.svcs {
		if keyString(f.svcs[i].ServiceKey) == keyString(k) {
			return i
		}
	}
	return -1
}

func (f *fakeKernel) Info(context.Context) (ops.Info, error) { return f.info, f.err(ops.OpInfo) }

func (f *fakeKernel) Services(context.Context) ([]ops.Service, error) {
	if err := f.err(ops.OpGetServices); err != nil {
		return nil, err
	}
	out := make([]ops.Service, len(f.svcs))
	for i, s := range f.svcs {
		out[i] = s
		if s.FWMark != 0 {
			out[i].Protocol, out[i].Address, out[i].Port = 0, nil, 0
		}
	}
	return out, nil
}

func (f *fakeKernel) Service(_ context.Context, k ops.ServiceKey) (ops.Service, error) {
	i := f.find(k)
	if i < 0 {
		return ops.Service{}, &ops.KernelError{Op: ops.OpGetService, Errno: syscall.ESRCH}
	}
	return f.svcs[i], nil
}

func (f *fakeKernel) AddService(_ context.Context, s ops.Service) error {
	f.calls = append(f.calls, "add-service")
	if f.find(s.ServiceKey) >= 0 {
		return &ops.KernelError{Op: ops.OpAddService, Errno: syscall.EEXIST}
	}
	f.svcs = append(f.svcs, s)
	return nil
}

func (f *fakeKernel) EditService(_ context.Context, s ops.Service) error {
	i := f.find(s.ServiceKey)
	if i < 0 {
		return &ops.KernelError{Op: ops.OpEditService, Errno: syscall.ESRCH}
	}
	f.svcs[i] = s
	return nil
}

func (f *fakeKernel) DelService(_ context.Context, k ops.ServiceKey) error {
	i := f.find(k)
	if i < 0 {
		return &ops.KernelError{Op: ops.OpDelService, Errno: syscall.ESRCH}
	}
	f.svcs = append(f.svcs[:i], f.svcs[i+1:]...)
	delete(f.dests, keyString(k))
	return nil
}

func (f *fakeKernel) Flush(context.Context) error {
	f.svcs, f.dests = nil, map[string][]ops.Destination{}
	return nil
}

func (f *fakeKernel) Destinations(_ context.Context, k ops.ServiceKey) ([]ops.Destination, error) {
	if err := f.err(ops.OpGetDests); err != nil {
		return nil, err
	}
	return f.dests[keyString(k)], nil
}

func (f *fakeKernel) AddDestination(_ context.Context, k ops.ServiceKey, d ops.Destination) error {
	if f.find(k) < 0 {
		return &ops.KernelError{Op: ops.OpAddDest, Errno: syscall.ESRCH}
	}
	ks := keyString(k)
	for _, e := range f.dests[ks] {
		if e.Address.Equal(d.Address) && e.Port == d.Port {
			return &ops.KernelError{Op: ops.OpAddDest, Errno: syscall.EEXIST}
		}
	}
	f.dests[ks] = append(f.dests[ks], d)
	return nil
}

func (f *fakeKernel) EditDestination(_ context.Context, k ops.ServiceKey, d ops.Destination) error {
	if f.find(k) < 0 {
		return &ops.KernelError{Op: ops.OpEditDest, Errno: syscall.ESRCH}
	}
	ds := f.dests[keyString(k)]
	for i := range ds {
		if ds[i].Address.Equal(d.Address) && ds[i].Port == d.Port {
			ds[i] = d
			return nil
		}
	}
	return &ops.KernelError{Op: ops.OpEditDest, Errno: syscall.ENOENT}
}

func (f *fakeKernel) DelDestination(_ context.Context, k ops.ServiceKey, d ops.Destination) error {
	if f.find(k) < 0 {
		return &ops.KernelError{Op: ops.OpDelDest, Errno: syscall.ESRCH}
	}
	ks := keyString(k)
	ds := f.dests[ks]
	for i := range ds {
		if ds[i].Address.Equal(d.Address) && ds[i].Port == d.Port {
			f.dests[ks] = append(ds[:i], ds[i+1:]...)
			return nil
		}
	}
	return &ops.KernelError{Op: ops.OpDelDest, Errno: syscall.ENOENT}
}

func (f *fakeKernel) Zero(_ context.Context, k *ops.ServiceKey) error {
	if k != nil && f.find(*k) < 0 {
		return &ops.KernelError{Op: ops.OpZero, Errno: syscall.ESRCH}
	}
	f.calls = append(f.calls, "zero")
	return nil
}

func (f *fakeKernel) Timeouts(context.Context) (ops.Timeouts, error) { return f.timeouts, nil }

func (f *fakeKernel) SetTimeouts(_ context.Context, t ops.Timeouts) error {
	f.timeouts = t
	return nil
}

func (f *fakeKernel) Daemons(context.Context) ([]ops.Daemon, error) { return f.daemons, nil }

func (f *fakeKernel) StartDaemon(_ context.Context, d ops.Daemon) error {
	for _, e := range f.daemons {
		if e.State == d.State {
			return &ops.KernelError{Op: ops.OpStartDaemon, Errno: syscall.EEXIST}
		}
	}
	if d.SyncMaxLen == 0 {
		d.SyncMaxLen = 1472
	}
	if d.McastGroup == nil {
		d.McastGroup = net.IPv4(224, 0, 0, 81).To4()
	}
	if d.McastPort == 0 {
		d.McastPort = 8848
	}
	if d.McastTTL == 0 {
		d.McastTTL = 1
	}
	f.daemons = append(f.daemons, d)
	return nil
}

func (f *fakeKernel) StopDaemon(_ context.Context, state uint32) error {
	for i, e := range f.daemons {
		if e.State == state {
			f.daemons = append(f.daemons[:i], f.daemons[i+1:]...)
			return nil
		}
	}
	return &ops.KernelError{Op: ops.OpStopDaemon, Errno: syscall.ESRCH}
}

func (f *fakeKernel) Connections(_ context.Context, fn func(*ops.Connection) error) error {
	for i := range f.conns {
		if err := fn(&f.conns[i]); err != nil {
			return err
		}
	}
	return nil
}

func (f *fakeKernel) Close() error { return nil }

// result is what one run printed and returned.
type result struct {
	code           int
	stdout, stderr string
	opened         bool
}

// runLine runs a command line (split on spaces) against k with numeric
// names resolution disabled and the compatibility banner on.
func runLine(t *testing.T, k *fakeKernel, line string, stdin string) result {
	t.Helper()
	return runArgv(t, k, append([]string{"ipvsadm"}, strings.Fields(line)...), stdin)
}

func runArgv(t *testing.T, k *fakeKernel, argv []string, stdin string) result {
	t.Helper()
	var out, errb bytes.Buffer
	var r result
	open := func() (ops.Kernel, error) {
		r.opened = true
		if k == nil {
			return nil, &ops.KernelError{Op: ops.OpOpen, Errno: syscall.EPERM}
		}
		return k, nil
	}
	env := func(name string) string {
		if name == BannerEnv {
			return "1"
		}
		return ""
	}
	r.code = run(context.Background(), open, argv, strings.NewReader(stdin), &out, &errb, env)
	r.stdout, r.stderr = out.String(), errb.String()
	return r
}

func fmtS(format string, args ...any) string { return fmt.Sprintf(format, args...) }

func newTestWriter(w io.Writer) *bufio.Writer { return bufio.NewWriter(w) }
