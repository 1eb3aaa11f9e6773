package reconcile

import (
	"context"
	"fmt"

	"github.com/lvsadm/lvsadm/ops"
)

// Snapshot is the part of the kernel's IPVS state that a restore can
// change and Rollback puts back: the virtual services with their real
// servers, and the connection timeouts ("ipvsadm --set"). Sync daemons
// are not in it: stopping one that a failed restore started would cut a
// partner's synchronisation, which a rollback should not decide.
type Snapshot struct {
	Table    Table
	Timeouts ops.Timeouts
}

// TakeSnapshot reads k's table and timeouts.
func TakeSnapshot(ctx context.Context, k ops.Kernel) (Snapshot, error) {
	t, err := ops.Read(ctx, k)
	if err != nil {
		return Snapshot{}, fmt.Errorf("reading the table: %w", err)
	}
	to, err := k.Timeouts(ctx)
	if err != nil {
		return Snapshot{}, fmt.Errorf("reading the timeouts: %w", err)
	}
	return Snapshot{Table: t, Timeouts: to}, nil
}

// Rollback makes k's table and timeouts those of s again, by difference
// rather than by flushing, so that services the interruption did not
// touch keep their connections and counters: what was added since is
// deleted (Prune), what was changed is edited back, what was deleted is
// added again (with counters from zero, as the kernel creates it).
func (s Snapshot) Rollback(ctx context.Context, k ops.Kernel) error {
	now, err := ops.Read(ctx, k)
	if err != nil {
		return fmt.Errorf("reading the table to roll back: %w", err)
	}
	if err := Apply(ctx, k, PlanWith(s.Table, now, Options{Prune: true})); err != nil {
		return fmt.Errorf("rolling the table back: %w", err)
	}
	if err := k.SetTimeouts(ctx, s.Timeouts); err != nil {
		return fmt.Errorf("restoring timeouts: %w", err)
	}
	return nil
}
