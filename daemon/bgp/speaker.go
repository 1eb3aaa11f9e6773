package bgp

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"
)

const (
	// stopOnCancelTimeout bounds the withdraw-and-close that follows the
	// cancellation of Start's context (that context is gone, so it cannot
	// bound it).
	stopOnCancelTimeout = 5 * time.Second
	// launchTimeout bounds starting a helper again after it died.
	launchTimeout = 10 * time.Second
	// respawnBackoff is the first wait before starting a dead helper
	// again, doubled up to respawnBackoffMax while starts keep failing.
	respawnBackoff    = time.Second
	respawnBackoffMax = 30 * time.Second
)

// Speaker announces a director's VIPs with BGP. The BGP engine (GoBGP)
// runs in a helper process that the speaker starts, drives (wire.go) and
// starts again if it dies, replaying the configuration and routes. The
// speaker keeps what it was asked (configuration, routes, a withdrawal), so
// that state survives the helper. Its methods are safe for concurrent use.
type Speaker struct {
	log *slog.Logger

	// lock serialises the calls (one request in flight); a channel so
	// that waiting for it honours a context.
	lock    chan struct{}
	cfg     Config
	routes  []Route
	started bool
	// stopped is set by Stop, also when it cannot get lock (a call is
	// stuck), hence atomic.
	stopped atomic.Bool
	// withdrawn is WithdrawAll's reason until the next SetRoutes: a
	// helper started again withdraws again.
	withdrawn string
	nextID    uint64

	pmu  sync.Mutex // guards proc and last, read without lock
	proc *helperProc
	last Status // the last status the helper gave, for when it cannot answer

	quit     chan struct{} // closed by Stop: ends the goroutines below
	quitOnce sync.Once
	wg       sync.WaitGroup // the supervisor and the watcher of Start's ctx
}

// New checks cfg and returns a speaker that does nothing until Start.
func New(cfg Config, log *slog.Logger) (*Speaker, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Speaker{
		log:  log,
		lock: make(chan struct{}, 1),
		cfg:  cfg,
		quit: make(chan struct{}),
		last: Status{LocalAS: cfg.LocalAS, RouterID: cfg.RouterID},
	}, nil
}

func (s *Speaker) acquire(ctx context.Context) error {
	select {
	case s.lock <- struct{}{}:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("bgp: waiting for the speaker: %w", ctx.Err())
	}
}

func (s *Speaker) release() { <-s.lock }

// Start starts the helper, opens the sessions and announces the routes
// SetRoutes asked for so far. Cancelling ctx later stops the speaker as
// Stop does (withdraw, close, stop), within stopOnCancelTimeout.
func (s *Speaker) Start(ctx context.Context) error {
	if err := s.acquire(ctx); err != nil {
		return err
	}
	defer s.release()
	if s.stopped.Load() {
		return errors.New("bgp: speaker already stopped")
	}
	if s.started {
		return errors.New("bgp: speaker already started")
	}
	if err := s.launch(ctx); err != nil {
		return err
	}
	s.started = true
	s.wg.Add(2)
	go s.supervise()
	go func() {
		defer s.wg.Done()
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
	return nil
}

// launch starts a helper and brings it to what the speaker was asked:
// configuration, routes, a withdrawal. The caller holds lock.
func (s *Speaker) launch(ctx context.Context) error {
	p, err := spawn(s.log)
	if err != nil {
		return err
	}
	s.pmu.Lock()
	s.proc = p
	s.pmu.Unlock()
	cfg := s.cfg
	if _, err := s.call(ctx, Request{Op: OpStart, Config: &cfg, Routes: s.routes}); err != nil {
		p.kill()
		return err
	}
	if s.withdrawn != "" {
		if _, err := s.call(ctx, Request{Op: OpWithdrawAll, Reason: s.withdrawn}); err != nil {
			p.kill()
			return err
		}
	}
	return nil
}

// supervise starts the helper again whenever it exits while the speaker
// runs: a crashed helper must not leave the VIPs unannounced for good.
func (s *Speaker) supervise() {
	defer s.wg.Done()
	backoff := respawnBackoff
	for {
		s.pmu.Lock()
		p := s.proc
		s.pmu.Unlock()
		if p == nil { // stopped
			<-s.quit
			return
		}
		select {
		case <-p.exited:
		case <-s.quit:
			return
		}
		if s.stopped.Load() {
			return // the exit Stop asked for
		}
		s.markDown()
		s.log.Error("bgp: helper exited; starting it again", "err", p.waitErr, "in", backoff)
		select {
		case <-time.After(backoff):
		case <-s.quit:
			return
		}
		select {
		case s.lock <- struct{}{}:
		case <-s.quit:
			return
		}
		if s.stopped.Load() {
			s.release()
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), launchTimeout)
		err := s.launch(ctx)
		cancel()
		s.release()
		if err != nil {
			s.log.Error("bgp: starting the helper again", "err", err)
			backoff = min(2*backoff, respawnBackoffMax)
			continue
		}
		s.log.Info("bgp: helper started again")
		backoff = respawnBackoff
	}
}

// call sends req to the running helper and waits for its answer. The
// caller holds lock.
func (s *Speaker) call(ctx context.Context, req Request) (Response, error) {
	s.pmu.Lock()
	p := s.proc
	s.pmu.Unlock()
	if p == nil {
		return Response{}, errors.New("bgp: helper not running")
	}
	s.nextID++
	req.ID = s.nextID
	if dl, ok := ctx.Deadline(); ok {
		req.Timeout = max(time.Until(dl), time.Millisecond)
	}
	if err := p.send(req); err != nil {
		return Response{}, err
	}
	for {
		select {
		case r, ok := <-p.resps:
			if !ok {
				<-p.exited
				return Response{}, fmt.Errorf("bgp: helper exited during %s: %v", req.Op, p.waitErr)
			}
			if r.ID != req.ID {
				continue // the answer to a call whose context ended
			}
			if r.Err != "" {
				if r.RestartNeeded {
					return r, ErrRestartNeeded
				}
				return r, errors.New(r.Err)
			}
			return r, nil
		case <-ctx.Done():
			return Response{}, fmt.Errorf("bgp: %s: %w", req.Op, ctx.Err())
		}
	}
}

