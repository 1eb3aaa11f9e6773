package opstest

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"syscall"
	"testing"
	"time"

	"github.com/lvsadm/lvsadm/ops"
)

// Contract is what any ops.Kernel must do, as tests. Run runs them
// against the fake here (TestContract) and against the real kernel in the
// lab VM (ops/kernel TestVMContract): what the fake answers is what
// Linux answers, or one of the two fails.
type Contract struct {
	// With runs fn with a kernel whose IPVS table is empty, whose
	// timeouts are the defaults and where no sync daemon runs; Link is
	// a multicast-capable interface with an MTU of 1500, and addresses
	// in 10.0.0.0/8 and 2001:db8::/32 are routable.
	With func(t *testing.T, fn func(k ops.Kernel))
	Link string
	// SyncStarted, when set, is called after a sync daemon started and
	// before it is stopped: Linux leaves a stop unanswered that comes
	// before the new thread first ran.
	SyncStarted func(t *testing.T)
}

// ip parses s to the form the kernel reports: 4 bytes for IPv4.
func ip(s string) net.IP { return net.IP(netip.MustParseAddr(s).AsSlice()) }

func family(addr string) uint16 {
	if netip.MustParseAddr(addr).Is4() {
		return ops.AFInet
	}
	return ops.AFInet6
}

func tcp(addr string, port uint16) ops.ServiceKey {
	return ops.ServiceKey{Family: family(addr), Protocol: ops.ProtoTCP, Address: ip(addr), Port: port}
}

func dest(addr string, port uint16, fwd uint32, weight int32) ops.Destination {
	return ops.Destination{Family: family(addr), Address: ip(addr), Port: port, ConnFlags: fwd, Weight: weight}
}

func ctxOf(t *testing.T) context.Context {
	// Generous: an emulated CPU on a busy host can stall the kernel.
	c, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return c
}

// wantErrno fails t unless err is the kernel's errno for op.
func wantErrno(t *testing.T, what string, err error, op ops.Op, errno syscall.Errno) {
	t.Helper()
	var ke *ops.KernelError
	if !errors.As(err, &ke) || ke.Op != op || ke.Errno != errno {
		t.Errorf("%s: got %v, want %s %v", what, err, op, errno)
	}
}

func must(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// Run runs every case as a subtest, each with a fresh kernel from With.
func (c Contract) Run(t *testing.T) {
	for _, tc := range []struct {
		name string
		fn   func(t *testing.T, k ops.Kernel)
	}{
		{"Empty", contractEmpty},
		{"Services", contractServices},
		{"ServiceErrors", contractServiceErrors},
		{"Destinations", contractDestinations},
		{"DestinationErrors", contractDestinationErrors},
		{"Zero", contractZero},
		{"Timeouts", contractTimeouts},
		{"Daemons", c.contractDaemons},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c.With(t, func(k ops.Kernel) { tc.fn(t, k) })
		})
	}
}

func contractEmpty(t *testing.T, k ops.Kernel) {
	ctx := ctxOf(t)
	info, err := k.Info(ctx)
	if err != nil || info.Version>>16 != 1 || info.ConnTabSize == 0 {
		t.Errorf("Info = %+v, %v", info, err)
	}
	if svcs, err := k.Services(ctx); err != nil || len(svcs) != 0 {
		t.Errorf("Services = %v, %v", svcs, err)
	}
	// No service: an empty dump, not an error.
	if ds, err := k.Destinations(ctx, tcp("10.1.0.1", 80)); err != nil || len(ds) != 0 {
		t.Errorf("Destinations of a missing service = %v, %v", ds, err)
	}
	if ds, err := k.Daemons(ctx); err != nil || len(ds) != 0 {
		t.Errorf("Daemons = %v, %v", ds, err)
	}
	n := 0
	if err := k.Connections(ctx, func(*ops.Connection) error { n++; return nil }); err != nil || n != 0 {
		t.Errorf("Connections: %d, %v", n, err)
	}
	must(t, "flush of an empty table", k.Flush(ctx))
}

