package bgp

import (
	"net/netip"
	"strings"
	"time"

	api "github.com/osrg/gobgp/v4/api"
	"github.com/osrg/gobgp/v4/pkg/packet/bgp"
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

// fsmStates is indexed by GoBGP's FSM state (idle 0 ... established 5);
// its API numbers the same states from 1, 0 being "unspecified".
var fsmStates = [...]SessionState{StateIdle, StateConnect, StateActive, StateOpenSent, StateOpenConfirm, StateEstablished}

func stateFromFSM(s bgp.FSMState) SessionState {
	if s < 0 || int(s) >= len(fsmStates) {
		return StateIdle
	}
	return fsmStates[s]
}

func stateFromAPI(s api.PeerState_SessionState) SessionState {
	if s == api.PeerState_SESSION_STATE_UNSPECIFIED {
		return StateIdle
	}
	return stateFromFSM(bgp.FSMState(s - 1))
}

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

// disconnectText turns GoBGP's reason for a session's end into words.
func disconnectText(r api.PeerState_DisconnectReason, msg string) string {
	if r == api.PeerState_DISCONNECT_REASON_UNSPECIFIED && msg == "" {
		return ""
	}
	s := strings.ToLower(strings.ReplaceAll(strings.TrimPrefix(r.String(), "DISCONNECT_REASON_"), "_", " "))
	if msg != "" && !strings.EqualFold(msg, s) {
		s += ": " + msg
	}
	return s
}

func bfdText(s api.BfdSessionState) string {
	switch s {
	case api.BfdSessionState_BFD_SESSION_STATE_UP:
		return "up"
	case api.BfdSessionState_BFD_SESSION_STATE_DOWN:
		return "down"
	case api.BfdSessionState_BFD_SESSION_STATE_ADMIN_DOWN:
		return "admin_down"
	case api.BfdSessionState_BFD_SESSION_STATE_INIT:
		return "init"
	}
	return ""
}