// Stop withdraws every route, waits (briefly) for the withdrawals to
// leave, closes the sessions with a Cease notification and ends the
// helper. ctx bounds it; past ctx the helper is killed, which closes the
// sessions too. A stopped speaker cannot start again.
func (s *Speaker) Stop(ctx context.Context) error {
	err := s.stop(ctx)
	s.quitOnce.Do(func() { close(s.quit) })
	s.wg.Wait()
	return err
}

func (s *Speaker) stop(ctx context.Context) error {
	if err := s.acquire(ctx); err != nil {
		s.stopped.Store(true)
		s.pmu.Lock()
		p := s.proc
		s.pmu.Unlock()
		if p != nil {
			p.kill()
		}
		return err
	}
	defer s.release()
	s.stopped.Store(true)
	s.pmu.Lock()
	p := s.proc
	s.pmu.Unlock()
	if p == nil {
		return nil
	}
	var errs []error
	if p.alive() {
		if _, err := s.call(ctx, Request{Op: OpStop}); err != nil {
			errs = append(errs, err)
		}
	}
	if err := p.finish(ctx); err != nil {
		errs = append(errs, err)
	}
	s.pmu.Lock()
	s.proc = nil
	s.pmu.Unlock()
	s.markDown()
	s.log.Info("bgp: speaker stopped")
	return errors.Join(errs...)
}

// Reconfigure brings the neighbors to cfg's: new ones are added, gone ones
// closed (Cease), changed ones restarted; unchanged sessions are left alone.
// A change of local AS, router id or listening returns ErrRestartNeeded
// and changes nothing.
func (s *Speaker) Reconfigure(ctx context.Context, cfg Config) error {
	if err := cfg.Validate(); err != nil {
		return err
	}
	if err := s.acquire(ctx); err != nil {
		return err
	}
	defer s.release()
	if !s.started || s.stopped.Load() {
		if s.stopped.Load() {
			return errors.New("bgp: speaker stopped")
		}
		s.cfg = cfg
		return nil
	}
	if !SameGlobal(s.cfg, cfg) {
		return ErrRestartNeeded
	}
	_, err := s.call(ctx, Request{Op: OpReconfigure, Config: &cfg})
	if errors.Is(err, ErrRestartNeeded) {
		return err
	}
	s.cfg = cfg // as the engine: what failed is retried by the next change
	return err
}

// SetRoutes makes the announced set what routes says: what should be
// announced and is not is announced, what should not be and is, or is no
// longer listed, is withdrawn. Calling it again with the same routes does
// nothing. Before Start it only records them.
func (s *Speaker) SetRoutes(ctx context.Context, routes []Route) error {
	seen := make(map[netip.Prefix]bool, len(routes))
	canon := make([]Route, 0, len(routes))
	for _, r := range routes {
		p, err := HostPrefix(r.Prefix)
		if err != nil {
			return err
		}
		if seen[p] {
			return fmt.Errorf("bgp: route %v listed twice", p)
		}
		seen[p] = true
		r.Prefix = p
		canon = append(canon, r)
	}
	if err := s.acquire(ctx); err != nil {
		return err
	}
	defer s.release()
	s.routes, s.withdrawn = canon, ""
	if !s.started || s.stopped.Load() {
		return nil
	}
	_, err := s.call(ctx, Request{Op: OpRoutes, Routes: canon})
	return err
}

// WithdrawAll withdraws every announced route, giving reason as why. The
// routes stay listed; the next SetRoutes announces again what it asks for.
func (s *Speaker) WithdrawAll(ctx context.Context, reason string) error {
	if err := s.acquire(ctx); err != nil {
		return err
	}
	defer s.release()
	s.withdrawn = reason
	if !s.started || s.stopped.Load() {
		return nil
	}
	_, err := s.call(ctx, Request{Op: OpWithdrawAll, Reason: reason})
	return err
}

// Status is the sessions' and routes' state, as the helper reports it
// within ctx; without an answer it is the last one the helper gave.
func (s *Speaker) Status(ctx context.Context) Status {
	if err := s.acquire(ctx); err == nil {
		running := s.started && !s.stopped.Load()
		var r Response
		if running {
			r, err = s.call(ctx, Request{Op: OpStatus})
		}
		s.release()
		if running && err == nil && r.Status != nil {
			s.pmu.Lock()
			s.last = *r.Status
			s.pmu.Unlock()
			return *r.Status
		}
		if err != nil {
			s.log.Debug("bgp: status", "err", err)
		}
	}
	s.pmu.Lock()
	defer s.pmu.Unlock()
	st := s.last
	st.Neighbors = append([]NeighborStatus(nil), st.Neighbors...)
	st.Routes = append([]RouteStatus(nil), st.Routes...)
	return st
}

// markDown records in the last status that the helper is gone, with its
// sessions: what Status answers until a helper reports again.
func (s *Speaker) markDown() {
	now := time.Now()
	s.pmu.Lock()
	defer s.pmu.Unlock()
	s.last.Running = false
	for i := range s.last.Neighbors {
		if n := &s.last.Neighbors[i]; n.State != StateIdle {
			n.State, n.Since = StateIdle, now
		}
	}
}
