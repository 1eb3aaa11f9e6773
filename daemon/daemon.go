package daemon

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/lvsadm/lvsadm/daemon/control"
	"github.com/lvsadm/lvsadm/daemon/fwmark"
	"github.com/lvsadm/lvsadm/daemon/health"
	"github.com/lvsadm/lvsadm/daemon/heartbeat"
	"github.com/lvsadm/lvsadm/daemon/metrics"
	"github.com/lvsadm/lvsadm/daemon/vip"
	"github.com/lvsadm/lvsadm/lvscf"
	"github.com/lvsadm/lvsadm/ops"
	"github.com/lvsadm/lvsadm/ops/ipvsadm"
	"github.com/lvsadm/lvsadm/ops/kernel"
)

// keepEvents bounds the status' recent history.
const keepEvents = 200

// movingEvery is how often the services whose weights move with time
// alone (nanny's slow start, load_monitor) are built again: the weights
// step every adjust period (20 s and up), so a few seconds' lag is nanny's
// own granularity.
const movingEvery = 5 * time.Second

// maxLoggedEdits bounds the kernel edits one log line lists; the count is
// always given.
const maxLoggedEdits = 20

// Daemon is one running director.
type Daemon struct {
	o   Options
	log *slog.Logger

	mu          sync.Mutex
	loaded      *Loaded
	primary     bool
	active      bool
	since       time.Time
	events      []Event
	reloadErr   string
	tableErr    string
	runCtx      context.Context
	driver      *heartbeat.Driver
	monitor     *health.Monitor
	ownsKernel  bool
	terminating bool
	roleChanges uint64 // activations and deactivations (lvsadm_failovers_total)
	// reloadFailures counts refused reloads (lvsadm_reload_failures_total).
	reloadFailures uint64
	metricsAddr    net.Addr
	// overrides are the operators' (lvsadm drain, weight, out); they
	// outlive reloads and resyncs, not the process.
	overrides *Overrides
	reloadMu  sync.Mutex    // one reload at a time (SIGHUP and lvsadm reload)
	loader    *lvscf.Loader // the file as last read; under reloadMu

	// desired builds the table of d.loaded (replaced with it).
	desired *desiredTable
	// dirty names the virtual servers whose real servers changed health
	// since the last apply; dirtyAll asks for a whole apply against the
	// mirror (an override changed). Both under mu.
	dirty    map[string]bool
	dirtyAll bool

	applyMu sync.Mutex     // serialises table applies and role changes
	cmds    sync.WaitGroup // active_cmd/inactive_cmd running in the background
	// moving: the groups of desired whose weights move with time alone;
	// under applyMu.
	moving map[int]bool
	// applyNow asks the apply loop to apply what is dirty. Health
	// transitions come in bursts (every server of a farm at start, a
	// switch port failing): a burst costs one pass over the dirty
	// services, not one pass per transition.
	applyNow chan struct{}

	// checks counts the health checks of the running configuration (the
	// reload log line); under mu.
	checks int

	// bgp is the BGP speaker's side (announce.go); idle without a bgp
	// block.
	bgp bgpSide
	// failback is the fail-back watcher's view of the wait under way
	// (failback.go); under mu.
	failback failbackState

	// servicesFail tells when the table can no longer be applied, and
	// the director gives up (servicesfail.go).
	servicesFail servicesWatch
}

// New validates the options and loads the configuration; Run starts it.
func New(o Options) (*Daemon, error) {
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	if o.LocalAddrs == nil {
		o.LocalAddrs = interfaceAddrs
	}
	if o.Notify == nil {
		o.Notify = sdNotify
	}
	if o.LinkUp == nil {
		o.LinkUp = interfaceLinkUp
	}
	if o.ConfigPath == "" {
		o.ConfigPath = lvscf.DefaultPath
	}
	if o.ResyncInterval == 0 {
		o.ResyncInterval = DefaultResync
	}
	d := &Daemon{o: o, log: o.Logger, applyNow: make(chan struct{}, 1), dirty: map[string]bool{}, overrides: &Overrides{}}
	if o.KeyFile != "" {
		kr, err := heartbeat.LoadKeyFile(o.KeyFile)
		if err != nil {
			return nil, err
		}
		d.o.Keys = kr
	}
	// The loader keeps the file's tree, so that a reload parses and
	// decodes only the blocks it changed.
	d.loader = lvscf.NewLoader(lvscf.LintOptions{})
	src, err := readConfig(o.ConfigPath)
	if err != nil {
		return nil, err
	}
	l, err := loadDigest(d.loader, o.ConfigPath, src)
	if err != nil {
		return nil, err
	}
	d.loaded = l
	if d.desired, err = newDesiredTable(l.Cfg); err != nil {
		return nil, err
	}
	local, err := o.LocalAddrs()
	if err != nil {
		return nil, fmt.Errorf("listing local addresses: %w", err)
	}
	if d.primary, err = isPrimary(l.Cfg, local, o.Role); err != nil {
		return nil, err
	}
	if d.o.VIPs == nil {
		d.o.VIPs = vip.NewManager(nil, nil, d.log.With("part", "vip"))
	}
	if d.o.Fwmarks == nil {
		d.o.Fwmarks = &fwmark.Manager{}
	}
	return d, nil
}

