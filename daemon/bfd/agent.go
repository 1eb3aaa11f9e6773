package bfd

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/netip"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

const (
	// Port is single-hop BFD's destination port (RFC 5881 4).
	Port = 3784
	// srcPortMin and srcPortMax bound the source port of a session's
	// packets (RFC 5881 4).
	srcPortMin, srcPortMax = 49152, 65535
	// DefaultInterval and DefaultMultiplier are lvs.cf's defaults too.
	DefaultInterval   = 100 * time.Millisecond
	DefaultMultiplier = 3
	// gtsmTTL is sent, and the only TTL accepted (RFC 5881 5, RFC 5082).
	gtsmTTL = 255
)

// Config is an agent's socket and logger.
type Config struct {
	// ListenAddress is where the agent receives; invalid means 0.0.0.0 and
	// :: (each family on its own socket; a host without IPv6 keeps IPv4).
	ListenAddress netip.Addr
	// ListenPort is the receiving port: 0 means Port; -1 a free port
	// (tests, several agents on one host; see Agent.Port).
	ListenPort int
	Log        *slog.Logger
}

// SessionConfig is one peer.
type SessionConfig struct {
	Remote netip.Addr
	// RemotePort is where the peer receives; 0 means Port.
	RemotePort uint16
	// Local, when valid, is the source address of the session's packets;
	// otherwise the kernel picks the address towards Remote.
	Local netip.Addr
	// Interval is Desired Min TX once Up and Required Min RX; 0 means
	// DefaultInterval.
	Interval time.Duration
	// Multiplier is the Detect Mult; 0 means DefaultMultiplier.
	Multiplier uint8
}

func (c SessionConfig) withDefaults() SessionConfig {
	c.Remote = c.Remote.Unmap()
	c.Local = c.Local.Unmap()
	if c.RemotePort == 0 {
		c.RemotePort = Port
	}
	if c.Interval <= 0 {
		c.Interval = DefaultInterval
	}
	if c.Multiplier == 0 {
		c.Multiplier = DefaultMultiplier
	}
	return c
}

// Status is one session as lvsadm status shows it.
type Status struct {
	Remote      netip.Addr
	State       State
	Since       time.Time // when State last changed
	RemoteState State
	// LastDiag says why the session last went Down (DiagNone if never).
	LastDiag    Diag
	RemoteDiag  Diag
	LocalDiscr  uint32
	RemoteDiscr uint32
	Interval    time.Duration
	Multiplier  uint8
	// DetectTime is the current Detection Time (0 before any packet).
	DetectTime time.Duration
}

type session struct {
	cfg  SessionConfig
	m    *machine
	conn *net.UDPConn // the session's sending socket (RFC 5881 source port)
	dst  netip.AddrPort
}

type received struct {
	from netip.Addr
	b    []byte
}

// Agent runs BFD sessions over one receiving socket per address family.
// One goroutine owns every session; one more per receiving socket reads.
type Agent struct {
	cfg  Config
	log  *slog.Logger
	rx   chan received
	cmds chan func(time.Time)

	mu     sync.Mutex
	conns  []*net.UDPConn
	cancel context.CancelFunc
	done   chan struct{} // closed when the loop has ended
	wg     sync.WaitGroup

	// Owned by the loop goroutine.
	sessions map[netip.Addr]*session
	byDiscr  map[uint32]*session
}

// New makes an agent; Start opens its sockets.
func New(cfg Config) *Agent {
	log := cfg.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Agent{cfg: cfg, log: log, rx: make(chan received, 64), cmds: make(chan func(time.Time)),
		sessions: map[netip.Addr]*session{}, byDiscr: map[uint32]*session{}}
}

