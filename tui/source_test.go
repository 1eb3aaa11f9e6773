package tui

import (
	"context"
	"errors"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lvsadm/lvsadm/ops"
	"github.com/lvsadm/lvsadm/ops/opstest"
)

// oneService is the shared in-memory IPVS holding service a with the
// real server d (counters and all).
func oneService(a ops.ServiceKey, d ops.Destination) *opstest.Kernel {
	k := opstest.New()
	k.Load(ops.Table{{Service: ops.Service{ServiceKey: a, Scheduler: "wlc", Netmask: 0xffffffff}, Destinations: []ops.Destination{d}}})
	return k
}

// failing makes every change to k fail with err, as a kernel refusing it.
func failing(k *opstest.Kernel, err error) {
	k.SetInject(func(op ops.Op, _ *ops.ServiceKey) error {
		switch op {
		case ops.OpEditDest, ops.OpDelDest, ops.OpAddDest, ops.OpZero:
			return err
		}
		return nil
	})
}

func TestKernelSourceChanges(t *testing.T) {
	a := svcKey("10.0.0.1", 80)
	d := dest("10.0.1.1", 80, 2, 1, 1, ops.Stats{Conns: 9})
	d.UThreshold, d.ConnFlags, d.TunType, d.TunPort = 50, ops.FwdTunnel, ops.TunGUE, 6080
	k := oneService(a, d)
	src := NewKernelSource(k)
	ctx := context.Background()
	if err := src.RemoveServer(ctx, a, d); err != nil || len(k.Table()[0].Destinations) != 0 {
		t.Errorf("remove: %v %+v", err, k.Table())
	}
	// Put back whole: every parameter as the snapshot read it.
	if err := src.RestoreServer(ctx, a, d); err != nil {
		t.Errorf("restore: %v", err)
	} else if ds := k.Table()[0].Destinations; len(ds) != 1 || ds[0].UThreshold != 50 ||
		ds[0].TunType != ops.TunGUE || ds[0].TunPort != 6080 || ds[0].Weight != 2 || ds[0].ConnFlags != ops.FwdTunnel {
		t.Errorf("restored %+v", ds)
	}
	// Zero names the one service, never nil (which zeroes all).
	var zeroed []*ops.ServiceKey
	k.SetInject(func(op ops.Op, key *ops.ServiceKey) error {
		if op == ops.OpZero {
			zeroed = append(zeroed, key)
		}
		return nil
	})
	if err := src.Zero(ctx, a); err != nil || len(zeroed) != 1 || zeroed[0] == nil || zeroed[0].String() != a.String() {
		t.Errorf("zero: %v %v", err, zeroed)
	}
	failing(k, &ops.KernelError{Op: ops.OpDelDest, Errno: syscall.ENOENT})
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
	d2 := dest("10.0.1.2", 80, 1, 0, 0, ops.Stats{})
	k := opstest.New()
	k.Load(ops.Table{
		{Service: ops.Service{ServiceKey: a, Scheduler: "rr"}, Destinations: []ops.Destination{d}},
		{Service: ops.Service{ServiceKey: b, Scheduler: "rr"}, Destinations: []ops.Destination{d}},
		{Service: ops.Service{ServiceKey: c, Scheduler: "rr"}, Destinations: []ops.Destination{d, d2}},
	})
	k.SetConnections([]ops.Connection{conn("TCP", "ESTABLISHED", "1.2.3.4", 1, "10.0.0.1", 80, "10.0.1.1", 80),
		conn("TCP", "TIME_WAIT", "1.2.3.5", 1, "10.0.0.1", 80, "10.0.1.1", 80)})
	// b is deleted between the listing of services and the read of its
	// real servers.
	k.SetInject(func(op ops.Op, key *ops.ServiceKey) error {
		if op == ops.OpGetDests && key.ID() == b.ID() {
			k.SetInject(nil)
			return k.DelService(context.Background(), b)
		}
		return nil
	})
	src := NewKernelSource(k)
	src.Now = func() time.Time { return t0 }
	snap, err := src.Snapshot(context.Background(), ConnQuery{})
	if err != nil {
		t.Fatal(err)
	}
	// The kernel answers the deleted service's real servers with none:
	// it shows empty in this refresh and is gone from the next.
	if len(snap.Services) != 3 || len(snap.Services[1].Destinations) != 0 || len(snap.Services[2].Destinations) != 2 ||
		snap.Conns != nil || !snap.Taken.Equal(t0) {
		t.Errorf("snapshot %+v", snap)
	}
	snap, err = src.Snapshot(context.Background(), ConnQuery{Enabled: true, Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(snap.Services) != 2 {
		t.Errorf("the deleted service is still listed: %+v", snap.Services)
	}
	if s := snap.Conns; s == nil || s.Total != 2 || len(s.Rows) != 1 || s.Rows[0].State != "ESTABLISHED" {
		t.Errorf("conns %+v", snap.Conns)
	}
	// Errors fail the refresh and say where.
	k.SetInject(func(op ops.Op, key *ops.ServiceKey) error {
		if op == ops.OpGetDests && key.ID() == c.ID() {
			return &ops.KernelError{Op: op, Errno: syscall.EPERM}
		}
		return nil
	})
	if _, err := src.Snapshot(context.Background(), ConnQuery{}); err == nil ||
		!strings.Contains(err.Error(), "reading real servers of tcp 10.0.0.3:80") || !errors.Is(err, syscall.EPERM) {
		t.Errorf("error %v", err)
	}
	k.SetInject(nil)
	// SetWeight sends the destination back whole, with the new weight.
	if err := src.SetWeight(context.Background(), a, d, 0); err != nil {
		t.Fatal(err)
	}
	if got := k.Table()[0].Destinations[0]; got.Weight != 0 || got.UThreshold != 50 || got.ConnFlags != ops.FwdTunnel || !got.Address.Equal(d.Address) {
		t.Errorf("edited %+v", got)
	}
	failing(k, &ops.KernelError{Op: ops.OpEditDest, Errno: syscall.ENOENT})
	if err := src.SetWeight(context.Background(), a, d, 1); err == nil ||
		!strings.Contains(err.Error(), "setting weight of 10.0.1.1:80 in tcp 10.0.0.1:80") || !errors.Is(err, syscall.ENOENT) {
		t.Errorf("edit error %v", err)
	}
}
