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