// Start opens the receiving sockets and runs the agent until ctx ends or
// Stop is called.
func (a *Agent) Start(ctx context.Context) error {
	port := a.cfg.ListenPort
	switch port {
	case 0:
		port = Port
	case -1:
		port = 0
	}
	var conns []*net.UDPConn
	if a.cfg.ListenAddress.IsValid() {
		c, err := listenUDP(ctx, netip.AddrPortFrom(a.cfg.ListenAddress.Unmap(), uint16(port)), true)
		if err != nil {
			return err
		}
		conns = append(conns, c)
	} else {
		c, err := listenUDP(ctx, netip.AddrPortFrom(netip.IPv4Unspecified(), uint16(port)), true)
		if err != nil {
			return err
		}
		conns = append(conns, c)
		if c6, err := listenUDP(ctx, netip.AddrPortFrom(netip.IPv6Unspecified(), uint16(port)), true); err != nil {
			a.log.Warn("bfd: no IPv6 socket, IPv6 sessions will not come up", "err", err)
		} else {
			conns = append(conns, c6)
		}
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	a.mu.Lock()
	a.conns, a.cancel, a.done = conns, cancel, done
	a.mu.Unlock()
	for _, c := range conns {
		a.wg.Add(1)
		go func() { defer a.wg.Done(); a.read(ctx, c) }()
	}
	a.wg.Add(1)
	go func() { defer a.wg.Done(); defer close(done); a.loop(ctx) }()
	return nil
}

// Port is the receiving port (useful after ListenPort -1).
func (a *Agent) Port() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.conns) == 0 {
		return 0
	}
	return int(a.conns[0].LocalAddr().(*net.UDPAddr).AddrPort().Port())
}

// Stop sends AdminDown on every session, closes the sockets and waits for
// the agent's goroutines.
func (a *Agent) Stop() {
	a.mu.Lock()
	cancel := a.cancel
	a.mu.Unlock()
	if cancel != nil {
		cancel()
	}
	a.wg.Wait()
}

// errStopped is returned by Set and Status on an agent not running.
var errStopped = errors.New("bfd: agent not running")

