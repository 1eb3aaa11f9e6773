// Package reconcile makes the kernel's IPVS table equal to a desired one
// by the smallest set of operations: Plan compares two tables and lists
// the changes, Apply runs them through an ops.Kernel (ipvsadm.FormatChange
// prints them as ipvsadm command lines), and a Snapshot taken before a
// change puts the table back by the same means (Rollback). It is shared by "lvsadm cf
// apply", "lvsadm restore --atomic" and the failover daemon, and works on
// typed tables only: no ipvsadm text on the way.
//
// Edits are preferred to delete-and-add wherever the kernel allows them,
// because deleting a service or a real server drops its connections: a
// scheduler, persistence or flag change is an EditService, a weight,
// forwarding or threshold change an EditDestination. Only what identifies
// a service (protocol, address, port, fwmark, family) or a real server
// (address, port) forces a delete and an add.
package reconcile

import (
	"slices"

	"github.com/lvsadm/lvsadm/ops"
)

// Service and Table are ops' own: one shape of a service with its real
// servers for the whole program.
type (
	Service = ops.VirtualService
	Table   = ops.Table
)

// The change types are ops' own, so that ipvsadm can print them and the
// daemon log them without depending on the planner.
type (
	Action = ops.Action
	Change = ops.Change
)

const (
	AddService      = ops.AddService
	EditService     = ops.EditService
	DelService      = ops.DelService
	AddDestination  = ops.AddDestination
	EditDestination = ops.EditDestination
	DelDestination  = ops.DelDestination
)

// Options change what Plan may touch.
type Options struct {
	// Prune also deletes the services of actual that desired does not
	// name. Off, services absent from desired are left alone: the table
	// may hold services someone else manages.
	Prune bool
	// Owned lists services that belong to the caller although desired
	// does not hold them (an inactive virtual server of lvs.cf, a service
	// the daemon added earlier): they are deleted when present.
	Owned []ops.ServiceKey
}

// Plan lists the changes that turn actual into desired, touching only the
// services desired names (see Options.Prune and Options.Owned for the
// others). The order is deterministic and safe to run in sequence: pruned
// and owned services absent from desired are deleted first (sorted by key; their real servers go with them); then, for each
// desired service in desired's order, an add or an edit of the service,
// then the deletes of its surplus real servers (sorted by key), then the
// edits and adds of real servers in desired's order. So a service is
// always added before its real servers, and real servers are deleted
// before their service would be.
func Plan(desired, actual Table) []Change { return PlanWith(desired, actual, Options{}) }

// PlanWith is Plan with options.
func PlanWith(desired, actual Table, opts Options) []Change {
	have := make(map[ops.ServiceID]int, len(actual))
	for i := range actual {
		have[actual[i].ID()] = i
	}
	var out []Change
	if opts.Prune || len(opts.Owned) > 0 {
		want := make(map[ops.ServiceID]bool, len(desired))
		for i := range desired {
			want[desired[i].ID()] = true
		}
		owned := make(map[ops.ServiceID]bool, len(opts.Owned))
		for _, k := range opts.Owned {
			owned[k.ID()] = true
		}
		var gone []ops.Service
		for i := range actual {
			id := actual[i].ID()
			if !want[id] && (opts.Prune || owned[id]) {
				gone = append(gone, actual[i].Service)
			}
		}
		slices.SortStableFunc(gone, func(a, b ops.Service) int { return a.ID().Compare(b.ID()) })
		for _, s := range gone {
			out = append(out, Change{Action: DelService, Service: s})
		}
	}
	seen := make(map[ops.ServiceID]bool, len(desired))
	for i := range desired {
		d := &desired[i]
		id := d.ID()
		if seen[id] {
			continue // a repeated service: the first one wins, as ipvsadm -R's second -A fails
		}
		seen[id] = true
		j, ok := have[id]
		if !ok {
			out = append(out, Change{Action: AddService, Service: d.Service})
			dseen := make(map[ops.DestID]bool, len(d.Destinations))
			for _, dst := range d.Destinations {
				if k := dst.ID(); !dseen[k] {
					dseen[k] = true
					out = append(out, Change{Action: AddDestination, Service: d.Service, Destination: dst})
				}
			}
			continue
		}
		out = append(out, PlanService(d, &actual[j])...)
	}
	return out
}

