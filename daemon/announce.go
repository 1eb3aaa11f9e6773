package daemon

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/lvsadm/lvsadm/daemon/bfd"
	"github.com/lvsadm/lvsadm/daemon/bgp"
	"github.com/lvsadm/lvsadm/daemon/control"
	"github.com/lvsadm/lvsadm/daemon/health"
	"github.com/lvsadm/lvsadm/lvscf"
	"github.com/lvsadm/lvsadm/ops"
)

// The daemon's side of BGP (lvs.cf's bgp block): it tells its speaker
// (daemon/bgp, GoBGP embedded) which VIPs to announce. A VIP is announced
// while this director serves (active, not drained, not stopping) and at
// least one of the virtual servers on it with announce = 1 has a real
// server up and in the table; otherwise it is withdrawn, with the reason
// kept for status and the log.

// bgpStopGrace is how long a stopping director keeps forwarding after its
// withdrawals left: the router needs a moment to move the flows to the
// other directors, and packets still arriving here meanwhile must find the
// table and the VIP, or the director's own TCP stack would reset them.
const bgpStopGrace = 1 * time.Second

// drainPoll is how often a director drain counts the connections left.
const drainPoll = time.Second

type bgpSide struct {
	mu      sync.Mutex
	speaker *bgp.Speaker // nil without a bgp block
	// bfd runs the BFD sessions of neighbors with bfd = 1 beside the
	// speaker (daemon/bfd, not GoBGP's: see docs/daemon.md); nil without.
	bfd      *bfd.Agent
	cfg      bgp.Config
	draining bool
	stopping bool
}

// bgpConfigOf is the speaker's configuration from lvs.cf's bgp block.
// Every director reads the same file: a router id left unset is the
// address this director reaches its first IPv4 neighbor from.
func bgpConfigOf(c *lvscf.Config) (bgp.Config, error) {
	b := c.BGP
	out := bgp.Config{LocalAS: b.LocalAS, RouterID: b.RouterID}
	if b.ListenPort == 0 {
		out.ListenPort = -1 // lvs.cf's 0: connect out only
	} else {
		out.ListenPort = int32(b.ListenPort)
	}
	for _, n := range b.Neighbors {
		nb := bgp.Neighbor{
			Address: n.Address, RemoteAS: n.RemoteAS, Port: n.Port, Passive: n.Passive,
			HoldTime: time.Duration(n.HoldTime) * time.Second, Keepalive: time.Duration(n.Keepalive) * time.Second,
		}
		// nb.BFD stays nil: GoBGP 4.8's BFD does not interoperate with
		// BIRD; bfd = 1 runs daemon/bfd's session instead (bfdSessionsOf).
		out.Neighbors = append(out.Neighbors, nb)
	}
	if !out.RouterID.IsValid() {
		id, err := routerIDToward(b.Neighbors)
		if err != nil {
			return bgp.Config{}, err
		}
		out.RouterID = id
	}
	return out, nil
}

// bfdSessionsOf is a BFD session for every neighbor with bfd = 1.
func bfdSessionsOf(c *lvscf.Config) []bfd.SessionConfig {
	if c.BGP == nil {
		return nil
	}
	var out []bfd.SessionConfig
	for _, n := range c.BGP.Neighbors {
		if n.BFD {
			out = append(out, bfd.SessionConfig{Remote: n.Address, Interval: c.BGP.BFDInterval,
				Multiplier: uint8(min(max(c.BGP.BFDMultiplier, 1), 255))})
		}
	}
	return out
}

// syncBFD starts, reconfigures or stops the BFD agent to match cfg. A
// failure is logged, not fatal: BGP still runs, with its hold timer as
// the only failure detection.
func (d *Daemon) syncBFD(ctx context.Context, cfg *lvscf.Config) {
	sessions := bfdSessionsOf(cfg)
	d.bgp.mu.Lock()
	ag := d.bgp.bfd
	if len(sessions) == 0 {
		d.bgp.bfd = nil
	}
	d.bgp.mu.Unlock()
	if len(sessions) == 0 {
		if ag != nil {
			ag.Stop()
			d.log.Info("bfd stopped: no neighbor with bfd = 1")
		}
		return
	}
	if ag == nil {
		ag = bfd.New(bfd.Config{Log: d.log.With("part", "bfd")})
		if err := ag.Start(ctx); err != nil {
			d.log.Error("bfd: starting; a dead director is routed around only after the BGP hold time", "err", err)
			return
		}
		d.bgp.mu.Lock()
		d.bgp.bfd = ag
		d.bgp.mu.Unlock()
	}
	if err := ag.Set(ctx, sessions); err != nil {
		d.log.Error("bfd: setting sessions", "err", err)
	}
}

