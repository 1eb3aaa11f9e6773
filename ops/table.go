package ops

import (
	"cmp"
	"context"
	"fmt"
	"net"
	"net/netip"
)

// ServiceID is a virtual service's identity as the kernel keys it, in a
// comparable form: a map key, a sort key and an equality test in one,
// with no formatting on the way. The kernel reports fwmark services
// without protocol, address or port, so a fwmark service's ID holds only
// its family and mark. IPv4 addresses are held unmapped, so the 4- and
// 16-byte forms of one address have one ID.
type ServiceID struct {
	Family   uint16
	Protocol uint16
	Addr     netip.Addr
	Port     uint16
	FWMark   uint32
}

// ID returns the service's identity.
func (k ServiceKey) ID() ServiceID {
	if k.FWMark != 0 {
		return ServiceID{Family: k.Family, FWMark: k.FWMark}
	}
	return ServiceID{Family: k.Family, Protocol: k.Protocol, Addr: ipAddr(k.Address), Port: k.Port}
}

// Key returns the kernel key the identity stands for.
func (id ServiceID) Key() ServiceKey {
	k := ServiceKey{Family: id.Family, Protocol: id.Protocol, Port: id.Port, FWMark: id.FWMark}
	if id.Addr.IsValid() {
		k.Address = net.IP(id.Addr.AsSlice())
	}
	return k
}

// Compare orders identities: by family, then services keyed by address
// before fwmark services (those by mark), then by protocol, address and
// port.
func (id ServiceID) Compare(o ServiceID) int {
	if c := cmp.Compare(id.Family, o.Family); c != 0 {
		return c
	}
	if (id.FWMark == 0) != (o.FWMark == 0) {
		if id.FWMark == 0 {
			return -1
		}
		return 1
	}
	if c := cmp.Compare(id.FWMark, o.FWMark); c != 0 {
		return c
	}
	if c := cmp.Compare(id.Protocol, o.Protocol); c != 0 {
		return c
	}
	if c := id.Addr.Compare(o.Addr); c != 0 {
		return c
	}
	return cmp.Compare(id.Port, o.Port)
}

// String names the service as lvsadm's messages do.
func (id ServiceID) String() string { return id.Key().String() }

// DestID is a real server's identity within its service: its address and
// port (the kernel keys destinations by family, address and port; the
// family is the address's own).
type DestID struct {
	Addr netip.Addr
	Port uint16
}

// ID returns the destination's identity.
func (d *Destination) ID() DestID { return DestID{Addr: ipAddr(d.Address), Port: d.Port} }

// Compare orders destination identities by address, then port.
func (id DestID) Compare(o DestID) int {
	if c := id.Addr.Compare(o.Addr); c != 0 {
		return c
	}
	return cmp.Compare(id.Port, o.Port)
}

// ipAddr converts without keeping the 4-in-6 mapping, so that an IPv4
// address read back from the kernel (16 bytes) equals the one written.
func ipAddr(ip net.IP) netip.Addr {
	a, _ := netip.AddrFromSlice(ip)
	return a.Unmap()
}

// VirtualService is a virtual service with its real servers: one entry
// of a table, whether the kernel's (read back), a configuration's (built)
// or a rules file's (parsed).
type VirtualService struct {
	Service
	Destinations []Destination
}

// Table is an IPVS table, in order: services, each with its real servers.
type Table []VirtualService

// Read reads the whole table through k: every service, in the kernel's
// order, each with its destinations. It is the one place that walks the
// table, so every reader has the same answer for a service deleted
// between the listing of services and that of its destinations: Linux
// answers the destinations of a service it no longer holds with an empty
// list, not an error (ops/opstest's contract checks it against the
// kernel), so such a service is read with no destinations, and the next
// read no longer lists it. Any error fails the read and names what was
// being read.
func Read(ctx context.Context, k Kernel) (Table, error) {
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
		t = append(t, VirtualService{Service: s, Destinations: ds})
	}
	return t, nil
}