func (d *Daemon) event(e Event) {
	if e.At.IsZero() {
		e.At = time.Now()
	}
	d.mu.Lock()
	d.events = append(d.events, e)
	if len(d.events) >= 2*keepEvents {
		// Trimmed in place once per keepEvents events, not copied at every
		// event past keepEvents (a farm's start is 10,000 of them).
		d.events = append(d.events[:0], d.events[len(d.events)-keepEvents:]...)
	}
	d.mu.Unlock()
}

func (d *Daemon) cfg() *lvscf.Config {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.loaded.Cfg
}

// Run runs the director until ctx ends, then gives everything up (VIPs,
// table, sync daemon) as pulse does on SIGTERM.
func (d *Daemon) Run(ctx context.Context) error {
	// Single instance is a precondition, checked before anything is
	// touched (instance.go).
	if d.o.LockDir != "" {
		lk, err := lockInstance(d.o.LockDir, d.o.ConfigPath, d.o.SocketPath)
		if err != nil {
			return err
		}
		defer lk.release()
	}
	if d.o.Kernel == nil {
		k, err := kernel.Open()
		if err != nil {
			return fmt.Errorf("opening IPVS: %w", err)
		}
		d.o.Kernel = k
		d.ownsKernel = true
	}
	if d.ownsKernel {
		defer d.o.Kernel.Close()
	}
	if d.o.Table == nil {
		d.o.Table = newKernelTable(d.o.Kernel)
	}
	ctx, cancel := context.WithCancel(ctx)
	// Commands started in the background end with the run context (their
	// process groups killed); however Run ends, it outlives none of them.
	defer func() { cancel(); d.cmds.Wait() }()
	d.mu.Lock()
	d.runCtx = ctx
	d.since = time.Now()
	l := d.loaded
	d.mu.Unlock()
	cfg := l.Cfg

	identity := "backup"
	if d.primary {
		identity = "primary"
	}
	d.log.Info("starting", "config", l.Path, "identity", identity, "serial_no", cfg.SerialNo, "digest", digestString(l.Digest)[:16])
	if w := noKeyWarning(cfg, d.o.Keys); w != "" { // no heartbeat key: say so at start (config.go)
		d.log.Warn(w)
	}
	// The control socket first: failing on it must not leave anything
	// behind (addresses, sync daemons).
	var srv *controlServer
	if d.o.SocketPath != "" {
		var err error
		if srv, err = listenControl(d.o.SocketPath); err != nil {
			return err
		}
		// Closed by serve; closed here if Run fails before serving.
		defer srv.ln.Close()
	}
	var mln net.Listener
	if d.o.MetricsListen != "" {
		var err error
		if mln, err = net.Listen("tcp", d.o.MetricsListen); err != nil {
			return fmt.Errorf("metrics endpoint: %w", err)
		}
		defer mln.Close()
		d.mu.Lock()
		d.metricsAddr = mln.Addr()
		d.mu.Unlock()
	}
	// The heartbeat port too is ours before anything is removed: a
	// second instance for the same director fails here even without the
	// lock (Options.LockDir empty).
	ecmp := isECMP(cfg)
	var tr *heartbeat.Transport
	if !ecmp {
		ep := endpoints(cfg, d.primary)
		var err error
		if tr, err = heartbeat.Listen(ctx, ep); err != nil {
			return err
		}
		defer tr.Wait()
		defer tr.Close()
	} else {
		// Routed to through BGP's next hop: no gratuitous ARP.
		d.o.VIPs.SetQuiet(true)
	}
	// A standby answers for no floating address. An instance killed while
	// active (kill -9, a crash, an OOM kill) leaves its addresses on the
	// devices, and by now the partner has taken them over: keeping them
	// would make two directors answer for the VIP. This runs after the
	// single-instance lock, the control socket and the heartbeat port are
	// ours (a second instance started by mistake must not strip the
	// running one) and before status is served, so a director that
	// answers status holds nothing stale. A forced-active or lone director
	// takes them over at once anyway, so they stay there.
	if !ecmp && !d.o.ForceActive && cfg.BackupActive {
		removed, err := d.o.VIPs.RemoveStale(vip.FromConfig(cfg))
		if err != nil {
			d.log.Error("removing stale floating addresses", "err", err)
		}
		for _, v := range removed {
			d.event(Event{Kind: "role", Message: "stale floating address removed at start: " + v.String()})
		}
	}
	d.runCmd(ctx, cfg.InactiveCmd)
	d.applySloppyTCP(nil, cfg)
	d.syncDaemon(ctx, cfg, false)
	// However Run ends, the sync daemons stop (with the configuration in
	// force then, which a reload may have changed).
	defer func() {
		sctx, scancel := context.WithTimeout(context.Background(), stopBudget.sync)
		defer scancel()
		d.stopSync(sctx, d.cfg())
	}()

	// Thousands of checks in flight need thousands of sockets: the soft
	// limit (often 1024) would make the director's own EMFILE look like
	// real servers failing.
	if old, raised, err := health.RaiseFileLimit(); err != nil {
		d.log.Warn("raising the open-file limit", "err", err)
	} else if raised != old {
		d.log.Info("open-file limit raised", "from", old, "to", raised)
	}
	// Health checks run on both directors, so a takeover knows at once
	// which real servers are down.
	mopts := []health.Option{health.WithLogger(d.log.With("part", "health"))}
	if d.o.Check != nil {
		mopts = append(mopts, health.WithCheck(d.o.Check))
	}
	mon := health.NewMonitor(d.onHealth, mopts...)
	d.mu.Lock()
	d.monitor = mon
	d.mu.Unlock()
	targets, err := health.Targets(cfg)
	if err != nil {
		return err
	}
	d.mu.Lock()
	d.checks = len(targets)
	d.mu.Unlock()
	mon.Update(ctx, targets)
	defer mon.Stop()

	if err := d.startBGP(ctx, cfg); err != nil {
		return err
	}
	// However Run ends, the routes are withdrawn (a no-op after the
	// withdrawal that stopping starts with).
	defer d.stopSpeaker(context.Background(), "director stopped")

	var drv *heartbeat.Driver
	if !ecmp {
		d.mu.Lock()
		hc := heartbeatConfig(l, d.primary, &d.o)
		d.mu.Unlock()
		m, acts, err := heartbeat.New(hc, time.Now())
		if err != nil {
			return err
		}
		drv = heartbeat.NewDriver(m, tr, nil, d.onHeartbeat)
		d.mu.Lock()
		d.driver = drv
		d.mu.Unlock()
		for _, a := range acts {
			d.onHeartbeat(a)
		}
	}

	var wg sync.WaitGroup
	defer wg.Wait()
	if srv != nil {
		wg.Add(1)
		go func() { defer wg.Done(); srv.serve(ctx, d, d.log) }()
	}
	if mln != nil {
		wg.Add(1)
		go func() {
			defer wg.Done()
			srv := &metrics.Server{Gather: d.metricsSnapshot, Log: d.log.With("part", "metrics")}
			if err := srv.Serve(ctx, mln); err != nil {
				d.log.Error("metrics endpoint", "err", err)
			}
		}()
	}
	wg.Add(1)
	go func() { defer wg.Done(); d.applyLoop(ctx) }()
	errc := make(chan error, 1)
	if drv != nil {
		wg.Add(1)
		go func() { defer wg.Done(); d.watchLinks(ctx, drv) }()
		wg.Add(1)
		go func() { defer wg.Done(); d.watchFailback(ctx, drv) }()
		go func() { errc <- drv.Run(ctx) }()
		if err := d.o.Notify("READY=1\nSTATUS=" + identity + ", standby"); err != nil {
			d.log.Warn("sd_notify", "err", err)
		}
	} else {
		close(errc)
		d.activate(ctx, "director_mode = ecmp: every director is active")
		if err := d.o.Notify("READY=1\nSTATUS=ecmp, active"); err != nil {
			d.log.Warn("sd_notify", "err", err)
		}
	}
	<-ctx.Done()
	<-errc
	d.o.Notify("STOPPING=1")
	d.log.Info("terminating")
	// The routers first: no new flow comes here while the rest goes.
	sctx, scancel := context.WithTimeout(context.Background(), stopBudget.bgp)
	d.withdrawForStop(sctx)
	scancel()
	d.mu.Lock()
	wasActive := d.active
	// From here each step of giving up runs with its own budget (the run
	// context is over) and inactive_cmd is waited for, within StopBound.
	d.terminating = true
	d.mu.Unlock()
	if wasActive {
		d.deactivate(ctx, "terminating")
	}
	d.o.VIPs.Wait()
	return nil
}

