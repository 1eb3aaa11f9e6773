// Package control is the daemon's control socket as its clients see it:
// the wire types ("lvsadm status -o json" is their JSON) and a client for
// lvsadm status, lvsadm reload, the override commands and the TUI.
//
// It imports the standard library only, so the TUI and the command line
// link nothing of the daemon to talk to it; the daemon fills these types
// from its own (package daemon converts health and heartbeat state).
package control

import "time"

// StatusSchemaVersion is Status's schema_version: it goes up when a field
// is renamed, removed or changes meaning (adding a field does not change
// it). The field names are stable (docs/output.md).
const StatusSchemaVersion = 1

// Status is what the control socket serves ("lvsadm status -o json").
type Status struct {
	// SchemaVersion is StatusSchemaVersion in every answer the daemon
	// gives ("lvsadm status -o json"): scripts check it.
	SchemaVersion   int             `json:"schema_version"`
	PID             int             `json:"pid"`
	Config          string          `json:"config"`
	Serial          int             `json:"serial_no"`
	Digest          string          `json:"digest"`
	LoadedAt        time.Time       `json:"loaded_at"`
	LastReloadError string          `json:"last_reload_error,omitempty"`
	Heartbeat       HeartbeatStatus `json:"heartbeat"`
	HeartbeatKeys   []string        `json:"heartbeat_keys,omitempty"` // key ids, signing key first
	VIPs            []string        `json:"vips"`
	Virtuals        []VirtualStatus `json:"virtuals"`
	Events          []Event         `json:"events"`
	TableError      string          `json:"table_error,omitempty"`
	// CheckLocalErrors counts the health checks this director could not
	// run through its own fault (out of file descriptors, a program that
	// cannot start); LastLocalError is the latest. They mark no real
	// server down: they are the director's problem.
	CheckLocalErrors uint64    `json:"check_local_errors,omitempty"`
	LastLocalError   string    `json:"last_local_error,omitempty"`
	Since            time.Time `json:"role_since"`
	// Filter is the filter the daemon applied; nil: none, every virtual
	// and every real server is listed.
	Filter *Filter `json:"filter,omitempty"`
	// Mode is lvs.cf's director_mode: "pair" or "ecmp".
	Mode string `json:"mode,omitempty"`
	// BGP is the speaker's state; nil without a bgp block.
	BGP *BGPStatus `json:"bgp,omitempty"`
	// Sync lists the kernel's connection sync daemons as the director
	// started them ("master syncid 5 on eth1").
	Sync []string `json:"sync,omitempty"`
}

// BGPStatus is the director's BGP speaker: its sessions and the routes it
// decided about.
type BGPStatus struct {
	LocalAS   uint32              `json:"local_as"`
	RouterID  string              `json:"router_id"`
	Running   bool                `json:"running"`
	Draining  bool                `json:"draining,omitempty"`
	Neighbors []BGPNeighborStatus `json:"neighbors"`
	Routes    []BGPRouteStatus    `json:"routes"`
}

// BGPNeighborStatus is one BGP session.
type BGPNeighborStatus struct {
	Address     string    `json:"address"`
	RemoteAS    uint32    `json:"remote_as"`
	State       string    `json:"state"` // idle, connect, active, opensent, openconfirm, established
	Since       time.Time `json:"since"`
	LastError   string    `json:"last_error,omitempty"`
	LastErrorAt time.Time `json:"last_error_at,omitzero"`
	HoldTime    float64   `json:"hold_time_s,omitempty"`
	UpdatesIn   uint64    `json:"updates_in"`
	UpdatesOut  uint64    `json:"updates_out"`
	BFD         string    `json:"bfd,omitempty"`
}

// BGPRouteStatus is one VIP's route: announced or withdrawn, and why.
type BGPRouteStatus struct {
	Prefix    string    `json:"prefix"`
	Announced bool      `json:"announced"`
	Reason    string    `json:"reason"`
	Since     time.Time `json:"since"`
}

