package vip

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"slices"
	"sync"
	"syscall"
	"time"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// Netlink is the part of the netlink library the manager needs; tests
// substitute a fake.
type Netlink interface {
	LinkByName(name string) (netlink.Link, error)
	AddrAdd(link netlink.Link, addr *netlink.Addr) error
	AddrDel(link netlink.Link, addr *netlink.Addr) error
}

// Announcer sends one announcement (gratuitous ARP or unsolicited NA) of
// v from the interface with index ifindex and address mac.
type Announcer interface {
	Announce(v VIP, ifindex int, mac net.HardwareAddr) error
}

// piranha's send_arp cadence (pulse.c sendArps: num = 5, sleep(1)).
const (
	DefaultAnnounceCount   = 5
	DefaultAnnounceSpacing = time.Second
)

// Manager adds, announces and removes floating addresses.
type Manager struct {
	nl      Netlink
	ann     Announcer
	log     *slog.Logger
	Count   int
	Spacing time.Duration

	mu     sync.Mutex
	held   []VIP
	quiet  bool               // SetQuiet: no announcements
	actx   context.Context    // of the running announcements
	cancel context.CancelFunc // of the running announcements
	wg     sync.WaitGroup
}

// NewManager builds a manager; nil nl and ann mean the real netlink and
// raw sockets.
func NewManager(nl Netlink, ann Announcer, log *slog.Logger) *Manager {
	if nl == nil {
		nl = realNetlink{}
	}
	if ann == nil {
		ann = RawAnnouncer{}
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Manager{nl: nl, ann: ann, log: log, Count: DefaultAnnounceCount, Spacing: DefaultAnnounceSpacing}
}

type realNetlink struct{}

func (realNetlink) LinkByName(name string) (netlink.Link, error)  { return netlink.LinkByName(name) }
func (realNetlink) AddrAdd(l netlink.Link, a *netlink.Addr) error { return netlink.AddrAdd(l, a) }
func (realNetlink) AddrDel(l netlink.Link, a *netlink.Addr) error { return netlink.AddrDel(l, a) }

func (v VIP) netlinkAddr() *netlink.Addr {
	a := &netlink.Addr{IPNet: &net.IPNet{IP: net.IP(v.Addr.AsSlice()), Mask: net.CIDRMask(v.Bits, v.Addr.BitLen())}}
	if v.Addr.Is4() && v.Label != v.Link {
		a.Label = v.Label // the kernel wants IPv4 labels to start with the device name
	}
	if v.Broadcast.IsValid() {
		a.Broadcast = net.IP(v.Broadcast.AsSlice())
	}
	if v.Addr.Is6() {
		// No duplicate address detection: the address must work now, and
		// it moved from the partner that no longer answers for it.
		a.Flags = unix.IFA_F_NODAD
	}
	return a
}

// Held lists the addresses this director holds, in the order they were
// added.
func (m *Manager) Held() []VIP {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]VIP(nil), m.held...)
}

// Takeover adds every address not yet held, in order, then announces all of
// them (Count times, Spacing apart, each address in parallel, as pulse
// forks one send_arp loop per address). An address that cannot be added is
// reported and skipped; the others still come up. Announcements run in the
// background until done or until Release, ctx's end or another Takeover.
func (m *Manager) Takeover(ctx context.Context, vips []VIP) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	_, err := m.addLocked(vips)
	m.announceLocked(ctx, m.held, true)
	return err
}

// addLocked adds those of vips not held yet and returns them; m.mu is held.
func (m *Manager) addLocked(vips []VIP) ([]VIP, error) {
	var errs []error
	var added []VIP
	m.eachUnheld(vips, func(v VIP, link netlink.Link, err error) {
		if err != nil {
			errs = append(errs, fmt.Errorf("vip %s: device %s: %w", v, v.Link, err))
			return
		}
		if err := m.nl.AddrAdd(link, v.netlinkAddr()); err != nil && !errors.Is(err, syscall.EEXIST) {
			errs = append(errs, fmt.Errorf("vip %s: add: %w", v, err))
			return
		}
		m.log.Info("floating address up", "vip", v.String())
		m.held = append(m.held, v)
		added = append(added, v)
	})
	return added, errors.Join(errs...)
}

// eachUnheld calls fn, in order, for each of vips this manager does not
// hold, with its device or the error looking the device up; m.mu is held.
func (m *Manager) eachUnheld(vips []VIP, fn func(v VIP, link netlink.Link, err error)) {
	held := make(map[netip.Addr]bool, len(m.held))
	for _, h := range m.held {
		held[h.Addr] = true
	}
	// One lookup per device, not per address: 2,000 VIPs on one device
	// were 2,000 netlink round trips.
	type lookup struct {
		link netlink.Link
		err  error
	}
	links := map[string]lookup{}
	for _, v := range vips {
		if !held[v.Addr] {
			held[v.Addr] = true
			l, ok := links[v.Link]
			if !ok {
				l.link, l.err = m.nl.LinkByName(v.Link)
				links[v.Link] = l
			}
			fn(v, l.link, l.err)
		}
	}
}

// Announce re-sends the announcements for every held address (pulse's
// "partner active: resending arps").
func (m *Manager) Announce(ctx context.Context) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.announceLocked(ctx, m.held, true)
}

// SetQuiet turns the gratuitous ARP and unsolicited neighbor
// advertisements off: a director behind a router's ECMP holds its VIPs on
// lo or a dummy device and is reached through BGP's next hop, so nobody
// on a link must learn the VIP's MAC from it.
func (m *Manager) SetQuiet(quiet bool) {
	m.mu.Lock()
	m.quiet = quiet
	m.mu.Unlock()
}