// onHeartbeat performs the state machine's actions.
func (d *Daemon) onHeartbeat(a heartbeat.Action) {
	d.mu.Lock()
	ctx := d.runCtx
	d.mu.Unlock()
	switch a.Kind {
	case heartbeat.ActActivate:
		d.activate(ctx, a.Reason)
	case heartbeat.ActDeactivate:
		d.deactivate(ctx, a.Reason)
	case heartbeat.ActRearp:
		d.log.Info(a.Reason)
		d.runCmd(ctx, d.cfg().ActiveCmd)
		d.o.VIPs.Announce(ctx)
	case heartbeat.ActNotice:
		d.log.Warn(a.Reason)
		d.event(Event{Kind: "heartbeat", Message: a.Reason})
	case heartbeat.ActInfo:
		d.log.Info(a.Reason)
		d.event(Event{Kind: "role", Message: a.Reason})
	}
}

// switchRole records a role change (under d.mu), logs it as an event and
// returns the configuration the change acts on. The caller holds applyMu.
func (d *Daemon) switchRole(active bool, reason string) *lvscf.Config {
	d.mu.Lock()
	d.active = active
	d.since = time.Now()
	d.roleChanges++
	cfg := d.loaded.Cfg
	d.mu.Unlock()
	state := "standby"
	if active {
		state = "active"
	}
	d.log.Info(reason)
	d.event(Event{Kind: "role", Message: reason, State: state})
	return cfg
}