func contractServices(t *testing.T, k ops.Kernel) {
	ctx := ctxOf(t)
	web := ops.Service{ServiceKey: tcp("10.1.0.1", 80), Scheduler: "wlc", Flags: ops.SvcPersistent, Timeout: 300, Netmask: 0xffffff00}
	v6 := ops.Service{ServiceKey: tcp("2001:db8::1", 443), Scheduler: "rr", Netmask: 128}
	mark := ops.Service{ServiceKey: ops.ServiceKey{Family: ops.AFInet, FWMark: 7}, Scheduler: "sh", Flags: ops.SvcSchedShPort, Netmask: 0xffffffff}
	for _, s := range []ops.Service{web, v6, mark} {
		must(t, "add "+s.ServiceKey.String(), k.AddService(ctx, s))
	}
	svcs, err := k.Services(ctx)
	if err != nil || len(svcs) != 3 {
		t.Fatalf("Services = %v, %v", svcs, err)
	}
	byID := map[ops.ServiceID]ops.Service{}
	for _, s := range svcs {
		byID[s.ID()] = s
	}
	for _, want := range []ops.Service{web, v6, mark} {
		got, ok := byID[want.ID()]
		// The kernel sets IP_VS_SVC_F_HASHED on every service it holds.
		if !ok || got.Scheduler != want.Scheduler || got.Flags != want.Flags|ops.SvcHashed ||
			got.Timeout != want.Timeout || got.Netmask != want.Netmask || got.Stats != (ops.Stats{}) {
			t.Errorf("listed %+v, want %+v with the hashed flag", got, want)
		}
		one, err := k.Service(ctx, want.ServiceKey)
		if err != nil || one.ID() != want.ID() || one.Scheduler != want.Scheduler || one.Flags != got.Flags {
			t.Errorf("Service(%s) = %+v, %v", want.ServiceKey, one, err)
		}
	}
	// A fwmark service comes back with its family and mark only.
	if m := byID[mark.ID()]; m.Protocol != 0 || m.Address != nil || m.Port != 0 {
		t.Errorf("fwmark service listed as %+v", m)
	}
	// An IPv4 address comes back in 4 bytes.
	if w := byID[web.ID()]; len(w.Address) != net.IPv4len {
		t.Errorf("IPv4 service address %d bytes", len(w.Address))
	}
	// Edit replaces scheduler, flags and timeout.
	edited := web
	edited.Scheduler, edited.Flags, edited.Timeout = "rr", 0, 0
	must(t, "edit", k.EditService(ctx, edited))
	if got, err := k.Service(ctx, web.ServiceKey); err != nil || got.Scheduler != "rr" || got.Flags != ops.SvcHashed || got.Timeout != 0 {
		t.Errorf("after edit: %+v, %v", got, err)
	}
	must(t, "delete", k.DelService(ctx, v6.ServiceKey))
	if svcs, err := k.Services(ctx); err != nil || len(svcs) != 2 {
		t.Errorf("after delete: %v, %v", svcs, err)
	}
	must(t, "flush", k.Flush(ctx))
	if svcs, err := k.Services(ctx); err != nil || len(svcs) != 0 {
		t.Errorf("after flush: %v, %v", svcs, err)
	}
}