// HeartbeatStatus is the failover state machine's part of the status.
type HeartbeatStatus struct {
	HeartbeatState
	// Failback is the primary's wait to take the services back from the
	// active backup (lvs.cf's failback); nil when not waiting.
	Failback *FailbackStatus `json:"failback,omitempty"`
}

// HeartbeatState is what the failover state machine reports of itself.
// heartbeat.Status embeds it, so the machine's snapshot and the wire are
// one struct and cannot drift apart; JSON flattens it into
// HeartbeatStatus.
type HeartbeatState struct {
	Role       string     `json:"role"`     // active or standby
	Identity   string     `json:"identity"` // primary or backup
	Peer       PeerStatus `json:"peer"`
	Rejected   uint64     `json:"rejected"`
	LastReject string     `json:"last_reject,omitempty"`
	// Datagrams dropped before the state machine: from an address that is
	// not the partner's, or (with a key) unsigned or failing the MAC, or
	// on a full queue.
	DroppedForeign   uint64 `json:"dropped_foreign"`
	DroppedForged    uint64 `json:"dropped_forged"`
	DroppedQueueFull uint64 `json:"dropped_queue_full"`
	ChildFail        bool   `json:"services_failed,omitempty"`
	LinkFail         bool   `json:"link_failed,omitempty"`
	// PrivateLink: heartbeats also travel over the private addresses.
	PrivateLink bool `json:"private_link,omitempty"`
}

// FailbackStatus is a returning primary's wait for its sync backup to
// catch up with the partner's connection table before it takes back.
type FailbackStatus struct {
	Since time.Time `json:"since"`
	// HoldSeconds bounds the wait: the primary takes back then at the
	// latest.
	HoldSeconds float64 `json:"hold_s"`
	// Connections is the local IPVS connection table's size at the last
	// poll (once a second, with syncdaemon = 1), StableSeconds how long it
	// has not grown. Polled is false without a sync daemon (the wait is
	// the hold time) or before the first poll.
	Polled        bool    `json:"polled"`
	Connections   int     `json:"connections"`
	StableSeconds float64 `json:"stable_s"`
	LastError     string  `json:"last_error,omitempty"`
}

// PeerStatus is what the daemon knows of the other director.
type PeerStatus struct {
	Heard     bool      `json:"heard"`
	LastHeard time.Time `json:"last_heard,omitzero"`
	From      string    `json:"from,omitempty"`
	Link      string    `json:"link,omitempty"`
	// LastHeardPublic and LastHeardPrivate are when a heartbeat last came
	// over each link, so that one broken link shows before the other
	// breaks too.
	LastHeardPublic  time.Time `json:"last_heard_public,omitzero"`
	LastHeardPrivate time.Time `json:"last_heard_private,omitzero"`
	State            string    `json:"state,omitempty"` // the last magic: running, stopped, ...
	Lvsadm           bool      `json:"lvsadm"`          // sends lvsadm's trailer
	Signed           bool      `json:"signed"`
	Serial           *int32    `json:"serial_no,omitempty"`
	Digest           string    `json:"digest,omitempty"`
	// DigestMatch is nil until the partner has sent a digest.
	DigestMatch *bool `json:"digest_match,omitempty"`
	// Trailer is the version of lvsadm's trailer the partner sends (0: none).
	Trailer int `json:"trailer_version,omitempty"`
	// Replay is how signed heartbeats are protected against replays:
	// "nonce" (trailer version 2), "timestamp" (version 1, an older
	// lvsadm partner), empty without a key.
	Replay string `json:"replay_protection,omitempty"`
	// AwaitingEcho: with a key, the partner's heartbeats are arriving but
	// none has yet echoed a nonce sent within deadtime, so they do not
	// prove it alive (after either director starts, for a few round
	// trips).
	AwaitingEcho bool `json:"awaiting_echo,omitempty"`
}