func (d *Daemon) activate(ctx context.Context, reason string) {
	d.applyMu.Lock()
	defer d.applyMu.Unlock()
	cfg := d.switchRole(true, reason)
	d.runCmd(ctx, cfg.ActiveCmd)
	d.applyLocked(ctx, true, "taking over")
	d.installFwmarks(ctx, cfg)
	d.syncDaemon(ctx, cfg, true)
	if err := d.o.VIPs.Takeover(ctx, vip.FromConfig(cfg)); err != nil {
		d.log.Error("taking over floating addresses", "err", err)
		d.event(Event{Kind: "role", Message: "floating addresses: " + err.Error()})
	}
	d.updateRoutes(ctx)
	d.o.Notify("STATUS=active")
}

func (d *Daemon) deactivate(ctx context.Context, reason string) {
	d.applyMu.Lock()
	defer d.applyMu.Unlock()
	cfg := d.switchRole(false, reason)
	d.mu.Lock()
	stopping := d.terminating
	d.mu.Unlock()
	if !stopping {
		d.updateRoutes(ctx) // withdrawn before the table goes
	}
	d.giveUp(ctx, cfg, stopping)
	d.o.Notify("STATUS=standby")
}

// installFwmarks installs the fwmark_match MARK rules of cfg (and removes
// those of the previous configuration that cfg no longer has).
func (d *Daemon) installFwmarks(ctx context.Context, cfg *lvscf.Config) {
	if err := d.o.Fwmarks.Install(ctx, fwmark.FromConfig(cfg)); err != nil {
		d.log.Error("installing fwmark_match iptables rules", "err", err)
		d.event(Event{Kind: "role", Message: "fwmark rules: " + firstLine(err.Error())})
	}
}

// tableInputs are the health and overrides the table is built with now.
func (d *Daemon) tableInputs() *tableInputs {
	d.mu.Lock()
	mon, ecmp := d.monitor, isECMP(d.loaded.Cfg)
	d.mu.Unlock()
	in := &tableInputs{now: time.Now(), override: d.overrideWeight, keepAll: ecmp}
	if mon != nil {
		in.health = mon.Lookup
	}
	return in
}

// applyLocked makes the kernel's table the whole desired table: against a
// fresh read of the kernel with read (taking over, the periodic resync),
// else against the mirror of what the daemon wrote (a reload, an
// override). Edits that repair what was changed behind the daemon's back
// are logged one by one as repaired hand edits, with why the kernel was
// read. It returns the number of kernel edits; applyMu must be held.
func (d *Daemon) applyLocked(ctx context.Context, read bool, why string) int {
	d.mu.Lock()
	t := d.desired
	d.dirtyAll = false
	clear(d.dirty)
	d.mu.Unlock()
	want, moving := t.all(d.tableInputs())
	d.moving = moving
	res, err := d.o.Table.Sync(ctx, want, t.timeouts, read)
	for i, c := range res.Repairs {
		if i == maxLoggedEdits {
			d.log.Warn("more hand edits repaired", "count", len(res.Repairs)-i)
			break
		}
		d.log.Warn("repaired hand edit", "why", why, "edit", ipvsadm.FormatChange(c))
	}
	d.tableResult(res.Edits, err)
	return len(res.Edits)
}

// applyDirtyLocked applies what changed since the last apply: the services
// of the virtual servers whose health changed, and those whose weights
// move with time. Each is built alone and compared with the mirror, so a
// transition costs the edits it implies (usually one) whatever the size of
// the table. applyMu must be held.
func (d *Daemon) applyDirtyLocked(ctx context.Context, withMoving bool) {
	d.mu.Lock()
	t, all := d.desired, d.dirtyAll
	groups := map[int]bool{}
	for name := range d.dirty {
		if gi, ok := t.group[name]; ok {
			groups[gi] = true
		}
	}
	clear(d.dirty)
	d.mu.Unlock()
	if all {
		d.applyLocked(ctx, false, "")
		return
	}
	if withMoving {
		for gi := range d.moving {
			groups[gi] = true
		}
	}
	d.applyGroupsLocked(ctx, t, groups)
}