// do runs f in the loop goroutine and waits for it.
func (a *Agent) do(ctx context.Context, f func(now time.Time)) error {
	a.mu.Lock()
	stopped := a.done
	a.mu.Unlock()
	if stopped == nil {
		return errStopped
	}
	done := make(chan struct{})
	select {
	case a.cmds <- func(now time.Time) { f(now); close(done) }:
	case <-stopped:
		return errStopped
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Set makes the sessions those of cfgs: new peers get a session, peers
// gone are sent AdminDown and dropped, and a changed interval or
// multiplier is applied in place (a Poll Sequence tells the peer).
func (a *Agent) Set(ctx context.Context, cfgs []SessionConfig) error {
	var errs []error
	err := a.do(ctx, func(now time.Time) {
		want := map[netip.Addr]SessionConfig{}
		for _, c := range cfgs {
			c = c.withDefaults()
			want[c.Remote] = c
		}
		for addr, s := range a.sessions {
			if c, ok := want[addr]; !ok || c.Local != s.cfg.Local || c.RemotePort != s.cfg.RemotePort {
				a.drop(s, now)
			}
		}
		for addr, c := range want {
			if s := a.sessions[addr]; s != nil {
				a.retime(s, c, now)
				continue
			}
			if err := a.add(c, now); err != nil {
				errs = append(errs, err)
			}
		}
	})
	return errors.Join(append(errs, err)...)
}

// Status is every session's state, ordered by nothing in particular.
func (a *Agent) Status(ctx context.Context) ([]Status, error) {
	var out []Status
	err := a.do(ctx, func(time.Time) {
		for _, s := range a.sessions {
			m := s.m
			st := Status{Remote: s.cfg.Remote, State: m.state, Since: m.since, RemoteState: m.remoteState,
				LastDiag: m.lastDownDiag, RemoteDiag: m.remoteDiag, LocalDiscr: m.localDiscr, RemoteDiscr: m.remoteDiscr,
				Interval: s.cfg.Interval, Multiplier: s.cfg.Multiplier}
			if !m.detectAt.IsZero() {
				st.DetectTime = m.detectTime()
			}
			out = append(out, st)
		}
	})
	return out, err
}

func (a *Agent) add(c SessionConfig, now time.Time) error {
	conn, err := dialUDP(c)
	if err != nil {
		return fmt.Errorf("bfd: session to %v: %w", c.Remote, err)
	}
	var discr uint32
	for discr == 0 || a.byDiscr[discr] != nil {
		discr = rand.Uint32()
	}
	s := &session{cfg: c, m: newMachine(c.Interval, c.Multiplier, discr, now), conn: conn,
		dst: netip.AddrPortFrom(c.Remote, c.RemotePort)}
	a.sessions[c.Remote], a.byDiscr[discr] = s, s
	a.log.Info("bfd session added", "neighbor", c.Remote, "interval", c.Interval, "multiplier", c.Multiplier)
	return nil
}

// drop says AdminDown once and forgets the session.
func (a *Agent) drop(s *session, now time.Time) {
	s.m.adminDown(now)
	a.send(s)
	s.conn.Close()
	delete(a.sessions, s.cfg.Remote)
	delete(a.byDiscr, s.m.localDiscr)
	a.log.Info("bfd session removed", "neighbor", s.cfg.Remote)
}

func (a *Agent) retime(s *session, c SessionConfig, now time.Time) {
	if c.Interval == s.cfg.Interval && c.Multiplier == s.cfg.Multiplier {
		return
	}
	s.cfg = c
	m := s.m
	m.interval, m.mult, m.requiredMinRx = c.Interval, c.Multiplier, c.Interval
	if m.state == StateUp {
		m.desiredMinTx = c.Interval
	} else {
		m.desiredMinTx = max(slowTx, c.Interval)
	}
	m.pollActive = m.state == StateUp
	m.nextTx = now
}

func (a *Agent) loop(ctx context.Context) {
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			now := time.Now()
			for _, s := range a.sessions {
				a.drop(s, now)
			}
			a.mu.Lock()
			for _, c := range a.conns {
				c.Close()
			}
			a.mu.Unlock()
			return
		case r := <-a.rx:
			a.onPacket(r, time.Now())
		case f := <-a.cmds:
			f(time.Now())
		case <-timer.C:
		}
		timer.Reset(a.tick(time.Now()))
	}
}

// tick runs every session's timers and says how long the loop may sleep.
func (a *Agent) tick(now time.Time) time.Duration {
	wake := now.Add(time.Hour)
	for _, s := range a.sessions {
		if s.m.expire(now) {
			a.logChange(s)
		}
		send, w := s.m.due(now)
		if send {
			a.send(s)
		}
		if !w.IsZero() && w.Before(wake) {
			wake = w
		}
	}
	return max(wake.Sub(now), 0)
}

func (a *Agent) onPacket(r received, now time.Time) {
	p, err := Parse(r.b)
	if err != nil {
		a.log.Debug("bfd: packet discarded", "from", r.from, "err", err)
		return
	}
	var s *session
	if p.YourDiscr != 0 {
		s = a.byDiscr[p.YourDiscr]
	} else {
		s = a.sessions[r.from]
	}
	if s == nil || s.cfg.Remote != r.from {
		a.log.Debug("bfd: packet for no session", "from", r.from, "your_discriminator", p.YourDiscr)
		return
	}
	if s.m.receive(p, now) {
		a.logChange(s)
	}
	if s.m.sendFinal {
		a.send(s)
	}
}

func (a *Agent) logChange(s *session) {
	m := s.m
	a.log.Info("bfd session "+m.state.String(), "neighbor", s.cfg.Remote, "diag", m.localDiag.String(),
		"remote_state", m.remoteState.String(), "remote_diag", m.remoteDiag.String())
}

func (a *Agent) send(s *session) {
	p := s.m.packet()
	if _, err := s.conn.WriteToUDPAddrPort(p.Marshal(), s.dst); err != nil {
		a.log.Debug("bfd: send", "neighbor", s.cfg.Remote, "err", err)
	}
}