func contractServiceErrors(t *testing.T, k ops.Kernel) {
	ctx := ctxOf(t)
	web := ops.Service{ServiceKey: tcp("10.1.0.1", 80), Scheduler: "rr", Netmask: 0xffffffff}
	must(t, "add", k.AddService(ctx, web))
	missing := tcp("10.1.0.99", 80)
	wantErrno(t, "duplicate service", k.AddService(ctx, web), ops.OpAddService, syscall.EEXIST)
	wantErrno(t, "unknown scheduler", k.AddService(ctx, ops.Service{ServiceKey: tcp("10.1.0.2", 80), Scheduler: "nosuch", Netmask: 0xffffffff}), ops.OpAddService, syscall.ENOENT)
	wantErrno(t, "no scheduler", k.AddService(ctx, ops.Service{ServiceKey: tcp("10.1.0.2", 80), Netmask: 0xffffffff}), ops.OpAddService, syscall.ENOENT)
	wantErrno(t, "IPv6 prefix 0", k.AddService(ctx, ops.Service{ServiceKey: tcp("2001:db8::1", 80), Scheduler: "rr"}), ops.OpAddService, syscall.EINVAL)
	wantErrno(t, "IPv6 prefix 129", k.AddService(ctx, ops.Service{ServiceKey: tcp("2001:db8::1", 80), Scheduler: "rr", Netmask: 129}), ops.OpAddService, syscall.EINVAL)
	wantErrno(t, "edit missing service", k.EditService(ctx, ops.Service{ServiceKey: missing, Scheduler: "rr"}), ops.OpEditService, syscall.ESRCH)
	bad := web
	bad.Scheduler = "nosuch"
	wantErrno(t, "edit to an unknown scheduler", k.EditService(ctx, bad), ops.OpEditService, syscall.ENOENT)
	wantErrno(t, "delete missing service", k.DelService(ctx, missing), ops.OpDelService, syscall.ESRCH)
	_, err := k.Service(ctx, missing)
	wantErrno(t, "get missing service", err, ops.OpGetService, syscall.ESRCH)
	if got, err := k.Service(ctx, web.ServiceKey); err != nil || got.Scheduler != "rr" {
		t.Errorf("refused edit changed the service: %+v, %v", got, err)
	}
}

func contractDestinations(t *testing.T, k ops.Kernel) {
	ctx := ctxOf(t)
	key := tcp("10.1.0.1", 80)
	must(t, "add service", k.AddService(ctx, ops.Service{ServiceKey: key, Scheduler: "wrr", Netmask: 0xffffffff}))
	a := dest("10.0.1.1", 8080, ops.FwdMasq, 1)
	a.ActiveConns, a.InactConns, a.Stats.Conns = 5, 6, 7 // the kernel starts them at 0
	b := dest("10.0.1.2", 8080, ops.FwdRoute, 2)
	b.UThreshold, b.LThreshold = 100, 10
	c := dest("2001:db8::2", 0, ops.FwdTunnel, 3) // another family: by tunnel only
	c.TunType, c.TunPort, c.TunFlags = ops.TunGUE, 6080, ops.TunFlagCsum
	for _, d := range []ops.Destination{a, b, c} {
		must(t, "add "+d.Address.String(), k.AddDestination(ctx, key, d))
	}
	ds, err := k.Destinations(ctx, key)
	if err != nil || len(ds) != 3 {
		t.Fatalf("Destinations = %v, %v", ds, err)
	}
	// Newest first: the kernel adds at the head of the list.
	for i, want := range []ops.Destination{c, b, a} {
		got := ds[i]
		if got.ID() != want.ID() || got.Family != want.Family || got.Weight != want.Weight || got.ConnFlags != want.ConnFlags ||
			got.UThreshold != want.UThreshold || got.LThreshold != want.LThreshold {
			t.Errorf("destination %d: %+v, want %+v", i, got, want)
		}
		if got.ActiveConns != 0 || got.InactConns != 0 || got.PersistConns != 0 || got.Stats != (ops.Stats{}) {
			t.Errorf("destination %d: counters %+v, want none", i, got)
		}
	}
	if got := ds[0]; got.TunType != ops.TunGUE || got.TunPort != 6080 || got.TunFlags != ops.TunFlagCsum {
		t.Errorf("tunnel destination %+v", got)
	}
	if got := ds[2]; len(got.Address) != net.IPv4len {
		t.Errorf("IPv4 destination address %d bytes", len(got.Address))
	}
	// Edit replaces every setting and keeps the place.
	e := a
	e.Weight, e.ConnFlags, e.UThreshold, e.LThreshold = 0, ops.FwdTunnel, 50, 5
	must(t, "edit", k.EditDestination(ctx, key, e))
	ds, err = k.Destinations(ctx, key)
	if err != nil || len(ds) != 3 || ds[2].ID() != a.ID() || ds[2].Weight != 0 || ds[2].ConnFlags != ops.FwdTunnel ||
		ds[2].UThreshold != 50 || ds[2].LThreshold != 5 {
		t.Errorf("after edit: %+v, %v", ds, err)
	}
	must(t, "delete", k.DelDestination(ctx, key, b))
	if ds, err := k.Destinations(ctx, key); err != nil || len(ds) != 2 || ds[0].ID() != c.ID() || ds[1].ID() != a.ID() {
		t.Errorf("after delete: %+v, %v", ds, err)
	}
	// A destination added back goes to the head again.
	must(t, "add back", k.AddDestination(ctx, key, b))
	if ds, err := k.Destinations(ctx, key); err != nil || len(ds) != 3 || ds[0].ID() != b.ID() {
		t.Errorf("after adding back: %+v, %v", ds, err)
	}
	// The service's destinations go with it.
	must(t, "delete service", k.DelService(ctx, key))
	must(t, "add service again", k.AddService(ctx, ops.Service{ServiceKey: key, Scheduler: "wrr", Netmask: 0xffffffff}))
	if ds, err := k.Destinations(ctx, key); err != nil || len(ds) != 0 {
		t.Errorf("a new service has destinations: %+v, %v", ds, err)
	}
}