// applyGroupsLocked builds the given groups of t alone, in order, and
// plans them against the mirror; if the kernel turns out not to be what
// the daemon wrote, it reads it and repairs everything. It returns the
// number of kernel edits; applyMu must be held.
func (d *Daemon) applyGroupsLocked(ctx context.Context, t *desiredTable, groups map[int]bool) int {
	if len(groups) == 0 {
		return 0
	}
	if d.moving == nil {
		d.moving = map[int]bool{}
	}
	in := d.tableInputs()
	want := make([]ops.VirtualService, 0, len(groups))
	for _, gi := range slices.Sorted(maps.Keys(groups)) {
		s, moving := t.service(gi, in)
		want = append(want, s)
		if moving {
			d.moving[gi] = true
		} else {
			delete(d.moving, gi)
		}
	}
	edits, err := d.o.Table.Update(ctx, want)
	if err != nil {
		// The kernel is not what the daemon wrote (a hand edit, a lost
		// write): read it, and repair everything.
		d.tableResult(edits, err)
		return len(edits) + d.applyLocked(ctx, true, "an edit failed: "+firstLine(err.Error()))
	}
	d.tableResult(edits, nil)
	return len(edits)
}

// tableResult logs the edits an apply made and records its error for
// status.
func (d *Daemon) tableResult(edits []ops.Change, err error) {
	d.servicesFail.result(err)
	if len(edits) > 0 {
		// One line per apply that changed the kernel: what a reload or a
		// health transition cost, checkable against "ipvsadm -Ln".
		lines := make([]string, 0, min(len(edits), maxLoggedEdits))
		for _, c := range edits[:min(len(edits), maxLoggedEdits)] {
			lines = append(lines, ipvsadm.FormatChange(c))
		}
		if len(edits) > maxLoggedEdits {
			lines = append(lines, fmt.Sprintf("and %d more", len(edits)-maxLoggedEdits))
		}
		d.log.Info("table changed", "edits", len(edits), "changes", strings.Join(lines, "; "))
	}
	if err != nil {
		err = ipvsadm.ChangeErrorLine(err)
	}
	d.mu.Lock()
	prev := d.tableErr
	d.tableErr = ""
	if err != nil {
		d.tableErr = err.Error()
	}
	d.mu.Unlock()
	if err != nil && err.Error() != prev {
		d.log.Error("applying the table", "err", err)
	}
}

func (d *Daemon) ifActive(ctx context.Context, fn func(ctx context.Context)) {
	d.applyMu.Lock()
	defer d.applyMu.Unlock()
	d.mu.Lock()
	active := d.active
	d.mu.Unlock()
	if active {
		fn(ctx)
	}
}

func (d *Daemon) onHealth(e health.Event) {
	msg := fmt.Sprintf("%s %s:%s %s", e.State, e.Virtual, e.Server, e.Address)
	if e.State == health.Up {
		d.log.Info("real server up", "virtual", e.Virtual, "server", e.Server, "address", e.Address)
	} else {
		d.log.Warn("real server down", "virtual", e.Virtual, "server", e.Server, "address", e.Address, "reason", e.Reason, "answer", e.Answer)
	}
	d.event(Event{At: e.At, Kind: "health", Message: msg, Server: e.Virtual + "/" + e.Server, State: string(e.State), Reason: e.Reason, Answer: e.Answer})
	d.mu.Lock()
	d.dirty[e.Virtual] = true
	d.mu.Unlock()
	d.kickApply()
}

// requestApply asks for a whole apply against the mirror (an operator's
// override changed: cheap, no kernel read).
func (d *Daemon) requestApply() {
	d.mu.Lock()
	d.dirtyAll = true
	d.mu.Unlock()
	d.kickApply()
}

func (d *Daemon) kickApply() {
	select {
	case d.applyNow <- struct{}{}:
	default: // one is already pending; it will see this change too
	}
}

// applyLoop applies health transitions as they come, the moving weights
// every movingEvery, and the periodic resync.
func (d *Daemon) applyLoop(ctx context.Context) {
	moving := time.NewTicker(movingEvery)
	defer moving.Stop()
	var resync <-chan time.Time
	if d.o.ResyncInterval > 0 {
		t := time.NewTicker(d.o.ResyncInterval)
		defer t.Stop()
		resync = t.C
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-resync:
			d.ifActive(ctx, func(ctx context.Context) { d.applyLocked(ctx, true, "periodic resync") })
		case <-moving.C:
			d.ifActive(ctx, func(ctx context.Context) { d.applyDirtyLocked(ctx, true) })
		case <-d.applyNow:
			d.ifActive(ctx, func(ctx context.Context) { d.applyDirtyLocked(ctx, false) })
		}
		// Outside applyMu: giving up deactivates, which takes it.
		d.giveUpIfServicesFailed()
		// After the table: a VIP is announced once a server is in it.
		d.updateRoutes(ctx)
	}
}

// watchLinks is pulse's check_links: with monitor_links (and a backup to
// hand over to), the director's public and private links are checked every
// keepalive; a failed link makes it give up until the link is back.
func (d *Daemon) watchLinks(ctx context.Context, drv *heartbeat.Driver) {
	for {
		cfg := d.cfg()
		every := duration(cfg.Keepalive)
		if every < 100*time.Millisecond {
			every = 100 * time.Millisecond
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(every):
		}
		up := true
		if cfg.MonitorLinks && cfg.BackupActive {
			ep := endpoints(cfg, d.primary)
			up = d.o.LinkUp(ep.Local)
			if ep.LocalPrivate.IsValid() && !d.o.LinkUp(ep.LocalPrivate) {
				up = false
			}
		}
		drv.Inject(func(m *heartbeat.Machine, now time.Time) []heartbeat.Action { return m.LinkState(now, up) })
	}
}

