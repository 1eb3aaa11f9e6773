package daemon

import (
	"context"
	"log/slog"
	"net"
	"net/netip"
	"time"

	"github.com/lvsadm/lvsadm/daemon/control"
	"github.com/lvsadm/lvsadm/daemon/fwmark"
	"github.com/lvsadm/lvsadm/daemon/health"
	"github.com/lvsadm/lvsadm/daemon/heartbeat"
	"github.com/lvsadm/lvsadm/daemon/vip"
	"github.com/lvsadm/lvsadm/ops"
)

// DefaultResync is the default Options.ResyncInterval: a hand edit of a
// service the daemon owns lasts at most this long. Reading the table costs
// one netlink dump per service (2,000 at 10,000 real servers), so it is not
// done more often than needed.
const DefaultResync = 30 * time.Second

// DefaultSocket is where the control socket lives.
const DefaultSocket = control.DefaultSocket

// VIPManager holds the floating addresses (daemon/vip.Manager).
type VIPManager interface {
	Takeover(ctx context.Context, vips []vip.VIP) error
	Announce(ctx context.Context)
	Release() error
	Update(ctx context.Context, vips []vip.VIP) error
	Held() []vip.VIP
	RemoveStale(vips []vip.VIP) ([]vip.VIP, error)
	Wait()
	// SetQuiet turns announcements off (director_mode = ecmp).
	SetQuiet(quiet bool)
}

// FwmarkManager installs the iptables MARK rules of fwmark_match
// (daemon/fwmark.Manager).
type FwmarkManager interface {
	Install(ctx context.Context, rules []fwmark.Rule) error
	Remove(ctx context.Context) error
}

// Options configure a Daemon. Zero values pick the real thing.
type Options struct {
	ConfigPath string
	// SocketPath is the control socket; empty: none.
	SocketPath string
	// LockDir holds the single-instance lock (one daemon per network
	// namespace, whatever its socket), taken before Run touches
	// anything; empty: none. `lvsadm daemon` passes DefaultLockDir.
	LockDir string
	// MetricsListen is the Prometheus endpoint's TCP address (GET
	// /metrics); empty: none.
	MetricsListen string
	Logger        *slog.Logger

	// Role forces "primary" or "backup" instead of detecting it from the
	// local addresses ("" or "auto").
	Role        string
	ForceActive bool
	// PlainHeartbeat sends exactly piranha's 4-byte heartbeat.
	PlainHeartbeat bool
	// Keys authenticate the heartbeat (nil: none). KeyFile, when set,
	// is read at start and at every reload instead (key rollover without a
	// restart).
	Keys    *heartbeat.Keyring
	KeyFile string

	// Kernel is IPVS (default: ops/kernel.Open()); it runs the sync daemon
	// and, unless Table is set, the table.
	Kernel ops.Kernel
	Table  TableApplier
	// ResyncInterval is how often, while active, the daemon reads the
	// whole kernel table and repairs what differs from what it wrote (a
	// hand edit, a lost write); 0 picks DefaultResync, below 0 turns it
	// off. Health transitions and reloads do not wait for it: they edit
	// exactly what they change.
	ResyncInterval time.Duration
	VIPs           VIPManager
	// Fwmarks installs fwmark_match rules while active (default:
	// daemon/fwmark.Manager, which runs iptables).
	Fwmarks FwmarkManager
	// LocalAddrs lists this host's addresses (default: every interface's).
	LocalAddrs func() ([]netip.Addr, error)
	// Notify reports readiness to systemd (default: sd_notify when
	// NOTIFY_SOCKET is set).
	Notify func(state string) error
	// Check runs one health check (default: health.Check); tests and
	// benchmarks replace it to run a farm without a network.
	Check func(ctx context.Context, t *health.Target) health.Result
	// LinkUp says whether the interface holding addr is up and running
	// (monitor_links; default: the interface flags).
	LinkUp func(addr netip.Addr) bool
}

func interfaceAddrs() ([]netip.Addr, error) {
	as, err := net.InterfaceAddrs()
	if err != nil {
		return nil, err
	}
	var out []netip.Addr
	for _, a := range as {
		if n, ok := a.(*net.IPNet); ok {
			if ip, ok := netip.AddrFromSlice(n.IP); ok {
				out = append(out, ip.Unmap())
			}
		}
	}
	return out, nil
}

// interfaceLinkUp is pulse's ip_check_link: the interface that holds addr
// must be up and running (IFF_UP and IFF_RUNNING, i.e. carrier); an
// address no interface holds counts as up, as in pulse.
func interfaceLinkUp(addr netip.Addr) bool {
	ifs, err := net.Interfaces()
	if err != nil {
		return true
	}
	for _, ifi := range ifs {
		as, err := ifi.Addrs()
		if err != nil {
			continue
		}
		for _, a := range as {
			n, ok := a.(*net.IPNet)
			if !ok {
				continue
			}
			if ip, ok := netip.AddrFromSlice(n.IP); ok && ip.Unmap() == addr {
				return ifi.Flags&net.FlagUp != 0 && ifi.Flags&net.FlagRunning != 0
			}
		}
	}
	return true
}