func (a *Agent) read(ctx context.Context, c *net.UDPConn) {
	buf := make([]byte, 1500)
	oob := make([]byte, 128)
	for {
		n, oobn, _, from, err := c.ReadMsgUDPAddrPort(buf, oob)
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
				return
			}
			a.log.Debug("bfd: receive", "err", err)
			continue
		}
		if ttl := receivedTTL(oob[:oobn]); ttl != gtsmTTL {
			a.log.Debug("bfd: packet discarded: TTL is not 255 (GTSM)", "from", from, "ttl", ttl)
			continue
		}
		select {
		case a.rx <- received{from: from.Addr().Unmap(), b: append([]byte(nil), buf[:n]...)}:
		case <-ctx.Done():
			return
		}
	}
}

// listenUDP opens a UDP socket on addr whose packets leave with TTL (hop
// limit) 255; with recvTTL the kernel reports each received packet's TTL
// (IP_RECVTTL, IPV6_RECVHOPLIMIT), for read to drop those below 255.
// IP_MINTTL would do that in the kernel, but Linux applies it to TCP only.
func listenUDP(ctx context.Context, addr netip.AddrPort, recvTTL bool) (*net.UDPConn, error) {
	network := "udp4"
	if addr.Addr().Is6() {
		network = "udp6"
	}
	lc := net.ListenConfig{Control: func(_, _ string, rc syscall.RawConn) error {
		var serr error
		err := rc.Control(func(fd uintptr) {
			if network == "udp4" {
				serr = unix.SetsockoptInt(int(fd), unix.IPPROTO_IP, unix.IP_TTL, gtsmTTL)
				if serr == nil && recvTTL {
					serr = unix.SetsockoptInt(int(fd), unix.IPPROTO_IP, unix.IP_RECVTTL, 1)
				}
				return
			}
			serr = unix.SetsockoptInt(int(fd), unix.IPPROTO_IPV6, unix.IPV6_UNICAST_HOPS, gtsmTTL)
			if serr == nil && recvTTL {
				serr = unix.SetsockoptInt(int(fd), unix.IPPROTO_IPV6, unix.IPV6_RECVHOPLIMIT, 1)
			}
		})
		return errors.Join(err, serr)
	}}
	pc, err := lc.ListenPacket(ctx, network, addr.String())
	if err != nil {
		return nil, fmt.Errorf("bfd: listening on %v: %w", addr, err)
	}
	return pc.(*net.UDPConn), nil
}

// receivedTTL is the TTL or hop limit in a packet's control messages, -1
// when absent.
func receivedTTL(oob []byte) int {
	msgs, err := unix.ParseSocketControlMessage(oob)
	if err != nil {
		return -1
	}
	for _, m := range msgs {
		v4 := m.Header.Level == unix.IPPROTO_IP && m.Header.Type == unix.IP_TTL
		v6 := m.Header.Level == unix.IPPROTO_IPV6 && m.Header.Type == unix.IPV6_HOPLIMIT
		if (v4 || v6) && len(m.Data) >= 4 {
			return int(binary.NativeEndian.Uint32(m.Data))
		}
	}
	return -1
}

// dialUDP opens a session's sending socket on a free source port in
// 49152-65535, from c.Local when set.
func dialUDP(c SessionConfig) (*net.UDPConn, error) {
	local := c.Local
	if !local.IsValid() {
		local = netip.IPv4Unspecified()
		if c.Remote.Is6() {
			local = netip.IPv6Unspecified()
		}
	}
	var err error
	for range 32 {
		var conn *net.UDPConn
		port := uint16(srcPortMin + rand.IntN(srcPortMax-srcPortMin+1))
		conn, err = listenUDP(context.Background(), netip.AddrPortFrom(local, port), false)
		if err == nil {
			return conn, nil
		}
	}
	return nil, err
}
