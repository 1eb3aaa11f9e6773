package bgp

import (
	"net/netip"
	"time"
)

// SessionState is a BGP session's state (RFC 4271 section 8.2.2), in lower
// case: idle, connect, active, opensent, openconfirm, established.
type SessionState string

const (
	StateIdle        SessionState = "idle"
	StateConnect     SessionState = "connect"
	StateActive      SessionState = "active"
	StateOpenSent    SessionState = "opensent"
	StateOpenConfirm SessionState = "openconfirm"
	StateEstablished SessionState = "established"
)

// Status is what the speaker is doing, for lvsadm status, the TUI and the
// metrics.
type Status struct {
	Running   bool
	LocalAS   uint32
	RouterID  netip.Addr
	Neighbors []NeighborStatus // in configuration order
	Routes    []RouteStatus    // sorted by prefix
}

// NeighborStatus is one BGP session.
type NeighborStatus struct {
	Address  netip.Addr
	RemoteAS uint32
	State    SessionState
	// Since is when State was entered (as far as the speaker saw: states
	// it passed through between two looks are not recorded).
	Since time.Time
	// LastError says why the session last left Established ("hold timer
	// expired", "notification received ..."); empty if it never did.
	LastError string
	// LastErrorAt is when that happened.
	LastErrorAt time.Time
	// HoldTime is the negotiated hold time while established.
	HoldTime time.Duration
	// MessagesIn and MessagesOut count BGP messages of this session's
	// lifetime in the server; UpdatesIn and UpdatesOut the UPDATEs among them.
	MessagesIn, MessagesOut, UpdatesIn, UpdatesOut uint64
	// BFD is the BFD session's state (up, down, init, admin_down), empty
	// without BFD.
	BFD string
}

// RouteStatus is one prefix the daemon asked about.
type RouteStatus struct {
	Prefix netip.Prefix
	// Announced is true while the prefix is offered to every neighbor (it
	// reaches those that are established).
	Announced bool
	Reason    string
	// Since is when Announced last changed.
	Since time.Time
}

// Route is one prefix the daemon decided about: announce it or not, and why.
type Route struct {
	Prefix   netip.Prefix // a host route: /32 or /128
	Announce bool
	Reason   string // for status: "2 of 3 real servers up", "no real server up"
}
