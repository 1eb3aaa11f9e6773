// Package opstest holds the one in-memory IPVS that tests above ops use in
// place of the kernel. It answers as Linux does: the same errors for the
// same mistakes (EEXIST, ESRCH, ENOENT, ERANGE, EINVAL), an empty list for
// the destinations of a service that does not exist, newest destination
// first, flags with IP_VS_SVC_F_HASHED set, fresh counters for what is
// added. RunContract states that behaviour as tests; they run against this
// fake on the host and against the real kernel in the lab VM (ops/kernel,
// build tag vmtest), so the two cannot drift apart.
//
// It is test support: nothing in the lvsadm binary imports it.
package opstest

import (
	"context"
	"net"
	"slices"
	"sync"
	"syscall"

	"github.com/lvsadm/lvsadm/ops"
)

// Schedulers are the scheduler modules the lab kernel loads (Linux 6.1);
// any other name is refused with ENOENT, as a kernel without the module does.
var Schedulers = []string{"rr", "wrr", "lc", "wlc", "lblc", "lblcr", "dh", "sh", "sed", "nq", "fo", "ovf", "mh"}

// DefaultTimeouts are the kernel's connection timeouts before any --set.
var DefaultTimeouts = ops.Timeouts{TCP: 900, TCPFin: 120, UDP: 300}

// DefaultInfo is what a kernel with IPVS 1.2.1 and the default connection
// table size answers.
var DefaultInfo = ops.Info{Version: 1<<16 | 2<<8 | 1, ConnTabSize: 4096}

// Kernel is an in-memory IPVS table behind ops.Kernel. It is safe for
// concurrent use. The zero value is not ready: use New.
type Kernel struct {
	mu       sync.Mutex
	info     ops.Info
	svcs     []*entry
	timeouts ops.Timeouts
	daemons  []ops.Daemon
	conns    []ops.Connection
	calls    []ops.Op

	// Links are the network interfaces a sync daemon may use, by name,
	// with their MTU (the default sync_maxlen derives from it). Nil means
	// every name exists with an MTU of 1500, for tests that do not care.
	Links map[string]int

	inject func(op ops.Op, key *ops.ServiceKey) error
}

type entry struct {
	svc   ops.Service
	dests []ops.Destination // newest first, as the kernel lists them
}

// New returns an empty table with the kernel's default timeouts.
func New() *Kernel {
	return &Kernel{info: DefaultInfo, timeouts: DefaultTimeouts}
}

var _ ops.Kernel = (*Kernel)(nil)

// Load replaces the table with t, counters and all, as if the kernel had
// carried traffic: the way to give a test services with statistics or
// active connections, which no operation sets. Destinations keep t's
// order.
func (k *Kernel) Load(t ops.Table) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.svcs = nil
	for _, vs := range t {
		s := vs.Service
		s.ServiceKey = normKey(s.ServiceKey)
		s.Flags |= ops.SvcHashed
		e := &entry{svc: s}
		for _, d := range vs.Destinations {
			e.dests = append(e.dests, normDest(d, s.Family))
		}
		k.svcs = append(k.svcs, e)
	}
}

// SetConnections sets what Connections streams.
func (k *Kernel) SetConnections(cs []ops.Connection) {
	k.mu.Lock()
	k.conns = slices.Clone(cs)
	k.mu.Unlock()
}

// SetInfo sets what Info answers.
func (k *Kernel) SetInfo(i ops.Info) {
	k.mu.Lock()
	k.info = i
	k.mu.Unlock()
}

// Table returns a copy of the table, services in the order Services lists
// them.
func (k *Kernel) Table() ops.Table {
	k.mu.Lock()
	defer k.mu.Unlock()
	out := make(ops.Table, 0, len(k.svcs))
	for _, e := range k.sorted() {
		out = append(out, ops.VirtualService{Service: reported(e.svc), Destinations: slices.Clone(e.dests)})
	}
	return out
}

// Calls returns the operations made so far, reads included, in order.
func (k *Kernel) Calls() []ops.Op {
	k.mu.Lock()
	defer k.mu.Unlock()
	return slices.Clone(k.calls)
}