func contractDestinationErrors(t *testing.T, k ops.Kernel) {
	ctx := ctxOf(t)
	key := tcp("10.1.0.1", 80)
	must(t, "add service", k.AddService(ctx, ops.Service{ServiceKey: key, Scheduler: "rr", Netmask: 0xffffffff}))
	missing := tcp("10.1.0.99", 80)
	d := dest("10.0.1.1", 80, ops.FwdMasq, 1)
	other := dest("10.0.1.2", 80, ops.FwdMasq, 1)
	must(t, "add", k.AddDestination(ctx, key, d))
	wantErrno(t, "duplicate destination", k.AddDestination(ctx, key, d), ops.OpAddDest, syscall.EEXIST)
	wantErrno(t, "add to missing service", k.AddDestination(ctx, missing, other), ops.OpAddDest, syscall.ESRCH)
	wantErrno(t, "edit in missing service", k.EditDestination(ctx, missing, d), ops.OpEditDest, syscall.ESRCH)
	wantErrno(t, "delete from missing service", k.DelDestination(ctx, missing, d), ops.OpDelDest, syscall.ESRCH)
	wantErrno(t, "edit missing destination", k.EditDestination(ctx, key, other), ops.OpEditDest, syscall.ENOENT)
	wantErrno(t, "delete missing destination", k.DelDestination(ctx, key, other), ops.OpDelDest, syscall.ENOENT)
	neg := other
	neg.Weight = -1
	wantErrno(t, "negative weight", k.AddDestination(ctx, key, neg), ops.OpAddDest, syscall.ERANGE)
	max := other
	max.Weight = ops.MaxWeight
	must(t, "the highest weight", k.AddDestination(ctx, key, max))
	must(t, "delete it", k.DelDestination(ctx, key, max))
	thr := other
	thr.UThreshold, thr.LThreshold = 10, 20
	wantErrno(t, "lower threshold above upper", k.AddDestination(ctx, key, thr), ops.OpAddDest, syscall.ERANGE)
	thr = d
	thr.UThreshold, thr.LThreshold = 0, 1 // 0 is no upper limit, yet the kernel compares
	wantErrno(t, "edit: lower threshold above upper", k.EditDestination(ctx, key, thr), ops.OpEditDest, syscall.ERANGE)
	neg = d
	neg.Weight = -1
	wantErrno(t, "edit: negative weight", k.EditDestination(ctx, key, neg), ops.OpEditDest, syscall.ERANGE)
	gue := other
	gue.ConnFlags, gue.TunType = ops.FwdTunnel, ops.TunGUE
	wantErrno(t, "GUE without a port", k.AddDestination(ctx, key, gue), ops.OpAddDest, syscall.EINVAL)
	mixed := dest("2001:db8::2", 80, ops.FwdMasq, 1)
	wantErrno(t, "another family, not by tunnel", k.AddDestination(ctx, key, mixed), ops.OpAddDest, syscall.EINVAL)
	wantErrno(t, "multicast destination", k.AddDestination(ctx, key, dest("224.0.0.5", 80, ops.FwdRoute, 1)), ops.OpAddDest, syscall.EINVAL)
	if ds, err := k.Destinations(ctx, key); err != nil || len(ds) != 1 || ds[0].Weight != 1 {
		t.Errorf("refused changes changed the table: %+v, %v", ds, err)
	}
}

