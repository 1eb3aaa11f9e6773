package reconcile

import (
	"context"
	"fmt"

	"github.com/lvsadm/lvsadm/ops"
)

// Apply runs changes in order through k. It stops at the first failure
// and returns it as an *ops.ChangeError naming the change that failed;
// the changes before it stay applied (IPVS has no transactions), and a new
// Read and Plan pick up from there.
func Apply(ctx context.Context, k ops.Kernel, changes []Change) error {
	for i, c := range changes {
		if err := ctx.Err(); err != nil {
			return &ops.ChangeError{Change: c, Index: i, Err: err}
		}
		var err error
		key := c.Service.ServiceKey
		switch c.Action {
		case AddService:
			err = k.AddService(ctx, c.Service)
		case EditService:
			err = k.EditService(ctx, c.Service)
		case DelService:
			err = k.DelService(ctx, key)
		case AddDestination:
			err = k.AddDestination(ctx, key, c.Destination)
		case EditDestination:
			err = k.EditDestination(ctx, key, c.Destination)
		case DelDestination:
			err = k.DelDestination(ctx, key, c.Destination)
		default:
			err = fmt.Errorf("unknown action %d", c.Action)
		}
		if err != nil {
			return &ops.ChangeError{Change: c, Index: i, Err: err}
		}
	}
	return nil
}

// Read returns the kernel's table: every service with its destinations.
func Read(ctx context.Context, k ops.Kernel) (Table, error) {
	svcs, err := k.Services(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading IPVS services: %w", err)
	}
	t := make(Table, 0, len(svcs))
	for _, s := range svcs {
		ds, err := k.Destinations(ctx, s.ServiceKey)
		if err != nil {
			return nil, fmt.Errorf("reading real servers of %s: %w", s.ServiceKey, err)
		}
		t = append(t, Service{Service: s, Destinations: ds})
	}
	return t, nil
}
