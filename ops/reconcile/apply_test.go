package reconcile

import (
	"context"
	"errors"
	"strings"
	"syscall"
	"testing"

	"github.com/lvsadm/lvsadm/ops"
	"github.com/lvsadm/lvsadm/ops/ipvsadm"
)

// memKernel is an in-memory IPVS table with the operations Apply and Read
// use; the embedded interface panics on anything else.
type memKernel struct {
	ops.Kernel
	tab   Table
	calls []string
	fail  ops.Op
}

func (m *memKernel) find(k ops.ServiceKey) int {
	for i := range m.tab {
		if m.tab[i].ServiceKey.ID() == k.ID() {
			return i
		}
	}
	return -1
}

func (m *memKernel) call(op ops.Op) error {
	m.calls = append(m.calls, string(op))
	if op == m.fail {
		return &ops.KernelError{Op: op, Errno: syscall.EINVAL}
	}
	return nil
}

func (m *memKernel) Services(context.Context) ([]ops.Service, error) {
	var out []ops.Service
	for _, s := range m.tab {
		out = append(out, s.Service)
	}
	return out, nil
}

func (m *memKernel) Destinations(_ context.Context, k ops.ServiceKey) ([]ops.Destination, error) {
	i := m.find(k)
	if i < 0 {
		return nil, &ops.KernelError{Op: ops.OpGetDests, Errno: syscall.ESRCH}
	}
	return append([]ops.Destination(nil), m.tab[i].Destinations...), nil
}

func (m *memKernel) AddService(_ context.Context, s ops.Service) error {
	if err := m.call(ops.OpAddService); err != nil {
		return err
	}
	if m.find(s.ServiceKey) >= 0 {
		return &ops.KernelError{Op: ops.OpAddService, Errno: syscall.EEXIST}
	}
	m.tab = append(m.tab, Service{Service: s})
	return nil
}

func (m *memKernel) EditService(_ context.Context, s ops.Service) error {
	if err := m.call(ops.OpEditService); err != nil {
		return err
	}
	i := m.find(s.ServiceKey)
	if i < 0 {
		return &ops.KernelError{Op: ops.OpEditService, Errno: syscall.ESRCH}
	}
	m.tab[i].Service = s
	return nil
}

func (m *memKernel) DelService(_ context.Context, k ops.ServiceKey) error {
	if err := m.call(ops.OpDelService); err != nil {
		return err
	}
	i := m.find(k)
	if i < 0 {
		return &ops.KernelError{Op: ops.OpDelService, Errno: syscall.ESRCH}
	}
	m.tab = append(m.tab[:i], m.tab[i+1:]...)
	return nil
}

func (m *memKernel) dest(k ops.ServiceKey, d ops.Destination) (int, int) {
	i := m.find(k)
	if i < 0 {
		return -1, -1
	}
	for j, x := range m.tab[i].Destinations {
		if x.ID() == d.ID() {
			return i, j
		}
	}
	return i, -1
}

func (m *memKernel) AddDestination(_ context.Context, k ops.ServiceKey, d ops.Destination) error {
	if err := m.call(ops.OpAddDest); err != nil {
		return err
	}
	i, j := m.dest(k, d)
	if i < 0 || j >= 0 {
		return &ops.KernelError{Op: ops.OpAddDest, Errno: syscall.EEXIST}
	}
	m.tab[i].Destinations = append(m.tab[i].Destinations, d)
	return nil
}

func (m *memKernel) EditDestination(_ context.Context, k ops.ServiceKey, d ops.Destination) error {
	if err := m.call(ops.OpEditDest); err != nil {
		return err
	}
	i, j := m.dest(k, d)
	if j < 0 {
		return &ops.KernelError{Op: ops.OpEditDest, Errno: syscall.ENOENT}
	}
	m.tab[i].Destinations[j] = d
	return nil
}

func (m *memKernel) DelDestination(_ context.Context, k ops.ServiceKey, d ops.Destination) error {
	if err := m.call(ops.OpDelDest); err != nil {
		return err
	}
	i, j := m.dest(k, d)
	if j < 0 {
		return &ops.KernelError{Op: ops.OpDelDest, Errno: syscall.ENOENT}
	}
	m.tab[i].Destinations = append(m.tab[i].Destinations[:j], m.tab[i].Destinations[j+1:]...)
	return nil
}

func TestApplyConverges(t *testing.T) {
	ctx := context.Background()
	k := &memKernel{tab: rules(t,
		"-A -t 10.0.0.1:80 -s wlc", "-a -t 10.0.0.1:80 -r 10.0.1.1:80 -m -w 1", "-a -t 10.0.0.1:80 -r 10.0.1.2:80 -m -w 1",
		"-A -u 10.0.0.9:53 -s rr")}
	desired := rules(t,
		"-A -t 10.0.0.1:80 -s rr", "-a -t 10.0.0.1:80 -r 10.0.1.1:80 -m -w 3", "-a -t 10.0.0.1:80 -r 10.0.1.3:80 -m -w 1",
		"-A -f 3 -s sh", "-a -f 3 -r 10.0.1.4:0 -g -w 1")
	actual, err := Read(ctx, k)
	if err != nil {
		t.Fatal(err)
	}
	if err := Apply(ctx, k, Plan(desired, actual)); err != nil {
		t.Fatal(err)
	}
	got := strings.Join(k.calls, " ")
	if want := "edit-service del-dest edit-dest add-dest add-service add-dest"; got != want {
		t.Errorf("calls %q, want %q", got, want)
	}
	after, err := Read(ctx, k)
	if err != nil {
		t.Fatal(err)
	}
	if again := Plan(desired, after); len(again) != 0 {
		t.Errorf("second plan not empty: %q", formatAll(again))
	}
	if k.find(rules(t, "-A -u 10.0.0.9:53")[0].ServiceKey) < 0 {
		t.Error("a service the desired table does not name was removed")
	}
}

func TestApplyStopsAtFirstError(t *testing.T) {
	k := &memKernel{fail: ops.OpAddDest}
	err := Apply(context.Background(), k, Plan(rules(t, "-A -t 10.0.0.1:80", "-a -t 10.0.0.1:80 -r 10.0.1.1:80 -m", "-a -t 10.0.0.1:80 -r 10.0.1.2:80 -m"), nil))
	var ke *ops.KernelError
	var ce *ops.ChangeError
	if !errors.As(err, &ke) || !errors.As(err, &ce) || ce.Change.Action != AddDestination {
		t.Fatalf("err = %v", err)
	}
	if got := ipvsadm.ChangeErrorLine(err).Error(); !strings.HasPrefix(got, "-a -t 10.0.0.1:80 -r 10.0.1.1:80 -m -w 1: ") {
		t.Fatalf("as an ipvsadm line: %v", got)
	}
	if got := strings.Join(k.calls, " "); got != "add-service add-dest" {
		t.Errorf("calls after the failure: %q", got)
	}
}