func contractZero(t *testing.T, k ops.Kernel) {
	ctx := ctxOf(t)
	key := tcp("10.1.0.1", 80)
	must(t, "add service", k.AddService(ctx, ops.Service{ServiceKey: key, Scheduler: "rr", Netmask: 0xffffffff}))
	must(t, "zero one", k.Zero(ctx, &key))
	must(t, "zero all", k.Zero(ctx, nil))
	missing := tcp("10.1.0.99", 80)
	wantErrno(t, "zero missing service", k.Zero(ctx, &missing), ops.OpZero, syscall.ESRCH)
}

func contractTimeouts(t *testing.T, k ops.Kernel) {
	ctx := ctxOf(t)
	if to, err := k.Timeouts(ctx); err != nil || to != DefaultTimeouts {
		t.Errorf("default timeouts %+v, %v", to, err)
	}
	must(t, "set", k.SetTimeouts(ctx, ops.Timeouts{TCP: 100, TCPFin: 20, UDP: 30}))
	// A zero leaves that timeout alone.
	must(t, "set one", k.SetTimeouts(ctx, ops.Timeouts{UDP: 45}))
	if to, err := k.Timeouts(ctx); err != nil || to != (ops.Timeouts{TCP: 100, TCPFin: 20, UDP: 45}) {
		t.Errorf("timeouts %+v, %v", to, err)
	}
	// Flush empties the table, not the settings.
	must(t, "flush", k.Flush(ctx))
	if to, err := k.Timeouts(ctx); err != nil || to.TCP != 100 {
		t.Errorf("after flush: %+v, %v", to, err)
	}
}

func (c Contract) contractDaemons(t *testing.T, k ops.Kernel) {
	ctx := ctxOf(t)
	wantErrno(t, "stop a daemon that does not run", k.StopDaemon(ctx, ops.DaemonMaster), ops.OpStopDaemon, syscall.ESRCH)
	wantErrno(t, "no such link", k.StartDaemon(ctx, ops.Daemon{State: ops.DaemonMaster, McastIfn: "nosuch0", SyncID: 1}), ops.OpStartDaemon, syscall.ENODEV)
	must(t, "start master", k.StartDaemon(ctx, ops.Daemon{State: ops.DaemonMaster, McastIfn: c.Link, SyncID: 5}))
	if c.SyncStarted != nil {
		c.SyncStarted(t)
	}
	ds, err := k.Daemons(ctx)
	// The kernel's defaults: the group 224.0.0.81:8848, TTL 1, messages
	// as long as the link's MTU less the IPv4 and UDP headers.
	if err != nil || len(ds) != 1 || ds[0].State != ops.DaemonMaster || ds[0].McastIfn != c.Link || ds[0].SyncID != 5 ||
		ds[0].SyncMaxLen != 1500-28 || !ds[0].McastGroup.Equal(ip("224.0.0.81")) || ds[0].McastPort != 8848 || ds[0].McastTTL != 1 {
		t.Errorf("Daemons = %+v, %v", ds, err)
	}
	wantErrno(t, "second master", k.StartDaemon(ctx, ops.Daemon{State: ops.DaemonMaster, McastIfn: c.Link, SyncID: 6}), ops.OpStartDaemon, syscall.EEXIST)
	must(t, "stop master", k.StopDaemon(ctx, ops.DaemonMaster))
	if ds, err := k.Daemons(ctx); err != nil || len(ds) != 0 {
		t.Errorf("after stop: %+v, %v", ds, err)
	}
}
