package gobgpengine

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"slices"
	"sync"
	"time"

	"github.com/lvsadm/lvsadm/daemon/bgp"
	api "github.com/osrg/gobgp/v4/api"
	"github.com/osrg/gobgp/v4/pkg/apiutil"
	packet "github.com/osrg/gobgp/v4/pkg/packet/bgp"
	gobgp "github.com/osrg/gobgp/v4/pkg/server"
)

const (
	// connectRetry is GoBGP's connect-retry timer; GoBGP 4.8 waits at
	// least 2 s between attempts whatever is set (minConnectRetryInterval).
	connectRetry = 1
	// idleHoldAfterReset is how long GoBGP stays Idle after a reset it
	// sent itself (the default is 30 s). GoBGP stays Idle a fixed 5 s after
	// any other session loss; that one has no knob.
	idleHoldAfterReset = 1
	// stopOnCancelTimeout bounds the withdraw-and-close that follows the
	// cancellation of Start's context (that context is gone, so it cannot
	// bound it).
	stopOnCancelTimeout = 5 * time.Second
	// withdrawFlushTimeout bounds Stop's wait for the withdrawals to leave
	// before the sessions close. Closing withdraws everything at the peer
	// anyway; the wait only makes the withdrawal the first thing it sees.
	withdrawFlushTimeout = 2 * time.Second
)

// Speaker is an embedded BGP speaker announcing a director's VIPs.
// Its methods are safe for concurrent use.
type Speaker struct {
	log *slog.Logger

	mu      sync.Mutex // serialises the methods below
	cfg     bgp.Config
	server  *gobgp.BgpServer // nil before Start and after Stop
	stopped bool
	routes  map[netip.Prefix]*bgp.RouteStatus

	serveDone   chan struct{} // closed when the server's Serve returns
	watchCancel context.CancelFunc
	quit        chan struct{} // closed by Stop: ends the goroutine watching Start's ctx
	quitOnce    sync.Once
	ctxWatcher  chan struct{} // closed when that goroutine returns

	smu      sync.Mutex // guards sessions, written from GoBGP's event goroutine
	sessions map[netip.Addr]*bgp.NeighborStatus
}

// New checks cfg and returns a speaker that does nothing until Start.
func New(cfg bgp.Config, log *slog.Logger) (*Speaker, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Speaker{
		log:      log,
		cfg:      cfg,
		routes:   map[netip.Prefix]*bgp.RouteStatus{},
		quit:     make(chan struct{}),
		sessions: map[netip.Addr]*bgp.NeighborStatus{},
	}
	return s, nil
}

// Start runs the BGP server, opens the sessions and announces the routes
// SetRoutes asked for so far. Cancelling ctx later stops the speaker as
// Stop does (withdraw, close, stop), within stopOnCancelTimeout.
func (s *Speaker) Start(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopped {
		return errors.New("bgp: speaker already stopped")
	}
	if s.server != nil {
		return errors.New("bgp: speaker already started")
	}
	srv := gobgp.NewBgpServer(gobgp.LoggerOption(slog.New(quietHandler{s.log.Handler()}).With("part", "gobgp"), nil))
	serveDone := make(chan struct{})
	go func() {
		defer close(serveDone)
		srv.Serve()
	}()
	fail := func(err error) error {
		srv.Stop()
		<-serveDone
		return err
	}
	g := &api.Global{Asn: s.cfg.LocalAS, RouterId: s.cfg.RouterID.String(), ListenPort: s.cfg.ListenPort}
	for _, a := range s.cfg.ListenAddrs() {
		g.ListenAddresses = append(g.ListenAddresses, a.String())
	}
	if err := srv.StartBgp(ctx, &api.StartBgpRequest{Global: g}); err != nil {
		return fail(fmt.Errorf("bgp: start: %w", err))
	}
	watchCtx, watchCancel := context.WithCancel(context.Background())
	err := srv.WatchEvent(watchCtx, gobgp.WatchEventMessageCallbacks{OnPeerUpdate: s.onPeerEvent}, gobgp.WatchPeer())
	if err != nil {
		watchCancel()
		return fail(fmt.Errorf("bgp: watch sessions: %w", err))
	}
	for _, n := range s.cfg.Neighbors {
		if err := s.addPeer(ctx, srv, n); err != nil {
			watchCancel()
			return fail(err)
		}
	}
	var announce []netip.Prefix
	for p, r := range s.routes {
		if r.Announced {
			announce = append(announce, p)
		}
	}
	if err := addPaths(srv, announce); err != nil {
		watchCancel()
		return fail(err)
	}
	s.server, s.serveDone, s.watchCancel = srv, serveDone, watchCancel
	s.ctxWatcher = make(chan struct{})
	go func() {
		defer close(s.ctxWatcher)
		select {
		case <-ctx.Done():
			sctx, cancel := context.WithTimeout(context.Background(), stopOnCancelTimeout)
			defer cancel()
			if err := s.stop(sctx); err != nil {
				s.log.Warn("bgp: stop after cancel", "err", err)
			}
		case <-s.quit:
		}
	}()
	s.log.Info("bgp: speaker started", "as", s.cfg.LocalAS, "router_id", s.cfg.RouterID, "neighbors", len(s.cfg.Neighbors), "announced", len(announce))
	return nil
}