// PlanService lists the changes that turn a, a service present in the
// kernel, into d, the same service as it should be: an edit of the
// service when needed, then the deletes of surplus real servers (sorted
// by key), then the edits and adds of real servers in d's order. The
// daemon plans one service this way when one real server changes, at a
// cost that does not grow with the rest of the table.
func PlanService(d, a *Service) []Change {
	var out []Change
	if !sameService(d.Service, a.Service) {
		out = append(out, Change{Action: EditService, Service: d.Service})
	}
	return append(out, planDestinations(d, a)...)
}

// planDestinations lists the real-server changes of one service present
// on both sides.
func planDestinations(d, a *Service) []Change {
	if sameDestinations(d.Destinations, a.Destinations) {
		return nil // the steady state: no maps to build
	}
	cur := make(map[ops.DestID]int, len(a.Destinations))
	for i := range a.Destinations {
		cur[a.Destinations[i].ID()] = i
	}
	want := make(map[ops.DestID]bool, len(d.Destinations))
	for i := range d.Destinations {
		want[d.Destinations[i].ID()] = true
	}
	var dels []ops.Destination
	for _, x := range a.Destinations {
		if !want[x.ID()] {
			dels = append(dels, x)
		}
	}
	slices.SortStableFunc(dels, func(x, y ops.Destination) int { return x.ID().Compare(y.ID()) })
	var out []Change
	for _, x := range dels {
		out = append(out, Change{Action: DelDestination, Service: d.Service, Destination: x})
	}
	done := make(map[ops.DestID]bool, len(d.Destinations))
	for _, x := range d.Destinations {
		id := x.ID()
		if done[id] {
			continue
		}
		done[id] = true
		j, ok := cur[id]
		switch {
		case !ok:
			out = append(out, Change{Action: AddDestination, Service: d.Service, Destination: x})
		case !sameDestination(x, a.Destinations[j]):
			out = append(out, Change{Action: EditDestination, Service: d.Service, Destination: x})
		}
	}
	return out
}

// sameDestinations: the same real servers in the same order, none needing
// an edit.
func sameDestinations(want, have []ops.Destination) bool {
	if len(want) != len(have) {
		return false
	}
	for i := range want {
		if want[i].Port != have[i].Port || !want[i].Address.Equal(have[i].Address) || !sameDestination(want[i], have[i]) {
			return false
		}
	}
	return true
}

// sameService compares what EditService can change. The kernel reports
// the hashed flag, which no one sets; persistence timeout and netmask
// only count for persistent services (the kernel keeps whatever it was
// given otherwise).
func sameService(want, have ops.Service) bool {
	const mask = ^ops.SvcHashed
	if want.Scheduler != have.Scheduler || want.PEName != have.PEName || want.Flags&mask != have.Flags&mask {
		return false
	}
	if want.Flags&ops.SvcPersistent != 0 {
		return want.Timeout == have.Timeout && want.Netmask == have.Netmask
	}
	return true
}

// sameDestination compares what EditDestination can change. Tunnel
// settings only count for tunnelled real servers.
func sameDestination(want, have ops.Destination) bool {
	if want.ConnFlags&ops.FwdMask != have.ConnFlags&ops.FwdMask || want.Weight != have.Weight ||
		want.UThreshold != have.UThreshold || want.LThreshold != have.LThreshold {
		return false
	}
	if want.ConnFlags&ops.FwdMask == ops.FwdTunnel {
		return want.TunType == have.TunType && want.TunPort == have.TunPort && want.TunFlags == have.TunFlags
	}
	return true
}
