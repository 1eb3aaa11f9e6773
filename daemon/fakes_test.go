package daemon

import (
	"context"
	"net"
	"slices"
	"sort"
	"strconv"
	"sync"
	"syscall"

	"github.com/lvsadm/lvsadm/daemon/vip"
	"github.com/lvsadm/lvsadm/ops"
	"github.com/lvsadm/lvsadm/ops/ipvsadm"
)

// memKernel is an in-memory IPVS table (the operations the daemon uses;
// the embedded interface panics on anything else).
type memKernel struct {
	ops.Kernel
	mu      sync.Mutex
	svcs    map[string]ops.Service
	dests   map[string][]ops.Destination
	daemons map[uint32]ops.Daemon
	to      ops.Timeouts
}

func newMemKernel() *memKernel {
	return &memKernel{svcs: map[string]ops.Service{}, dests: map[string][]ops.Destination{}, daemons: map[uint32]ops.Daemon{}}
}

func id(k ops.ServiceKey) string { return ipvsadm.ServiceArgs(k) }

func (m *memKernel) Services(context.Context) ([]ops.Service, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []ops.Service
	for _, s := range m.svcs {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return id(out[i].ServiceKey) < id(out[j].ServiceKey) })
	return out, nil
}

func (m *memKernel) Destinations(_ context.Context, k ops.ServiceKey) ([]ops.Destination, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.svcs[id(k)]; !ok {
		return nil, &ops.KernelError{Op: ops.OpGetDests, Errno: syscall.ESRCH}
	}
	return append([]ops.Destination(nil), m.dests[id(k)]...), nil
}

func (m *memKernel) AddService(_ context.Context, s ops.Service) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.svcs[id(s.ServiceKey)]; ok {
		return &ops.KernelError{Op: ops.OpAddService, Errno: syscall.EEXIST}
	}
	m.svcs[id(s.ServiceKey)] = s
	return nil
}

func (m *memKernel) EditService(_ context.Context, s ops.Service) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.svcs[id(s.ServiceKey)] = s
	return nil
}

func (m *memKernel) DelService(_ context.Context, k ops.ServiceKey) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.svcs[id(k)]; !ok {
		return &ops.KernelError{Op: ops.OpDelService, Errno: syscall.ESRCH}
	}
	delete(m.svcs, id(k))
	delete(m.dests, id(k))
	return nil
}

func sameDest(a, b ops.Destination) bool { return a.Address.Equal(b.Address) && a.Port == b.Port }

func (m *memKernel) AddDestination(_ context.Context, k ops.ServiceKey, d ops.Destination) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.svcs[id(k)]; !ok {
		return &ops.KernelError{Op: ops.OpAddDest, Errno: syscall.ESRCH} // as the kernel: no such service
	}
	for _, x := range m.dests[id(k)] {
		if sameDest(x, d) {
			return &ops.KernelError{Op: ops.OpAddDest, Errno: syscall.EEXIST}
		}
	}
	m.dests[id(k)] = append(m.dests[id(k)], d)
	return nil
}

func (m *memKernel) EditDestination(_ context.Context, k ops.ServiceKey, d ops.Destination) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.svcs[id(k)]; !ok {
		return &ops.KernelError{Op: ops.OpEditDest, Errno: syscall.ESRCH} // as the kernel: no such service
	}
	for i, x := range m.dests[id(k)] {
		if sameDest(x, d) {
			m.dests[id(k)][i] = d
			return nil
		}
	}
	return &ops.KernelError{Op: ops.OpEditDest, Errno: syscall.ENOENT}
}

func (m *memKernel) DelDestination(_ context.Context, k ops.ServiceKey, d ops.Destination) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.svcs[id(k)]; !ok {
		return &ops.KernelError{Op: ops.OpDelDest, Errno: syscall.ESRCH} // as the kernel: no such service
	}
	ds := m.dests[id(k)]
	for i, x := range ds {
		if sameDest(x, d) {
			m.dests[id(k)] = append(ds[:i:i], ds[i+1:]...)
			return nil
		}
	}
	return &ops.KernelError{Op: ops.OpDelDest, Errno: syscall.ENOENT}
}

func (m *memKernel) SetTimeouts(_ context.Context, t ops.Timeouts) error {
	m.mu.Lock()
	m.to = t
	m.mu.Unlock()
	return nil
}

func (m *memKernel) StartDaemon(_ context.Context, d ops.Daemon) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.daemons[d.State]; ok {
		return &ops.KernelError{Op: ops.OpStartDaemon, Errno: syscall.EEXIST}
	}
	m.daemons[d.State] = d
	return nil
}

func (m *memKernel) StopDaemon(_ context.Context, st uint32) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.daemons[st]; !ok {
		return &ops.KernelError{Op: ops.OpStopDaemon, Errno: syscall.ESRCH}
	}
	delete(m.daemons, st)
	return nil
}

// rules prints the table as sorted "SVC RIP:PORT weight" lines.
func (m *memKernel) rules() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []string
	for k, s := range m.svcs {
		out = append(out, k+" "+s.Scheduler)
		for _, d := range m.dests[k] {
			out = append(out, k+" -r "+net.JoinHostPort(d.Address.String(), itoa(int(d.Port)))+" w"+itoa(int(d.Weight)))
		}
	}
	sort.Strings(out)
	return out
}

func (m *memKernel) daemonStates() []uint32 {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []uint32
	for st := range m.daemons {
		out = append(out, st)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

func itoa(i int) string {
	return strconv.Itoa(i)
}

// fakeVIPs records takeovers and releases.
type fakeVIPs struct {
	mu      sync.Mutex
	held    []vip.VIP
	history []string
	// stale are addresses on the devices that nobody holds (a killed
	// instance's); RemoveStale takes them off.
	stale []vip.VIP
}

func (f *fakeVIPs) Takeover(_ context.Context, vs []vip.VIP) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.held = append([]vip.VIP(nil), vs...)
	f.history = append(f.history, "takeover")
	return nil
}
func (f *fakeVIPs) Announce(context.Context) {
	f.mu.Lock()
	f.history = append(f.history, "announce")
	f.mu.Unlock()
}
func (f *fakeVIPs) Release() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.held = nil
	f.history = append(f.history, "release")
	return nil
}
func (f *fakeVIPs) Update(_ context.Context, vs []vip.VIP) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.held = append([]vip.VIP(nil), vs...)
	f.history = append(f.history, "update")
	return nil
}
func (f *fakeVIPs) Held() []vip.VIP {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]vip.VIP(nil), f.held...)
}
func (f *fakeVIPs) RemoveStale(vs []vip.VIP) ([]vip.VIP, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.history = append(f.history, "remove-stale")
	var removed, keep []vip.VIP
	for _, s := range f.stale {
		if slices.Contains(vs, s) {
			removed = append(removed, s)
		} else {
			keep = append(keep, s)
		}
	}
	f.stale = keep
	return removed, nil
}
func (f *fakeVIPs) Wait() {}

func (f *fakeVIPs) SetQuiet(bool) {}

// setWeights sets every destination's weight, as "ipvsadm -e ... -w"
// behind the daemon's back would.
func (m *memKernel) setWeights(w int32) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, ds := range m.dests {
		for i := range ds {
			ds[i].Weight = w
		}
	}
}

// Connections: the in-memory table carries no traffic.
func (m *memKernel) Connections(context.Context, func(*ops.Connection) error) error { return nil }
