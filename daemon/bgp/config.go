package bgp

import (
	"errors"
	"fmt"
	"net/netip"
	"time"
)

// Config is what the speaker needs to know: who it is and whom it talks to.
type Config struct {
	LocalAS  uint32
	RouterID netip.Addr // an IPv4 address, as BGP requires
	// ListenPort is the TCP port the speaker accepts sessions on: 0 means
	// BGP's own port 179, -1 means none (the speaker only connects out).
	ListenPort int32
	// ListenAddresses are the addresses it listens on; empty means 0.0.0.0,
	// and :: as well when a neighbor is an IPv6 address (a host without
	// IPv6 would otherwise fail to listen at all).
	ListenAddresses []netip.Addr
	Neighbors       []Neighbor
}

// Neighbor is one BGP peer, in practice the router in front of the directors.
type Neighbor struct {
	Address  netip.Addr
	RemoteAS uint32 // equal to LocalAS makes an iBGP session, else eBGP
	// Port is the peer's TCP port; 0 means 179.
	Port uint16
	// LocalAddress, when set, is the source address of the session, and so
	// the next hop of every announced route; otherwise the kernel picks the
	// address towards the peer.
	LocalAddress netip.Addr
	// HoldTime and Keepalive are whole seconds on the wire: HoldTime 0
	// means DefaultHoldTime, and otherwise at least 3 s (RFC 4271);
	// Keepalive 0 means a third of HoldTime.
	HoldTime, Keepalive time.Duration
	// Passive waits for the peer to connect and never connects out.
	Passive bool
	// BFD, when set, runs a single-hop BFD session (RFC 5880/5881, UDP
	// 3784, TTL 255) beside the BGP session; BFD going down resets it.
	BFD *BFD
}

// BFD holds the timers of a neighbor's BFD session; zero values take the
// defaults below.
type BFD struct {
	MinTx, MinRx time.Duration // DefaultBFDInterval when 0
	Multiplier   uint8         // DefaultBFDMultiplier when 0
}

const (
	// DefaultHoldTime is short on purpose: a director that dies without
	// closing its TCP session is routed around after this long (without
	// BFD). 3 s is BIRD's floor.
	DefaultHoldTime      = 3 * time.Second
	DefaultBFDInterval   = 100 * time.Millisecond
	DefaultBFDMultiplier = 3
)

// ErrRestartNeeded is returned by Reconfigure when the local AS, router id
// or listening socket changed: those need a new Speaker.
var ErrRestartNeeded = errors.New("bgp: local AS, router id or listen address changed; restart the speaker")

// Validate checks what a speaker cannot work without.
func (c Config) Validate() error {
	if c.LocalAS == 0 {
		return errors.New("bgp: local AS is 0")
	}
	if !c.RouterID.Is4() || c.RouterID.IsUnspecified() {
		return fmt.Errorf("bgp: router id %v is not an IPv4 address", c.RouterID)
	}
	if c.ListenPort < -1 {
		return fmt.Errorf("bgp: listen port %d (0 means 179, -1 none)", c.ListenPort)
	}
	seen := map[netip.Addr]bool{}
	for _, n := range c.Neighbors {
		if err := n.Validate(); err != nil {
			return err
		}
		if seen[n.Address] {
			return fmt.Errorf("bgp: neighbor %v listed twice", n.Address)
		}
		seen[n.Address] = true
	}
	return nil
}

// Validate checks one neighbor.
func (n Neighbor) Validate() error {
	if !n.Address.IsValid() || n.Address.IsUnspecified() || n.Address.Is4In6() || n.Address.Zone() != "" {
		return fmt.Errorf("bgp: neighbor address %v", n.Address)
	}
	if n.RemoteAS == 0 {
		return fmt.Errorf("bgp: neighbor %v: remote AS is 0", n.Address)
	}
	if n.LocalAddress.IsValid() && n.LocalAddress.Is4() != n.Address.Is4() {
		return fmt.Errorf("bgp: neighbor %v: local address %v is of the other family", n.Address, n.LocalAddress)
	}
	hold, keep := n.Timers()
	if hold < 3 {
		return fmt.Errorf("bgp: neighbor %v: hold time %v is under 3 s", n.Address, n.HoldTime)
	}
	if keep < 1 || (n.Keepalive != 0 && keep > hold/3) {
		return fmt.Errorf("bgp: neighbor %v: keepalive %v is not between 1 s and a third of the hold time", n.Address, n.Keepalive)
	}
	if b := n.BFD; b != nil {
		if b.MinTx < 0 || b.MinRx < 0 || b.MinTx > time.Hour || b.MinRx > time.Hour {
			return fmt.Errorf("bgp: neighbor %v: BFD interval out of range", n.Address)
		}
	}
	return nil
}

// Timers are the hold time and keepalive in the whole seconds GoBGP takes.
func (n Neighbor) Timers() (hold, keepalive uint64) {
	h := n.HoldTime
	if h == 0 {
		h = DefaultHoldTime
	}
	hold = uint64(h.Round(time.Second) / time.Second)
	if n.Keepalive == 0 {
		return hold, max(hold/3, 1)
	}
	return hold, uint64(n.Keepalive.Round(time.Second) / time.Second)
}

// Values are the timers with the defaults filled in.
func (b BFD) Values() (tx, rx time.Duration, mult uint8) {
	tx, rx, mult = b.MinTx, b.MinRx, b.Multiplier
	if tx == 0 {
		tx = DefaultBFDInterval
	}
	if rx == 0 {
		rx = DefaultBFDInterval
	}
	if mult == 0 {
		mult = DefaultBFDMultiplier
	}
	return tx, rx, mult
}

// SameGlobal says whether a and b agree on what needs a new speaker to
// change: local AS, router id and listening.
func SameGlobal(a, b Config) bool {
	if a.LocalAS != b.LocalAS || a.RouterID != b.RouterID || a.ListenPort != b.ListenPort {
		return false
	}
	la, lb := a.ListenAddrs(), b.ListenAddrs()
	if len(la) != len(lb) {
		return false
	}
	for i := range la {
		if la[i] != lb[i] {
			return false
		}
	}
	return true
}

// ListenAddrs are the addresses to listen on (see ListenAddresses).
func (c Config) ListenAddrs() []netip.Addr {
	if len(c.ListenAddresses) > 0 {
		return c.ListenAddresses
	}
	l := []netip.Addr{netip.IPv4Unspecified()}
	for _, n := range c.Neighbors {
		if n.Address.Is6() {
			return append(l, netip.IPv6Unspecified())
		}
	}
	return l
}

// SameNeighbor says whether a session configured as a can stay up under b.
func SameNeighbor(a, b Neighbor) bool {
	if (a.BFD == nil) != (b.BFD == nil) || a.BFD != nil && *a.BFD != *b.BFD {
		return false
	}
	a.BFD, b.BFD = nil, nil
	return a == b
}

// HostPrefix checks that p is a host route and gives it in canonical form.
func HostPrefix(p netip.Prefix) (netip.Prefix, error) {
	if !p.IsValid() || p.Addr().Is4In6() || p.Addr().Zone() != "" || p.Bits() != p.Addr().BitLen() {
		return netip.Prefix{}, fmt.Errorf("bgp: %v is not a /32 or /128", p)
	}
	if p.Addr().IsUnspecified() {
		return netip.Prefix{}, fmt.Errorf("bgp: %v is the unspecified address", p)
	}
	return p, nil
}
