package bgp

import "time"

// The speaker runs GoBGP in a helper process (lvsadm-bgp) and drives it
// with one JSON object per line on the helper's standard input, each
// answered by one line on its standard output, in order. The helper logs
// to its standard error as JSON (slog), and the daemon passes those lines
// on to its own log. The helper stops when its standard input ends, so it
// never outlives the daemon.
//
// Both ends are built from one tree and shipped in one package, so the
// protocol has no version: a field added here is known to both.

// Operations of the helper protocol.
const (
	OpStart       = "start"        // Config, Routes: run the speaker
	OpReconfigure = "reconfigure"  // Config
	OpRoutes      = "routes"       // Routes: SetRoutes
	OpWithdrawAll = "withdraw_all" // Reason
	OpStatus      = "status"       // answered with Status
	OpStop        = "stop"         // withdraw, close, stop; the helper then exits
)

// Request is one call from the daemon to the helper.
type Request struct {
	ID     uint64  `json:"id"`
	Op     string  `json:"op"`
	Config *Config `json:"config,omitempty"`
	Routes []Route `json:"routes,omitempty"`
	Reason string  `json:"reason,omitempty"`
	// Timeout bounds the call in the helper: the time left on the
	// daemon's context when it sent the request (0: no bound).
	Timeout time.Duration `json:"timeout,omitempty"`
}

// Response answers the Request with the same ID.
type Response struct {
	ID  uint64 `json:"id"`
	Err string `json:"err,omitempty"`
	// RestartNeeded marks Err as ErrRestartNeeded.
	RestartNeeded bool    `json:"restart_needed,omitempty"`
	Status        *Status `json:"status,omitempty"`
}
