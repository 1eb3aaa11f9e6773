package daemon

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"syscall"

	"github.com/lvsadm/lvsadm/ops"
	"github.com/lvsadm/lvsadm/ops/reconcile"
)

// TableApplier is the one writer of the IPVS services the daemon owns. It
// keeps a mirror of what it wrote, so that what changes between two
// desired tables costs kernel edits for exactly that difference, without
// reading the kernel's table back.
type TableApplier interface {
	// Sync makes the services of want exactly so, deletes the services it
	// wrote earlier that want no longer holds, and sets the connection
	// timeouts that are not zero. With read, it plans against the
	// kernel's table read afresh (taking over, the periodic resync: what
	// someone changed by hand is repaired); otherwise against its mirror.
	// It returns the kernel edits it made, and which of them repaired what
	// was changed behind its back.
	Sync(ctx context.Context, want ops.Table, timeouts ops.Timeouts, read bool) (SyncResult, error)
	// Update makes each of the given services, all of them written by an
	// earlier Sync, so: a health transition's edits, usually one real
	// server's, at a cost that does not grow with the table.
	Update(ctx context.Context, want []ops.VirtualService) ([]ops.Change, error)
	// Clear removes every service it wrote (going standby).
	Clear(ctx context.Context) error
}

// SyncResult is what a Sync did.
type SyncResult struct {
	Edits []ops.Change // in the order made
	// Repairs are those of Edits that undo a change made behind the
	// daemon's back (a hand edit, a lost write): edits a plan against the
	// mirror would not have made. Only a Sync that reads finds them.
	Repairs []ops.Change
}

// kernelTable is the TableApplier over ops.Kernel, through ops/reconcile.
// It touches only services it wrote itself or that the configuration
// names, so services someone else added by hand survive.
type kernelTable struct {
	k ops.Kernel

	mu     sync.Mutex
	mirror map[ops.ServiceID]ops.VirtualService // as written
	// stale: an apply failed part way, so the mirror may not be what the
	// kernel holds; the next Sync reads the kernel.
	stale    bool
	timeouts ops.Timeouts // as last set
}

func newKernelTable(k ops.Kernel) *kernelTable {
	return &kernelTable{k: k, mirror: map[ops.ServiceID]ops.VirtualService{}}
}

func (t *kernelTable) Sync(ctx context.Context, want ops.Table, timeouts ops.Timeouts, read bool) (SyncResult, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	var changes []ops.Change
	var expected map[changeKey]bool // with a read: the edits the mirror explains
	if read || t.stale {
		have, err := ops.Read(ctx, t.k)
		if err != nil {
			return SyncResult{}, fmt.Errorf("table: %w", err)
		}
		owned := make([]ops.ServiceKey, 0, len(t.mirror))
		for id := range t.mirror {
			owned = append(owned, id.Key())
		}
		changes = reconcile.PlanWith(want, have, reconcile.Options{Owned: owned})
		expected = map[changeKey]bool{}
		for _, c := range t.planFromMirror(want) {
			expected[keyOf(c)] = true
		}
	} else {
		changes = t.planFromMirror(want)
	}
	err := reconcile.Apply(ctx, t.k, changes)
	res := SyncResult{Edits: made(changes, err)}
	if expected != nil {
		for _, c := range res.Edits {
			if !expected[keyOf(c)] {
				res.Repairs = append(res.Repairs, c)
			}
		}
	}
	if err != nil {
		t.stale = true
		// What was written is not known for sure: own everything either
		// side names, so that the next Sync, which reads, cleans up.
		for _, s := range want {
			t.mirror[s.ID()] = s
		}
		return res, fmt.Errorf("table: %w", err)
	}
	t.stale = false
	clear(t.mirror)
	for _, s := range want {
		if _, dup := t.mirror[s.ID()]; !dup {
			t.mirror[s.ID()] = s
		}
	}
	if timeouts != (ops.Timeouts{}) && (read || timeouts != t.timeouts) {
		// lvs runs "ipvsadm --set tcp tcpfin udp"; zero keeps the kernel's value.
		if err := t.k.SetTimeouts(ctx, timeouts); err != nil {
			return res, fmt.Errorf("table: set timeouts: %w", err)
		}
		t.timeouts = timeouts
	}
	return res, nil
}

