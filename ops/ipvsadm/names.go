package ipvsadm

import (
	"bufio"
	"context"
	"net"
	"os"
	"strings"
	"sync"

	"github.com/lvsadm/lvsadm/ops"
)

// This file resolves names as ipvsadm does through the C library: host
// names to IPv4 addresses (gethostbyname), addresses to host names
// (gethostbyaddr), and service names to and from ports (getservbyname,
// getservbyport, read here from /etc/services).

// resolver looks names up for one Run. Lookups are cached: a listing asks
// for the same address or port many times.
type resolver struct {
	ctx context.Context

	// lookupIP4 and lookupAddr are the DNS functions; tests replace them.
	lookupIP4  func(ctx context.Context, host string) ([]net.IP, error)
	lookupAddr func(ctx context.Context, addr string) ([]string, error)

	hosts map[hostKey]string
}

type hostKey struct {
	af   uint16
	addr inetAddr
}

// The DNS functions every resolver starts with; tests replace them.
var (
	defaultLookupIP4 = func(ctx context.Context, host string) ([]net.IP, error) {
		return net.DefaultResolver.LookupIP(ctx, "ip4", host)
	}
	defaultLookupAddr = func(ctx context.Context, addr string) ([]string, error) {
		return net.DefaultResolver.LookupAddr(ctx, addr)
	}
)

func newResolver(ctx context.Context) *resolver {
	return &resolver{ctx: ctx, lookupIP4: defaultLookupIP4, lookupAddr: defaultLookupAddr}
}

// hostToAddr is ipvsadm's host_to_addr: the first IPv4 address of name.
func (r *resolver) hostToAddr(name string) (uint32, bool) {
	if name == "" {
		return 0, false
	}
	ips, err := r.lookupIP4(r.ctx, name)
	if err != nil {
		return 0, false
	}
	for _, ip := range ips {
		if ip4 := ip.To4(); ip4 != nil {
			return uint32(ip4[0])<<24 | uint32(ip4[1])<<16 | uint32(ip4[2])<<8 | uint32(ip4[3]), true
		}
	}
	return 0, false
}

// addrToAnyName is ipvsadm's addr_to_anyname: the host name of the address,
// or the address itself when it has none.
func (r *resolver) addrToAnyName(af uint16, a inetAddr) string {
	k := hostKey{af, a}
	if name, ok := r.hosts[k]; ok {
		return name
	}
	num := formatAddr(af, a)
	name := num
	if names, err := r.lookupAddr(r.ctx, num); err == nil && len(names) > 0 && names[0] != "" {
		name = strings.TrimSuffix(names[0], ".")
		if name == "" {
			name = num
		}
	}
	if r.hosts == nil {
		r.hosts = make(map[hostKey]string)
	}
	r.hosts[k] = name
	return name
}

// servicesPath is the services database; tests point it elsewhere.
var servicesPath = "/etc/services"

type servKey struct {
	proto string
	port  uint16
}

type servNameKey struct {
	proto string
	name  string
}

type servicesDB struct {
	byPort map[servKey]string
	byName map[servNameKey]uint16
}

var (
	servicesMu     sync.Mutex
	servicesLoaded = map[string]*servicesDB{}
)

// services reads the services database once per path.
func services() *servicesDB {
	servicesMu.Lock()
	defer servicesMu.Unlock()
	if db, ok := servicesLoaded[servicesPath]; ok {
		return db
	}
	db := &servicesDB{byPort: map[servKey]string{}, byName: map[servNameKey]uint16{}}
	if f, err := os.Open(servicesPath); err == nil {
		parseServices(bufio.NewScanner(f), db)
		f.Close()
	}
	servicesLoaded[servicesPath] = db
	return db
}

// parseServices reads lines "name port/proto aliases... # comment"; the
// first entry for a port (or a name) wins, as with the C library.
func parseServices(sc *bufio.Scanner, db *servicesDB) {
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		portStr, proto, ok := strings.Cut(f[1], "/")
		if !ok || proto == "" {
			continue
		}
		v, digits, whole, _ := cStrtol(portStr)
		if !digits || !whole || v < 0 {
			continue
		}
		port := uint16(v)
		pk := servKey{proto, port}
		if _, dup := db.byPort[pk]; !dup {
			db.byPort[pk] = f[0]
		}
		names := append([]string{f[0]}, f[2:]...)
		for _, n := range names {
			nk := servNameKey{proto, n}
			if _, dup := db.byName[nk]; !dup {
				db.byName[nk] = port
			}
		}
	}
}

// serviceToPort is ipvsadm's service_to_port.
func serviceToPort(name string, proto uint16) (uint16, bool) {
	p, _, known := ops.ProtocolNames(proto)
	if !known {
		return 0, false
	}
	port, ok := services().byName[servNameKey{p, name}]
	return port, ok
}

// portToService is ipvsadm's port_to_service.
func portToService(port, proto uint16) (string, bool) {
	p, _, known := ops.ProtocolNames(proto)
	if !known {
		return "", false
	}
	name, ok := services().byPort[servKey{p, port}]
	return name, ok
}