// announceLocked announces vips in the background. With restart the
// running announcements stop first (a takeover announces everything
// again); without, vips join them (a reload announces only the addresses
// it added, not every address the director holds).
func (m *Manager) announceLocked(ctx context.Context, vips []VIP, restart bool) {
	if m.quiet {
		return
	}
	if restart && m.cancel != nil {
		m.cancel()
		m.cancel = nil
	}
	if m.cancel == nil || m.actx.Err() != nil {
		m.actx, m.cancel = context.WithCancel(ctx)
	}
	actx := m.actx
	held := append([]VIP(nil), vips...)
	rounds := &announceRounds{m: m, vips: held, devices: map[string]announceDevice{}}
	// In the background, the first round at once: a takeover does not
	// wait for 2,000 addresses' announcements (the table and the health
	// transitions wait for the takeover).
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		for round := 0; round < m.Count; round++ {
			if round > 0 {
				select {
				case <-actx.Done():
					return
				case <-time.After(m.Spacing):
				}
			}
			rounds.send(actx)
		}
		if actx.Err() == nil && len(held) > 0 {
			m.log.Info("gratuitous lvs arps finished", "addresses", len(held))
		}
	}()
}

// announceRounds sends Count rounds of announcements, Spacing apart, each
// round announcing every one of vips. pulse forks one send_arp per
// address; each address still gets its announcement every Spacing, but
// a director with 2,000 addresses no longer starts 2,000 goroutines, each
// with its own device lookup through its own netlink socket, at the moment
// it takes over (that burst alone raised the daemon's peak memory by
// hundreds of MB). A device is looked up once per takeover; failures are
// logged once per round with their count.
type announceRounds struct {
	m       *Manager
	vips    []VIP
	devices map[string]announceDevice
}

type announceDevice struct {
	index int
	mac   net.HardwareAddr
	err   error
}

func (a *announceRounds) send(ctx context.Context) {
	failed := 0
	var first error
	announce := a.m.ann.Announce
	if b, ok := a.m.ann.(Batcher); ok {
		if batch, err := b.Batch(); err == nil {
			defer batch.Close()
			announce = batch.Announce
		}
	}
	for _, v := range a.vips {
		if ctx.Err() != nil {
			return
		}
		d, ok := a.devices[v.Link]
		if !ok {
			link, err := a.m.nl.LinkByName(v.Link)
			if err != nil {
				d.err = err
				a.m.log.Warn("announce: no device", "vip", v.String(), "err", err)
			} else {
				d.index, d.mac = link.Attrs().Index, link.Attrs().HardwareAddr
			}
			a.devices[v.Link] = d
		}
		if d.err != nil {
			continue
		}
		if err := announce(v, d.index, d.mac); err != nil {
			failed++
			if first == nil {
				first = err
			}
		}
	}
	if failed > 0 {
		a.m.log.Warn("announce failed", "failed", failed, "of", len(a.vips), "first", first)
	}
}

// Release stops the announcements and removes every held address in
// reverse order. Addresses already gone count as removed.
func (m *Manager) Release() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.cancel != nil {
		m.cancel()
		m.cancel = nil
	}
	return m.releaseLocked(func(VIP) bool { return true })
}

// Update, while active, removes held addresses that are no longer wanted
// and adds new ones (a reload): unchanged addresses are not touched, so
// their traffic is not disturbed.
func (m *Manager) Update(ctx context.Context, vips []VIP) error {
	want := map[VIP]bool{}
	for _, v := range vips {
		want[v] = true
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	err := m.releaseLocked(func(v VIP) bool { return !want[v] })
	added, aerr := m.addLocked(vips)
	if len(added) > 0 {
		m.announceLocked(ctx, added, false)
	}
	return errors.Join(err, aerr)
}

func (m *Manager) releaseLocked(drop func(VIP) bool) error {
	var errs []error
	var keep []VIP // in reverse; turned round at the end
	for i := len(m.held) - 1; i >= 0; i-- {
		v := m.held[i]
		if !drop(v) {
			keep = append(keep, v)
			continue
		}
		link, err := m.nl.LinkByName(v.Link)
		if err == nil {
			err = m.nl.AddrDel(link, v.netlinkAddr())
		}
		if err != nil && !gone(err) {
			errs = append(errs, fmt.Errorf("vip %s: remove: %w", v, err))
			keep = append(keep, v)
			continue
		}
		m.log.Info("floating address down", "vip", v.String())
	}
	slices.Reverse(keep)
	m.held = keep
	return errors.Join(errs...)
}

// RemoveStale deletes those of vips that are on their device although this
// manager does not hold them: a previous instance killed while active
// (kill -9, a crash) leaves its floating addresses behind, and a director
// that starts as standby next to an active partner must not answer for
// them. It returns the addresses it removed; one already absent is no error.
func (m *Manager) RemoveStale(vips []VIP) ([]VIP, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var removed []VIP
	var errs []error
	m.eachUnheld(vips, func(v VIP, link netlink.Link, err error) {
		if err == nil {
			err = m.nl.AddrDel(link, v.netlinkAddr())
			if err == nil {
				m.log.Warn("stale floating address removed", "vip", v.String())
				removed = append(removed, v)
				return
			}
		}
		if !gone(err) {
			errs = append(errs, fmt.Errorf("vip %s: remove stale: %w", v, err))
		}
	})
	return removed, errors.Join(errs...)
}

// gone says whether a removal failed only because the address or its
// device is not there (any more): for a removal, as good as done.
func gone(err error) bool {
	var nf netlink.LinkNotFoundError
	return errors.Is(err, syscall.EADDRNOTAVAIL) || errors.Is(err, syscall.ENOENT) || errors.Is(err, syscall.ENODEV) || errors.As(err, &nf)
}

// Wait waits for background announcements (after Release or ctx's end).
func (m *Manager) Wait() { m.wg.Wait() }