// stopBFD says AdminDown on every BFD session and stops the agent.
func (d *Daemon) stopBFD() {
	d.bgp.mu.Lock()
	ag := d.bgp.bfd
	d.bgp.bfd = nil
	d.bgp.mu.Unlock()
	if ag != nil {
		ag.Stop()
	}
}

// routerIDToward is the local IPv4 address the kernel would send from to
// the first IPv4 neighbor (a connected UDP socket sends nothing).
func routerIDToward(ns []lvscf.BGPNeighbor) (netip.Addr, error) {
	for _, n := range ns {
		if !n.Address.Is4() {
			continue
		}
		c, err := net.DialUDP("udp4", nil, net.UDPAddrFromAddrPort(netip.AddrPortFrom(n.Address, 179)))
		if err != nil {
			return netip.Addr{}, fmt.Errorf("bgp: choosing a router id towards %s: %w (set router_id)", n.Address, err)
		}
		a := c.LocalAddr().(*net.UDPAddr).AddrPort().Addr().Unmap()
		c.Close()
		if a.Is4() && !a.IsUnspecified() {
			return a, nil
		}
	}
	return netip.Addr{}, errors.New("bgp: no IPv4 neighbor to choose a router id from: set router_id in the bgp block")
}

// startBGP starts the speaker of cfg's bgp block (none without one).
func (d *Daemon) startBGP(ctx context.Context, cfg *lvscf.Config) error {
	if cfg.BGP == nil {
		return nil
	}
	bc, err := bgpConfigOf(cfg)
	if err != nil {
		return err
	}
	sp, err := bgp.New(bc, d.log.With("part", "bgp"))
	if err != nil {
		return fmt.Errorf("bgp: %w", err)
	}
	if err := sp.Start(ctx); err != nil {
		return fmt.Errorf("bgp: %w", err)
	}
	d.bgp.mu.Lock()
	d.bgp.speaker, d.bgp.cfg = sp, bc
	d.bgp.mu.Unlock()
	d.log.Info("bgp speaker started", "local_as", bc.LocalAS, "router_id", bc.RouterID, "neighbors", len(bc.Neighbors))
	d.syncBFD(ctx, cfg)
	return nil
}

// reconfigureBGP follows a reload: neighbors change in place; a changed
// AS, router id or listening port, or a bgp block added or removed,
// restarts the speaker (its routes are announced again by the next
// updateRoutes).
func (d *Daemon) reconfigureBGP(ctx context.Context, cfg *lvscf.Config) {
	d.bgp.mu.Lock()
	sp := d.bgp.speaker
	d.bgp.mu.Unlock()
	if cfg.BGP == nil {
		if sp != nil {
			d.stopSpeaker(ctx, "bgp block removed")
		}
		return
	}
	bc, err := bgpConfigOf(cfg)
	if err != nil {
		d.log.Error("bgp: keeping the running speaker", "err", err)
		return
	}
	if sp != nil {
		err := sp.Reconfigure(ctx, bc)
		if err == nil {
			d.bgp.mu.Lock()
			d.bgp.cfg = bc
			d.bgp.mu.Unlock()
			d.syncBFD(ctx, cfg)
			return
		}
		if !errors.Is(err, bgp.ErrRestartNeeded) {
			d.log.Error("bgp: reconfiguring", "err", err)
			return
		}
		d.stopSpeaker(ctx, "bgp settings changed")
	}
	if err := d.startBGP(ctx, cfg); err != nil {
		d.log.Error("bgp: starting", "err", err)
	}
}

// stopSpeaker withdraws every route, then closes the sessions, BGP's
// first: BFD's AdminDown would end them at the router before the
// withdrawal was seen.
func (d *Daemon) stopSpeaker(ctx context.Context, reason string) {
	defer d.stopBFD()
	d.bgp.mu.Lock()
	sp := d.bgp.speaker
	d.bgp.speaker = nil
	d.bgp.mu.Unlock()
	if sp == nil {
		return
	}
	if err := sp.WithdrawAll(ctx, reason); err != nil {
		d.log.Error("bgp: withdrawing", "err", err)
	}
	if err := sp.Stop(ctx); err != nil {
		d.log.Error("bgp: stopping", "err", err)
	}
}

// withdrawForStop is the first step of stopping: the routers stop sending
// this director new flows before anything here goes away.
func (d *Daemon) withdrawForStop(ctx context.Context) {
	d.bgp.mu.Lock()
	d.bgp.stopping = true
	running := d.bgp.speaker != nil
	d.bgp.mu.Unlock()
	if !running {
		return
	}
	d.stopSpeaker(ctx, "director stopping")
	select {
	case <-ctx.Done():
	case <-time.After(bgpStopGrace):
	}
}