// changeKey identifies an edit by what it does to which service or real
// server, so that the same edit planned against the kernel and against
// the mirror compare equal.
type changeKey struct {
	action ops.Action
	svc    ops.ServiceID
	dest   ops.DestID
	weight int32
}

func keyOf(c ops.Change) changeKey {
	k := changeKey{action: c.Action, svc: c.Service.ID()}
	switch c.Action {
	case ops.AddDestination, ops.EditDestination, ops.DelDestination:
		k.dest, k.weight = c.Destination.ID(), c.Destination.Weight
	}
	return k
}

// planFromMirror is reconcile.PlanWith against the mirror, in the same
// order (deletes of owned services first), without building a table of
// the mirror or the maps PlanWith needs for an arbitrary one: a reload
// that changes nothing at 10,000 real servers costs one lookup per
// service.
func (t *kernelTable) planFromMirror(want ops.Table) []ops.Change {
	ids := make([]ops.ServiceID, len(want))
	wanted := make(map[ops.ServiceID]bool, len(want))
	for i := range want {
		ids[i] = want[i].ID()
		wanted[ids[i]] = true
	}
	var gone []ops.ServiceID
	for id := range t.mirror {
		if !wanted[id] {
			gone = append(gone, id)
		}
	}
	slices.SortFunc(gone, ops.ServiceID.Compare)
	var changes []ops.Change
	for _, id := range gone {
		changes = append(changes, ops.Change{Action: ops.DelService, Service: t.mirror[id].Service})
	}
	for i := range want {
		if !wanted[ids[i]] {
			continue // a repeated service: the first one wins
		}
		wanted[ids[i]] = false
		if have, ok := t.mirror[ids[i]]; ok {
			changes = append(changes, reconcile.PlanService(&want[i], &have)...)
			continue
		}
		changes = append(changes, reconcile.PlanWith(want[i:i+1], nil, reconcile.Options{})...)
	}
	return changes
}

func (t *kernelTable) Update(ctx context.Context, want []ops.VirtualService) ([]ops.Change, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.stale {
		return nil, errStale
	}
	var changes []ops.Change
	for i := range want {
		have, ok := t.mirror[want[i].ID()]
		if !ok {
			return nil, errStale // a service no Sync wrote: only a Sync may add it
		}
		changes = append(changes, reconcile.PlanService(&want[i], &have)...)
	}
	err := reconcile.Apply(ctx, t.k, changes)
	if err != nil {
		// Someone changed the service by hand (or deleted it): the next
		// Sync reads the kernel and repairs it.
		t.stale = true
		return made(changes, err), fmt.Errorf("table: %w", err)
	}
	for _, s := range want {
		t.mirror[s.ID()] = s
	}
	return changes, nil
}

// made is the part of changes that Apply made before it returned err.
func made(changes []ops.Change, err error) []ops.Change {
	var ce *ops.ChangeError
	if errors.As(err, &ce) && ce.Index <= len(changes) {
		return changes[:ce.Index]
	}
	if err != nil {
		return nil
	}
	return changes
}

// isNotFound: the kernel has no such service (ESRCH), which is what
// deleting it wanted.
func isNotFound(err error) bool { return errors.Is(err, syscall.ESRCH) }

// errStale asks the caller for a Sync instead of an Update.
var errStale = errors.New("table: the mirror is out of date; a full apply is needed")

func (t *kernelTable) Clear(ctx context.Context) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	var errs []error
	for _, id := range slices.SortedFunc(maps.Keys(t.mirror), ops.ServiceID.Compare) {
		err := t.k.DelService(ctx, id.Key())
		if err != nil && !isNotFound(err) {
			errs = append(errs, fmt.Errorf("table: deleting %s: %w", id, err))
			continue
		}
		delete(t.mirror, id)
	}
	t.stale = false
	return errors.Join(errs...)
}