// Reload reads the configuration again. A configuration with lint errors,
// or one whose heartbeat settings the running state machine refuses, is
// refused whole and everything keeps running as it was. Otherwise only the
// difference is applied: unchanged health checks keep running, unchanged
// floating addresses stay, the table changes by the smallest set of edits,
// and the operators' overrides stay (those of servers the new file no
// longer has are dropped).
func (d *Daemon) Reload() (control.ReloadResult, error) {
	d.reloadMu.Lock()
	defer d.reloadMu.Unlock()
	d.o.Notify("RELOADING=1")
	defer d.o.Notify("READY=1")
	src, err := readConfig(d.o.ConfigPath)
	var keys *heartbeat.Keyring
	if err == nil && d.o.KeyFile != "" {
		keys, err = heartbeat.LoadKeyFile(d.o.KeyFile)
	}
	d.mu.Lock()
	ctx, drv, mon := d.runCtx, d.driver, d.monitor
	old, oldDesired := d.loaded, d.desired
	o := d.o
	d.mu.Unlock()
	if err != nil {
		return control.ReloadResult{}, d.refuse(err)
	}
	if ctx == nil || mon == nil || (drv == nil && !isECMP(old.Cfg)) {
		return control.ReloadResult{}, errors.New("reload: daemon is not running")
	}
	if (keys == nil || keys.Equal(o.Keys)) && bytes.Equal(src, old.Source) {
		return d.reloadUnchanged(old), nil
	}
	l, err := loadSource(d.loader, d.o.ConfigPath, src)
	if err != nil {
		return control.ReloadResult{}, d.refuse(err)
	}
	if l.Cfg.DirectorMode != old.Cfg.DirectorMode {
		return control.ReloadResult{}, d.refuse(fmt.Errorf("director_mode changes from %s to %s: that takes a restart of the daemon", old.Cfg.DirectorMode, l.Cfg.DirectorMode))
	}
	if !isECMP(l.Cfg) && endpoints(l.Cfg, d.primary) != endpoints(old.Cfg, d.primary) {
		d.log.Warn("heartbeat addresses or port changed: they take effect at the next restart")
	}
	// When only virtual blocks changed, and no service appeared, went or
	// moved, the reload restarts the checks of those virtual servers alone
	// and plans their services alone: one changed server of 10,000 costs
	// what it changed, not a pass over every check and service (issue 10).
	desired, derr := newDesiredTable(l.Cfg)
	changed, narrow := changedVirtuals(old, l)
	narrow = narrow && derr == nil && desired.sameGroups(oldDesired)
	var targets []health.Target
	checks := 0
	if narrow {
		// The others' checks were built from the same lines before.
		targets, err = health.TargetsOf(l.Cfg, changed)
		checks = health.Count(l.Cfg)
	} else {
		targets, err = health.Targets(l.Cfg)
		checks = len(targets)
	}
	if err != nil {
		return control.ReloadResult{}, d.refuse(err)
	}
	if derr != nil {
		return control.ReloadResult{}, d.refuse(derr)
	}
	// The heartbeat's settings are checked first: they are the one part
	// that can still say no, and a refusal must leave everything as it
	// was (issue 11 item 8: the partner would otherwise see the old serial
	// while status said reloaded). The state machine takes them, with the
	// digest, after the kernel edits: the digest cannot refuse a file, and
	// at 10,000 real servers it is a walk of every setting the edits need
	// not wait for (issue 10: a changed server in the kernel within 500 ms).
	if keys != nil {
		o.Keys = keys
	}
	hc := heartbeatConfig(l, d.primary, &o)
	// Keep the running heartbeat addresses until a restart.
	oldHC := heartbeatConfig(old, d.primary, &o)
	hc.Peer, hc.PeerPrivate = oldHC.Peer, oldHC.PeerPrivate
	if drv != nil {
		if err := hc.Check(); err != nil {
			return control.ReloadResult{}, d.refuse(fmt.Errorf("heartbeat settings cannot be applied: %w", err))
		}
	}
	// Until the state machine takes the new digest the partner is told
	// the old one, and status says so too.
	l.Digest = old.Digest
	d.mu.Lock()
	d.loaded = l
	d.desired = desired
	d.checks = checks
	d.reloadErr = ""
	if keys != nil {
		d.o.Keys = keys
	}
	d.mu.Unlock()
	for _, k := range d.overrides.Retain(l.Cfg) {
		d.log.Info("override dropped: the server is no longer configured", "server", k)
		d.event(Event{Kind: "override", Server: k, Message: "override of " + k + " dropped: no longer in the configuration"})
	}
	if narrow {
		names := make([]string, len(changed))
		for i, vi := range changed {
			names[i] = l.Cfg.Virtuals[vi].Name
		}
		mon.UpdateVirtuals(ctx, names, targets)
	} else {
		mon.Update(ctx, targets)
	}
	res := control.ReloadResult{Serial: l.Cfg.SerialNo}
	d.applyMu.Lock()
	d.mu.Lock()
	res.Active = d.active
	d.mu.Unlock()
	if res.Active {
		if err := d.o.VIPs.Update(ctx, vip.FromConfig(l.Cfg)); err != nil {
			d.log.Error("floating addresses", "err", err)
		}
		// Against the mirror: a reload changes what the file changed and
		// reads nothing back (the periodic resync repairs hand edits).
		if narrow {
			groups := map[int]bool{}
			for _, vi := range changed {
				if gi, ok := desired.group[l.Cfg.Virtuals[vi].Name]; ok {
					groups[gi] = true
				}
			}
			res.Edits = d.applyGroupsLocked(ctx, desired, groups)
		} else {
			res.Edits = d.applyLocked(ctx, false, "")
		}
		d.installFwmarks(ctx, l.Cfg)
	}
	if syncChanged(old.Cfg, l.Cfg) {
		d.syncDaemon(ctx, l.Cfg, res.Active)
	}
	d.applySloppyTCP(old.Cfg, l.Cfg)
	d.applyMu.Unlock()
	d.reconfigureBGP(ctx, l.Cfg)
	d.updateRoutes(ctx)
	// The digest and the heartbeat, now that the edits are made. The
	// published Loaded is replaced, not written to: status reads it
	// outside d.mu.
	done := *l
	done.Digest = Digest(l.Cfg)
	d.mu.Lock()
	d.loaded = &done
	d.mu.Unlock()
	res.Digest = digestString(done.Digest)
	if drv != nil {
		hc.Digest = done.Digest
		var rerr error
		drv.Inject(func(m *heartbeat.Machine, now time.Time) []heartbeat.Action {
			rerr = m.Reconfigure(hc, now)
			return nil
		})
		if rerr != nil {
			// Check said yes to the same settings before any edit:
			// only a change of Reconfigure's rules without Check's
			// comes here. The table is already the new file's.
			d.log.Error("heartbeat settings not applied", "err", rerr)
		}
	}
	// Counts, not a diff of the files: a reload of a 10,000-server file
	// must not pay for comparing every field to say what it did.
	// checks is every check the file configures, as on the other reload
	// lines (scripts and the lab read them in this order); checks_restarted,
	// last, is how many this reload started again (all unless narrowed).
	d.log.Info("configuration reloaded", "serial_no", l.Cfg.SerialNo, "digest", res.Digest[:16],
		"virtual_services", len(desired.groups), "checks", checks, "kernel_edits", res.Edits, "checks_restarted", len(targets))
	d.event(Event{Kind: "config", Message: fmt.Sprintf("reloaded (serial_no %d, %d kernel edits)", l.Cfg.SerialNo, res.Edits)})
	return res, nil
}

