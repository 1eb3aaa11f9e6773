package daemon

import (
	"context"
	"net"
	"slices"
	"sort"
	"strconv"
	"sync"

	"github.com/lvsadm/lvsadm/daemon/vip"
	"github.com/lvsadm/lvsadm/ops"
	"github.com/lvsadm/lvsadm/ops/ipvsadm"
	"github.com/lvsadm/lvsadm/ops/opstest"
)

// memKernel is the shared in-memory IPVS (ops/opstest), with the views
// of it the daemon's tests compare.
type memKernel struct{ *opstest.Kernel }

func newMemKernel() *memKernel { return &memKernel{opstest.New()} }

func id(k ops.ServiceKey) string { return ipvsadm.ServiceArgs(k) }

// rules prints the table as sorted "SVC RIP:PORT weight" lines.
func (m *memKernel) rules() []string {
	var out []string
	for _, s := range m.Table() {
		k := id(s.ServiceKey)
		out = append(out, k+" "+s.Scheduler)
		for _, d := range s.Destinations {
			out = append(out, k+" -r "+net.JoinHostPort(d.Address.String(), itoa(int(d.Port)))+" w"+itoa(int(d.Weight)))
		}
	}
	sort.Strings(out)
	return out
}

// daemonStates lists the states of the running sync daemons, in order.
func (m *memKernel) daemonStates() []uint32 {
	ds, _ := m.Daemons(context.Background())
	var out []uint32
	for _, d := range ds {
		out = append(out, d.State)
	}
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
	ctx := context.Background()
	for _, s := range m.Table() {
		for _, d := range s.Destinations {
			d.Weight = w
			// One the daemon removed since the read is simply gone.
			_ = m.EditDestination(ctx, s.ServiceKey, d)
		}
	}
}
