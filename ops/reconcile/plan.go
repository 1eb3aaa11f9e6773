// Package reconcile makes the kernel's IPVS table equal to a desired one
// by the smallest set of operations: Plan compares two tables and lists
// the changes, Apply runs them through an ops.Kernel, FormatChange prints
// them as ipvsadm command lines. It is shared by "lvsadm cf apply" and the
// failover daemon.
//
// Edits are preferred to delete-and-add wherever the kernel allows them,
// because deleting a service or a real server drops its connections: a
// scheduler, persistence or flag change is an EditService, a weight,
// forwarding or threshold change an EditDestination. Only what identifies
// a service (protocol, address, port, fwmark, family) or a real server
// (address, port) forces a delete and an add.
package reconcile

import (
	"fmt"
	"net"
	"sort"

	"github.com/lvsadm/lvsadm/ops"
)

// Service is a virtual service with its real servers.
type Service struct {
	ops.Service
	Destinations []ops.Destination
}

// Table is an IPVS table: services, each with its destinations.
type Table []Service

// Action is what a Change does.
type Action uint8

const (
	AddService Action = iota + 1
	EditService
	DelService
	AddDestination
	EditDestination
	DelDestination
)

var actionNames = map[Action]string{
	AddService: "add-service", EditService: "edit-service", DelService: "del-service",
	AddDestination: "add-dest", EditDestination: "edit-dest", DelDestination: "del-dest",
}

func (a Action) String() string {
	if n, ok := actionNames[a]; ok {
		return n
	}
	return fmt.Sprintf("action(%d)", a)
}

// Change is one kernel operation. Service is the whole service for
// AddService and EditService; for the others only its key matters.
// Destination is set for the destination actions.
type Change struct {
	Action      Action
	Service     ops.Service
	Destination ops.Destination
}

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
	have := make(map[string]int, len(actual))
	for i := range actual {
		have[serviceID(actual[i].ServiceKey)] = i
	}
	var out []Change
	if opts.Prune || len(opts.Owned) > 0 {
		want := make(map[string]bool, len(desired))
		for i := range desired {
			want[serviceID(desired[i].ServiceKey)] = true
		}
		owned := make(map[string]bool, len(opts.Owned))
		for _, k := range opts.Owned {
			owned[serviceID(k)] = true
		}
		var gone []ops.Service
		for i := range actual {
			id := serviceID(actual[i].ServiceKey)
			if !want[id] && (opts.Prune || owned[id]) {
				gone = append(gone, actual[i].Service)
			}
		}
		sort.SliceStable(gone, func(a, b int) bool { return serviceID(gone[a].ServiceKey) < serviceID(gone[b].ServiceKey) })
		for _, s := range gone {
			out = append(out, Change{Action: DelService, Service: s})
		}
	}
	seen := make(map[string]bool, len(desired))
	for i := range desired {
		d := &desired[i]
		id := serviceID(d.ServiceKey)
		if seen[id] {
			continue // a repeated service: the first one wins, as ipvsadm -R's second -A fails
		}
		seen[id] = true
		j, ok := have[id]
		if !ok {
			out = append(out, Change{Action: AddService, Service: d.Service})
			dseen := map[string]bool{}
			for _, dst := range d.Destinations {
				if k := destID(dst, d.Family); !dseen[k] {
					dseen[k] = true
					out = append(out, Change{Action: AddDestination, Service: d.Service, Destination: dst})
				}
			}
			continue
		}
		a := &actual[j]
		if !sameService(d.Service, a.Service) {
			out = append(out, Change{Action: EditService, Service: d.Service})
		}
		out = append(out, planDestinations(d, a)...)
	}
	return out
}

// planDestinations lists the real-server changes of one service present
// on both sides.
func planDestinations(d, a *Service) []Change {
	cur := make(map[string]ops.Destination, len(a.Destinations))
	for _, x := range a.Destinations {
		cur[destID(x, a.Family)] = x
	}
	want := make(map[string]bool, len(d.Destinations))
	for _, x := range d.Destinations {
		want[destID(x, d.Family)] = true
	}
	var dels []ops.Destination
	for _, x := range a.Destinations {
		if !want[destID(x, a.Family)] {
			dels = append(dels, x)
		}
	}
	sort.SliceStable(dels, func(i, j int) bool { return destID(dels[i], a.Family) < destID(dels[j], a.Family) })
	var out []Change
	for _, x := range dels {
		out = append(out, Change{Action: DelDestination, Service: d.Service, Destination: x})
	}
	done := map[string]bool{}
	for _, x := range d.Destinations {
		id := destID(x, d.Family)
		if done[id] {
			continue
		}
		done[id] = true
		old, ok := cur[id]
		switch {
		case !ok:
			out = append(out, Change{Action: AddDestination, Service: d.Service, Destination: x})
		case !sameDestination(x, old):
			out = append(out, Change{Action: EditDestination, Service: d.Service, Destination: x})
		}
	}
	return out
}

// serviceID is a service's identity as the kernel keys it. The kernel
// reports fwmark services without protocol, address or port, so those
// are not part of a fwmark service's identity.
func serviceID(k ops.ServiceKey) string {
	if k.FWMark != 0 {
		return fmt.Sprintf("%d fwm %010d", k.Family, k.FWMark)
	}
	return fmt.Sprintf("%d %03d %s %05d", k.Family, k.Protocol, ipKey(k.Address), k.Port)
}

// destID is a real server's identity within its service. The kernel may
// leave a destination's family out; it is then the service's.
func destID(d ops.Destination, svcFamily uint16) string {
	f := d.Family
	if f == 0 {
		f = svcFamily
	}
	return fmt.Sprintf("%d %s %05d", f, ipKey(d.Address), d.Port)
}

// ipKey prints an address so that keys sort by address bytes and the 4-
// and 16-byte forms of one IPv4 address are equal.
func ipKey(ip net.IP) string {
	if v4 := ip.To4(); v4 != nil {
		ip = v4
	}
	return fmt.Sprintf("%x", []byte(ip))
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