// reloadUnchanged answers a reload of the bytes already running: nothing
// to parse, plan or announce (a 10,000-server file costs about a second
// of CPU in the lab's emulator to parse and lint again for nothing). What
// the file does not hold is not re-read either: hand edits of the kernel
// table wait for the periodic resync, as after any reload.
func (d *Daemon) reloadUnchanged(l *Loaded) control.ReloadResult {
	d.mu.Lock()
	d.reloadErr = ""
	res := control.ReloadResult{Serial: l.Cfg.SerialNo, Digest: digestString(l.Digest), Active: d.active, Unchanged: true}
	groups, checks := len(d.desired.groups), d.checks
	d.mu.Unlock()
	// The line a full reload logs, with the same fields (scripts and
	// the lab match it), and file=unchanged.
	d.log.Info("configuration reloaded", "serial_no", res.Serial, "digest", res.Digest[:16],
		"virtual_services", groups, "checks", checks, "kernel_edits", 0, "file", "unchanged")
	d.event(Event{Kind: "config", Message: fmt.Sprintf("reloaded (serial_no %d, file unchanged)", res.Serial)})
	return res
}

// refuse records a refused reload (last_reload_error, an event, the log)
// and returns err.
func (d *Daemon) refuse(err error) error {
	d.mu.Lock()
	d.reloadErr = err.Error()
	d.reloadFailures++
	d.mu.Unlock()
	d.log.Error("reload refused, keeping the running configuration", "err", err)
	d.event(Event{Kind: "config", Message: "reload refused: " + firstLine(err.Error())})
	return err
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

func syncChanged(a, b *lvscf.Config) bool {
	return a.SyncDaemon != b.SyncDaemon || a.SyncdIface != b.SyncdIface || a.SyncdID != b.SyncdID
}

// syncDaemon runs the kernel's connection sync daemon as pulse does
// (pulse.c syncDaemon): stop backup, stop master, start master (active)
// or backup (standby) on syncd_iface with syncid syncd_id & 0xff.
func (d *Daemon) syncDaemon(ctx context.Context, cfg *lvscf.Config, master bool) {
	if !cfg.SyncDaemon {
		return
	}
	d.stopSync(ctx, cfg)
	d.applySyncRefresh(cfg)
	d.startSyncDaemons(ctx, cfg, master)
}

func (d *Daemon) stopSync(ctx context.Context, cfg *lvscf.Config) {
	if !cfg.SyncDaemon {
		return
	}
	// Errors are expected when a daemon is not running.
	d.o.Kernel.StopDaemon(ctx, ops.DaemonBackup)
	d.o.Kernel.StopDaemon(ctx, ops.DaemonMaster)
}

// runCmd runs active_cmd / inactive_cmd as pulse does: split on spaces,
// no shell, not waited for by the caller (here: in the background,
// bounded to cmdTimeout and to the daemon's life; Run waits for it at the
// end). When the daemon is terminating it is waited for, bounded to
// stopBudget.cmd. Either way it runs in its own process group, killed
// whole at the bound, and only its first cmdOutputMax bytes of output are
// kept (runCommand).
func (d *Daemon) runCmd(ctx context.Context, cmdline string) {
	words := strings.Fields(cmdline)
	if len(words) == 0 || ctx == nil {
		return
	}
	d.mu.Lock()
	wait := d.terminating
	d.mu.Unlock()
	run := func(ctx context.Context, limit time.Duration) {
		cctx, cancel := context.WithTimeout(ctx, limit)
		defer cancel()
		out, err := runCommand(cctx, words)
		if err != nil {
			d.log.Warn("command failed", "cmd", cmdline, "err", err, "output", out)
		}
	}
	if wait {
		run(context.Background(), stopBudget.cmd)
		return
	}
	d.cmds.Add(1)
	go func() { defer d.cmds.Done(); run(ctx, cmdTimeout) }()
}

// MetricsAddr is the metrics endpoint's address once Run listens on it
// (nil: none, or not yet).
func (d *Daemon) MetricsAddr() net.Addr {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.metricsAddr
}

// metricsSnapshot gathers one scrape: the status and the kernel table.
func (d *Daemon) metricsSnapshot(ctx context.Context) metrics.Snapshot {
	st := d.Status()
	d.mu.Lock()
	changes, reloadFailures := d.roleChanges, d.reloadFailures
	d.mu.Unlock()
	p := st.Heartbeat.Peer
	s := metrics.Snapshot{Role: st.Heartbeat.Role, Failovers: changes, ConfigSerial: st.Serial, PeerConfigMatch: p.DigestMatch,
		CheckLocalErrors: st.CheckLocalErrors, ReloadFailures: reloadFailures,
		Version: ipvsadm.Version, GoVersion: runtime.Version(),
		HeartbeatDropped: map[string]uint64{"foreign": st.Heartbeat.DroppedForeign, "forged": st.Heartbeat.DroppedForged, "queue_full": st.Heartbeat.DroppedQueueFull}}
	if s.Role == "" {
		s.Role = "unknown"
	}
	if p.Heard && !p.LastHeard.IsZero() {
		s.Heartbeats = append(s.Heartbeats, metrics.Heartbeat{Link: p.Link, Age: time.Since(p.LastHeard)})
	}
	if b := st.BGP; b != nil {
		s.BGP = &metrics.BGP{Draining: b.Draining}
		for _, n := range b.Neighbors {
			s.BGP.Sessions = append(s.BGP.Sessions, metrics.BGPSession{Neighbor: n.Address, State: n.State})
		}
		for _, r := range b.Routes {
			s.BGP.Routes = append(s.BGP.Routes, metrics.BGPRoute{Prefix: r.Prefix, Announced: r.Announced})
		}
	}
	for _, v := range st.Virtuals {
		for _, sv := range v.Servers {
			r := metrics.RealServer{Virtual: v.Name, Server: sv.Name, Address: sv.Address, Port: sv.Port, Up: sv.State == control.Up,
				State: serverState(&sv)}
			if sv.Override != nil {
				r.Override = sv.Override.Kind
			}
			if sv.LastCheck != nil {
				r.LastCheck, r.HasCheck = sv.LastCheck.Latency, true
			}
			s.Servers = append(s.Servers, r)
		}
	}
	if d.o.Kernel != nil {
		kctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		v, err := metrics.ReadIPVS(kctx, d.o.Kernel)
		if err != nil {
			d.log.Debug("metrics: reading the IPVS table", "err", err)
		}
		s.IPVS = v
	}
	return s
}

// serverState is a real server's state for lvsadm_real_server_state, in
// the words of metrics.States: quiesced and reentry told apart from down
// as the TUI tells them.
func serverState(sv *control.ServerStatus) string {
	switch {
	case !sv.Active:
		return "off"
	case sv.State == control.Up:
		return "up"
	case sv.State == "down" && sv.LastCheck != nil && sv.LastCheck.OK:
		return "reentry"
	case sv.State == "down" && sv.Quiesced:
		return "quiesced"
	case sv.State == "down":
		return "down"
	}
	return "unknown"
}