// Stop withdraws every route, waits (briefly) for the withdrawals to
// leave, closes the sessions with a Cease notification and stops the
// server. ctx bounds it; past ctx the server's shutdown goes on in the
// background. A stopped speaker cannot start again.
func (s *Speaker) Stop(ctx context.Context) error {
	err := s.stop(ctx)
	s.quitOnce.Do(func() { close(s.quit) })
	s.mu.Lock()
	w := s.ctxWatcher
	s.mu.Unlock()
	if w != nil {
		<-w
	}
	return err
}

func (s *Speaker) stop(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stopped = true
	srv := s.server
	if srv == nil {
		return nil
	}
	var errs []error
	before := updatesSent(ctx, srv)
	n, err := s.withdrawAllLocked("speaker stopping")
	if err != nil {
		errs = append(errs, err)
	}
	if n > 0 && len(before) > 0 {
		fctx, cancel := context.WithTimeout(ctx, withdrawFlushTimeout)
		waitUpdatesSent(fctx, srv, before)
		cancel()
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		srv.Stop() // Cease to every peer, listeners closed, Serve returns
	}()
	select {
	case <-done:
		<-s.serveDone
	case <-ctx.Done():
		errs = append(errs, fmt.Errorf("bgp: stop: %w", ctx.Err()))
	}
	s.watchCancel()
	s.server = nil
	s.smu.Lock()
	for _, st := range s.sessions {
		st.State, st.Since = bgp.StateIdle, time.Now()
	}
	s.smu.Unlock()
	s.log.Info("bgp: speaker stopped")
	return errors.Join(errs...)
}