// VirtualStatus is one virtual server and its real servers.
type VirtualStatus struct {
	Name     string         `json:"name"`
	Active   bool           `json:"active"`
	Address  string         `json:"address"`
	Port     uint16         `json:"port"`
	Protocol string         `json:"protocol"`
	Fwmark   uint32         `json:"fwmark,omitempty"`
	Servers  []ServerStatus `json:"servers"`
	// Counts is set when Servers may be a part of the virtual's real
	// servers (a state filter, or the summary): it counts all of them.
	Counts *Counts `json:"counts,omitempty"`
}

// Counts are a virtual's real servers by state.
type Counts struct {
	Servers  int `json:"servers"`
	Up       int `json:"up"`
	Down     int `json:"down"`
	Quiesced int `json:"quiesced"` // down, kept in the table at weight 0 (counted in Down too)
	Unknown  int `json:"unknown"`
	Off      int `json:"off"` // active = 0 in lvs.cf
	Override int `json:"override"`
}

// Health states of a real server.
const (
	Unknown = "unknown" // not checked yet: not in the table
	Up      = "up"
	Down    = "down"
)

// ServerStatus is one real server: its configuration and health. The
// field order is the JSON order lvsadm status -o json has always had.
type ServerStatus struct {
	Name    string `json:"name"`
	Address string `json:"address"`
	Port    uint16 `json:"port"`
	Weight  int    `json:"weight"`
	Active  bool   `json:"active"`

	Virtual        string       `json:"virtual"`
	Server         string       `json:"server"`
	State          string       `json:"state"` // Unknown, Up or Down
	EverUp         bool         `json:"ever_up"`
	LastCheck      *CheckResult `json:"last_check,omitempty"`
	LastTransition time.Time    `json:"last_transition,omitzero"`
	Checks         uint64       `json:"checks"`
	Failures       uint64       `json:"failures"`
	// LoadWeight is the weight load monitoring gave the server (0: none
	// yet, the table uses the configured weight or the slow start's).
	LoadWeight int `json:"load_weight,omitempty"`
	// LocalError is the director's own failure that kept the last check
	// from running (out of file descriptors, a program that cannot
	// start): it says nothing of the server, whose state stays as it was.
	LocalError string `json:"local_error,omitempty"`
	// Load is the last load-average reading, with load_monitor.
	Load *LoadReading `json:"load,omitempty"`
	// Quiesced: down, and kept in the table at weight 0 (quiesce_server).
	Quiesced bool `json:"quiesced,omitempty"`
	// Override is the operator's (lvsadm drain, weight, out); nil: none.
	Override *Override `json:"override,omitempty"`
}

// CheckResult is the outcome of one health check.
type CheckResult struct {
	OK      bool          `json:"ok"`
	Reason  string        `json:"reason,omitempty"`
	Answer  string        `json:"answer,omitempty"` // what the server said, cut to 64 bytes, when the check failed
	Latency time.Duration `json:"latency_ns"`
	At      time.Time     `json:"at"`
}

// LoadReading is one answer of the load_monitor command.
type LoadReading struct {
	Average float64   `json:"average"`
	Error   string    `json:"error,omitempty"`
	At      time.Time `json:"at"`
}

// Event is something that happened, for the status' recent history.
type Event struct {
	At      time.Time `json:"at"`
	Kind    string    `json:"kind"` // role, health, config, heartbeat, override
	Message string    `json:"message"`
	Server  string    `json:"server,omitempty"`
	State   string    `json:"state,omitempty"`
	Reason  string    `json:"reason,omitempty"`
	Answer  string    `json:"answer,omitempty"`
}

// Kinds of operator override.
const (
	Drain  = "drain"  // weight 0: no new connections, existing ones finish
	Weight = "weight" // a weight of the operator's instead of lvs.cf's
	Out    = "out"    // not in the kernel table at all
)

// Override is an operator's change to one real server, held by the daemon
// (not written to lvs.cf) until cleared; the table follows it.
type Override struct {
	Kind   string    `json:"kind"`   // Drain, Weight or Out
	Weight int32     `json:"weight"` // the weight in the table: 0 for Drain and Out
	Since  time.Time `json:"since"`
}
