package opstest

import (
	"context"
	"errors"
	"fmt"
	"syscall"
	"testing"

	"github.com/lvsadm/lvsadm/ops"
)

// The fake answers as the kernel does; ops/kernel TestVMContract runs the
// same cases against Linux.
func TestContract(t *testing.T) {
	Contract{
		With: func(t *testing.T, fn func(k ops.Kernel)) {
			k := New()
			k.Links = map[string]int{"lvs0": 1500}
			fn(k)
		},
		Link: "lvs0",
	}.Run(t)
}

// What only the fake has: a loaded table keeps its counters, an injected
// error leaves the table as it was, Changes leaves the reads out.
func TestFakeHelpers(t *testing.T) {
	ctx := context.Background()
	key := tcp("10.1.0.1", 80)
	d := dest("10.0.1.1", 80, ops.FwdMasq, 1)
	d.ActiveConns = 7
	k := New()
	k.Load(ops.Table{{Service: ops.Service{ServiceKey: key, Scheduler: "rr"}, Destinations: []ops.Destination{d}}})
	if ds, err := k.Destinations(ctx, key); err != nil || len(ds) != 1 || ds[0].ActiveConns != 7 {
		t.Errorf("loaded destinations %+v, %v", ds, err)
	}
	refused := &ops.KernelError{Op: ops.OpDelService, Errno: syscall.EPERM}
	k.SetInject(func(op ops.Op, _ *ops.ServiceKey) error {
		if op == ops.OpDelService {
			return refused
		}
		return nil
	})
	if err := k.DelService(ctx, key); !errors.Is(err, refused) {
		t.Errorf("injected error: %v", err)
	}
	if len(k.Table()) != 1 {
		t.Error("a refused delete changed the table")
	}
	if got := fmt.Sprint(k.Changes()); got != "[del-service]" {
		t.Errorf("changes %s", got)
	}
	// Without Links, any interface name will do.
	if err := k.StartDaemon(ctx, ops.Daemon{State: ops.DaemonBackup, McastIfn: "eth7"}); err != nil {
		t.Error(err)
	}
}