// Changes returns the operations made so far that change something, in
// order.
func (k *Kernel) Changes() []ops.Op {
	var out []ops.Op
	for _, op := range k.Calls() {
		switch op {
		case ops.OpInfo, ops.OpGetServices, ops.OpGetService, ops.OpGetDests,
			ops.OpGetTimeout, ops.OpGetDaemon, ops.OpConnections:
			continue
		}
		out = append(out, op)
	}
	return out
}

// SetInject sets fn to be called before every operation with the
// operation and the service it names (nil for none); an error it returns
// is the operation's answer and the table stays as it was. Tests use it
// for what the fake cannot produce by itself (EPERM, a netlink timeout,
// IPVS gone) and for what happens between two calls: fn runs outside the
// fake's lock, so it may change the table through k (a service deleted
// between the listing and the read of its destinations). nil removes it.
func (k *Kernel) SetInject(fn func(op ops.Op, key *ops.ServiceKey) error) {
	k.mu.Lock()
	k.inject = fn
	k.mu.Unlock()
}

// begin records op, asks the injected function, and takes the lock when the operation
// is to go on; the caller unlocks it then.
func (k *Kernel) begin(op ops.Op, key *ops.ServiceKey) error {
	k.mu.Lock()
	k.calls = append(k.calls, op)
	inject := k.inject
	k.mu.Unlock()
	if inject != nil {
		if err := inject(op, key); err != nil {
			return err
		}
	}
	k.mu.Lock()
	return nil
}

func kerr(op ops.Op, errno syscall.Errno) error { return &ops.KernelError{Op: op, Errno: errno} }

// normKey is the key as the kernel stores and reports it: the family set,
// IPv4 addresses in 4 bytes, a fwmark service with nothing but its family
// and mark.
func normKey(k ops.ServiceKey) ops.ServiceKey {
	k.Family = k.AddrFamily()
	if k.FWMark != 0 {
		return ops.ServiceKey{Family: k.Family, FWMark: k.FWMark}
	}
	k.Address = normAddr(k.Address, k.Family)
	return k
}

func normAddr(ip net.IP, family uint16) net.IP {
	if family == ops.AFInet {
		if v4 := ip.To4(); v4 != nil {
			return slices.Clone(v4)
		}
		return net.IPv4zero.To4()
	}
	if ip == nil {
		return slices.Clone(net.IPv6zero)
	}
	return slices.Clone(ip.To16())
}

func normDest(d ops.Destination, svcAF uint16) ops.Destination {
	d.Family = d.FamilyIn(svcAF)
	d.Address = normAddr(d.Address, d.Family)
	return d
}

// reported is a service as a dump shows it.
func reported(s ops.Service) ops.Service {
	s.Address = slices.Clone(s.Address)
	return s
}

// sorted lists the services as the kernel's dump would: the kernel walks
// two hash tables (address-keyed, then fwmark); this fake orders each
// by key instead of by hash, so listings repeat from run to run.
func (k *Kernel) sorted() []*entry {
	out := slices.Clone(k.svcs)
	slices.SortStableFunc(out, func(a, b *entry) int {
		af, bf := a.svc.FWMark != 0, b.svc.FWMark != 0
		if af != bf {
			if af {
				return 1
			}
			return -1
		}
		return a.svc.ID().Compare(b.svc.ID())
	})
	return out
}

// lookup begins op on the service key names: it returns with the service
// and the lock held, or with an error (ESRCH when there is no such
// service) and the lock released.
func (k *Kernel) lookup(op ops.Op, key ops.ServiceKey) (*entry, error) {
	if err := k.begin(op, &key); err != nil {
		return nil, err
	}
	e := k.find(key)
	if e == nil {
		k.mu.Unlock()
		return nil, kerr(op, syscall.ESRCH)
	}
	return e, nil
}

func (k *Kernel) find(key ops.ServiceKey) *entry {
	id := normKey(key).ID()
	for _, e := range k.svcs {
		if e.svc.ID() == id {
			return e
		}
	}
	return nil
}

