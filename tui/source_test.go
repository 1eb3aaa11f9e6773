package tui

import (
	"context"
	"errors"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lvsadm/lvsadm/ops"
)

// fakeKernel implements the part of ops.Kernel that KernelSource uses;
// the embedded nil interface makes any other call fail loudly.
type fakeKernel struct {
	ops.Kernel
	svcs    []ops.Service
	dests   map[string][]ops.Destination
	destErr map[string]error
	conns   []ops.Connection
	edited  []ops.Destination
	editErr error
	deleted []ops.Destination
	added   []ops.Destination
	zeroed  []*ops.ServiceKey
}

func (k *fakeKernel) Info(context.Context) (ops.Info, error) {
	return ops.Info{Version: 1<<16 | 2<<8 | 1, ConnTabSize: 4096}, nil
}
func (k *fakeKernel) Services(context.Context) ([]ops.Service, error) { return k.svcs, nil }
func (k *fakeKernel) Destinations(_ context.Context, key ops.ServiceKey) ([]ops.Destination, error) {
	if err := k.destErr[key.String()]; err != nil {
		return nil, err
	}
	return k.dests[key.String()], nil
}
func (k *fakeKernel) Connections(ctx context.Context, fn func(*ops.Connection) error) error {
	var c ops.Connection
	for i := range k.conns {
		c = k.conns[i] // one reused entry, as the real one streams
		if err := fn(&c); err != nil {
			return err
		}
	}
	return nil
}
func (k *fakeKernel) EditDestination(_ context.Context, key ops.ServiceKey, d ops.Destination) error {
	return k.record(&k.edited, d)
}
func (k *fakeKernel) DelDestination(_ context.Context, key ops.ServiceKey, d ops.Destination) error {
	return k.record(&k.deleted, d)
}
func (k *fakeKernel) AddDestination(_ context.Context, key ops.ServiceKey, d ops.Destination) error {
	return k.record(&k.added, d)
}

// record notes a change of d in calls, or fails with editErr.
func (k *fakeKernel) record(calls *[]ops.Destination, d ops.Destination) error {
	if k.editErr != nil {
		return k.editErr
	}
	*calls = append(*calls, d)
	return nil
}
func (k *fakeKernel) Zero(_ context.Context, key *ops.ServiceKey) error {
	if k.editErr != nil {
		return k.editErr
	}
	k.zeroed = append(k.zeroed, key)
	return nil
}

func TestKernelSourceChanges(t *testing.T) {
	a := svcKey("10.0.0.1", 80)
	d := dest("10.0.1.1", 80, 2, 1, 1, ops.Stats{})
	d.UThreshold, d.ConnFlags, d.TunType, d.TunPort = 50, ops.FwdTunnel, ops.TunGUE, 6080
	k := &fakeKernel{}
	src := NewKernelSource(k)
	ctx := context.Background()
	if err := src.RemoveServer(ctx, a, d); err != nil || len(k.deleted) != 1 || !k.deleted[0].Address.Equal(d.Address) {
		t.Errorf("remove: %v %+v", err, k.deleted)
	}
	// Put back whole: every parameter as the snapshot read it.
	if err := src.RestoreServer(ctx, a, d); err != nil || len(k.added) != 1 || k.added[0].UThreshold != 50 ||
		k.added[0].TunType != ops.TunGUE || k.added[0].TunPort != 6080 || k.added[0].Weight != 2 {
		t.Errorf("restore: %v %+v", err, k.added)
	}
	// Zero names the one service, never nil (which zeroes all).
	if err := src.Zero(ctx, a); err != nil || len(k.zeroed) != 1 || k.zeroed[0] == nil || k.zeroed[0].String() != a.String() {
		t.Errorf("zero: %v %v", err, k.zeroed)
	}
	k.editErr = &ops.KernelError{Op: ops.OpDelDest, Errno: syscall.ENOENT}
	for _, c := range []struct {
		err  error
		want string
	}{
		{src.RemoveServer(ctx, a, d), "taking 10.0.1.1:80 out of tcp 10.0.0.1:80"},
		{src.RestoreServer(ctx, a, d), "putting 10.0.1.1:80 back into tcp 10.0.0.1:80"},
		{src.Zero(ctx, a), "zeroing the counters of tcp 10.0.0.1:80"},
	} {
		if c.err == nil || !strings.Contains(c.err.Error(), c.want) || !errors.Is(c.err, syscall.ENOENT) {
			t.Errorf("error %v, want %q wrapping ENOENT", c.err, c.want)
		}
	}
}

func TestKernelSource(t *testing.T) {
	a, b, c := svcKey("10.0.0.1", 80), svcKey("10.0.0.2", 80), svcKey("10.0.0.3", 80)
	d := dest("10.0.1.1", 80, 2, 1, 1, ops.Stats{})
	d.UThreshold, d.ConnFlags = 50, ops.FwdTunnel
	k := &fakeKernel{
		svcs:    []ops.Service{{ServiceKey: a}, {ServiceKey: b}, {ServiceKey: c}},
		dests:   map[string][]ops.Destination{a.String(): {d}, c.String(): {d, d}},
		destErr: map[string]error{b.String(): &ops.KernelError{Op: ops.OpGetDests, Errno: syscall.ESRCH}},
		conns: []ops.Connection{conn("TCP", "ESTABLISHED", "1.2.3.4", 1, "10.0.0.1", 80, "10.0.1.1", 80),
			conn("TCP", "TIME_WAIT", "1.2.3.5", 1, "10.0.0.1", 80, "10.0.1.1", 80)},
	}
	src := NewKernelSource(k)
	src.Now = func() time.Time { return t0 }
	snap, err := src.Snapshot(context.Background(), ConnQuery{})
	if err != nil {
		t.Fatal(err)
	}
	// The service deleted between the two reads (ESRCH) is left out.
	if len(snap.Services) != 2 || len(snap.Services[1].Destinations) != 2 || snap.Conns != nil || !snap.Taken.Equal(t0) {
		t.Errorf("snapshot %+v", snap)
	}
	snap, err = src.Snapshot(context.Background(), ConnQuery{Enabled: true, Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	if s := snap.Conns; s == nil || s.Total != 2 || len(s.Rows) != 1 || s.Rows[0].State != "ESTABLISHED" {
		t.Errorf("conns %+v", snap.Conns)
	}
	// Other errors fail the refresh and say where.
	k.destErr[b.String()] = &ops.KernelError{Op: ops.OpGetDests, Errno: syscall.EPERM}
	if _, err := src.Snapshot(context.Background(), ConnQuery{}); err == nil ||
		!strings.Contains(err.Error(), "reading real servers of tcp 10.0.0.2:80") || !errors.Is(err, syscall.EPERM) {
		t.Errorf("error %v", err)
	}
	// SetWeight sends the destination back whole, with the new weight.
	if err := src.SetWeight(context.Background(), a, d, 0); err != nil {
		t.Fatal(err)
	}
	want := d
	want.Weight = 0
	if got := k.edited[0]; got.Weight != 0 || got.UThreshold != 50 || got.ConnFlags != ops.FwdTunnel || !got.Address.Equal(d.Address) {
		t.Errorf("edited %+v, want %+v", got, want)
	}
	k.editErr = &ops.KernelError{Op: ops.OpEditDest, Errno: syscall.ENOENT}
	if err := src.SetWeight(context.Background(), a, d, 1); err == nil ||
		!strings.Contains(err.Error(), "setting weight of 10.0.1.1:80 in tcp 10.0.0.1:80") || !errors.Is(err, syscall.ENOENT) {
		t.Errorf("edit error %v", err)
	}
}
