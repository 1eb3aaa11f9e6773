package gobgpengine

import (
	"strings"

	"github.com/lvsadm/lvsadm/daemon/bgp"
	api "github.com/osrg/gobgp/v4/api"
	packet "github.com/osrg/gobgp/v4/pkg/packet/bgp"
)

// fsmStates is indexed by GoBGP's FSM state (idle 0 ... established 5);
// its API numbers the same states from 1, 0 being "unspecified".
var fsmStates = [...]bgp.SessionState{bgp.StateIdle, bgp.StateConnect, bgp.StateActive, bgp.StateOpenSent, bgp.StateOpenConfirm, bgp.StateEstablished}

func stateFromFSM(s packet.FSMState) bgp.SessionState {
	if s < 0 || int(s) >= len(fsmStates) {
		return bgp.StateIdle
	}
	return fsmStates[s]
}

func stateFromAPI(s api.PeerState_SessionState) bgp.SessionState {
	if s == api.PeerState_SESSION_STATE_UNSPECIFIED {
		return bgp.StateIdle
	}
	return stateFromFSM(packet.FSMState(s - 1))
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
