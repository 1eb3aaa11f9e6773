package reconcile

import (
	"context"
	"fmt"

	"github.com/lvsadm/lvsadm/ops"
	"github.com/lvsadm/lvsadm/ops/ipvsadm"
)

// Apply runs changes in order through k. It stops at the first failure
// and returns it with the change that failed, as an ipvsadm command line;
// the changes before it stay applied (IPVS has no transactions), and a new
// Read and Plan pick up from there.
func Apply(ctx context.Context, k ops.Kernel, changes []Change) error {
	for _, c := range changes {
		if err := ctx.Err(); err != nil {
			return err
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
			return fmt.Errorf("%s: %w", FormatChange(c), err)
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
			return nil, fmt.Errorf("reading real servers of %s: %w", ipvsadm.ServiceArgs(s.ServiceKey), err)
		}
		t = append(t, Service{Service: s, Destinations: ds})
	}
	return t, nil
}

// FromRules builds a table from ipvsadm -S lines (such as lvscf.Render's),
// read by ipvsadm's own parser; errors say "line N: message".
func FromRules(lines []string) (Table, error) {
	rs, err := ipvsadm.ParseRules(lines)
	if err != nil {
		return nil, err
	}
	t := make(Table, len(rs))
	for i, r := range rs {
		t[i] = Service{Service: r.Service, Destinations: r.Destinations}
	}
	return t, nil
}

// FormatChange prints a change as the ipvsadm command line that does the
// same, without the program name: "-A -t 10.0.0.1:80 -s rr",
// "-e -t 10.0.0.1:80 -r 10.0.1.1:80 -m -w 2", "-d -f 3 -r 10.0.1.2:0".
func FormatChange(c Change) string {
	switch c.Action {
	case AddService:
		return ipvsadm.ServiceLine("-A", c.Service)
	case EditService:
		return ipvsadm.ServiceLine("-E", c.Service)
	case DelService:
		return ipvsadm.ServiceLine("-D", c.Service)
	case AddDestination:
		return ipvsadm.DestinationLine("-a", c.Service.ServiceKey, c.Destination)
	case EditDestination:
		return ipvsadm.DestinationLine("-e", c.Service.ServiceKey, c.Destination)
	case DelDestination:
		return ipvsadm.DestinationLine("-d", c.Service.ServiceKey, c.Destination)
	}
	return "# " + c.Action.String()
}
