package reconcile

import (
	"context"
	"errors"
	"fmt"
	"syscall"
	"testing"

	"github.com/lvsadm/lvsadm/ops"
)

// TestRollback: whatever a half-done restore did (services added, deleted
// and edited, real servers added, deleted and reweighted, timeouts set),
// Rollback brings back the table and timeouts of the snapshot, and leaves
// alone the service it did not touch.
func TestRollback(t *testing.T) {
	ctx := context.Background()
	k := loaded(rules(t,
		"-A -t 10.0.0.1:80 -s wlc", "-a -t 10.0.0.1:80 -r 10.0.1.1:80 -m -w 1", "-a -t 10.0.0.1:80 -r 10.0.1.2:80 -m -w 1",
		"-A -u 10.0.0.9:53 -s rr", "-a -u 10.0.0.9:53 -r 10.0.2.1:53 -g -w 1",
		"-A -t 10.0.0.5:25 -s rr", "-a -t 10.0.0.5:25 -r 10.0.3.1:25 -m -w 1"))
	snap, err := TakeSnapshot(ctx, k)
	if err != nil {
		t.Fatal(err)
	}
	// What the restore did before its failing line.
	half := rules(t,
		"-A -t 10.0.0.1:80 -s rr", "-a -t 10.0.0.1:80 -r 10.0.1.1:80 -m -w 5", "-a -t 10.0.0.1:80 -r 10.0.1.3:80 -m -w 1",
		"-A -f 3 -s sh", "-a -f 3 -r 10.0.1.4:0 -g -w 1",
		"-A -t 10.0.0.5:25 -s rr", "-a -t 10.0.0.5:25 -r 10.0.3.1:25 -m -w 1")
	if err := Apply(ctx, k, PlanWith(half, snap.Table, Options{Prune: true})); err != nil {
		t.Fatal(err)
	}
	if err := k.SetTimeouts(ctx, ops.Timeouts{TCP: 60, TCPFin: 10, UDP: 30}); err != nil {
		t.Fatal(err)
	}
	before := len(k.Changes())
	if err := snap.Rollback(ctx, k); err != nil {
		t.Fatal(err)
	}
	now, err := ops.Read(ctx, k)
	if err != nil {
		t.Fatal(err)
	}
	if d := Plan(snap.Table, now); len(d) != 0 || len(now) != len(snap.Table) {
		t.Errorf("after the rollback the table differs from the snapshot: %v", formatAll(d))
	}
	if to, _ := k.Timeouts(ctx); to != snap.Timeouts {
		t.Errorf("timeouts %+v, want %+v", to, snap.Timeouts)
	}
	// By difference: the untouched service was neither deleted nor
	// re-added, the edited one was edited back, not re-created.
	got := fmt.Sprint(k.Changes()[before:])
	want := "[del-service edit-service del-dest edit-dest add-dest add-service add-dest set-timeout]"
	if got != want {
		t.Errorf("rollback ran %v, want %s", got, want)
	}
}

// A rollback the kernel refuses says so, with the kernel's error and the
// change that failed; a snapshot that cannot be read is an error too.
func TestRollbackErrors(t *testing.T) {
	ctx := context.Background()
	k := loaded(rules(t, "-A -t 10.0.0.1:80 -s wlc", "-a -t 10.0.0.1:80 -r 10.0.1.1:80 -m -w 1"))
	snap, err := TakeSnapshot(ctx, k)
	if err != nil {
		t.Fatal(err)
	}
	if err := k.DelService(ctx, snap.Table[0].ServiceKey); err != nil {
		t.Fatal(err)
	}
	k.SetInject(func(op ops.Op, _ *ops.ServiceKey) error {
		if op == ops.OpAddService {
			return &ops.KernelError{Op: op, Errno: syscall.ENOMEM}
		}
		return nil
	})
	err = snap.Rollback(ctx, k)
	var ce *ops.ChangeError
	if !errors.As(err, &ce) || ce.Change.Action != AddService || !errors.Is(err, syscall.ENOMEM) {
		t.Errorf("refused rollback: %v", err)
	}
	k.SetInject(func(op ops.Op, _ *ops.ServiceKey) error {
		if op == ops.OpGetTimeout {
			return &ops.KernelError{Op: op, Errno: syscall.EPERM}
		}
		return nil
	})
	if _, err := TakeSnapshot(ctx, k); !errors.Is(err, syscall.EPERM) {
		t.Errorf("snapshot without the timeouts: %v", err)
	}
}