// Info implements ops.Kernel.
func (k *Kernel) Info(context.Context) (ops.Info, error) {
	if err := k.begin(ops.OpInfo, nil); err != nil {
		return ops.Info{}, err
	}
	defer k.mu.Unlock()
	return k.info, nil
}

// Services implements ops.Kernel.
func (k *Kernel) Services(context.Context) ([]ops.Service, error) {
	if err := k.begin(ops.OpGetServices, nil); err != nil {
		return nil, err
	}
	defer k.mu.Unlock()
	var out []ops.Service
	for _, e := range k.sorted() {
		out = append(out, reported(e.svc))
	}
	return out, nil
}

// Service implements ops.Kernel.
func (k *Kernel) Service(_ context.Context, key ops.ServiceKey) (ops.Service, error) {
	e, err := k.lookup(ops.OpGetService, key)
	if err != nil {
		return ops.Service{}, err
	}
	defer k.mu.Unlock()
	return reported(e.svc), nil
}

// checkService refuses what ip_vs_add_service and ip_vs_edit_service
// refuse.
func checkService(op ops.Op, s ops.Service) error {
	if !slices.Contains(Schedulers, s.Scheduler) {
		return kerr(op, syscall.ENOENT) // no such scheduler module
	}
	if s.PEName != "" && s.PEName != "sip" {
		return kerr(op, syscall.ENOENT) // no such persistence engine
	}
	if s.ServiceKey.AddrFamily() == ops.AFInet6 && (s.Netmask < 1 || s.Netmask > 128) {
		return kerr(op, syscall.EINVAL)
	}
	return nil
}

// AddService implements ops.Kernel.
func (k *Kernel) AddService(_ context.Context, s ops.Service) error {
	if err := k.begin(ops.OpAddService, &s.ServiceKey); err != nil {
		return err
	}
	defer k.mu.Unlock()
	if k.find(s.ServiceKey) != nil {
		return kerr(ops.OpAddService, syscall.EEXIST)
	}
	if err := checkService(ops.OpAddService, s); err != nil {
		return err
	}
	s.ServiceKey = normKey(s.ServiceKey)
	s.Flags |= ops.SvcHashed
	s.Stats = ops.Stats{}
	k.svcs = append(k.svcs, &entry{svc: s})
	return nil
}

// EditService implements ops.Kernel.
func (k *Kernel) EditService(_ context.Context, s ops.Service) error {
	e, err := k.lookup(ops.OpEditService, s.ServiceKey)
	if err != nil {
		return err
	}
	defer k.mu.Unlock()
	if err := checkService(ops.OpEditService, s); err != nil {
		return err
	}
	stats := e.svc.Stats
	e.svc = s
	e.svc.ServiceKey = normKey(s.ServiceKey)
	e.svc.Flags |= ops.SvcHashed
	e.svc.Stats = stats
	return nil
}

// DelService implements ops.Kernel.
func (k *Kernel) DelService(_ context.Context, key ops.ServiceKey) error {
	e, err := k.lookup(ops.OpDelService, key)
	if err != nil {
		return err
	}
	defer k.mu.Unlock()
	k.svcs = slices.DeleteFunc(k.svcs, func(x *entry) bool { return x == e })
	return nil
}

// Flush implements ops.Kernel.
func (k *Kernel) Flush(context.Context) error {
	if err := k.begin(ops.OpFlush, nil); err != nil {
		return err
	}
	defer k.mu.Unlock()
	k.svcs = nil
	return nil
}

// Destinations implements ops.Kernel. A service that does not exist has
// no destinations: the kernel's dump is empty, not an error.
func (k *Kernel) Destinations(_ context.Context, key ops.ServiceKey) ([]ops.Destination, error) {
	if err := k.begin(ops.OpGetDests, &key); err != nil {
		return nil, err
	}
	defer k.mu.Unlock()
	e := k.find(key)
	if e == nil {
		return nil, nil
	}
	out := slices.Clone(e.dests)
	for i := range out {
		out[i].Address = slices.Clone(out[i].Address)
	}
	return out, nil
}