// Reconfigure brings the neighbors to cfg's: new ones are added, gone ones
// closed (Cease), changed ones restarted; unchanged sessions are left alone.
// A change of local AS, router id or listening returns ErrRestartNeeded
// and changes nothing.
func (s *Speaker) Reconfigure(ctx context.Context, cfg bgp.Config) error {
	if err := cfg.Validate(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.server == nil {
		if s.stopped {
			return errors.New("bgp: speaker stopped")
		}
		s.cfg = cfg
		return nil
	}
	if !bgp.SameGlobal(s.cfg, cfg) {
		return bgp.ErrRestartNeeded
	}
	old := map[netip.Addr]bgp.Neighbor{}
	for _, n := range s.cfg.Neighbors {
		old[n.Address] = n
	}
	var errs []error
	keep := map[netip.Addr]bool{}
	for _, n := range cfg.Neighbors {
		keep[n.Address] = true
		o, had := old[n.Address]
		if had && bgp.SameNeighbor(o, n) {
			continue
		}
		if had {
			if err := s.deletePeer(ctx, n.Address); err != nil {
				errs = append(errs, err)
				continue
			}
		}
		if err := s.addPeer(ctx, s.server, n); err != nil {
			errs = append(errs, err)
		}
	}
	for a := range old {
		if !keep[a] {
			if err := s.deletePeer(ctx, a); err != nil {
				errs = append(errs, err)
			}
		}
	}
	s.cfg = cfg
	return errors.Join(errs...)
}

func (s *Speaker) addPeer(ctx context.Context, srv *gobgp.BgpServer, n bgp.Neighbor) error {
	if err := srv.AddPeer(ctx, &api.AddPeerRequest{Peer: peerConfig(n)}); err != nil {
		return fmt.Errorf("bgp: add neighbor %v: %w", n.Address, err)
	}
	s.smu.Lock()
	s.sessions[n.Address] = &bgp.NeighborStatus{Address: n.Address, RemoteAS: n.RemoteAS, State: bgp.StateIdle, Since: time.Now()}
	s.smu.Unlock()
	s.log.Info("bgp: neighbor added", "neighbor", n.Address, "remote_as", n.RemoteAS)
	return nil
}

func (s *Speaker) deletePeer(ctx context.Context, a netip.Addr) error {
	if err := s.server.DeletePeer(ctx, &api.DeletePeerRequest{Address: a.String()}); err != nil {
		return fmt.Errorf("bgp: remove neighbor %v: %w", a, err)
	}
	s.smu.Lock()
	delete(s.sessions, a)
	s.smu.Unlock()
	s.log.Info("bgp: neighbor removed", "neighbor", a)
	return nil
}

// peerConfig is GoBGP's configuration of one neighbor.
func peerConfig(n bgp.Neighbor) *api.Peer {
	hold, keep := n.Timers()
	fam := &api.Family{Afi: api.Family_AFI_IP, Safi: api.Family_SAFI_UNICAST}
	if n.Address.Is6() {
		fam.Afi = api.Family_AFI_IP6
	}
	p := &api.Peer{
		Conf: &api.PeerConf{NeighborAddress: n.Address.String(), PeerAsn: n.RemoteAS},
		Timers: &api.Timers{Config: &api.TimersConfig{
			ConnectRetry:           connectRetry,
			HoldTime:               hold,
			KeepaliveInterval:      keep,
			IdleHoldTimeAfterReset: idleHoldAfterReset,
		}},
		Transport: &api.Transport{PassiveMode: n.Passive, RemotePort: uint32(n.Port)},
		AfiSafis:  []*api.AfiSafi{{Config: &api.AfiSafiConfig{Family: fam, Enabled: true}}},
	}
	if n.LocalAddress.IsValid() {
		p.Transport.LocalAddress = n.LocalAddress.String()
	}
	if n.BFD != nil {
		tx, rx, mult := n.BFD.Values()
		p.Bfd = &api.BfdPeerConfig{
			Enabled:                  true,
			DesiredMinimumTxInterval: uint32(tx.Microseconds()),
			RequiredMinimumReceive:   uint32(rx.Microseconds()),
			DetectionMultiplier:      uint32(mult),
		}
	}
	return p
}

// onPeerEvent runs on GoBGP's event goroutine for every session change.
func (s *Speaker) onPeerEvent(ev *apiutil.WatchEventMessage_PeerEvent, t time.Time) {
	if ev.Type != apiutil.PEER_EVENT_STATE {
		return
	}
	a := ev.Peer.State.NeighborAddress.Unmap()
	state := stateFromFSM(ev.Peer.State.SessionState)
	s.smu.Lock()
	defer s.smu.Unlock()
	st := s.sessions[a]
	if st == nil || st.State == state {
		return
	}
	was := st.State
	st.State, st.Since = state, t
	switch {
	case state == bgp.StateEstablished:
		s.log.Info("bgp: session established", "neighbor", a, "remote_as", st.RemoteAS)
	case was == bgp.StateEstablished:
		st.LastError = disconnectText(ev.Peer.State.DisconnectReason, ev.Peer.State.DisconnectMessage)
		st.LastErrorAt = t
		s.log.Info("bgp: session down", "neighbor", a, "reason", st.LastError)
	}
}

// SetRoutes makes the announced set what routes says: what should be
// announced and is not is announced, what should not be and is, or is no
// longer listed, is withdrawn. Calling it again with the same routes does
// nothing. Before Start it only records them.
func (s *Speaker) SetRoutes(ctx context.Context, routes []bgp.Route) error {
	want := map[netip.Prefix]bgp.Route{}
	for _, r := range routes {
		p, err := bgp.HostPrefix(r.Prefix)
		if err != nil {
			return err
		}
		if _, dup := want[p]; dup {
			return fmt.Errorf("bgp: route %v listed twice", p)
		}
		r.Prefix = p
		want[p] = r
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var add, del []netip.Prefix
	for p, r := range want {
		cur := s.routes[p]
		if r.Announce && (cur == nil || !cur.Announced) {
			add = append(add, p)
		}
		if !r.Announce && cur != nil && cur.Announced {
			del = append(del, p)
		}
	}
	var gone []netip.Prefix
	for p, cur := range s.routes {
		if _, ok := want[p]; !ok {
			gone = append(gone, p)
			if cur.Announced {
				del = append(del, p)
			}
		}
	}
	if s.server != nil {
		if err := addPaths(s.server, add); err != nil {
			return err
		}
		if err := deletePaths(s.server, del); err != nil {
			return err
		}
	}
	now := time.Now()
	for p, r := range want {
		cur := s.routes[p]
		if cur == nil {
			cur = &bgp.RouteStatus{Prefix: p, Since: now}
			s.routes[p] = cur
		}
		if cur.Announced != r.Announce {
			cur.Announced, cur.Since = r.Announce, now
			s.logRoute(p, r.Announce, r.Reason)
		}
		cur.Reason = r.Reason
	}
	for _, p := range gone {
		if s.routes[p].Announced {
			s.logRoute(p, false, "no longer configured")
		}
		delete(s.routes, p)
	}
	return nil
}

// WithdrawAll withdraws every announced route, giving reason as why. The
// routes stay listed; the next SetRoutes announces again what it asks for.
func (s *Speaker) WithdrawAll(ctx context.Context, reason string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, err := s.withdrawAllLocked(reason)
	return err
}

func (s *Speaker) withdrawAllLocked(reason string) (int, error) {
	var del []netip.Prefix
	for p, r := range s.routes {
		if r.Announced {
			del = append(del, p)
		}
	}
	if s.server != nil {
		if err := deletePaths(s.server, del); err != nil {
			return 0, err
		}
	}
	now := time.Now()
	for _, p := range del {
		r := s.routes[p]
		r.Announced, r.Reason, r.Since = false, reason, now
		s.logRoute(p, false, reason)
	}
	return len(del), nil
}

func (s *Speaker) logRoute(p netip.Prefix, announced bool, reason string) {
	if announced {
		s.log.Info("bgp: announce", "prefix", p, "reason", reason)
	} else {
		s.log.Info("bgp: withdraw", "prefix", p, "reason", reason)
	}
}

// Status is the sessions' and routes' state. It asks the server for the
// message counts and negotiated timers, bounded by ctx; without an answer
// it still gives what the speaker saw itself.
func (s *Speaker) Status(ctx context.Context) bgp.Status {
	s.mu.Lock()
	cfg, srv := s.cfg, s.server
	st := bgp.Status{Running: srv != nil, LocalAS: cfg.LocalAS, RouterID: cfg.RouterID}
	for _, r := range s.routes {
		st.Routes = append(st.Routes, *r)
	}
	s.mu.Unlock()
	slices.SortFunc(st.Routes, func(a, b bgp.RouteStatus) int { return a.Prefix.Addr().Compare(b.Prefix.Addr()) })

	byAddr := map[netip.Addr]int{}
	s.smu.Lock()
	for _, n := range cfg.Neighbors {
		ns := bgp.NeighborStatus{Address: n.Address, RemoteAS: n.RemoteAS, State: bgp.StateIdle}
		if cur := s.sessions[n.Address]; cur != nil {
			ns = *cur
		}
		byAddr[n.Address] = len(st.Neighbors)
		st.Neighbors = append(st.Neighbors, ns)
	}
	s.smu.Unlock()
	if srv == nil {
		return st
	}
	err := srv.ListPeer(ctx, &api.ListPeerRequest{}, func(p *api.Peer) {
		if p.State == nil || p.Conf == nil {
			return
		}
		a, err := netip.ParseAddr(p.Conf.NeighborAddress)
		i, ok := byAddr[a.Unmap()]
		if err != nil || !ok {
			return
		}
		ns := &st.Neighbors[i]
		if state := stateFromAPI(p.State.SessionState); state != ns.State {
			// a change the event has not reported yet: the time is unknown
			ns.State, ns.Since = state, time.Now()
		}
		if m := p.State.Messages; m != nil && m.Received != nil && m.Sent != nil {
			ns.MessagesIn, ns.MessagesOut = m.Received.Total, m.Sent.Total
			ns.UpdatesIn, ns.UpdatesOut = m.Received.Update, m.Sent.Update
		}
		if t := p.Timers; ns.State == bgp.StateEstablished && t != nil && t.State != nil {
			ns.HoldTime = time.Duration(t.State.NegotiatedHoldTime) * time.Second
		}
		if p.Bfd != nil && p.Bfd.Enabled && p.State.BfdState != nil {
			ns.BFD = bfdText(p.State.BfdState.SessionState)
		}
	})
	if err != nil {
		s.log.Debug("bgp: list neighbors", "err", err)
	}
	return st
}

// pathFor is the one path the speaker announces for p. Every director
// builds it the same way (origin IGP, no MED, no communities), so a router
// with multipath sees equal paths and uses them all. The unspecified next
// hop makes GoBGP put the session's own local address there, for eBGP and
// iBGP peers alike.
func pathFor(p netip.Prefix) (*apiutil.Path, error) {
	nlri, err := packet.NewIPAddrPrefix(p)
	if err != nil {
		return nil, fmt.Errorf("bgp: %v: %w", p, err)
	}
	attrs := []packet.PathAttributeInterface{packet.NewPathAttributeOrigin(packet.BGP_ORIGIN_ATTR_TYPE_IGP)}
	family := packet.RF_IPv4_UC
	if p.Addr().Is4() {
		nh, err := packet.NewPathAttributeNextHop(netip.IPv4Unspecified())
		if err != nil {
			return nil, fmt.Errorf("bgp: %v: %w", p, err)
		}
		attrs = append(attrs, nh)
	} else {
		family = packet.RF_IPv6_UC
		mp, err := packet.NewPathAttributeMpReachNLRI(family, []packet.PathNLRI{{NLRI: nlri}}, netip.IPv6Unspecified())
		if err != nil {
			return nil, fmt.Errorf("bgp: %v: %w", p, err)
		}
		attrs = append(attrs, mp)
	}
	return &apiutil.Path{Family: family, Nlri: nlri, Attrs: attrs}, nil
}

func pathsFor(ps []netip.Prefix) ([]*apiutil.Path, error) {
	paths := make([]*apiutil.Path, 0, len(ps))
	for _, p := range ps {
		path, err := pathFor(p)
		if err != nil {
			return nil, err
		}
		paths = append(paths, path)
	}
	return paths, nil
}

func addPaths(srv *gobgp.BgpServer, ps []netip.Prefix) error {
	return changePaths(srv, ps, false)
}

func deletePaths(srv *gobgp.BgpServer, ps []netip.Prefix) error {
	return changePaths(srv, ps, true)
}

func changePaths(srv *gobgp.BgpServer, ps []netip.Prefix, withdraw bool) error {
	if len(ps) == 0 {
		return nil
	}
	paths, err := pathsFor(ps)
	if err != nil {
		return err
	}
	if withdraw {
		err = srv.DeletePath(apiutil.DeletePathRequest{Paths: paths})
	} else {
		_, err = srv.AddPath(apiutil.AddPathRequest{Paths: paths})
	}
	if err != nil {
		return fmt.Errorf("bgp: announce or withdraw %v: %w", ps, err)
	}
	return nil
}

// updatesSent is the UPDATE count sent so far to each established peer.
func updatesSent(ctx context.Context, srv *gobgp.BgpServer) map[string]uint64 {
	m := map[string]uint64{}
	_ = srv.ListPeer(ctx, &api.ListPeerRequest{}, func(p *api.Peer) {
		if p.State != nil && p.State.SessionState == api.PeerState_SESSION_STATE_ESTABLISHED &&
			p.State.Messages != nil && p.State.Messages.Sent != nil {
			m[p.State.NeighborAddress] = p.State.Messages.Sent.Update
		}
	})
	return m
}

// waitUpdatesSent waits until every peer in before has been sent another
// UPDATE (the withdrawal), has left Established, or ctx ends.
func waitUpdatesSent(ctx context.Context, srv *gobgp.BgpServer, before map[string]uint64) {
	t := time.NewTicker(20 * time.Millisecond)
	defer t.Stop()
	for {
		now := updatesSent(ctx, srv)
		pending := false
		for a, n := range before {
			if m, ok := now[a]; ok && m <= n {
				pending = true
			}
		}
		if !pending {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// RIB is the best path's next hop of every prefix the speaker holds from
// its peers and itself (IPv6 unicast when v6, else IPv4): the looking
// glass that the tests read at the router's end.
func (s *Speaker) RIB(v6 bool) (map[netip.Prefix]netip.Addr, error) {
	s.mu.Lock()
	srv := s.server
	s.mu.Unlock()
	got := map[netip.Prefix]netip.Addr{}
	if srv == nil {
		return got, nil
	}
	fam := packet.RF_IPv4_UC
	if v6 {
		fam = packet.RF_IPv6_UC
	}
	var perr error
	err := srv.ListPath(apiutil.ListPathRequest{TableType: api.TableType_TABLE_TYPE_GLOBAL, Family: fam}, func(n packet.NLRI, paths []*apiutil.Path) {
		p, err := netip.ParsePrefix(n.String())
		if err != nil {
			perr = fmt.Errorf("bgp: rib prefix %q: %w", n.String(), err)
			return
		}
		for _, path := range paths {
			for _, a := range path.Attrs {
				switch a := a.(type) {
				case *packet.PathAttributeNextHop:
					got[p] = a.Value
				case *packet.PathAttributeMpReachNLRI:
					got[p] = a.Nexthop
				}
			}
		}
	})
	if err != nil {
		return nil, fmt.Errorf("bgp: list rib: %w", err)
	}
	return got, perr
}