// wantedRoutes decides each announced VIP: serving says whether this
// director may carry traffic at all (why says why not).
func wantedRoutes(cfg *lvscf.Config, in *tableInputs, serving bool, why string) []bgp.Route {
	type vipState struct {
		up, total, checked int
	}
	states := map[netip.Addr]*vipState{}
	var order []netip.Addr
	for i := range cfg.Virtuals {
		v := &cfg.Virtuals[i]
		if !v.Announce || !v.Active || !v.Address.IsValid() {
			continue
		}
		st := states[v.Address]
		if st == nil {
			st = &vipState{}
			states[v.Address] = st
			order = append(order, v.Address)
		}
		for j := range v.Servers {
			s := &v.Servers[j]
			if !s.Active {
				continue
			}
			st.total++
			if ss := in.status(v, s).State; ss != health.Unknown && ss != "" {
				st.checked++
			}
			if w, inTable, _ := in.weight(v, s); inTable && w > 0 {
				st.up++
			}
		}
	}
	routes := make([]bgp.Route, 0, len(order))
	for _, a := range order {
		st := states[a]
		r := bgp.Route{Prefix: netip.PrefixFrom(a, a.BitLen())}
		switch {
		case !serving:
			r.Reason = why
		case st.checked < st.total:
			// A starting director announces only once its table is the
			// others': with some servers not yet in it, mh would send the
			// flows ECMP brings here to other real servers than the
			// other directors do, and those reset them.
			r.Reason = fmt.Sprintf("waiting for the first check of every real server (%d of %d checked)", st.checked, st.total)
		case st.up == 0:
			r.Reason = fmt.Sprintf("no real server up (0 of %d)", st.total)
		default:
			r.Announce = true
			r.Reason = fmt.Sprintf("%d of %d real servers up", st.up, st.total)
		}
		routes = append(routes, r)
	}
	return routes
}

// updateRoutes tells the speaker what to announce now. It is called after
// every table change (health, reload, overrides) and role change; the
// speaker does nothing for an unchanged set.
func (d *Daemon) updateRoutes(ctx context.Context) {
	d.bgp.mu.Lock()
	sp, draining, stopping := d.bgp.speaker, d.bgp.draining, d.bgp.stopping
	d.bgp.mu.Unlock()
	if sp == nil || stopping {
		return
	}
	d.mu.Lock()
	cfg, active := d.loaded.Cfg, d.active
	d.mu.Unlock()
	serving, why := true, ""
	switch {
	case !active:
		serving, why = false, "standby"
	case draining:
		serving, why = false, "director drained (lvsadm drain-director)"
	}
	if err := sp.SetRoutes(ctx, wantedRoutes(cfg, d.tableInputs(), serving, why)); err != nil {
		d.log.Error("bgp: setting routes", "err", err)
	}
}

// directorRequest answers lvsadm drain-director and undrain-director,
// within the daemon's life.
func (d *Daemon) directorRequest(r control.DirectorRequest) (control.DirectorResult, error) {
	d.mu.Lock()
	ctx := d.runCtx
	d.mu.Unlock()
	if ctx == nil {
		return control.DirectorResult{}, errors.New("the daemon is not running")
	}
	return d.director(ctx, r)
}

// director drains or undrains the whole director.
func (d *Daemon) director(ctx context.Context, r control.DirectorRequest) (control.DirectorResult, error) {
	d.bgp.mu.Lock()
	sp := d.bgp.speaker
	if sp == nil {
		d.bgp.mu.Unlock()
		return control.DirectorResult{}, errors.New("this director announces nothing: lvs.cf has no bgp block")
	}
	d.bgp.draining = r.Action == control.ActDrainDirector
	d.bgp.mu.Unlock()
	res := control.DirectorResult{Action: r.Action}
	before := announcedSet(sp.Status(ctx))
	d.updateRoutes(ctx)
	after := announcedSet(sp.Status(ctx))
	if r.Action == control.ActUndrainDirector {
		d.log.Info("director undrained: announcing again")
		d.event(Event{Kind: "bgp", Message: "director undrained"})
		res.Routes = difference(after, before)
		return res, nil
	}
	withdrawn := difference(before, after)
	res.Routes = withdrawn
	d.log.Info("director drained: routes withdrawn", "routes", len(withdrawn), "wait", r.Wait)
	d.event(Event{Kind: "bgp", Message: fmt.Sprintf("director drained: %d routes withdrawn", len(withdrawn))})
	vips := map[netip.Addr]bool{}
	for _, p := range withdrawn {
		if pp, err := netip.ParsePrefix(p); err == nil {
			vips[pp.Addr()] = true
		}
	}
	n, err := d.liveConnections(ctx, vips)
	if err != nil {
		return res, err
	}
	res.Connections, res.ConnectionsLeft = n, n
	start := time.Now()
	deadline := start.Add(r.Wait)
	for res.ConnectionsLeft > 0 && time.Now().Before(deadline) {
		select {
		case <-ctx.Done():
			return res, ctx.Err()
		case <-time.After(min(drainPoll, time.Until(deadline))):
		}
		if res.ConnectionsLeft, err = d.liveConnections(ctx, vips); err != nil {
			return res, err
		}
	}
	res.Waited = time.Since(start).Round(time.Millisecond)
	res.TimedOut = res.ConnectionsLeft > 0 && r.Wait > 0
	d.log.Info("director drain finished", "connections", res.Connections, "left", res.ConnectionsLeft, "waited", res.Waited)
	return res, nil
}