// checkDest refuses what ip_vs_genl_set_cmd, ip_vs_add_dest and
// ip_vs_edit_dest refuse, in their order; d is normalised.
func checkDest(op ops.Op, svc ops.Service, d ops.Destination) error {
	if d.Family != svc.Family && d.ConnFlags&ops.FwdMask != ops.FwdTunnel {
		return kerr(op, syscall.EINVAL) // mixed families only by tunnel
	}
	if d.Weight < 0 || d.LThreshold > d.UThreshold {
		return kerr(op, syscall.ERANGE)
	}
	if d.TunType == ops.TunGUE && d.TunPort == 0 {
		return kerr(op, syscall.EINVAL)
	}
	return nil
}

func (e *entry) dest(d ops.Destination) int {
	id := d.ID()
	return slices.IndexFunc(e.dests, func(x ops.Destination) bool { return x.ID() == id && x.Family == d.Family })
}

// AddDestination implements ops.Kernel.
func (k *Kernel) AddDestination(_ context.Context, key ops.ServiceKey, d ops.Destination) error {
	e, err := k.lookup(ops.OpAddDest, key)
	if err != nil {
		return err
	}
	defer k.mu.Unlock()
	d = normDest(d, e.svc.Family)
	if err := checkDest(ops.OpAddDest, e.svc, d); err != nil {
		return err
	}
	if e.dest(d) >= 0 {
		return kerr(ops.OpAddDest, syscall.EEXIST)
	}
	if d.Address.IsUnspecified() || d.Address.IsMulticast() || d.Address.Equal(net.IPv4bcast) {
		return kerr(ops.OpAddDest, syscall.EINVAL) // not a unicast address
	}
	d.ConnFlags &= ops.FwdMask
	d.ActiveConns, d.InactConns, d.PersistConns, d.Stats = 0, 0, 0, ops.Stats{}
	e.dests = slices.Insert(e.dests, 0, d)
	return nil
}

// EditDestination implements ops.Kernel.
func (k *Kernel) EditDestination(_ context.Context, key ops.ServiceKey, d ops.Destination) error {
	e, err := k.lookup(ops.OpEditDest, key)
	if err != nil {
		return err
	}
	defer k.mu.Unlock()
	d = normDest(d, e.svc.Family)
	if err := checkDest(ops.OpEditDest, e.svc, d); err != nil {
		return err
	}
	i := e.dest(d)
	if i < 0 {
		return kerr(ops.OpEditDest, syscall.ENOENT)
	}
	old := e.dests[i]
	d.ConnFlags &= ops.FwdMask
	d.ActiveConns, d.InactConns, d.PersistConns, d.Stats = old.ActiveConns, old.InactConns, old.PersistConns, old.Stats
	e.dests[i] = d
	return nil
}

// DelDestination implements ops.Kernel.
func (k *Kernel) DelDestination(_ context.Context, key ops.ServiceKey, d ops.Destination) error {
	e, err := k.lookup(ops.OpDelDest, key)
	if err != nil {
		return err
	}
	defer k.mu.Unlock()
	i := e.dest(normDest(d, e.svc.Family))
	if i < 0 {
		return kerr(ops.OpDelDest, syscall.ENOENT)
	}
	e.dests = slices.Delete(e.dests, i, i+1)
	return nil
}

// Zero implements ops.Kernel: the counters of one service and its
// destinations, or of every service.
func (k *Kernel) Zero(_ context.Context, key *ops.ServiceKey) error {
	if err := k.begin(ops.OpZero, key); err != nil {
		return err
	}
	defer k.mu.Unlock()
	zero := func(e *entry) {
		e.svc.Stats = ops.Stats{}
		for i := range e.dests {
			e.dests[i].Stats = ops.Stats{}
		}
	}
	if key == nil {
		for _, e := range k.svcs {
			zero(e)
		}
		return nil
	}
	e := k.find(*key)
	if e == nil {
		return kerr(ops.OpZero, syscall.ESRCH)
	}
	zero(e)
	return nil
}