// liveConnections counts the IPVS connections to vips that still carry a
// flow: TCP other than TIME_WAIT, CLOSE and the like, and UDP.
func (d *Daemon) liveConnections(ctx context.Context, vips map[netip.Addr]bool) (int, error) {
	if len(vips) == 0 {
		return 0, nil
	}
	n := 0
	err := d.o.Kernel.Connections(ctx, func(c *ops.Connection) error {
		a, ok := netip.AddrFromSlice(c.Virtual)
		if !ok || !vips[a.Unmap()] {
			return nil
		}
		switch c.Protocol {
		case "TCP", "SCTP":
			switch c.State {
			case "ESTABLISHED", "SYN_RECV", "SYN_SENT", "FIN_WAIT", "CLOSE_WAIT", "LAST_ACK":
				n++
			}
		case "UDP":
			n++
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("counting connections: %w", err)
	}
	return n, nil
}

func announcedSet(st bgp.Status) []string {
	var out []string
	for _, r := range st.Routes {
		if r.Announced {
			out = append(out, r.Prefix.String())
		}
	}
	sort.Strings(out)
	return out
}

// difference is a's members not in b.
func difference(a, b []string) []string {
	out := []string{}
	for _, s := range a {
		if !slices.Contains(b, s) {
			out = append(out, s)
		}
	}
	return out
}

// bgpStatus is the speaker's part of lvsadm status.
func (d *Daemon) bgpStatus(ctx context.Context) *control.BGPStatus {
	d.bgp.mu.Lock()
	sp, draining, ag := d.bgp.speaker, d.bgp.draining, d.bgp.bfd
	d.bgp.mu.Unlock()
	if sp == nil {
		return nil
	}
	st := sp.Status(ctx)
	bfdOf := map[netip.Addr]string{}
	if ag != nil {
		sessions, err := ag.Status(ctx)
		if err != nil {
			d.log.Warn("bfd: status", "err", err)
		}
		for _, s := range sessions {
			bfdOf[s.Remote] = bfdText(s)
		}
	}
	out := &control.BGPStatus{LocalAS: st.LocalAS, RouterID: st.RouterID.String(), Running: st.Running, Draining: draining,
		Neighbors: []control.BGPNeighborStatus{}, Routes: []control.BGPRouteStatus{}}
	for _, n := range st.Neighbors {
		out.Neighbors = append(out.Neighbors, control.BGPNeighborStatus{
			Address: n.Address.String(), RemoteAS: n.RemoteAS, State: string(n.State), Since: n.Since,
			LastError: n.LastError, LastErrorAt: n.LastErrorAt, HoldTime: n.HoldTime.Seconds(),
			UpdatesIn: n.UpdatesIn, UpdatesOut: n.UpdatesOut, BFD: bfdOf[n.Address.Unmap()],
		})
	}
	for _, r := range st.Routes {
		out.Routes = append(out.Routes, control.BGPRouteStatus{Prefix: r.Prefix.String(), Announced: r.Announced, Reason: r.Reason, Since: r.Since})
	}
	return out
}

// bfdText is a BFD session in a few words: its state, and when it is not
// Up, what the peer says and why it last went down.
func bfdText(s bfd.Status) string {
	if s.State == bfd.StateUp {
		return "up"
	}
	out := fmt.Sprintf("%v (remote %v", s.State, s.RemoteState)
	if s.LastDiag != bfd.DiagNone {
		out += ", last down: " + s.LastDiag.String()
	}
	return out + ")"
}