// Timeouts implements ops.Kernel.
func (k *Kernel) Timeouts(context.Context) (ops.Timeouts, error) {
	if err := k.begin(ops.OpGetTimeout, nil); err != nil {
		return ops.Timeouts{}, err
	}
	defer k.mu.Unlock()
	return k.timeouts, nil
}

// SetTimeouts implements ops.Kernel: a zero leaves that timeout alone.
func (k *Kernel) SetTimeouts(_ context.Context, t ops.Timeouts) error {
	if err := k.begin(ops.OpSetTimeout, nil); err != nil {
		return err
	}
	defer k.mu.Unlock()
	for _, p := range []struct{ to, from *uint32 }{{&k.timeouts.TCP, &t.TCP}, {&k.timeouts.TCPFin, &t.TCPFin}, {&k.timeouts.UDP, &t.UDP}} {
		if *p.from != 0 {
			*p.to = *p.from
		}
	}
	return nil
}

// Daemons implements ops.Kernel: the master first, then the backup.
func (k *Kernel) Daemons(context.Context) ([]ops.Daemon, error) {
	if err := k.begin(ops.OpGetDaemon, nil); err != nil {
		return nil, err
	}
	defer k.mu.Unlock()
	out := slices.Clone(k.daemons)
	slices.SortFunc(out, func(a, b ops.Daemon) int { return int(a.State) - int(b.State) })
	return out, nil
}

// StartDaemon implements ops.Kernel, with the kernel's defaults for what
// d leaves zero.
func (k *Kernel) StartDaemon(_ context.Context, d ops.Daemon) error {
	if err := k.begin(ops.OpStartDaemon, nil); err != nil {
		return err
	}
	defer k.mu.Unlock()
	if d.State != ops.DaemonMaster && d.State != ops.DaemonBackup {
		return kerr(ops.OpStartDaemon, syscall.EINVAL)
	}
	// start_sync_thread looks the link up before it checks for a
	// running daemon.
	mtu, ok := 1500, k.Links == nil
	if !ok {
		mtu, ok = k.Links[d.McastIfn]
	}
	if !ok {
		return kerr(ops.OpStartDaemon, syscall.ENODEV)
	}
	for _, x := range k.daemons {
		if x.State == d.State {
			return kerr(ops.OpStartDaemon, syscall.EEXIST)
		}
	}
	if d.SyncMaxLen == 0 {
		// The link's MTU less the IP and UDP headers.
		hlen := 20 + 8
		if d.McastGroup != nil && d.McastGroup.To4() == nil {
			hlen = 40 + 8
		}
		d.SyncMaxLen = uint16(min(mtu, 65535) - hlen)
	}
	if d.McastGroup == nil {
		d.McastGroup = net.IPv4(224, 0, 0, 81).To4()
	}
	if d.McastPort == 0 {
		d.McastPort = 8848
	}
	if d.McastTTL == 0 {
		d.McastTTL = 1
	}
	k.daemons = append(k.daemons, d)
	return nil
}

// StopDaemon implements ops.Kernel.
func (k *Kernel) StopDaemon(_ context.Context, state uint32) error {
	if err := k.begin(ops.OpStopDaemon, nil); err != nil {
		return err
	}
	defer k.mu.Unlock()
	i := slices.IndexFunc(k.daemons, func(d ops.Daemon) bool { return d.State == state })
	if i < 0 {
		return kerr(ops.OpStopDaemon, syscall.ESRCH)
	}
	k.daemons = slices.Delete(k.daemons, i, i+1)
	return nil
}

// Connections implements ops.Kernel, streaming one reused entry as the
// real one does. The table is copied first, so fn may call the fake.
func (k *Kernel) Connections(ctx context.Context, fn func(c *ops.Connection) error) error {
	if err := k.begin(ops.OpConnections, nil); err != nil {
		return err
	}
	conns := k.conns
	k.mu.Unlock()
	var c ops.Connection
	for i := range conns {
		if err := ctx.Err(); err != nil {
			return err
		}
		c = conns[i]
		if err := fn(&c); err != nil {
			return err
		}
	}
	return nil
}

// Close implements ops.Kernel.
func (k *Kernel) Close() error { return nil }
